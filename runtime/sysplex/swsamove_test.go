package sysplex

import (
	"context"
	"fmt"
	"net/netip"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/tcpipc/tcpipc/internal/testkit/leakcheck"
	"github.com/tcpipc/tcpipc/plan"
	"github.com/tcpipc/tcpipc/runtime/dvipa"
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
	// The new tunnels' records take new IDs: the old ones are deleted,
	// never overwritten, and each live tunnel keeps one record.
	waitFor(t, "one record per live tunnel", func() bool { return recordsOf(t, sx, dva1) == n })
	if r := records(t, sx); r["MVS1"] != n {
		t.Fatalf("records after MVS1 recovered: %v, want %d of MVS1", r, n)
	}
	if tl := timelineText(sx); strings.Contains(tl, "EZD0831I") {
		t.Fatalf("a record write failed:\n%s", tl)
	}
	ids := map[string]bool{}
	for _, st := range storedOf(t, sx, dva1) {
		ids[st.Record.TunnelID] = true
	}
	for _, id := range []string{"MVS1.Y1", "MVS1.Y2", "MVS1.Y3"} {
		if ids[id] {
			t.Errorf("record %s of MVS1's earlier life is still there: %v", id, ids)
		}
	}
}

// TestSWSAWhenIdleTakeback: with DVA1 MOVEABLE WHENIDLE, MVS1 returns
// after the clients closed their connections (their tunnels stay up) and
// takes DVA1 back without keeping connections; it renegotiates every
// tunnel from MVS5's records, MVS5 deletes its SAs, each client keeps one
// IKE SA, and a new connection runs under MVS1's SAs.
func TestSWSAWhenIdleTakeback(t *testing.T) {
	leakcheck.Check(t)
	p := figure9Plan(t)
	p.DVIPA(dva1).Moveable = plan.WhenIdle
	sx, clk := startSysplex(t, p, withIPsec)
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("timeline:\n%s", timelineText(sx))
		}
	})
	// A starting owner of a WHENIDLE DVIPA activates it once its grace
	// time tells it nobody else holds it: the clock moves.
	awaitOwner(t, sx, clk, dva1, "MVS1")
	servers := serveAPPA(t, sx)
	const n = 3
	conns, _, clients := swsaClientHosts(t, sx, n)
	waitFor(t, "MVS1's records", func() bool { return records(t, sx)["MVS1"] == n })
	failOver(t, sx, clk, "MVS1", dva1, "MVS5")
	waitFor(t, "MVS5 to renegotiate", func() bool { o := lastOutcome(sx, "MVS5"); return o != nil && !o.Done.IsZero() })
	waitFor(t, "MVS5's records", func() bool { return records(t, sx)["MVS5"] == n })
	for _, c := range conns {
		c.Close()
	}
	// Idle: the connections ended on their targets and MVS5 forgot them
	// (TIME_WAIT passes on the manual clock).
	waitFor(t, "MVS5 to be idle", func() bool {
		clk.Advance(time.Second)
		d := sx.Stack("MVS5").Routing(dva1)
		return d != nil && len(d.CRT()) == 0
	})

	servers["MVS1"].close()
	if err := sx.Recover("MVS1"); err != nil {
		t.Fatal(err)
	}
	servers["MVS1"] = serveEcho(t, sx.Stack("MVS1"), netip.AddrPortFrom(dva1, 60))
	awaitOwner(t, sx, clk, dva1, "MVS1")
	waitFor(t, "MVS1 to renegotiate", func() bool { o := lastOutcome(sx, "MVS1"); return o != nil && !o.Done.IsZero() })
	if o := lastOutcome(sx, "MVS1"); len(o.Recovered) != n {
		t.Fatalf("MVS1 recovered %d of %d tunnels:\n%s", len(o.Recovered), n, timelineText(sx))
	}
	waitFor(t, "MVS1's records to replace MVS5's", func() bool {
		r := records(t, sx)
		return r["MVS1"] == n && r["MVS5"] == 0
	})
	waitFor(t, "MVS5 to delete its SAs", func() bool { sas := sx.Stack("MVS5").IPsecSAs(dva1); return sas == nil || len(sas.IKE) == 0 })
	oneIKESAEach(t, clients, "after the takeback")
	c := dial(t, clients[0], netip.AddrPortFrom(dva1, 60))
	defer c.Close()
	echoOnce(t, c, "after the takeback")
	if sas := sx.Stack("MVS1").IPsecSAs(dva1); sas == nil || len(sas.IKE) != n {
		t.Fatalf("MVS1's tunnels after the takeback: %+v", sas)
	}
}

