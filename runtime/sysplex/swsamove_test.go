package sysplex

import (
	"context"
	"fmt"
	"testing"

	"github.com/tcpipc/tcpipc/internal/testkit/leakcheck"
)

// TestSWSAPlannedMove: VARY DEACTIVATE moves DVA1 from MVS1 to MVS5 and
// REACTIVATE (MOVEABLE IMMEDIATE) brings it back; each time the taker
// renegotiates every tunnel from the giver's records and the giver deletes
// its SAs after, so no connection is lost, not even those MVS1 serves
// (they stay there in Moving state).
func TestSWSAPlannedMove(t *testing.T) {
	leakcheck.Check(t)
	sx, _ := startSysplex(t, figure9Plan(t), withIPsec)
	waitFor(t, "MVS1 to own DVA1", func() bool { return sx.Owner(dva1) == "MVS1" })
	serveAPPA(t, sx)
	const n = 4
	conns, targets, clients := swsaClientHosts(t, sx, n)
	waitFor(t, "MVS1's records", func() bool { return records(t, sx)["MVS1"] == n })
	for _, step := range []struct {
		name, to string
		move     func() error
	}{
		{"deactivate", "MVS5", func() error { return sx.Deactivate("MVS1", dva1) }},
		{"reactivate", "MVS1", func() error { return sx.Reactivate("MVS1", dva1) }},
	} {
		before := len(sx.SWSAOutcomes())
		if err := step.move(); err != nil {
			t.Fatal(err)
		}
		waitFor(t, step.to+" to hold DVA1", func() bool { return sx.Owner(dva1) == step.to })
		waitFor(t, step.to+" to renegotiate", func() bool {
			o := lastOutcome(sx, step.to)
			return len(sx.SWSAOutcomes()) > before && o != nil && !o.Done.IsZero()
		})
		if o := lastOutcome(sx, step.to); len(o.Recovered) != n {
			t.Fatalf("%s: %s recovered %d of %d tunnels:\n%s", step.name, step.to, len(o.Recovered), n, timelineText(sx))
		}
		waitFor(t, "the records to be "+step.to+"'s", func() bool { return records(t, sx)[step.to] == n })
		oneIKESAEach(t, clients, "after "+step.name)
		for i, c := range conns {
			if err := tryEcho(c, fmt.Sprintf("after %s %d", step.name, i)); err != nil {
				t.Fatalf("%s: connection %d on %s: %v", step.name, i, targets[i], err)
			}
		}
	}
}

// TestSWSADoubleFailure: MVS5 takes DVA1 over and fails after reading the
// records but before renegotiating; MVS1's records stay, and MVS1, back,
// recovers every tunnel from them.
func TestSWSADoubleFailure(t *testing.T) {
	leakcheck.Check(t)
	read := make(chan struct{}, 1)
	sx, clk := startSysplex(t, figure9Plan(t), withIPsec)
	waitFor(t, "MVS1 to own DVA1", func() bool { return sx.Owner(dva1) == "MVS1" })
	serveAPPA(t, sx)
	const n = 3
	swsaClients(t, sx, n)
	waitFor(t, "MVS1's records", func() bool { return records(t, sx)["MVS1"] == n })
	sx.mu.Lock()
	sx.beforeRenegotiate = func(ctx context.Context, stack string) {
		if stack != "MVS5" {
			return
		}
		read <- struct{}{}
		<-ctx.Done()
	}
	sx.mu.Unlock()
	failOver(t, sx, clk, "MVS1", dva1, "MVS5")
	<-read
	if err := sx.Fail("MVS5"); err != nil {
		t.Fatal(err)
	}
	if r := records(t, sx); r["MVS1"] != n {
		t.Fatalf("after MVS5 failed mid-recovery the records are %v", r)
	}
	if err := sx.Recover("MVS1"); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "MVS1 to hold DVA1", func() bool { return sx.Owner(dva1) == "MVS1" })
	waitFor(t, "MVS1 to renegotiate", func() bool {
		o := lastOutcome(sx, "MVS1")
		return o != nil && !o.Done.IsZero()
	})
	if o := lastOutcome(sx, "MVS1"); len(o.Recovered) != n {
		t.Fatalf("MVS1 recovered %d of %d tunnels:\n%s", len(o.Recovered), n, timelineText(sx))
	}
}
