package sysplex

import (
	"fmt"
	"net/netip"

	"github.com/tcpipc/tcpipc/runtime/xcf"
)

// A stack decides who holds each DVIPA from its view of the group, which
// is what its event loop has read (groupview.go), and carries the decision
// out on that loop. A takeover takes a while (the CRT read back from the
// coupling facility, the stack's report to itself) and on a starved
// machine it can take seconds, during which the group moves on: the owner
// the backup takes over from may come back, join, and advertise the DVIPA
// again. The backup's member has heard it; its loop has not read it yet.
// Advertising then would take the LAN route from the returned owner (the
// latest advertiser routes), until the loop reads the return and hands the
// DVIPA back. So before a takeover reaches the LAN the stack looks at what
// its member has heard: if a decision on that would give the DVIPA away
// again, the takeover is overtaken and is not advertised, neither then
// nor by announceRouted on another peer's join read meanwhile; the loop
// hands the DVIPA on (giveUp) when it reads what overtook it.

// overtaken reports whether this stack, about to advertise DVIPA a, would
// give it away again on what its member has heard and its loop has not
// read yet.
func (s *Stack) overtaken(a netip.Addr) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	m, o := s.member, s.owners[a]
	if m == nil || o == nil || m.Backlog() == 0 {
		return false // the loop has read everything: its view is the group's
	}
	heard := func(stack string) bool {
		if stack == s.plan.Name {
			return true
		}
		if st, ok := m.PeerState(stack); ok {
			return st == xcf.Active
		}
		return s.isUp(stack)
	}
	ch, ok := o.Preview(heard, func(stack string) int { return s.connsOfLocked(a, stack) })
	return ok && ch.From == s.plan.Name
}

// withhold records a takeover that was overtaken before it was advertised.
func (s *Stack) withhold(a netip.Addr) {
	s.sx.record(s.plan.Name, fmt.Sprintf("does not advertise %s: the group moved on while it took it over", a))
}
