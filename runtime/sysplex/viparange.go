package sysplex

import (
	"context"
	"errors"
	"fmt"
	"net/netip"

	"github.com/tcpipc/tcpipc/plan"
	"github.com/tcpipc/tcpipc/runtime/distributor"
	"github.com/tcpipc/tcpipc/runtime/netstack"
)

// Application DVIPAs (zos-config.md §7.1, VIPARANGE): an application that
// binds an address inside one of its stack's VIPARANGEs creates the DVIPA
// on that stack. With MOVEABLE NONDISRUPTIVE a bind of the same address on
// another stack moves the DVIPA there at once, and the old stack keeps its
// connections in Moving state: the new owner forwards their packets to it
// over XCF, as a distributor forwards to a target. With MOVEABLE DISRUPTIVE
// the second bind fails. The DVIPA is deleted when its owner's last bind
// closes.

// ErrDVIPAInUse refuses a bind of a VIPARANGE MOVEABLE DISRUPTIVE DVIPA
// that another stack holds.
var ErrDVIPAInUse = errors.New("sysplex: the DVIPA is active on another stack and its VIPARANGE is MOVEABLE DISRUPTIVE")

// rangeFor returns the most specific VIPARANGE of this stack that holds a,
// when a is not a configured DVIPA.
func (s *Stack) rangeFor(a netip.Addr) (plan.VIPARange, bool) {
	if s.sx.dvipa(a) != nil {
		return plan.VIPARange{}, false
	}
	best, bits := plan.VIPARange{}, -1
	for _, r := range s.plan.VIPARanges {
		if p := r.Prefix; p.Contains(a) && p.Bits() > bits {
			best, bits = r, p.Bits()
		}
	}
	return best, bits >= 0
}

// bindRange runs before a server binds a: inside a VIPARANGE, the bind
// creates the DVIPA here or moves it here.
func (s *Stack) bindRange(a netip.Addr) error {
	r, ok := s.rangeFor(a)
	if !ok {
		return nil
	}
	s.mu.Lock()
	if s.ranged[a] > 0 {
		s.ranged[a]++
		s.mu.Unlock()
		return nil
	}
	ns, port, m, hasAddr := s.ns, s.port, s.member, s.rangeAddrs[a]
	s.mu.Unlock()
	holder := s.sx.Owner(a)
	if holder != "" && holder != s.plan.Name && r.Moveable == "DISRUPTIVE" {
		return fmt.Errorf("bind %s on %s: %w (held by %s)", a, s.plan.Name, ErrDVIPAInUse, holder)
	}
	if !hasAddr {
		if err := ns.AddAddress(netstack.VIPANIC, netip.PrefixFrom(a, a.BitLen())); err != nil {
			return err
		}
	}
	// The new owner routes the DVIPA: its own servers take new
	// connections, the old owner's connections follow the CRT to it.
	self := s.plan.Name
	dist := distributor.New(s.sx.clk, a.String(), localOnly(self))
	s.mu.Lock()
	s.ranged[a] = 1
	s.rangeAddrs[a] = true
	s.roles.get(a).activate(dist, self, s.sx.clk.Now(), true)
	s.mu.Unlock()
	s.restoreCRT(a, dist) // the old owner's connections; its NEWCONN confirms them
	sec := s.startIPsec(a, func(pkt []byte) error { return port.Send(context.Background(), pkt) })
	if sec != nil {
		s.mu.Lock()
		s.roles.get(a).setSec(sec)
		s.mu.Unlock()
	}
	port.Advertise(a)
	s.sx.rangeOwnerChanged(a, holder, self)
	moved := holder != "" && holder != self
	if moved {
		s.send(m, holder, encode(msgRangeMove, vipaList{DVIPA: a, IPSec: sec != nil}))
	}
	// A move recovers the old owner's SAs as a takeover does (swsa.go);
	// a new DVIPA has none to recover.
	switch {
	case moved:
		s.recoverSAs(a, sec)
	case sec != nil:
		sec.ep.EndRecoveryPlanning()
	}
	return nil
}

