package xcf

import "time"

// Failure detection that a stalled observer cannot fool.
//
// On z/OS each system updates its own status at intervals and monitors
// the status of the others; a system that neither updates its status nor
// sends signals for the failure detection interval is "status update
// missing", and sysplex failure management cancels its removal when the
// updates resume (z/OS MVS Setting Up a Sysplex, "Planning the failure
// detection interval and operator notification interval"; messages
// IXC402D, IXC447I). tcpipc's heartbeats are those status updates and,
// as on z/OS, any signal from a peer is proof of life.
//
// What z/OS does not have to care about, and tcpipc does, is the observer
// itself stalling: every stack runs in one process, so when the process
// is starved of CPU, paused, or busy with thousands of connection
// goroutines, the heartbeats and the deadlines that wait for them all
// fall behind together, and when the process runs again the deadlines
// may fire before the heartbeats that would have renewed them. Time the
// observer did not run is no evidence against anyone. So, as a
// lease-based or "local progress" detector does, a member measures
// silence in its own healthy time, not in wall time:
//
//   - The member's own heartbeat tick is its witness of progress. Healthy
//     time advances with the wall clock up to the moment the next tick is
//     due, and no further until that tick has actually run: when the tick
//     is late, the member was stalled for the lateness, and that time is
//     not counted.
//   - A peer is declared failed once FailAfter intervals and a half of
//     healthy time have passed since it was last heard from. A deadline
//     timer that fires with less than that elapsed (because the member
//     stalled) is re-armed for the rest; one that fires while the member's
//     own tick is overdue leaves the decision to that tick.
//   - A peer whose heartbeat is due but not yet sent (its tick fired, and
//     the process has not got round to running it: one Go scheduler
//     serves every stack, and which of thousands of runnable goroutines
//     waits is luck) has a heartbeat in flight, and in flight counts as
//     heard. Only a peer that stopped, restarted or lost signalling has
//     none; the verdict on it is unchanged.
//   - A stopped member's signals that the process still had in hand are
//     lost with it (receive): a failed system sends nothing.
//
// On time, this gives exactly the verdict the wall clock would. A stall of
// any length delays a verdict by at most the stall and never produces one.
// The price is that a member whose goroutines are starved for good (a
// deadlock in the process, not a failure of a system) is never declared
// failed.

// progress is a member's healthy time: how long it has been running on
// time since it joined. Its fields are under Member.mu.
type progress struct {
	interval time.Duration
	// base is the healthy time when the last tick ran, at baseAt.
	base   time.Duration
	baseAt time.Time
}

// healthy returns the member's healthy time at now: wall time since the
// last tick counts up to one interval, the moment the next tick is due.
func (p *progress) healthy(now time.Time) time.Duration {
	d := now.Sub(p.baseAt)
	return p.base + max(0, min(d, p.interval))
}

// overdue reports whether the next tick should have run by now.
func (p *progress) overdue(now time.Time) bool {
	return now.Sub(p.baseAt) > p.interval
}

// tick records that the member's tick ran at now; lateness beyond its due
// time is a stall and is not credited.
func (p *progress) tick(now time.Time) {
	p.base = p.healthy(now)
	p.baseAt = now
}

// silence is how much healthy time without a word from a peer makes it
// failed: FailAfter intervals and a half, so a heartbeat due at the same
// instant as the verdict is never mistaken for a missed one.
func (m *Member) silence() time.Duration {
	return time.Duration(m.opts.FailAfter)*m.opts.Interval + m.opts.Interval/2
}

// heard records proof of life from peer p at now and restarts its failure
// timer. Called with m.mu held.
func (m *Member) heard(name string, p *peer, now time.Time) {
	p.lastHeard = now
	p.heard = m.prog.healthy(now)
	m.armDeadline(name, p, m.silence())
}

// armDeadline (re)starts the failure timer of peer p to fire after wait.
// Called with m.mu held.
func (m *Member) armDeadline(name string, p *peer, wait time.Duration) {
	if p.deadline != nil {
		p.deadline.Stop()
	}
	p.gen++
	p.atTick = false
	gen := p.gen
	p.deadline = m.node.clk.AfterFunc(wait, func() { m.expire(name, gen) })
}

// expire is the failure timer of a peer firing.
func (m *Member) expire(name string, gen uint64) {
	m.mu.Lock()
	defer m.mu.Unlock()
	p := m.peers[name]
	if m.stopped || p == nil || p.gen != gen || p.state != Active {
		return
	}
	m.judge(name, p, m.node.clk.Now())
}

// judge declares peer p failed if it has been silent for long enough in
// the member's healthy time; otherwise it waits for the rest, on a timer
// or, when the member's own tick is overdue, until that tick runs (a
// timer would only fire into the same stall). Called with m.mu held.
func (m *Member) judge(name string, p *peer, now time.Time) {
	rest := m.silence() - (m.prog.healthy(now) - p.heard)
	switch {
	case rest <= 0 && m.inFlight(name, p.inc, now):
		// Its heartbeat is due and on its way: heard, not silent.
		m.armDeadline(name, p, m.opts.Interval/2)
	case rest <= 0:
		p.state = PeerFailed
		p.gen++
		p.atTick = false
		m.enqueue(Event{Kind: Failed, Peer: name, Incarnation: p.inc})
	case m.prog.overdue(now):
		p.gen++ // a timer of an earlier life must not judge again
		p.atTick = true
	default:
		m.armDeadline(name, p, rest)
	}
}

// sent records that the member's heartbeat has gone to every peer and
// the next one is due at next.
func (m *Member) sent(next time.Time) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if !m.stopped {
		m.beatDue.Store(next.UnixNano())
	}
}

// inFlight reports whether incarnation inc of peer name has a heartbeat
// due by now that it has not finished sending: its tick has fired, and
// the process has not yet run it or is still running it. That heartbeat
// is on the signalling path, queued behind the process's other work, and
// counts as heard. A peer that stopped, restarted, or lost signalling
// with this member has none. Called with m.mu held; it takes only node
// locks, which are never held while a member's lock is taken.
func (m *Member) inFlight(name string, inc uint64, now time.Time) bool {
	port, ok := m.node.Port(name)
	if !ok || !port.link.Signalling() {
		return false
	}
	peerNode := port.peer.local
	peerNode.mu.Lock()
	pm := peerNode.members[m.group]
	peerNode.mu.Unlock()
	if pm == nil || pm.inc != inc {
		return false
	}
	due := pm.beatDue.Load()
	return due != 0 && due <= now.UnixNano()
}

// onTickJudge records the member's tick and judges the peers whose
// verdict waited for it. Called with m.mu held.
func (m *Member) onTickJudge(now time.Time) {
	m.prog.tick(now)
	for name, p := range m.peers {
		if p.atTick && p.state == Active {
			m.judge(name, p, now)
		}
	}
}
