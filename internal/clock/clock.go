package clock

import (
	"sort"
	"sync"
	"time"
)

// Clock tells the time and schedules callbacks.
type Clock interface {
	Now() time.Time
	// AfterFunc calls f in its own goroutine once d has elapsed.
	AfterFunc(d time.Duration, f func()) Timer
}

// Timer is a scheduled callback that can be cancelled.
type Timer interface {
	// Stop cancels the timer; it reports whether the call stopped it
	// before it fired.
	Stop() bool
}

// Real is the wall clock.
type Real struct{}

// Now returns time.Now().
func (Real) Now() time.Time { return time.Now() }

// AfterFunc wraps time.AfterFunc.
func (Real) AfterFunc(d time.Duration, f func()) Timer { return time.AfterFunc(d, f) }

// Manual is a clock that only moves when Advance is called. Callbacks whose
// deadline is reached run synchronously inside Advance, in deadline order, so
// a test observes their effects as soon as Advance returns.
type Manual struct {
	mu     sync.Mutex
	now    time.Time
	seq    uint64
	timers []*manualTimer
	// stalled holds the overdue callbacks Stall has yet to run; Stop
	// removes a timer from here too.
	stalled []*manualTimer
}

// NewManual returns a manual clock set to start.
func NewManual(start time.Time) *Manual { return &Manual{now: start} }

// Now returns the clock's current time.
func (m *Manual) Now() time.Time {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.now
}

// AfterFunc schedules f to run when the clock has been advanced by d.
func (m *Manual) AfterFunc(d time.Duration, f func()) Timer {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.seq++
	t := &manualTimer{clock: m, when: m.now.Add(d), seq: m.seq, f: f}
	m.timers = append(m.timers, t)
	return t
}

// Advance moves the clock forward by d, running every callback that falls
// due, including callbacks scheduled by callbacks within the window.
func (m *Manual) Advance(d time.Duration) {
	m.mu.Lock()
	target := m.now.Add(d)
	m.mu.Unlock()
	for {
		m.mu.Lock()
		sort.Slice(m.timers, func(i, j int) bool {
			a, b := m.timers[i], m.timers[j]
			if !a.when.Equal(b.when) {
				return a.when.Before(b.when)
			}
			return a.seq < b.seq
		})
		if len(m.timers) == 0 || m.timers[0].when.After(target) {
			m.now = target
			m.mu.Unlock()
			return
		}
		t := m.timers[0]
		m.timers = m.timers[1:]
		if t.when.After(m.now) {
			m.now = t.when
		}
		m.mu.Unlock()
		t.f()
	}
}

// Stall moves the clock forward by d as a process sees time when it was
// not running at all for d (descheduled, paused, starved of CPU): no
// callback runs inside the window; afterwards every overdue callback runs,
// late, with Now already at the end of the window. Their order is the
// latest deadline first. After a real stall Go starts the goroutines of
// the overdue timers together and its scheduler runs the newest one first
// (runnext), so deadline order is not what a program gets; the reverse
// order is the hardest one for anything that checks a deadline, such as
// a failure detector whose deadlines fall after the heartbeats that would
// have renewed them. Callbacks that fall due while these run (scheduled
// with a delay of zero) then run in deadline order, as in Advance.
func (m *Manual) Stall(d time.Duration) {
	m.mu.Lock()
	m.now = m.now.Add(d)
	var due, rest []*manualTimer
	for _, t := range m.timers {
		if t.when.After(m.now) {
			rest = append(rest, t)
		} else {
			due = append(due, t)
		}
	}
	m.timers = rest
	sort.Slice(due, func(i, j int) bool {
		a, b := due[i], due[j]
		if !a.when.Equal(b.when) {
			return a.when.After(b.when)
		}
		return a.seq > b.seq
	})
	m.stalled = due
	m.mu.Unlock()
	for {
		m.mu.Lock()
		if len(m.stalled) == 0 {
			m.mu.Unlock()
			break
		}
		t := m.stalled[0]
		m.stalled = m.stalled[1:]
		m.mu.Unlock()
		t.f()
	}
	m.Advance(0)
}

// Pending reports how many callbacks are scheduled and not yet run.
func (m *Manual) Pending() int {
	m.mu.Lock()
	defer m.mu.Unlock()
	return len(m.timers) + len(m.stalled)
}

type manualTimer struct {
	clock *Manual
	when  time.Time
	seq   uint64
	f     func()
}

func (t *manualTimer) Stop() bool {
	m := t.clock
	m.mu.Lock()
	defer m.mu.Unlock()
	for _, list := range []*[]*manualTimer{&m.timers, &m.stalled} {
		for i, x := range *list {
			if x == t {
				*list = append((*list)[:i], (*list)[i+1:]...)
				return true
			}
		}
	}
	return false
}
