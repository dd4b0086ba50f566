package whatif

import (
	"bytes"
	"slices"
	"strings"
	"testing"

	"github.com/tcpipc/tcpipc/plan"
)

// TestRangesAfterFailure: on the viparange plan (SYSA and SYSB share a
// NONDISRUPTIVE and a DISRUPTIVE VIPARANGE), SYSB's failure loses the
// DVIPAs SYSB holds; SYSA takes over a NONDISRUPTIVE one its server still
// binds, never a DISRUPTIVE one (no second bind succeeds, so none is
// Moving on SYSA); a bind on SYSA creates either again. A failure of no
// stack of the range leaves its DVIPAs alone.
func TestRangesAfterFailure(t *testing.T) {
	p := checkedIn(t, "viparange")
	o, err := Derive(p, Scenario{Failed: []string{"SYSB"}, Recovered: []string{"SYSB"}})
	if err != nil {
		t.Fatal(err)
	}
	if len(o.Ranges) != 2 {
		t.Fatalf("got %d ranges, want 2", len(o.Ranges))
	}
	for _, r := range o.Ranges {
		wantTake := []string{}
		if r.Prefix.String() == "10.9.8.0/24" {
			wantTake = []string{"SYSA"}
		}
		if !slices.Equal(r.Lost, []string{"SYSB"}) || !slices.Equal(r.TakeOver, wantTake) || !slices.Equal(r.Rebind, []string{"SYSA"}) {
			t.Errorf("%s: lost %v, take over %v, rebind %v", r.Prefix, r.Lost, r.TakeOver, r.Rebind)
		}
		if !strings.HasPrefix(r.AfterRecovery, "SYSB takes no DVIPA back by itself") {
			t.Errorf("%s after recovery: %q", r.Prefix, r.AfterRecovery)
		}
	}
	var out bytes.Buffer
	if err := o.WriteText(&out); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "VIPARANGE 10.9.8.0/24  on SYSA NONDISRUPTIVE, SYSB NONDISRUPTIVE") ||
		!strings.Contains(out.String(), "SYSA takes one over if a server there still binds it") {
		t.Fatalf("text:\n%s", out.String())
	}

	// With no stack failing, nothing is lost.
	none, err := Derive(p, Scenario{})
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range none.Ranges {
		if len(r.Lost)+len(r.TakeOver) != 0 || r.AfterRecovery != "" || !strings.HasPrefix(r.Text, "no failing stack defines it") {
			t.Errorf("%s with no failure: %+v", r.Prefix, r)
		}
	}
}

// TestRangeTakeOverFollowsTheFailingStacksMode: a stack keeps an
// application DVIPA Moving only if the bind that took it, on the stack
// that now fails, was allowed to move it: the failing stack's range is
// NONDISRUPTIVE (its own bind is refused if DISRUPTIVE, as run does). The
// surviving stack's own mode does not matter.
func TestRangeTakeOverFollowsTheFailingStacksMode(t *testing.T) {
	for _, tc := range []struct {
		survivor, failing plan.RangeMoveable
		want              []string
	}{
		{plan.NonDisruptive, plan.NonDisruptive, []string{"SYSA"}},
		{plan.Disruptive, plan.NonDisruptive, []string{"SYSA"}},
		{plan.NonDisruptive, plan.Disruptive, []string{}},
	} {
		p := checkedIn(t, "viparange")
		for i := range p.Stacks {
			for j := range p.Stacks[i].VIPARanges {
				if r := &p.Stacks[i].VIPARanges[j]; r.Prefix.String() == "10.9.8.0/24" {
					r.Moveable = map[string]plan.RangeMoveable{"SYSA": tc.survivor, "SYSB": tc.failing}[p.Stacks[i].Name]
				}
			}
		}
		o, err := Derive(p, Scenario{Failed: []string{"SYSB"}})
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range o.Ranges {
			if r.Prefix.String() == "10.9.8.0/24" && !slices.Equal(r.TakeOver, tc.want) {
				t.Errorf("SYSA %s, failing SYSB %s: take over %v, want %v", tc.survivor, tc.failing, r.TakeOver, tc.want)
			}
		}
	}
}
