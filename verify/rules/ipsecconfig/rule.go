package ipsecconfig

import (
	_ "embed"

	"github.com/tcpipc/tcpipc/diag"
	"github.com/tcpipc/tcpipc/verify"
)

//go:embed doc.go
var doc string

// Rule is IPSEC001.
var Rule = &verify.Rule{
	ID:       "IPSEC001",
	Name:     "ipsec-config",
	Severity: diag.Warning,
	Summary:  "IPSEC block without IPCONFIG IPSECURITY, IPSEC6RULE without IPCONFIG6 IPSECURITY, or more than one IPSEC block",
	Doc:      verify.DocOf(doc),
	Run:      run,
}

func run(p *verify.Pass) (any, error) {
	for _, s := range p.Sysplex.Stacks {
		blk := s.IPSec
		if blk == nil {
			continue
		}
		if s.IPSecurity == nil {
			p.Reportf(blk.Range, "%s: IPSEC block is ignored because IPCONFIG IPSECURITY is not coded", s.Name).Detail =
				"Without IPCONFIG IPSECURITY in the initial profile the stack ignores the IPSEC statement, its rules and DVIPSEC."
		}
		if s.IPSecurity6 == nil {
			for _, r := range blk.Rules {
				if r.V6 {
					p.Reportf(r.Range, "%s: IPSEC6RULE has no effect without IPCONFIG6 IPSECURITY", s.Name)
				}
			}
		}
		for _, extra := range s.IPSecBlocks[1:] {
			d := p.Reportf(extra, "%s: second IPSEC block is ignored", s.Name)
			d.Detail = "Only the first IPSEC block of a profile is used; the stack ignores this one (EZZ0757I). Merge the rules into the first."
			d.Related = []diag.Related{{Range: blk.Range, Message: "the IPSEC block in effect"}}
		}
	}
	return nil, nil
}
