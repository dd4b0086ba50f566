package sysplex

import (
	"sync/atomic"
	"testing"
	"time"

	"github.com/tcpipc/tcpipc/internal/testkit/leakcheck"
	"github.com/tcpipc/tcpipc/internal/testkit/sysplextest"
	"github.com/tcpipc/tcpipc/runtime/dvipa"
	"github.com/tcpipc/tcpipc/runtime/xcf"
)

// TestGraceFollowsWhatTheStackRead is issue 16: a recovering stack whose
// event loop has not yet read a live peer's join when its grace time runs
// out on the clock must not count that peer down, nor take its DVIPA. MVS5
// (DVA1's backup) recovers with its loop held on MVS1's join, and the clock
// runs well past the grace: MVS1 keeps DVA1 and MVS5 still counts it up.
// Once the join is read, all is as before; and MVS4, failed meanwhile and
// never heard of, is counted down as soon as the grace is over.
func TestGraceFollowsWhatTheStackRead(t *testing.T) {
	leakcheck.Check(t)
	sx, clk := newSysplex(t, figure9Plan(t))
	held, release := make(chan struct{}), make(chan struct{})
	var holding atomic.Bool
	mvs5 := sx.Stack("MVS5")
	mvs5.eventHook = func(ev xcf.Event) {
		if ev.Kind == xcf.Joined && ev.Peer == "MVS1" && holding.CompareAndSwap(true, false) {
			close(held)
			<-release
		}
	}
	t.Cleanup(func() {
		select {
		case <-release:
		default:
			close(release)
		}
	})
	if err := sx.Start(); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "MVS1 to own DVA1", func() bool { return sx.Owner(dva1) == "MVS1" })
	if err := sx.Fail("MVS5"); err != nil {
		t.Fatal(err)
	}
	if err := sx.Fail("MVS4"); err != nil {
		t.Fatal(err)
	}
	holding.Store(true) // MVS5's loop is stopped: no event reads it
	if err := sx.Recover("MVS5"); err != nil {
		t.Fatal(err)
	}
	<-held
	// Far past the grace (Missed+1 heartbeats), heartbeat by heartbeat.
	for i := 0; i < 3*(sysplextest.Timing.Missed+1); i++ {
		clk.Advance(sysplextest.Heartbeat)
		time.Sleep(5 * time.Millisecond)
	}
	if !mvs5.isUpPeer("MVS1") {
		t.Errorf("MVS5 counts MVS1 down while MVS1's join waits unread")
	}
	if st := mvs5.State(dva1); st == dvipa.Active {
		t.Errorf("MVS5 holds DVA1 while MVS1's join waits unread: %v", st)
	}
	for _, m := range sx.Moves() {
		if m.DVIPA == dva1 && m.To == "MVS5" {
			t.Errorf("DVA1 moved to MVS5 at %v", m.At)
		}
	}
	if o := sx.Owner(dva1); o != "MVS1" {
		t.Errorf("DVA1 is held by %q, want MVS1", o)
	}

	close(release)
	for i := 0; i < 3; i++ {
		clk.Advance(sysplextest.Heartbeat)
		time.Sleep(5 * time.Millisecond)
	}
	waitFor(t, "MVS5 to count MVS4 down", func() bool { return !mvs5.isUpPeer("MVS4") })
	if !mvs5.isUpPeer("MVS1") {
		t.Errorf("MVS5 counts MVS1 down after reading its join")
	}
	if o := sx.Owner(dva1); o != "MVS1" {
		t.Errorf("DVA1 is held by %q after MVS5 caught up, want MVS1", o)
	}
	if st := mvs5.State(dva1); st == dvipa.Active {
		t.Errorf("MVS5 holds DVA1 after catching up: %v", st)
	}
}
