package xcf_test

import (
	"fmt"
	"net/netip"
	"sync"
	"testing"
	"time"

	"github.com/tcpipc/tcpipc/internal/clock"
	"github.com/tcpipc/tcpipc/internal/testkit/leakcheck"
	"github.com/tcpipc/tcpipc/runtime/xcf"
)

// verdictAfter is how long after a peer's last heartbeat the detector
// declares it failed when the observer ran on time: FailAfter intervals
// and the half-interval grace (MemberOptions.FailAfter).
func verdictAfter(failAfter int) time.Duration {
	return time.Duration(failAfter)*interval + interval/2
}

// joinAll joins every node of the sysplex and waits until each member
// has seen every other one join.
func joinAll(t *testing.T, sp *sysplex, names []string, failAfter int) map[string]*xcf.Member {
	t.Helper()
	ms := map[string]*xcf.Member{}
	for _, n := range names {
		ms[n] = sp.join(t, n, failAfter)
	}
	for _, n := range names {
		for range len(names) - 1 {
			if ev := next(t, ms[n]); ev.Kind != xcf.Joined {
				t.Fatalf("%s: %v, want a join", n, ev)
			}
		}
	}
	return ms
}

// noFailure checks that no member has declared a live peer failed: no
// Failed event is queued and every view says Active.
func noFailure(t *testing.T, ms map[string]*xcf.Member, what string) {
	t.Helper()
	for name, m := range ms {
	drain:
		for {
			select {
			case ev := <-m.Events():
				if ev.Kind == xcf.Failed {
					t.Fatalf("%s: %s declared %s failed", what, name, ev.Peer)
				}
			case <-time.After(20 * time.Millisecond):
				break drain
			}
		}
		for _, p := range m.Peers() {
			if p.State != xcf.Active {
				t.Fatalf("%s: %s sees %s %s", what, name, p.Name, p.State)
			}
		}
	}
}

// TestStallOfTheWholeProcessDeclaresNobodyFailed stalls the whole process
// for two seconds (twenty intervals, far more than FailAfter): nothing
// runs inside the stall, then every overdue timer fires at once, the
// failure deadlines before the heartbeats (clock.Manual.Stall). A stall
// of the observer is not evidence against the observed: nobody is
// declared failed. Afterwards a member that really stops is still
// declared failed exactly FailAfter intervals and a half after its last
// heartbeat.
func TestStallOfTheWholeProcessDeclaresNobodyFailed(t *testing.T) {
	for _, failAfter := range []int{1, 3} {
		t.Run(fmt.Sprint(failAfter), func(t *testing.T) {
			leakcheck.Check(t)
			names := []string{"MVS1", "MVS2", "MVS3", "MVS4"}
			sp := newSysplex(t, names...)
			ms := joinAll(t, sp, names, failAfter)

			sp.clk.Advance(250 * time.Millisecond)
			sp.clk.Stall(2 * time.Second)
			noFailure(t, ms, "right after the stall")
			sp.clk.Advance(time.Second)
			noFailure(t, ms, "a second after the stall")

			// Heartbeats now go out at 2.25s + k×100ms; MVS4 sends its
			// last one at 3.25s and stops at 3.3s.
			lastBeat := sp.clk.Now()
			sp.clk.Advance(50 * time.Millisecond)
			ms["MVS4"].Stop()
			delete(ms, "MVS4")
			sp.clk.Advance(lastBeat.Add(verdictAfter(failAfter)).Sub(sp.clk.Now()) - time.Millisecond)
			noFailure(t, ms, "1ms before the verdict")
			sp.clk.Advance(time.Millisecond)
			for _, n := range names[:3] {
				expect(t, ms[n], xcf.Failed, "MVS4")
			}
		})
	}
}

// TestFailureDuringAStallIsDetectedAfterIt: a member stops, then the
// process stalls. The stall is not counted as time without heartbeats,
// so the verdict comes FailAfter intervals and a half of the observer's
// running time after the last heartbeat. That is later than without the
// stall by the lateness of the observer's own tick (the stall less the
// time there was still to go before that tick was due), never by more
// than the stall, and never never.
func TestFailureDuringAStallIsDetectedAfterIt(t *testing.T) {
	leakcheck.Check(t)
	const failAfter = 3
	sp := newSysplex(t, "MVS1", "MVS2")
	ms := joinAll(t, sp, []string{"MVS1", "MVS2"}, failAfter)
	m1 := ms["MVS1"]
	// MVS2's last heartbeat is at 200ms; it stops at 250ms and the
	// process stalls from 300ms to 2.3s.
	sp.clk.Advance(250 * time.Millisecond)
	ms["MVS2"].Stop()
	sp.clk.Advance(50 * time.Millisecond)
	const stall = 2 * time.Second
	sp.clk.Stall(stall)
	if s := state(t, m1, "MVS2"); s != xcf.Active {
		t.Fatalf("right after the stall MVS2 is %s: the stall was counted against it", s)
	}
	// MVS1's tick due at 400ms runs at 2.3s: 1.9s late.
	late := stall - interval
	verdict := time.Unix(0, 0).Add(200*time.Millisecond + verdictAfter(failAfter) + late)
	sp.clk.Advance(verdict.Sub(sp.clk.Now()) - time.Millisecond)
	if s := state(t, m1, "MVS2"); s != xcf.Active {
		t.Fatalf("1ms before the verdict MVS2 is %s", s)
	}
	sp.clk.Advance(time.Millisecond)
	expect(t, m1, xcf.Failed, "MVS2")
}

