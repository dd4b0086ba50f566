package presharedkeywithoutkey

import (
	_ "embed"

	"github.com/tcpipc/tcpipc/diag"
	"github.com/tcpipc/tcpipc/verify"
)

//go:embed doc.go
var doc string

// Rule is IPSEC004.
var Rule = &verify.Rule{
	ID:       "IPSEC004",
	Name:     "presharedkey-without-key",
	Severity: diag.Error,
	Summary:  "PresharedKey authentication in a KeyExchangeRule without SharedKey",
	Doc:      verify.DocOf(doc),
	Run:      run,
}

func run(p *verify.Pass) (any, error) {
	for _, s := range p.Sysplex.Stacks {
		if s.Policy == nil || s.Policy.KeyExchange == nil {
			continue
		}
		for _, r := range s.Policy.KeyExchange.Rules {
			if r.Action != nil && r.Action.HowToAuthMe == "PRESHAREDKEY" && !r.SharedKey.Present() {
				d := p.Reportf(r.Range, "%s: %s authenticates with a pre-shared key but has no SharedKey", s.Name, r.Label())
				d.Related = []diag.Related{{Range: r.Action.Range, Message: "HowToAuthMe PresharedKey"}}
			}
		}
	}
	return nil, nil
}