// TestSWSAWhenIdleTakebackWaitsForHolder: with DVA1 MOVEABLE WHENIDLE,
// MVS1 returns while MVS5 still routes connections to DVA1. The decision
// is the holder's count, not the returning owner's (empty) table: MVS1
// stays in backup state and MVS5 keeps DVA1 (Quiescing) while the
// connections run; when they end MVS5 hands DVA1 to MVS1, which recovers
// every tunnel from MVS5's records. At every step at most one stack routes
// DVA1, and after each settled step exactly one.
func TestSWSAWhenIdleTakebackWaitsForHolder(t *testing.T) {
	leakcheck.Check(t)
	p := figure9Plan(t)
	p.DVIPA(dva1).Moveable = plan.WhenIdle
	sx, clk := startSysplex(t, p, withIPsec)
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("timeline:\n%s", timelineText(sx))
		}
	})
	awaitOwner(t, sx, clk, dva1, "MVS1")
	servers := serveAPPA(t, sx)
	const n = 3
	conns, targets, clients := swsaClientHosts(t, sx, n)
	waitFor(t, "MVS1's records", func() bool { return records(t, sx)["MVS1"] == n })
	failOver(t, sx, clk, "MVS1", dva1, "MVS5")
	waitFor(t, "MVS5 to renegotiate", func() bool { o := lastOutcome(sx, "MVS5"); return o != nil && !o.Done.IsZero() })
	waitFor(t, "MVS5's records", func() bool { return records(t, sx)["MVS5"] == n })

	// MVS1 comes back while the connections (those on MVS2 and MVS4)
	// still run through MVS5.
	servers["MVS1"].close()
	if err := sx.Recover("MVS1"); err != nil {
		t.Fatal(err)
	}
	servers["MVS1"] = serveEcho(t, sx.Stack("MVS1"), netip.AddrPortFrom(dva1, 60))
	for i := 0; i < 20; i++ { // well past MVS1's grace time
		clk.Advance(100 * time.Millisecond)
		time.Sleep(5 * time.Millisecond)
		if got := routers(sx, dva1); len(got) > 1 {
			t.Fatalf("step %d: %v all route DVA1", i, got)
		}
	}
	waitFor(t, "MVS1 to wait in backup state", func() bool {
		return slices.Equal(routers(sx, dva1), []string{"MVS5"}) &&
			sx.Stack("MVS1").State(dva1) == dvipa.Backup && sx.Stack("MVS5").State(dva1) == dvipa.Quiescing
	})
	if got := sx.Owner(dva1); got != "MVS5" {
		t.Fatalf("DVA1 held by %s while MVS5 has connections to it", got)
	}
	for i, c := range conns {
		if targets[i] == "MVS1" {
			continue // lost with MVS1
		}
		if err := tryEcho(c, fmt.Sprintf("while MVS5 quiesces %d", i)); err != nil {
			t.Fatalf("connection %d on %s: %v", i, targets[i], err)
		}
	}

	// The connections end: MVS5 is idle and hands DVA1 back.
	for _, c := range conns {
		c.Close()
	}
	waitFor(t, "MVS1 to take DVA1 back", func() bool {
		clk.Advance(time.Second)
		got := routers(sx, dva1)
		if len(got) > 1 {
			t.Fatalf("%v all route DVA1", got)
		}
		return slices.Equal(got, []string{"MVS1"}) && sx.Owner(dva1) == "MVS1"
	})
	if !timelineHas(sx, "MVS5", "hands "+dva1.String()+" to MVS1") {
		t.Fatal("MVS5 never handed DVA1 to MVS1")
	}
	waitFor(t, "MVS1 to renegotiate", func() bool { o := lastOutcome(sx, "MVS1"); return o != nil && !o.Done.IsZero() })
	if o := lastOutcome(sx, "MVS1"); len(o.Recovered) != n {
		t.Fatalf("MVS1 recovered %d of %d tunnels", len(o.Recovered), n)
	}
	waitFor(t, "MVS1's records to replace MVS5's", func() bool {
		r := records(t, sx)
		return r["MVS1"] == n && r["MVS5"] == 0
	})
	waitFor(t, "MVS5 to delete its SAs", func() bool { sas := sx.Stack("MVS5").IPsecSAs(dva1); return sas == nil || len(sas.IKE) == 0 })
	oneIKESAEach(t, clients, "after the takeback")
	c := dial(t, clients[0], netip.AddrPortFrom(dva1, 60))
	defer c.Close()
	echoOnce(t, c, "after the takeback")
}

// routers lists the stacks that are up and route a DVIPA, sorted.
func routers(sx *Sysplex, a netip.Addr) []string {
	var out []string
	for _, st := range sx.plan.Stacks {
		if s := sx.Stack(st.Name); s != nil && s.Up() && s.Routing(a) != nil {
			out = append(out, st.Name)
		}
	}
	slices.Sort(out)
	return out
}

// timelineHas reports whether stack recorded a line containing what.
func timelineHas(sx *Sysplex, stack, what string) bool {
	return slices.ContainsFunc(sx.Timeline(), func(e Entry) bool {
		return e.Stack == stack && strings.Contains(e.What, what)
	})
}
