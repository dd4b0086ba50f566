package whatif

import (
	"net/netip"
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
