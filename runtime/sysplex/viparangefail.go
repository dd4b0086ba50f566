package sysplex

import (
	"fmt"
	"net/netip"
	"sort"
)

// When the stack holding a VIPARANGE DVIPA fails or leaves the group, a
// stack that keeps the DVIPA Moving because its servers still bind it
// takes the DVIPA over: it is still in that stack's HOME list, its
// application is still bound, and nothing else holds it. IBM documents
// the Moving state lasting until the application closes its socket, and
// that after a stack failure a bind on another stack creates the DVIPA
// there; it does not say what a stack with the DVIPA Moving does when the
// holder fails. Taking it over is tcpipc's choice (README). Without such
// a stack the DVIPA is gone until an application binds it again.
//
// Two stacks may take it over at once from the same failure: each tells
// every stack (msgRangeTakeover), and the one with the lower name keeps
// it, the other gives it up as to a bind elsewhere (Moving).

// rangeHolderGone takes over the VIPARANGE DVIPAs that peer, which failed
// or left the group, held while servers here still bind them.
func (s *Stack) rangeHolderGone(peer string) {
	s.mu.Lock()
	if !s.up || s.outOfGroup {
		s.mu.Unlock()
		return
	}
	var mine []netip.Addr
	for a, n := range s.parked {
		if n > 0 && s.roles.lookup(a).routerOf() == peer {
			mine = append(mine, a)
		}
	}
	s.mu.Unlock()
	sort.Slice(mine, func(i, j int) bool { return mine[i].Less(mine[j]) })
	for _, a := range mine {
		// Another stack's bind may have created it since: the LAN says
		// who holds it now.
		if o := s.sx.Owner(a); o != "" && o != peer {
			continue
		}
		if err := s.holdRange(a, peer, 0, true); err != nil {
			s.sx.record(s.plan.Name, fmt.Sprintf("cannot take over %s: %v", a, err))
		}
	}
}

// rangeHeard handles msgRangeMove (a bind on from took the DVIPA) and
// msgRangeTakeover (from took it when its holder failed).
func (s *Stack) rangeHeard(a netip.Addr, from string, protected, takeover bool) {
	s.mu.Lock()
	role := s.roles.get(a)
	routes := role.distributor() != nil && s.ranged[a] > 0
	ours := routes && s.takenOver[a]
	involved := routes || s.parked[a] > 0
	for k := range s.conns {
		involved = involved || k.dvipa == a
	}
	ipsec := role.endpoint() != nil
	m := s.member
	s.mu.Unlock()
	switch {
	case takeover && ours && s.plan.Name < from:
		// Both took it over from one failure: this one keeps it, and
		// the sender gives it up on this stack's word.
	case takeover && routes && !ours:
		// A bind here holds it already: the sender gives it up.
		s.send(m, from, encode(msgRangeMove, vipaList{DVIPA: a, IPSec: ipsec}))
	case involved:
		s.rangeMoved(a, from, protected)
	default:
		// Nothing of it here: learn who routes it.
		s.mu.Lock()
		role.heardVIPAList(from, protected)
		s.mu.Unlock()
	}
}
