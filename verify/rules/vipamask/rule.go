package vipamask

import (
	_ "embed"

	"github.com/tcpipc/tcpipc/diag"
	"github.com/tcpipc/tcpipc/verify"
)

//go:embed doc.go
var doc string

// Rule is DVIPA007.
var Rule = &verify.Rule{
	ID:       "DVIPA007",
	Name:     "vipa-mask",
	Severity: diag.Warning,
	Summary:  "VIPADEFINE and VIPABACKUP of one DVIPA with different masks",
	Doc:      verify.DocOf(doc),
	Run:      run,
}

// masked is one statement that activates a DVIPA with a mask.
type masked struct {
	stack, stmt string
	bits        int
	at          diag.Range
}

func run(p *verify.Pass) (any, error) {
	for _, v := range p.Sysplex.DVIPAs {
		var all []masked
		for _, d := range v.Defines {
			if d.Mask != nil {
				all = append(all, masked{d.Stack.Name, "VIPADEFINE", d.PrefixLen, d.Mask.Range})
			}
		}
		for _, b := range v.Backups {
			if b.Mask != nil {
				all = append(all, masked{b.Stack.Name, "VIPABACKUP", b.PrefixLen, b.Mask.Range})
			}
		}
		if len(all) < 2 {
			continue
		}
		first := all[0] // the owner's VIPADEFINE when there is one
		for _, m := range all[1:] {
			if m.bits == first.bits {
				continue
			}
			d := p.Reportf(m.at, "%s %s on %s has mask /%d, but %s %s on %s has /%d", m.stmt, v.Addr, m.stack, m.bits, first.stmt, v.Addr, first.stack, first.bits)
			d.Detail = "The DVIPA's subnet would change with the stack that holds it; code the same mask everywhere."
			d.Related = []diag.Related{{Range: first.at, Message: first.stack + "'s mask here"}}
		}
	}
	return nil, nil
}
