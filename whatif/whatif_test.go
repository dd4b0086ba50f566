package whatif

import (
	"bytes"
	"net/netip"
	"strings"
	"testing"

	"github.com/tcpipc/tcpipc/plan"
)

// longFormPlan: A VIPADEFINEs 10.1.1.1 with the given MOVEABLE; B backs it
// up with the long form (it can create the DVIPA), C with the short form.
func longFormPlan(moveable plan.Moveable) *plan.Plan {
	return &plan.Plan{Version: plan.Version, Sysplex: "P",
		Stacks: []plan.Stack{{Name: "A", XCFGroup: "EZBTCPCS"}, {Name: "B", XCFGroup: "EZBTCPCS"}, {Name: "C", XCFGroup: "EZBTCPCS"}},
		DVIPAs: []plan.DVIPA{{Addr: netip.MustParseAddr("10.1.1.1"), PrefixLen: 32, Owner: "A", Origin: "VIPADEFINE", DefinedBy: []string{"A"}, Moveable: moveable,
			Backups: []plan.Backup{{Position: 1, Rank: 200, Stack: "C"}, {Position: 2, Rank: 100, Stack: "B", CanCreate: true}}}}}
}

// TestWhatifRecoveryOrder: stacks come back one after the other in the
// order given, and the order decides who holds the DVIPA. With A, B and C
// down, B returning first creates the DVIPA (long form); A returning
// afterwards takes it back (IMMEDIATE) or waits for B to be idle
// (WHENIDLE). A returning first simply activates it again. C returning
// first does nothing: a backup without a mask never creates a DVIPA that
// is active nowhere.
func TestWhatifRecoveryOrder(t *testing.T) {
	for _, tc := range []struct {
		moveable  plan.Moveable
		recovered []string
		owner     string
		event     string
	}{
		{"IMMEDIATE", []string{"B", "A"}, "A", "takeback"},
		{"WHENIDLE", []string{"B", "A"}, "B", "takeback-when-idle"},
		{"WHENIDLE", []string{"A", "B"}, "A", "reactivated"},
		{"IMMEDIATE", []string{"C"}, "", "unavailable"},
		{"IMMEDIATE", []string{"C", "B"}, "B", "takeover"},
		{"IMMEDIATE", []string{"B", "C"}, "B", "takeover"},
		{"IMMEDIATE", []string{"C", "A"}, "A", "reactivated"},
	} {
		o, err := Derive(longFormPlan(tc.moveable), Scenario{Failed: []string{"A", "B", "C"}, Recovered: tc.recovered})
		if err != nil {
			t.Fatal(err)
		}
		if got := o.DVIPAs[0].AfterFailure.Event; got != "unavailable" {
			t.Errorf("%s: after failure %q, want unavailable", tc.moveable, got)
		}
		ph := o.DVIPAs[0].AfterRecovery
		if ph.Owner != tc.owner || ph.Event != tc.event {
			t.Errorf("%s, recover %v: %s %q, want %s %q", tc.moveable, tc.recovered, ph.Event, ph.Owner, tc.event, tc.owner)
		}
		if got := o.Recovered; len(got) != len(tc.recovered) || got[0] != tc.recovered[0] {
			t.Errorf("recover %v: outcome lists %v", tc.recovered, got)
		}
	}
}

// TestWhatifDoubleFailureShortFormBackup is issue 11's double failure on
// figure 9: MVS1 (owner of DVA1) and MVS5 (its only backup, VIPABACKUP
// without a mask) fail, MVS5 comes back first. IBM: that form of
// VIPABACKUP only takes over a DVIPA that is active; DVA1 stays
// unavailable until MVS1 returns and activates it.
func TestWhatifDoubleFailureShortFormBackup(t *testing.T) {
	p := figure9(t)
	steps := []struct {
		recovered []string
		owner     string
	}{
		{[]string{"MVS5"}, ""},
		{[]string{"MVS5", "MVS1"}, "MVS1"},
		{[]string{"MVS1", "MVS5"}, "MVS1"},
	}
	for _, st := range steps {
		o, err := Derive(p, Scenario{Failed: []string{"MVS1", "MVS5"}, Recovered: st.recovered})
		if err != nil {
			t.Fatal(err)
		}
		for _, d := range o.DVIPAs {
			if d.Addr.String() != "201.2.10.11" {
				continue
			}
			if d.AfterRecovery.Owner != st.owner {
				t.Errorf("recover %v: DVA1 owner %q, want %q", st.recovered, d.AfterRecovery.Owner, st.owner)
			}
		}
	}
}

// TestWhatifRecoversTwice: a stack named twice in the recovery order is
// refused.
func TestWhatifRecoversTwice(t *testing.T) {
	if _, err := Derive(longFormPlan("IMMEDIATE"), Scenario{Failed: []string{"A"}, Recovered: []string{"A", "A"}}); err == nil {
		t.Error("no error for a stack recovering twice")
	}
}

// TestWhatifTextSaysTheOrder: the text names the recovery order.
func TestWhatifTextSaysTheOrder(t *testing.T) {
	o, err := Derive(longFormPlan("IMMEDIATE"), Scenario{Failed: []string{"A", "B"}, Recovered: []string{"B", "A"}})
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	if err := o.WriteText(&b); err != nil {
		t.Fatal(err)
	}
	if want := "sysplex P: A, B fail, then B, A come back in that order\n"; !strings.HasPrefix(b.String(), want) {
		t.Errorf("text starts %q, want %q", strings.SplitAfter(b.String(), "\n")[0], want)
	}
}

// TestWhatifEveryPortSetOfTheHolder: A distributes 10.1.1.1 by two
// VIPADISTRIBUTE statements (port 5000 WEIGHTEDACTIVE to A and B, port 23
// round robin to all); after C fails both are in force, each saying its
// ports and targets. whatif showed only the last.
func TestWhatifEveryPortSetOfTheHolder(t *testing.T) {
	p := longFormPlan(plan.Immediate)
	p.DVIPAs[0].Distributions = []plan.Distribution{
		{Stack: "A", Method: plan.WeightedActive, Ports: []plan.PortRange{{From: 5000, To: 5000}}, Targets: []plan.Target{{Stack: "A"}, {Stack: "B"}}},
		{Stack: "A", Method: plan.RoundRobin, Ports: []plan.PortRange{{From: 23, To: 23}}, Targets: []plan.Target{{Stack: "A"}, {Stack: "B"}, {Stack: "C"}}},
	}
	o, err := Derive(p, Scenario{Failed: []string{"C"}})
	if err != nil {
		t.Fatal(err)
	}
	ph := o.DVIPAs[0].AfterFailure
	if ph.Distribution == nil || len(ph.MoreDistributions) != 1 || ph.MoreDistributions[0].Method != plan.RoundRobin {
		t.Fatalf("distributions %+v and %+v", ph.Distribution, ph.MoreDistributions)
	}
	var b strings.Builder
	if err := o.WriteText(&b); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"ports 5000, weightedactive, to A, B", "ports 23, roundrobin, to A, B (dropped: C)"} {
		if !strings.Contains(b.String(), want) {
			t.Errorf("missing %q in:\n%s", want, b.String())
		}
	}
	var j bytes.Buffer
	if err := o.WriteJSON(&j); err != nil {
		t.Fatal(err)
	}
	validateWhatif(t, j.Bytes())
}
