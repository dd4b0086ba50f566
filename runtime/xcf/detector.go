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
//     healthy time have passed since it was last heard from. The
//     member's sweep timer (sweep.go) looks at its peers' deadlines; when
//     it finds less than that elapsed (because the member stalled) it
//     looks again after the rest, and when it fires while the member's own
//     tick is overdue it leaves the looking to that tick.
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

// heard records proof of life from peer p at now. It costs no timer:
// the sweep (sweep.go) finds the peer's deadline from heard when it next
// looks; armSweep only arms one when none is (no active peer had one).
// Called with m.mu held.
func (m *Member) heard(p *peer, now time.Time) {
	p.lastHeard = now
	p.heard = m.prog.healthy(now)
	m.armSweep(now, m.silence())
}

// judge declares peer p failed if it has been silent for long enough in
// the member's healthy time. It returns how long the member must wait
// before looking at the peer again (0 once the verdict is given). Called
// with m.mu held, with the member's tick not overdue.
func (m *Member) judge(name string, p *peer, now time.Time) time.Duration {
	rest := m.silence() - (m.prog.healthy(now) - p.heard)
	switch {
	case rest > 0:
		return rest
	case m.inFlight(name, p.inc, now):
		// Its heartbeat is due and on its way: heard, not silent.
		return m.opts.Interval / 2
	}
	p.state = PeerFailed
	m.enqueue(Event{Kind: Failed, Peer: name, Incarnation: p.inc})
	return 0
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
	if pm == nil || pm.inc != inc || pm.gone.Load() {
		return false
	}
	return pm.beatDue.Load() <= now.UnixNano()
}
