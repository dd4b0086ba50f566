package ipsecwithoutvpn

import (
	_ "embed"

	"github.com/tcpipc/tcpipc/diag"
	"github.com/tcpipc/tcpipc/verify"
)

//go:embed doc.go
var doc string

// Rule is IPSEC003.
var Rule = &verify.Rule{
	ID:       "IPSEC003",
	Name:     "ipsec-without-vpn",
	Severity: diag.Error,
	Summary:  "an IpSec filter rule without an IpDynVpnAction or IpManVpnAction",
	Doc:      verify.DocOf(doc),
	Run:      run,
}

func run(p *verify.Pass) (any, error) {
	for _, s := range p.Sysplex.Stacks {
		if s.Policy == nil {
			continue
		}
		seen := map[string]bool{}
		for _, f := range s.Policy.FilterRules {
			if f.Action != "IPSEC" || f.DynVPN != nil || f.ManVPN != nil || seen[f.Name] {
				continue
			}
			seen[f.Name] = true
			p.Reportf(f.Range, "%s: IpFilterRule %s has action IpSec but no VPN action", s.Name, f.Name).Detail =
				"Add IpDynVpnActionRef (tunnels negotiated by IKE) or IpManVpnActionRef to the rule."
		}
	}
	return nil, nil
}
