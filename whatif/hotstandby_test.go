package whatif

import (
	"bytes"
	"net/netip"
	"slices"
	"strings"
	"testing"

	"github.com/tcpipc/tcpipc/plan"
)

// hotStandbyPlan: A owns and distributes 10.1.1.1 port 80 by HOTSTANDBY,
// preferred target P, backups B1 (rank 50) and B2 (rank 100), with or
// without AUTOSWITCHBACK; D backs the DVIPA up.
func hotStandbyPlan(noAutoSwitchBack bool) *plan.Plan {
	rank := func(n int) *int { return &n }
	st := func(n string) plan.Stack { return plan.Stack{Name: n, XCFGroup: "EZBTCPCS"} }
	return &plan.Plan{Version: plan.Version, Sysplex: "P",
		Stacks: []plan.Stack{st("A"), st("P"), st("B1"), st("B2"), st("D")},
		DVIPAs: []plan.DVIPA{{Addr: netip.MustParseAddr("10.1.1.1"), PrefixLen: 32, Owner: "A", Origin: "VIPADEFINE",
			DefinedBy: []string{"A"}, Moveable: plan.Immediate, DistributedBy: "A",
			Backups: []plan.Backup{{Position: 1, Rank: 100, Stack: "D"}},
			Distributions: []plan.Distribution{{Stack: "A", Method: plan.HotStandby, NoAutoSwitchBack: noAutoSwitchBack,
				Ports: []plan.PortRange{{From: 80, To: 80}},
				Targets: []plan.Target{{Stack: "P", Role: "PREFERRED"},
					{Stack: "B1", Role: "BACKUP", BackupRank: rank(50)}, {Stack: "B2", Role: "BACKUP", BackupRank: rank(100)}}}}}}}
}

// TestWhatifHotStandbyActiveTarget: whatif names the target HOTSTANDBY
// sends new connections to: the preferred one while it is up, else the
// highest-ranked backup up (B2 before B1, though B1 is listed first);
// when the preferred target comes back, AUTOSWITCHBACK returns to it and
// NOAUTOSWITCHBACK stays with the backup, as long as the same stack
// distributes (a new routing stack chooses afresh). Before, whatif listed
// the targets alone, in definition order.
func TestWhatifHotStandbyActiveTarget(t *testing.T) {
	for _, tc := range []struct {
		noSwitch               bool
		failed, recovered      []string
		afterFailure, afterRec string
	}{
		{false, []string{"D"}, nil, "P", ""},
		{false, []string{"P"}, []string{"P"}, "B2", "P"},
		{true, []string{"P"}, []string{"P"}, "B2", "B2"},
		{true, []string{"P", "B2"}, []string{"B2", "P"}, "B1", "B1"},
		{true, []string{"P", "B2"}, []string{"P", "B2"}, "B1", "B1"},
		{false, []string{"P", "B2"}, []string{"B2"}, "B1", "B2"},
		// A fails with P: D distributes by A's definition (B2). A comes
		// back after P and takes the DVIPA back: a new routing stack
		// chooses afresh, P.
		{true, []string{"A", "P"}, []string{"P", "A"}, "B2", "P"},
	} {
		o, err := Derive(hotStandbyPlan(tc.noSwitch), Scenario{Failed: tc.failed, Recovered: tc.recovered})
		if err != nil {
			t.Fatal(err)
		}
		d := o.DVIPAs[0]
		if got := d.AfterFailure.Distribution; got == nil || got.Active != tc.afterFailure {
			t.Errorf("NOAUTOSWITCHBACK %v, fail %v: active %+v, want %s", tc.noSwitch, tc.failed, got, tc.afterFailure)
		}
		if tc.recovered == nil {
			continue
		}
		if got := d.AfterRecovery.Distribution; got == nil || got.Active != tc.afterRec {
			t.Errorf("NOAUTOSWITCHBACK %v, fail %v, recover %v: active %+v, want %s", tc.noSwitch, tc.failed, tc.recovered, got, tc.afterRec)
		}
	}
}

