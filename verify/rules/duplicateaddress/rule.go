package duplicateaddress

import (
	_ "embed"
	"net/netip"
	"strings"

	"github.com/tcpipc/tcpipc/diag"
	"github.com/tcpipc/tcpipc/verify"
)

//go:embed doc.go
var doc string

// Rule is ADDR001.
var Rule = &verify.Rule{
	ID:       "ADDR001",
	Name:     "duplicate-address",
	Severity: diag.Error,
	Summary:  "a HOME or dynamic XCF address that two stacks of the sysplex both have",
	Doc:      verify.DocOf(doc),
	Run:      run,
}

// use is one stack's claim on a fixed address.
type use struct {
	stack, what string
	r           diag.Range
}

func run(p *verify.Pass) (any, error) {
	uses := map[netip.Addr][]use{}
	var order []netip.Addr
	add := func(a netip.Addr, u use) {
		if len(uses[a]) == 0 {
			order = append(order, a)
		}
		uses[a] = append(uses[a], u)
	}
	for _, s := range p.Sysplex.Stacks {
		for _, h := range s.Home {
			add(h.Addr.Addr, use{s.Name, "HOME address", h.Addr.Range})
		}
		for _, x := range s.DynamicXCF {
			add(x.Addr.Addr, use{s.Name, "dynamic XCF address", x.Addr.Range})
		}
	}
	for _, a := range order {
		report(p, a, uses[a])
	}
	return nil, nil
}

// report flags every claim after a stack's first on an address already
// claimed by another stack; claims written at one place of a profile the
// stacks share are reported once.
func report(p *verify.Pass, a netip.Addr, list []use) {
	first := list[0]
	seen := map[diag.Range]bool{}
	for _, u := range list[1:] {
		if u.stack == first.stack || seen[u.r] {
			continue // within one stack: the front end's business
		}
		seen[u.r] = true
		d := p.Reportf(u.r, "%s is the %s of %s and the %s of %s", a, u.what, u.stack, first.what, first.stack)
		d.Detail = "Each stack's HOME and dynamic XCF addresses must be its own in the sysplex; give " + u.stack + " another address."
		if u.r == first.r {
			d.Detail += " Both stacks read this line (a shared profile or member): write the address with a system symbol that differs per system, such as &SYSCLONE.."
		} else {
			d.Related = []diag.Related{{Range: first.r, Message: strings.Join([]string{first.stack, "has it here"}, " ")}}
		}
	}
}
