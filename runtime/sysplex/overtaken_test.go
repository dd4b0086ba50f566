package sysplex

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/tcpipc/tcpipc/internal/testkit/leakcheck"
	"github.com/tcpipc/tcpipc/internal/testkit/sysplextest"
	"github.com/tcpipc/tcpipc/runtime/xcf"
)

// gate holds a stack's event loop at the first event a test names, until
// the test lets it go.
type gate struct {
	match   func(xcf.Event) bool
	reached chan struct{}
	release chan struct{}
}

func newGate(match func(xcf.Event) bool) *gate {
	return &gate{match: match, reached: make(chan struct{}), release: make(chan struct{})}
}

// hold is the stack's eventHook part for this gate.
func (g *gate) hold(ev xcf.Event) {
	if g.match == nil || !g.match(ev) {
		return
	}
	g.match = nil // the loop's own goroutine: no lock needed
	close(g.reached)
	<-g.release
}

func (g *gate) wait(t *testing.T, what string) {
	t.Helper()
	select {
	case <-g.reached:
	case <-time.After(10 * time.Second):
		t.Fatalf("the loop never reached %s", what)
	}
}

// TestLateTakeoverYieldsToTheReturnedOwner (issue 16, plex32): the
// backup's loop is busy with MVS1's failure (in the plex32 scenario SYS02
// spent 3.5 s on a starved machine inside its takeover) while MVS1
// recovers and advertises DVA1 again. When the takeover gets to the LAN
// its member already knows MVS1 is back, and the loop would hand DVA1
// back as soon as it reads that: the backup must not advertise it. It did,
// and, the latest advertiser winning on the LAN, took DVA1 from its
// returned owner until its loop caught up (the plex32 run sampled SYS02
// as the owner 3.5 s after SYS01's recovery).
//
// With another peer's join read in between (MVS3 leaves and rejoins the
// group meanwhile), MVS5 announces what it routes (announceRouted): the
// withheld DVA1 must not be among it (found by review: DVA1 advertised by
// MVS1 and MVS5, the LAN routing to MVS5).
func TestLateTakeoverYieldsToTheReturnedOwner(t *testing.T) {
	for _, otherJoin := range []bool{false, true} {
		t.Run(fmt.Sprintf("another join read meanwhile=%v", otherJoin), func(t *testing.T) {
			lateTakeover(t, otherJoin)
		})
	}
}

func lateTakeover(t *testing.T, otherJoin bool) {
	leakcheck.Check(t)
	sx, clk := newSysplex(t, figure9Plan(t))
	isMVS1 := func(kind xcf.EventKind) func(xcf.Event) bool {
		return func(ev xcf.Event) bool { return ev.Kind == kind && ev.Peer == "MVS1" }
	}
	failed, joined := newGate(isMVS1(xcf.Failed)), newGate(isMVS1(xcf.Joined))
	var started bool // MVS1's first join passes
	sx.Stack("MVS5").eventHook = func(ev xcf.Event) {
		if ev.Kind == xcf.Joined && ev.Peer == "MVS1" && !started {
			started = true
			return
		}
		failed.hold(ev)
		joined.hold(ev)
	}
	t.Cleanup(func() {
		for _, g := range []*gate{failed, joined} {
			select {
			case <-g.release:
			default:
				close(g.release)
			}
		}
	})
	if err := sx.Start(); err != nil {
		t.Fatal(err)
	}
	awaitOwner(t, sx, clk, dva1, "MVS1")

	failAll(t, sx, "MVS1")
	for done := false; !done; {
		clk.Advance(sysplextest.Timing.Interval)
		select {
		case <-failed.reached:
			done = true
		case <-time.After(10 * time.Millisecond):
		}
	}
	if otherJoin {
		if err := sx.LeaveGroup("MVS3"); err != nil {
			t.Fatal(err)
		}
		if err := sx.JoinGroup("MVS3"); err != nil {
			t.Fatal(err)
		}
	}
	// MVS5's loop holds MVS1's failure; MVS1 comes back meanwhile.
	recoverAll(t, sx, "MVS1")
	waitFor(t, "MVS1 to advertise DVA1", func() bool { return sx.Owner(dva1) == "MVS1" })
	waitFor(t, "MVS5's member to hear MVS1 again", func() bool {
		st, ok := sx.Stack("MVS5").member.PeerState("MVS1")
		return ok && st == xcf.Active
	})
	close(failed.release)
	joined.wait(t, "MVS1's join")
	if got := sx.Fabric().Advertisers(dva1); !slices.Equal(got, []string{"MVS1"}) {
		t.Errorf("after MVS5's late takeover, before it read MVS1's return, DVA1 is advertised by %q (LAN owner %s), want MVS1 alone", got, sx.Owner(dva1))
	}
	if tl := timelineText(sx); !strings.Contains(tl, "MVS5     does not advertise "+dva1.String()) {
		t.Errorf("no withheld takeover in the timeline:\n%s", tl)
	}
	close(joined.release)
	waitFor(t, "MVS5 to hand DVA1 back", func() bool {
		return sx.Stack("MVS5").Routing(dva1) == nil && slices.Equal(sx.Fabric().Advertisers(dva1), []string{"MVS1"})
	})
}
