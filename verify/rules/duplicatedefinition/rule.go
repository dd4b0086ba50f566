package duplicatedefinition

import (
	_ "embed"
	"fmt"

	"github.com/tcpipc/tcpipc/diag"
	"github.com/tcpipc/tcpipc/verify"
)

//go:embed doc.go
var doc string

// Rule is DVIPA003.
var Rule = &verify.Rule{
	ID:       "DVIPA003",
	Name:     "duplicate-definition",
	Severity: diag.Error,
	Also:     []diag.Severity{diag.Warning},
	Summary:  "a DVIPA defined twice in a profile without VIPADELETE, or VIPADEFINEd on two stacks",
	Doc:      verify.DocOf(doc),
	Run:      run,
}

func run(p *verify.Pass) (any, error) {
	for _, s := range p.Sysplex.Stacks {
		for _, r := range s.VIPA.Rejected {
			d := p.Reportf(r.Addr.Range, "%s %s is rejected: %s already defines it without a VIPADELETE in between", r.Kind, r.Addr.Addr, s.Name)
			d.Detail = "The stack keeps the first definition and rejects this one. Remove it, or code VIPADELETE " + r.Addr.Addr.String() + " before it."
			d.Related = []diag.Related{{Range: r.First, Message: "first defined here"}}
		}
	}
	for _, v := range p.Sysplex.DVIPAs {
		for _, other := range v.Defines[min(1, len(v.Defines)):] {
			first := v.Defines[0]
			d := p.Reportf(other.Addr.Range, "%s is VIPADEFINEd on both %s and %s", v.Addr, first.Stack.Name, other.Stack.Name)
			d.Severity = diag.Warning
			d.Detail = fmt.Sprintf("Both stacks try to own the DVIPA; whichever activates it first wins. Make %s a VIPABACKUP with a rank instead.", other.Stack.Name)
			d.Related = []diag.Related{{Range: first.Addr.Range, Message: "also defined on " + first.Stack.Name}}
		}
	}
	return nil, nil
}
