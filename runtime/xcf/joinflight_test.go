package xcf_test

import (
	"net/netip"
	"sync/atomic"
	"testing"
	"time"

	"github.com/tcpipc/tcpipc/internal/clock"
	"github.com/tcpipc/tcpipc/internal/testkit/leakcheck"
	"github.com/tcpipc/tcpipc/runtime/xcf"
)

// stallingClock is a held clock (its node's goroutines get no CPU) whose
// next Now, once armed, first lets the rest of the process run for d:
// the moment a goroutine of this node is descheduled in the middle of
// its work.
type stallingClock struct {
	*heldClock
	armed atomic.Bool
	d     time.Duration
}

func (c *stallingClock) Now() time.Time {
	if c.armed.CompareAndSwap(true, false) {
		c.Manual.Advance(c.d)
	}
	return c.Manual.Now()
}

// TestJoinHeartbeatIsInFlight (issue 16, plex32): a recovering stack's
// join sends its first heartbeat to its peers one after another; on a
// starved machine the goroutine doing it may be descheduled between two
// of them, for longer than the failure detection interval. A peer that
// had the first one must count the rest of that heartbeat as in flight,
// as it does for any heartbeat due and not yet sent, and not declare
// the joining member failed. (In plex32 fifteen stacks declared the
// recovered SYS01 failed again 1.5 to 3 s after it rejoined, and it
// rejoined at once.)
func TestJoinHeartbeatIsInFlight(t *testing.T) {
	leakcheck.Check(t)
	mc := clock.NewManual(time.Unix(0, 0))
	joiner := &heldClock{Manual: mc}
	slow := &stallingClock{heldClock: &heldClock{Manual: mc}, d: 4 * interval}
	n1 := node(t, "MVS1", netip.MustParseAddr("10.0.0.1"), mc)
	n2 := node(t, "MVS2", netip.MustParseAddr("10.0.0.2"), joiner)
	n3 := node(t, "MVS3", netip.MustParseAddr("10.0.0.3"), slow)
	for _, pair := range [][2]*xcf.Node{{n1, n2}, {n2, n3}, {n1, n3}} {
		l, err := xcf.Connect(pair[0], pair[1], xcf.LinkOptions{})
		if err != nil {
			t.Fatal(err)
		}
		a, b := l.Ends()
		t.Cleanup(func() { a.Endpoint().Close(); b.Endpoint().Close() })
		if pair[0] == n1 && pair[1] == n3 {
			l.LoseSignalling() // MVS1 and MVS3 only meet MVS2
		}
	}
	opts := xcf.MemberOptions{Interval: interval, FailAfter: 3}
	m1, err := n1.Join(group, opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(m1.Stop)
	joiner.hold()
	slow.hold()
	m3, err := n3.Join(group, opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(m3.Stop)
	// MVS2's join heartbeat reaches MVS1 first; when it reaches MVS3,
	// MVS2's goroutine is descheduled for four intervals.
	slow.armed.Store(true)
	m2, err := n2.Join(group, opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(m2.Stop)
	if slow.armed.Load() {
		t.Fatal("the join never reached MVS3: the test stalled nothing")
	}
	expect(t, m1, xcf.Joined, "MVS2")
	if s := state(t, m1, "MVS2"); s != xcf.Active {
		t.Fatalf("MVS2's join heartbeat was on its way to MVS3 when MVS1 judged it: MVS1 sees it %s", s)
	}
	joiner.release()
	slow.release()
	mc.Advance(time.Second)
	noFailure(t, map[string]*xcf.Member{"MVS1": m1, "MVS2": m2}, "after the join")
}
