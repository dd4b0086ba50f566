package distributor

import "github.com/tcpipc/tcpipc/plan"

// TargetGone takes a target that failed, or left the sysplex group, out of
// the distribution: it gets no new connection until it reports a ready
// server again (SRVSTAT), since a stack outside the group takes no part
// in sysplex distribution (IBM, EZZ9674E) and the DPT holds only stacks
// with a server listening (seed 003). With dropConns (the target failed:
// its connections died with it) its CRT entries go as well, so their
// packets are answered with a reset instead of being sent to a stack that
// is not there. It returns how many connections it dropped.
func (d *Distributor) TargetGone(stack string, dropConns bool) int {
	d.mu.Lock()
	d.pinActive(stack)
	for _, byStack := range d.dpt {
		if e := byStack[stack]; e != nil {
			e.Ready = 0
		}
	}
	d.activeGone(stack)
	d.mu.Unlock()
	if !dropConns {
		return 0
	}
	return d.dropWhere(func(c *Conn) bool { return c.Target == stack })
}

// activeGone moves HOTSTANDBY's active target on from a stack that no
// longer serves: the highest-ranked backup becomes active when the
// preferred target becomes unavailable (IBM's hot standby example), at
// once rather than with the next connection, so that with
// NOAUTOSWITCHBACK it stays active when the preferred one returns. With
// no target ready, the next connection chooses. d.mu is held.
func (d *Distributor) activeGone(stack string) {
	for port := range d.active {
		d.activeGoneOn(port, stack)
	}
}

// activeGoneOn is activeGone for one port: a server stopping on one port
// leaves the stack active on the others it still serves. d.mu is held.
func (d *Distributor) activeGoneOn(port uint16, stack string) {
	if d.active[port] != stack {
		return
	}
	if next := standbyOf(d.ready(port)); next != "" {
		d.active[port] = next
	} else {
		delete(d.active, port)
	}
}

// pinActive records stack as the active target of every HOTSTANDBY port
// it is chosen for now but not yet recorded as active (pinActiveOn).
// d.mu is held.
func (d *Distributor) pinActive(stack string) {
	for port := range d.dpt {
		d.pinActiveOn(port, stack)
	}
}

// pinActiveOn records stack as the active target of port if HOTSTANDBY
// chooses it now and no connection has recorded it: a target is active
// from the time it serves, not from the first connection it gets, so
// that when it stops before any connection came, activeGoneOn still hands
// over to a backup that NOAUTOSWITCHBACK then keeps. Only the target about
// to go is recorded, so that targets reporting afterwards (to a new
// routing stack) are chosen from afresh. d.mu is held.
func (d *Distributor) pinActiveOn(port uint16, stack string) {
	if i := d.defFor(port); i < 0 || d.defs[i].Method != plan.HotStandby || d.active[port] != "" {
		return
	}
	if standbyOf(d.ready(port)) == stack {
		d.active[port] = stack
	}
}

// ActiveTarget is the HOTSTANDBY target new connections to port go to
// now, NETSTAT VDPT's Active flag: "" for another method, or when no
// target is ready.
func (d *Distributor) ActiveTarget(port uint16) string {
	d.mu.Lock()
	defer d.mu.Unlock()
	if i := d.defFor(port); i < 0 || d.defs[i].Method != plan.HotStandby {
		return ""
	}
	return d.chosen(port, d.ready(port))
}