// unbindRange runs when a server bound to a closes; the owner's last close
// deletes the DVIPA.
func (s *Stack) unbindRange(a netip.Addr) {
	s.mu.Lock()
	if s.ranged[a] == 0 {
		s.mu.Unlock()
		return
	}
	s.ranged[a]--
	last := s.ranged[a] == 0 && s.roles.get(a).forget(s.plan.Name)
	port := s.port
	s.mu.Unlock()
	if last && port != nil {
		port.Withdraw(a)
		s.dropSAs(a)
		s.sx.rangeOwnerChanged(a, s.plan.Name, "")
	}
}

// rangeMoved handles msgRangeMove: another stack took the DVIPA over by a
// bind; this stack keeps its connections (Moving) and reports them so the
// new owner forwards their packets here. When the new owner protects the
// DVIPA, the replies of those connections go back to it over XCF to leave
// through its SAs.
func (s *Stack) rangeMoved(a netip.Addr, to string, protected bool) {
	s.mu.Lock()
	role := s.roles.get(a)
	role.giveUp(to)
	role.heardVIPAList(to, protected)
	s.ranged[a] = 0 // its binds no longer hold the DVIPA
	n := 0
	for k := range s.conns {
		if k.dvipa == a {
			n++
		}
	}
	if n > 0 {
		role.setMoving(true)
	}
	port := s.port
	s.mu.Unlock()
	// The new owner advertises it already; this stack's advertisement
	// must go, or the LAN would fall back to it when the new owner's does.
	port.Withdraw(a)
	// Its SAs go once the new owner has renegotiated them (swsa.go).
	s.stopIPsec(a)
	s.sx.record(s.plan.Name, fmt.Sprintf("keeps %d connections to %s in Moving state", n, a))
	s.reportTo(a, to)
}

// Moving reports whether this stack still serves connections to a DVIPA
// another stack has taken over (by a bind, or on takeback).
func (s *Stack) Moving(a netip.Addr) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.movingLocked(a)
}

// movingLocked is Moving with the stack's lock held: the mark ends when
// the last connection it kept has.
func (s *Stack) movingLocked(a netip.Addr) bool {
	role := s.roles.lookup(a)
	if !role.isMoving() {
		return false
	}
	for k := range s.conns {
		if k.dvipa == a {
			return true
		}
	}
	role.setMoving(false)
	return false
}

// rangeOwnerChanged records a VIPARANGE DVIPA created, moved or deleted.
func (sx *Sysplex) rangeOwnerChanged(a netip.Addr, from, to string) {
	sx.mu.Lock()
	sx.owner[a] = to
	sx.moves = append(sx.moves, Move{DVIPA: a, From: from, To: to, At: sx.clk.Now()})
	sx.mu.Unlock()
	switch {
	case to == "":
		sx.record(from, fmt.Sprintf("deletes %s: its last bind closed", a))
	case from == "" || from == to:
		sx.record(to, fmt.Sprintf("creates %s by bind (VIPARANGE)", a))
	default:
		sx.record(to, fmt.Sprintf("takes %s from %s by bind (VIPARANGE NONDISRUPTIVE)", a, from))
	}
}

// rangeDVIPAs lists the application DVIPAs active now, as plan DVIPAs for
// the displays.
func (sx *Sysplex) rangeDVIPAs() []plan.DVIPA {
	var out []plan.DVIPA
	seen := map[netip.Addr]bool{}
	for _, s := range sx.stacks {
		s.mu.Lock()
		var addrs []netip.Addr
		for a, n := range s.ranged {
			if n > 0 && s.roles.lookup(a).routerOf() == s.plan.Name {
				addrs = append(addrs, a)
			}
		}
		s.mu.Unlock()
		for _, a := range addrs {
			if seen[a] || sx.Owner(a) != s.plan.Name {
				continue
			}
			seen[a] = true
			r, _ := s.rangeFor(a)
			// A DVIPA an application made of a VIPARANGE moves as its
			// range says (NONDISRUPTIVE or DISRUPTIVE); the displays show
			// that word where a VIPADEFINE shows IMMEDIATE or WHENIDLE.
			out = append(out, plan.DVIPA{Addr: a, PrefixLen: a.BitLen(), Owner: s.plan.Name,
				Origin: "VIPARANGE", Moveable: plan.Moveable(r.Moveable)})
		}
	}
	return out
}
