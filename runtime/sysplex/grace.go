package sysplex

import "time"

// The grace time of a stack that just started or rejoined the group ends
// on what the stack has read, not on the clock alone: when the grace runs
// out, peers whose join is still queued for its event loop (a stalled or
// busy stack, not a failed peer) must not count as down. So the timer only
// proposes the end; it is put off while the member's event queue has a
// backlog, and then handed to the event loop itself (loop), which ends the
// grace once it has handled every event queued before.

// armGrace schedules the end of the grace time of a stack that just
// started or rejoined the group; graceEnd is the loop's channel for it.
func (s *Stack) armGrace(graceEnd chan<- int64) {
	s.mu.Lock()
	started := s.startedAt.UnixNano()
	s.mu.Unlock()
	s.sx.clk.AfterFunc(s.grace, func() { s.graceDue(started, graceEnd) })
}

// graceDue is the grace timer of the start at started: while the member
// has events its loop has not received, it waits a heartbeat more;
// then it asks the loop to end the grace.
func (s *Stack) graceDue(started int64, graceEnd chan<- int64) {
	s.mu.Lock()
	m := s.member
	stale := !s.up || s.outOfGroup || m == nil || s.startedAt.UnixNano() != started
	s.mu.Unlock()
	if stale {
		return
	}
	if m.Backlog() > 0 {
		s.sx.clk.AfterFunc(s.graceRecheck(), func() { s.graceDue(started, graceEnd) })
		return
	}
	select {
	case graceEnd <- started:
	default: // already asked
	}
}

// graceRecheck is how long an end of grace put off by a backlog waits.
func (s *Stack) graceRecheck() time.Duration {
	if d := s.sx.opts.XCF.Interval; d > 0 {
		return d
	}
	return s.grace
}

// newGraceEnd makes the channel by which the grace timer asks a
// membership's loop to end the grace.
func newGraceEnd() chan int64 { return make(chan int64, 1) }

// endGrace ends the grace time that began at started (on the loop): peers
// the stack has not heard of by now count as down (isUp), and a DVIPA
// holder it only assumed because it had not heard of it yet gives way to
// what the group told it since: the stack whose VIPA list says it routes
// the DVIPA, or nobody. Then the stack decides again. A grace time of an
// earlier start (the stack failed and restarted meanwhile) ends nothing.
func (s *Stack) endGrace(started int64) {
	s.mu.Lock()
	if !s.up || s.outOfGroup || s.startedAt.UnixNano() != started {
		s.mu.Unlock()
		return
	}
	s.graceOver = true
	for a, o := range s.owners {
		h := o.Holder()
		if _, heard := s.view[h]; h == "" || heard {
			continue
		}
		announced := s.roles.lookup(a).routerOf()
		if announced == s.plan.Name || !s.view[announced] {
			announced = ""
		}
		o.Settle(announced)
	}
	s.mu.Unlock()
	s.reevaluate()
}
