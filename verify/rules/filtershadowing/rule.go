package filtershadowing

import (
	_ "embed"
	"fmt"
	"strings"

	"github.com/tcpipc/tcpipc/diag"
	"github.com/tcpipc/tcpipc/model"
	"github.com/tcpipc/tcpipc/verify"
)

//go:embed doc.go
var doc string

// Rule is IPSEC002.
var Rule = &verify.Rule{
	ID:       "IPSEC002",
	Name:     "filter-shadowing",
	Severity: diag.Warning,
	Summary:  "an IP filter rule that can never match because an earlier rule covers it",
	Doc:      verify.DocOf(doc),
	Run:      run,
}

func run(p *verify.Pass) (any, error) {
	for _, s := range p.Sysplex.Stacks {
		switch {
		case s.Policy != nil && (s.Policy.Installed || s.Policy.Refused):
			check(p, s.Policy.FilterRules)
		case s.IPSec != nil:
			check(p, s.IPSec.Rules)
		}
	}
	return nil, nil
}

// instances numbers the uses of rules: the simple filters one IpFilterRule
// splits into share a number; every profile rule has its own.
func instances(rules []*model.FilterRule) []int {
	out := make([]int, len(rules))
	n := 0
	for i, r := range rules {
		if i > 0 {
			prev := rules[i-1]
			if !r.Policy || !prev.Policy || r.Name != prev.Name || r.Range != prev.Range || r.Extension <= prev.Extension {
				n++
			}
		}
		out[i] = n
	}
	return out
}

// check reports the dead rules of one ordered rule set.
func check(p *verify.Pass, rules []*model.FilterRule) {
	first := firstCovers(rules)
	inst := instances(rules)
	for start := 0; start < len(rules); {
		end := start
		for end < len(rules) && inst[end] == inst[start] {
			end++
		}
		var dead []int
		for i := start; i < end; i++ {
			// A filter whose first cover is a sibling is redundant within
			// its own rule, which is harmless.
			if first[i] >= 0 && inst[first[i]] != inst[i] {
				dead = append(dead, i)
			}
		}
		if len(dead) > 0 {
			report(p, rules, first, inst, dead, end-start)
		}
		start = end
	}
}

func report(p *verify.Pass, rules []*model.FilterRule, first, inst []int, dead []int, total int) {
	r := rules[dead[0]]
	// The rules that shadow it, each once, in order of appearance.
	var covers []*model.FilterRule
	seen := map[int]bool{}
	otherAction := ""
	for _, i := range dead {
		c := rules[first[i]]
		if !seen[inst[first[i]]] {
			seen[inst[first[i]]] = true
			covers = append(covers, c)
		}
		if c.Action != rules[i].Action && otherAction == "" {
			otherAction = c.Action
		}
	}
	what, by := ruleName(r), "earlier "+ruleName(covers[0])
	usedTwice := r.Policy && covers[0].Range == r.Range // one definition referenced twice
	if usedTwice {
		by = "its first use in IpFilterPolicy"
	}
	if len(covers) > 1 {
		by += fmt.Sprintf(" (and %d other earlier rules)", len(covers)-1)
	}
	subject, them := what, "it"
	if len(dead) < total {
		var names []string
		for k, i := range dead {
			if k == 4 {
				names = append(names, "…")
				break
			}
			names = append(names, fmt.Sprintf("%s.%d", rules[i].Name, rules[i].Extension))
		}
		subject = fmt.Sprintf("%d of %d filters of %s (%s)", len(dead), total, what, strings.Join(names, ", "))
		them = "them"
	}
	var d *diag.Diagnostic
	if otherAction != "" {
		d = p.Reportf(r.Range, "%s can never match: %s with action %s takes all of %s traffic, so the %s action never applies",
			subject, by, otherAction, possessive(them), r.Action)
	} else {
		d = p.Reportf(r.Range, "%s can never match: %s covers all of %s traffic", subject, by, possessive(them))
	}
	firstName := ruleName(covers[0])
	var b strings.Builder
	matching := what
	if len(dead) < total {
		matching = "its dead filters"
	}
	fmt.Fprintf(&b, "The stack applies the first filter rule a packet matches, in the order `ipsec -f display` lists them, and every packet %s would match is matched first by %s", matching, by)
	b.WriteString(": addresses, protocol, ports, routing, direction and security class all contain this rule's.")
	if otherAction != "" {
		fmt.Fprintf(&b, " That traffic gets %s instead of %s today, so the protection or blocking this rule was written for is missing.", otherAction, r.Action)
	}
	if usedTwice {
		fmt.Fprintf(&b, " IpFilterPolicy uses %s twice; remove the second reference.", r.Name)
	} else {
		fmt.Fprintf(&b, " If %s is an exception to %s, move it before that rule; if it repeats what the earlier rule already does, remove it.", what, firstName)
	}
	d.Detail = b.String()
	for k, c := range covers {
		if k == 3 {
			break
		}
		d.Related = append(d.Related, diag.Related{Range: c.Range, Message: ruleName(c) + " comes first and covers it"})
	}
}

func possessive(pronoun string) string {
	if pronoun == "them" {
		return "their"
	}
	return "its"
}

// ruleName names a rule the way the user wrote it.
func ruleName(r *model.FilterRule) string {
	switch {
	case r.Policy && r.Unnamed:
		return fmt.Sprintf("the unnamed IpFilterRule at line %d", r.Range.Start.Line)
	case r.Policy:
		return "IpFilterRule " + r.Name
	case r.V6:
		return "IPSEC6RULE " + r.Name
	}
	return "IPSECRULE " + r.Name
}