// TestWhatifPortsTheHolderDoesNotDistribute: D backs the DVIPA up with a
// VIPADISTRIBUTE of its own for port 81 alone, while A distributes port
// 80. When D holds the DVIPA, whatif says that port 80 is distributed no
// more: its connections carry on (D routes them from the targets'
// reports), new ones go to D's own servers. Before, it named D's port 81
// and nothing else, as if port 80 had no connections to keep.
func TestWhatifPortsTheHolderDoesNotDistribute(t *testing.T) {
	p := hotStandbyPlan(false)
	d := &p.DVIPAs[0]
	d.Distributions = append(d.Distributions, plan.Distribution{Stack: "D", Method: plan.RoundRobin,
		Ports: []plan.PortRange{{From: 81, To: 81}}, Targets: []plan.Target{{Stack: "D"}}})
	o, err := Derive(p, Scenario{Failed: []string{"A"}, Recovered: []string{"A"}})
	if err != nil {
		t.Fatal(err)
	}
	ph := o.DVIPAs[0].AfterFailure
	if ph.Owner != "D" || len(ph.Undistributed) != 1 || ph.Undistributed[0] != (plan.PortRange{From: 80, To: 80}) {
		t.Errorf("after A fails: holder %s, undistributed %v; want D, [80]", ph.Owner, ph.Undistributed)
	}
	var b bytes.Buffer
	if err := o.WriteText(&b); err != nil {
		t.Fatal(err)
	}
	if want := "not distributed by D: ports 80 of the distribution at start; their connections carry on, new ones go to D's own servers"; !strings.Contains(b.String(), want) {
		t.Errorf("text lacks %q:\n%s", want, b.String())
	}
	if back := o.DVIPAs[0].AfterRecovery; len(back.Undistributed) != 0 {
		t.Errorf("after A takes it back: undistributed %v", back.Undistributed)
	}
}

// TestWhatifUndistributedFromAllPorts: A distributes every port (its
// VIPADISTRIBUTE names none) and D's own names port 81 alone, so when D
// holds the DVIPA every other port is distributed no more, in JSON and
// text alike. Before, undistributed was empty: a start distribution
// without ports had no ports to take 81 from.
func TestWhatifUndistributedFromAllPorts(t *testing.T) {
	p := hotStandbyPlan(false)
	d := &p.DVIPAs[0]
	d.Distributions[0].Ports = nil
	d.Distributions = append(d.Distributions, plan.Distribution{Stack: "D", Method: plan.RoundRobin,
		Ports: []plan.PortRange{{From: 81, To: 81}}, Targets: []plan.Target{{Stack: "D"}}})
	o, err := Derive(p, Scenario{Failed: []string{"A"}})
	if err != nil {
		t.Fatal(err)
	}
	want := []plan.PortRange{{From: 1, To: 80}, {From: 82, To: 65535}}
	if got := o.DVIPAs[0].AfterFailure.Undistributed; !slices.Equal(got, want) {
		t.Errorf("after A fails: undistributed %v, want %v", got, want)
	}
	var b bytes.Buffer
	if err := o.WriteText(&b); err != nil {
		t.Fatal(err)
	}
	if want := "not distributed by D: ports 1-80 82-65535 of the distribution at start"; !strings.Contains(b.String(), want) {
		t.Errorf("text lacks %q:\n%s", want, b.String())
	}
	b.Reset()
	if err := o.WriteJSON(&b); err != nil {
		t.Fatal(err)
	}
	if want := `"undistributed":[{"from":1,"to":80},{"from":82,"to":65535}]`; !strings.Contains(strings.Join(strings.Fields(b.String()), ""), want) {
		t.Errorf("JSON lacks %s:\n%s", want, b.String())
	}
	validateWhatif(t, b.Bytes())
}
