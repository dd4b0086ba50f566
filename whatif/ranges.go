package whatif

import (
	"fmt"
	"net/netip"
	"strings"

	"github.com/tcpipc/tcpipc/plan"
)

// Application DVIPAs (VIPARANGE) exist only while an application binds
// them: its bind creates one on its stack, its last close deletes it. The
// plan names the ranges, not the DVIPAs, so whatif says per range where
// such DVIPAs go when stacks fail, not which exist. What it says is what
// run does: the DVIPAs a failing stack holds are lost with it; a
// surviving stack of the same XCF group whose server still binds one (it
// held the DVIPA before a bind on the failing stack took it, which that
// stack's NONDISRUPTIVE range allows, and keeps it Moving while bound)
// takes it over; else it is active
// nowhere until an application binds it again.

// RangeOutcome follows the application DVIPAs of one VIPARANGE prefix.
type RangeOutcome struct {
	Prefix netip.Prefix `json:"prefix"`
	// Stacks define the range, in manifest order.
	Stacks []RangeStack `json:"stacks"`
	// Lost are the failing stacks that define it: the DVIPAs they hold
	// go with them and their applications.
	Lost []string `json:"lost"`
	// TakeOver are the surviving stacks that take over such a DVIPA when
	// a server of theirs still binds it; Rebind those where a new bind
	// creates it again.
	TakeOver []string `json:"takeOver"`
	Rebind   []string `json:"rebind"`
	Text     string   `json:"text"`
	// AfterRecovery (empty without recovered stacks of the range) says
	// what the returning stacks' binds do.
	AfterRecovery string `json:"afterRecovery,omitempty"`
}

// RangeStack is one stack's VIPARANGE for a prefix.
type RangeStack struct {
	Stack    string             `json:"stack"`
	Moveable plan.RangeMoveable `json:"moveable"`
}

// deriveRanges follows every VIPARANGE prefix of the plan through the
// scenario, in the order the stacks define them.
func deriveRanges(p *plan.Plan, failed map[string]bool, recovered []string) []RangeOutcome {
	byPrefix := map[netip.Prefix]int{}
	var out []RangeOutcome
	for _, s := range p.Stacks {
		for _, r := range s.VIPARanges {
			i, ok := byPrefix[r.Prefix]
			if !ok {
				i = len(out)
				byPrefix[r.Prefix] = i
				out = append(out, RangeOutcome{Prefix: r.Prefix, Lost: []string{}, TakeOver: []string{}, Rebind: []string{}})
			}
			out[i].Stacks = append(out[i].Stacks, RangeStack{Stack: s.Name, Moveable: r.Moveable})
		}
	}
	for i := range out {
		rangeAfterFailure(p, &out[i], failed)
		out[i].AfterRecovery = rangeAfterRecovery(&out[i], recovered)
	}
	return out
}

// rangeAfterFailure fills in who loses, who may take over and where a
// new bind creates the range's DVIPAs.
func rangeAfterFailure(p *plan.Plan, r *RangeOutcome, failed map[string]bool) {
	// A stack keeps a DVIPA Moving only when a bind on another stack took
	// it, which that stack's range allows only NONDISRUPTIVE (run refuses
	// the bind otherwise): the groups of such failing stacks are where a
	// survivor may take one over.
	groups := map[string]bool{}
	for _, rs := range r.Stacks {
		if failed[rs.Stack] {
			r.Lost = append(r.Lost, rs.Stack)
			if rs.Moveable == plan.NonDisruptive {
				groups[p.Stack(rs.Stack).XCFGroup] = true
			}
		}
	}
	for _, rs := range r.Stacks {
		if failed[rs.Stack] {
			continue
		}
		r.Rebind = append(r.Rebind, rs.Stack)
		// Only the failing stack's group hears of the failure.
		if groups[p.Stack(rs.Stack).XCFGroup] {
			r.TakeOver = append(r.TakeOver, rs.Stack)
		}
	}
	if len(r.Lost) == 0 {
		r.Text = "no failing stack defines it: its application DVIPAs stay where they are"
		return
	}
	var b strings.Builder
	fmt.Fprintf(&b, "the application DVIPAs %s %s are lost with %s", strings.Join(r.Lost, " and "),
		plural(len(r.Lost), "holds", "hold"), plural(len(r.Lost), "it", "them"))
	if len(r.TakeOver) > 0 {
		fmt.Fprintf(&b, "; %s takes one over if a server there still binds it (it held the DVIPA before a bind on the failing stack took it)",
			strings.Join(r.TakeOver, " or "))
	}
	switch {
	case len(r.Rebind) > 0 && len(r.TakeOver) > 0:
		fmt.Fprintf(&b, "; otherwise it is active nowhere until an application binds it on %s", strings.Join(r.Rebind, " or "))
	case len(r.Rebind) > 0:
		fmt.Fprintf(&b, "; each is active nowhere until an application binds it on %s", strings.Join(r.Rebind, " or "))
	default:
		b.WriteString("; no other stack defines the range: none is active until a failing stack comes back and an application binds it")
	}
	r.Text = b.String()
}

// rangeAfterRecovery says what the binds of the returning stacks of the
// range do, "" when none of them defines it.
func rangeAfterRecovery(r *RangeOutcome, recovered []string) string {
	var back []string
	for _, n := range recovered {
		for _, rs := range r.Stacks {
			if rs.Stack == n {
				back = append(back, n)
			}
		}
	}
	if len(back) == 0 {
		return ""
	}
	return fmt.Sprintf("%s %s no DVIPA back by itself: a bind of %s applications creates the DVIPA, or takes it from the stack holding it if that stack's range is NONDISRUPTIVE (the bind fails if it is DISRUPTIVE)",
		strings.Join(back, ", "), plural(len(back), "takes", "take"), plural(len(back), "its", "their"))
}