// TestRepeatedStallsLongerThanAnIntervalDeclareNobodyFailed: the process
// keeps stalling for one and a half intervals at a time (a machine with
// far more runnable work than cores); every heartbeat is late, none is
// missed, and nobody is declared failed. A member that stops is still
// declared failed, after FailAfter intervals and a half of the time the
// observer ran.
func TestRepeatedStallsLongerThanAnIntervalDeclareNobodyFailed(t *testing.T) {
	leakcheck.Check(t)
	const failAfter = 3
	names := []string{"MVS1", "MVS2", "MVS3"}
	sp := newSysplex(t, names...)
	ms := joinAll(t, sp, names, failAfter)
	for range 40 {
		sp.clk.Stall(interval * 3 / 2)
	}
	noFailure(t, ms, "after 40 stalls of 150ms")

	ms["MVS3"].Stop()
	delete(ms, "MVS3")
	stalls := 0
	for state(t, ms["MVS1"], "MVS3") == xcf.Active {
		sp.clk.Stall(interval * 3 / 2)
		stalls++
		if stalls > 20 {
			t.Fatal("a stopped member was not declared failed within 20 stalls (3s)")
		}
	}
	// Each stall gives the observer one on-time tick, one interval of
	// running time: the verdict needs FailAfter+1 of them.
	if stalls != failAfter+1 {
		t.Fatalf("declared failed after %d stalls, want %d", stalls, failAfter+1)
	}
	expect(t, ms["MVS1"], xcf.Failed, "MVS3")
}

// heldClock is the manual clock as one node sees it when the process has
// not got round to that node's goroutines: while held, its timers fire
// (they are due) but their callbacks wait, as goroutines wait in a run
// queue behind thousands of others; release runs them, late, in order.
type heldClock struct {
	*clock.Manual
	mu     sync.Mutex
	held   bool
	queued []func()
}

func (h *heldClock) AfterFunc(d time.Duration, f func()) clock.Timer {
	return h.Manual.AfterFunc(d, func() {
		h.mu.Lock()
		if h.held {
			h.queued = append(h.queued, f)
			h.mu.Unlock()
			return
		}
		h.mu.Unlock()
		f()
	})
}

func (h *heldClock) hold() { h.mu.Lock(); h.held = true; h.mu.Unlock() }

func (h *heldClock) release() {
	h.mu.Lock()
	h.held = false
	queued := h.queued
	h.queued = nil
	h.mu.Unlock()
	for _, f := range queued {
		f()
	}
}

// TestStarvedSenderIsNotDeclaredFailed: MVS2's goroutines get no CPU for
// a second while MVS1's run on time (one Go scheduler, thousands of
// runnable goroutines: which timer callback waits is luck). MVS2's
// heartbeats are due all that second: they count as heard, in flight on
// the signalling path, and MVS1 declares nobody failed. When MVS2 really
// stops, no heartbeat of it is due any more and MVS1 declares it failed
// on time.
func TestStarvedSenderIsNotDeclaredFailed(t *testing.T) {
	leakcheck.Check(t)
	const failAfter = 3
	mc := clock.NewManual(time.Unix(0, 0))
	starved := &heldClock{Manual: mc}
	n1 := node(t, "MVS1", netip.MustParseAddr("10.0.0.1"), mc)
	n2 := node(t, "MVS2", netip.MustParseAddr("10.0.0.2"), starved)
	l, err := xcf.Connect(n1, n2, xcf.LinkOptions{})
	if err != nil {
		t.Fatal(err)
	}
	a, b := l.Ends()
	t.Cleanup(func() { a.Endpoint().Close(); b.Endpoint().Close() })
	opts := xcf.MemberOptions{Interval: interval, FailAfter: failAfter}
	m1, err := n1.Join(group, opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(m1.Stop)
	m2, err := n2.Join(group, opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(m2.Stop)
	expect(t, m1, xcf.Joined, "MVS2")
	expect(t, m2, xcf.Joined, "MVS1")

	mc.Advance(250 * time.Millisecond)
	starved.hold()
	mc.Advance(time.Second)
	if s := state(t, m1, "MVS2"); s != xcf.Active {
		t.Fatalf("MVS2 starved for 1s (its heartbeats due, not yet sent): MVS1 sees it %s", s)
	}
	starved.release()
	mc.Advance(time.Second)
	noFailure(t, map[string]*xcf.Member{"MVS1": m1, "MVS2": m2}, "after the starvation")

	// MVS2 heartbeats at 2.25s + k×100ms; the last at 2.25s, it stops
	// at 2.3s.
	lastBeat := mc.Now()
	mc.Advance(50 * time.Millisecond)
	m2.Stop()
	mc.Advance(lastBeat.Add(verdictAfter(failAfter)).Sub(mc.Now()) - time.Millisecond)
	if s := state(t, m1, "MVS2"); s != xcf.Active {
		t.Fatalf("1ms before the verdict MVS2 is %s", s)
	}
	mc.Advance(time.Millisecond)
	expect(t, m1, xcf.Failed, "MVS2")
}
