package sysplex

import (
	"sync"

	"github.com/tcpipc/tcpipc/runtime/workload"
	"github.com/tcpipc/tcpipc/scenario"
	"net/netip"
	"strings"
	"testing"

	"github.com/tcpipc/tcpipc/internal/testkit/leakcheck"
)

// TestOperationsOutOfTurn: an operator command (tcpipc ctl) that the
// scenario checker would refuse is refused by the running sysplex too,
// and only what was applied enters the timeline: a DEACTIVATE on a stack
// that neither defines nor backs up the DVIPA, or twice; a REACTIVATE of
// what is not deactivated; a restore of a link that is up, a second cut;
// a second LEAVEGROUP, a JOINGROUP of a member.
func TestOperationsOutOfTurn(t *testing.T) {
	leakcheck.Check(t)
	sx, _ := startSysplex(t, figure9Plan(t))
	waitFor(t, "MVS1 to own DVA1", func() bool { return sx.Owner(dva1) == "MVS1" })
	before := len(sx.Timeline())
	for _, op := range []struct {
		name string
		do   func() error
	}{
		{"deactivate on a stack without the DVIPA", func() error { return sx.Deactivate("MVS3", dva1) }},
		{"reactivate what is active", func() error { return sx.Reactivate("MVS1", dva1) }},
		{"restore a link that is up", func() error { return sx.Restore("MVS1", "MVS2") }},
		{"join as a member", func() error { return sx.JoinGroup("MVS2") }},
		{"deactivate an unknown DVIPA", func() error { return sx.Deactivate("MVS1", netip.MustParseAddr("10.99.99.99")) }},
	} {
		if err := op.do(); err == nil {
			t.Errorf("%s: accepted", op.name)
		}
	}
	// Other entries (detections, takeovers) may come meanwhile; none of
	// the refused operations may.
	for _, e := range sx.Timeline()[before:] {
		for _, verb := range []string{"deactivates", "reactivates", "restored", "joins"} {
			if strings.Contains(e.What, verb) {
				t.Errorf("a refused operation entered the timeline: %s %s", e.Stack, e.What)
			}
		}
	}
	for _, op := range []struct {
		name string
		do   func() error
	}{
		{"cut", func() error { return sx.Cut("MVS2", "MVS3") }},
		{"leavegroup", func() error { return sx.LeaveGroup("MVS4") }},
		{"deactivate", func() error { return sx.Deactivate("MVS1", dva1) }},
	} {
		if err := op.do(); err != nil {
			t.Fatalf("first %s: %v", op.name, err)
		}
		if err := op.do(); err == nil || !strings.Contains(err.Error(), "already") {
			t.Errorf("second %s: %v, want refused as done already", op.name, err)
		}
	}
}

// TestReactivateAfterRestart: a DVIPA deactivated on a stack stays
// deactivated in the other stacks' views while that stack fails and comes
// back, so REACTIVATE is accepted then, as the scenario checker accepts
// it (the restarted stack had forgotten, and the command was refused).
func TestReactivateAfterRestart(t *testing.T) {
	leakcheck.Check(t)
	sx, _ := startSysplex(t, figure9Plan(t))
	waitFor(t, "MVS1 to own DVA1", func() bool { return sx.Owner(dva1) == "MVS1" })
	if err := sx.Deactivate("MVS1", dva1); err != nil {
		t.Fatal(err)
	}
	if err := sx.Fail("MVS1"); err != nil {
		t.Fatal(err)
	}
	if err := sx.Recover("MVS1"); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "MVS1 to be up", func() bool { return sx.Stack("MVS1").Up() })
	if err := sx.Reactivate("MVS1", dva1); err != nil {
		t.Fatalf("reactivate after the restart: %v", err)
	}
}

// TestConcurrentOperationsApplyOnce: two operators (two `tcpipc ctl`
// clients) give the same command at once; it is applied once and the
// other is refused, as if they had come one after the other. Each
// command is checked and then applied; without one lock around both,
// both passed the check and the timeline showed the DVIPA deactivated
// (and reactivated) twice.
func TestConcurrentOperationsApplyOnce(t *testing.T) {
	leakcheck.Check(t)
	sx, _ := startSysplex(t, figure9Plan(t))
	waitFor(t, "MVS1 to own DVA1", func() bool { return sx.Owner(dva1) == "MVS1" })
	apps := workload.New(sx, nil)
	for round := range 20 {
		for _, kind := range []scenario.EventKind{scenario.Deactivate, scenario.Reactivate} {
			ev := &scenario.Event{Kind: kind, Stack: "MVS1", DVIPA: dva1}
			errs := make(chan error, 2)
			var start sync.WaitGroup
			start.Add(1)
			for range 2 {
				go func() { start.Wait(); errs <- sx.Apply(ev, apps) }()
			}
			start.Done()
			applied := 0
			for range 2 {
				if err := <-errs; err == nil {
					applied++
				}
			}
			if applied != 1 {
				t.Fatalf("round %d: %s applied %d times, want once", round, kind, applied)
			}
		}
	}
}
