package sysplex

import (
	"fmt"
	"net/netip"
	"sort"

	"github.com/tcpipc/tcpipc/runtime/distributor"
	"github.com/tcpipc/tcpipc/runtime/xcf"
)

// This file is a stack's view of the XCF group: who is up, as the group's
// events tell it, and what a stack says again when a peer joins.

// loop handles the stack's XCF events until its membership ends, and
// ends the grace time when the grace timer asks (graceDue): after the
// event it is handling, so the verdict follows what the stack has read.
func (s *Stack) loop(m *xcf.Member, done chan struct{}, graceEnd <-chan int64) {
	defer close(done)
	for {
		select {
		case started := <-graceEnd:
			s.endGrace(started)
		case ev, ok := <-m.Events():
			if !ok {
				return
			}
			s.handle(ev)
		}
	}
}

// handle is the loop's work for one XCF event.
func (s *Stack) handle(ev xcf.Event) {
	if s.eventHook != nil {
		s.eventHook(ev)
	}
	switch ev.Kind {
	case xcf.Joined:
		s.setPeer(ev.Peer, true)
	case xcf.Left, xcf.Failed:
		s.sx.record(s.plan.Name, fmt.Sprintf("detects that %s %s", ev.Peer, ev.Kind))
		s.targetGone(ev.Peer, ev.Kind == xcf.Failed)
		s.setPeer(ev.Peer, false)
		s.rangeHolderGone(ev.Peer)
	case xcf.Received:
		s.receive(ev.Peer, ev.Msg)
	}
}

func (s *Stack) setPeer(peer string, up bool) {
	s.mu.Lock()
	_, known := s.view[peer]
	s.view[peer] = up
	s.mu.Unlock()
	// Decide first: what this stack gives up because the peer is back it
	// must not announce again.
	s.reevaluateAbout(peer)
	if up {
		s.announceRouted(peer, !known)
	}
}

// announceRouted tells the sysplex again which DVIPAs this stack routes
// when a peer joins, and advertises them on the LAN again. A peer this
// stack hears of for the first time since it started (first) is the only
// one that lacks the VIPA lists: they go to it alone, since sending every
// routed DVIPA to every peer on every join made a boot grow with stacks²
// × DVIPAs (issue 16). A peer that comes back (after a failure or a loss
// of signalling) may have held some of them meanwhile, so the lists go to
// every peer: the targets that reported to it and the LAN that routed to
// it are set right again. The holder's own view never changed: without
// this it would say nothing.
func (s *Stack) announceRouted(peer string, first bool) {
	s.mu.Lock()
	var routed []vipaList
	s.roles.each(func(a netip.Addr, r *routingRole) {
		if r.distributor() != nil {
			routed = append(routed, vipaList{DVIPA: a, IPSec: r.endpoint() != nil})
		}
	})
	m, port := s.member, s.port
	s.mu.Unlock()
	sort.Slice(routed, func(i, j int) bool { return routed[i].DVIPA.Less(routed[j].DVIPA) })
	for _, v := range routed {
		if s.overtaken(v.DVIPA) {
			continue // withheld: the loop hands it on when it reads why
		}
		port.Advertise(v.DVIPA)
		if first {
			_ = m.Send(peer, encode(msgVIPAList, v))
		} else {
			_ = m.Broadcast(encode(msgVIPAList, v))
		}
	}
}

// targetGone takes a peer that failed or left the group out of the
// distribution of every DVIPA this stack routes; a failed one's
// connections go with it (distributor.TargetGone).
func (s *Stack) targetGone(peer string, failed bool) {
	type routed struct {
		a    netip.Addr
		dist *distributor.Distributor
	}
	var all []routed
	s.mu.Lock()
	s.roles.each(func(a netip.Addr, r *routingRole) {
		if d := r.distributor(); d != nil {
			all = append(all, routed{a, d})
		}
	})
	s.mu.Unlock()
	sort.Slice(all, func(i, j int) bool { return all[i].a.Less(all[j].a) })
	for _, r := range all {
		if n := r.dist.TargetGone(peer, failed); n > 0 {
			s.sx.record(s.plan.Name, fmt.Sprintf("drops %d connections to %s that %s served: it failed", n, r.a, peer))
		}
	}
}

// isUp is this stack's view of a peer (s.mu held).
func (s *Stack) isUp(stack string) bool {
	up, known := s.view[stack]
	if !known {
		// Not heard of yet: up until the grace is over (endGrace), which
		// follows what the loop has read, not the clock.
		return !s.graceOver
	}
	return up
}
