package xcf

import (
	"time"

	"github.com/tcpipc/tcpipc/internal/clock"
)

// One timer per member finds the peers whose failure deadline has come.
//
// A peer's deadline is FailAfter intervals and a half of the member's
// healthy time after it was last heard from (detector.go). Hearing from a
// peer only moves its deadline later, and costs two stores (heard): no
// timer is stopped or made per message, which at the boot of a big
// sysplex (32 stacks telling each other about thousands of DVIPAs) was a
// third of the CPU. Instead the member keeps one sweep timer, armed no
// later than the earliest deadline of its active peers. That stays true
// as messages arrive, since they never make a deadline earlier, and a
// peer that joins or comes back is a whole silence away from its
// deadline, no earlier than any deadline already armed. When the sweep
// runs it judges every active peer and arms itself again for the nearest
// deadline left: O(1) per message, O(peers) per sweep, and about one sweep
// per FailAfter intervals while every peer speaks. The verdicts are the
// ones a timer per peer would give, at the same instants. XCF's own
// status monitoring works the same way round: a member updates a status
// field, and XCF checks it once per status-checking interval rather than
// timing each update (z/OS MVS Programming: Sysplex Services Guide,
// "Coding a Status User Routine").

// sweeper is a member's sweep timer. Its fields are under Member.mu.
type sweeper struct {
	timer clock.Timer
	// due is when the timer fires; zero when none is armed.
	due time.Time
	// gen invalidates a callback that fires after the timer was
	// replaced or stopped (a real clock may run a stopped timer's
	// callback).
	gen uint64
	// atTick: the sweep waits for the member's overdue tick (onSweep).
	atTick bool
}

// armSweep makes sure the sweep runs no later than wait after now.
// Called with m.mu held.
func (m *Member) armSweep(now time.Time, wait time.Duration) {
	sw := &m.sweep
	if m.stopped || sw.atTick {
		return // stopped, or the overdue tick sweeps
	}
	due := now.Add(wait)
	if !sw.due.IsZero() && !sw.due.After(due) {
		return
	}
	sw.stop()
	sw.due = due
	gen := sw.gen
	sw.timer = m.node.clk.AfterFunc(wait, func() { m.onSweep(gen) })
}

// stop cancels the armed timer, if any, and any callback of it still to
// come. Called with Member.mu held.
func (sw *sweeper) stop() {
	if sw.timer != nil {
		sw.timer.Stop()
		sw.timer = nil
	}
	sw.due = time.Time{}
	sw.gen++
}

// onSweep is the sweep timer firing. When the member's own tick is
// overdue the process was stalled, and a timer would only fire into the
// same stall: the sweep is left to that tick (onTickSweep).
func (m *Member) onSweep(gen uint64) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.stopped || gen != m.sweep.gen {
		return
	}
	m.sweep.stop()
	now := m.node.clk.Now()
	if m.prog.overdue(now) {
		m.sweep.atTick = true
		return
	}
	m.sweepPeers(now)
}

// sweepPeers judges every active peer and arms the sweep for the nearest
// look any of them still needs. Called with m.mu held.
func (m *Member) sweepPeers(now time.Time) {
	var next time.Duration
	for name, p := range m.peers {
		if p.state != Active {
			continue
		}
		if wait := m.judge(name, p, now); wait > 0 && (next == 0 || wait < next) {
			next = wait
		}
	}
	if next > 0 {
		m.armSweep(now, next)
	}
}

// onTickSweep records the member's tick and runs the sweep that waited
// for it. Called with m.mu held.
func (m *Member) onTickSweep(now time.Time) {
	m.prog.tick(now)
	if m.sweep.atTick {
		m.sweep.atTick = false
		m.sweepPeers(now)
	}
}
