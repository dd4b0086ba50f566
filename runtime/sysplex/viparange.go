package sysplex

import (
	"context"
	"fmt"
	"net/netip"

	"github.com/tcpipc/tcpipc/plan"
	"github.com/tcpipc/tcpipc/runtime/distributor"
	"github.com/tcpipc/tcpipc/runtime/netstack"
	"github.com/tcpipc/tcpipc/runtime/workload"
)

// Application DVIPAs (zos-config.md §7.1, VIPARANGE): an application that
// binds an address inside one of its stack's VIPARANGEs creates the DVIPA
// on that stack. With MOVEABLE NONDISRUPTIVE a bind of the same address on
// another stack moves the DVIPA there at once, and the old stack keeps its
// connections in Moving state: the new owner forwards their packets to it
// over XCF, as a distributor forwards to a target. The old stack keeps
// the DVIPA Moving until its servers close their sockets, as IBM says,
// and takes it over if the new holder fails meanwhile (viparangefail.go).
// With MOVEABLE DISRUPTIVE the second bind fails. The DVIPA is deleted
// when its owner's last bind closes.

// ErrDVIPAInUse refuses a bind of a VIPARANGE MOVEABLE DISRUPTIVE DVIPA
// that another stack holds. It is a workload.ErrBindRefused: the
// application does not run on this stack, and a scenario goes on.
var ErrDVIPAInUse = fmt.Errorf("%w: the DVIPA is active on another stack and its VIPARANGE is MOVEABLE DISRUPTIVE", workload.ErrBindRefused)

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
	s.mu.Unlock()
	holder := s.sx.Owner(a)
	if holder != "" && holder != s.plan.Name && r.Moveable == "DISRUPTIVE" {
		s.sx.record(s.plan.Name, fmt.Sprintf("bind of %s refused: %s holds it and its VIPARANGE is MOVEABLE DISRUPTIVE", a, holder))
		return fmt.Errorf("bind %s on %s: %w (held by %s)", a, s.plan.Name, ErrDVIPAInUse, holder)
	}
	return s.holdRange(a, holder, 1, false)
}

// holdRange makes this stack the owner and routing stack of the
// VIPARANGE DVIPA a, which holder held until now (if anyone did): for a
// new bind (binds 1), or because holder failed while servers here still
// bind a (failed, binds 0). The binds this stack kept while a was Moving
// hold it again.
func (s *Stack) holdRange(a netip.Addr, holder string, binds int, failed bool) error {
	s.mu.Lock()
	ns, port, m, hasAddr := s.ns, s.port, s.member, s.rangeAddrs[a]
	s.mu.Unlock()
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
	s.ranged[a] = binds + s.parked[a]
	delete(s.parked, a)
	s.rangeAddrs[a] = true
	s.takenOver[a] = failed
	s.roles.get(a).activate(dist, self, s.sx.clk.Now(), true)
	s.mu.Unlock()
	s.restoreCRT(a, dist) // the old owner's connections; its NEWCONN confirms them
	sec := s.startIPsec(a, func(pkt []byte) error { return port.Send(context.Background(), pkt) })
	if sec != nil {
		s.mu.Lock()
		s.roles.get(a).setSec(sec)
		s.mu.Unlock()
	}
	if failed {
		// Its servers and the connections it kept (Moving) go into its
		// own DPT and CRT, as a takeover's do.
		s.reportTo(a, self)
	}
	port.Advertise(a)
	s.sx.rangeOwnerChanged(a, holder, self, failed)
	moved := holder != "" && holder != self
	switch {
	case failed:
		_ = m.Broadcast(encode(msgRangeTakeover, vipaList{DVIPA: a, IPSec: sec != nil}))
	case moved:
		// To every stack: each that keeps the DVIPA Moving learns its
		// new holder, whose failure it may have to take it over from.
		_ = m.Broadcast(encode(msgRangeMove, vipaList{DVIPA: a, IPSec: sec != nil}))
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
		// A bind kept while another stack holds the DVIPA (Moving).
		if s.parked[a] > 0 {
			s.parked[a]--
		}
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
		s.sx.rangeOwnerChanged(a, s.plan.Name, "", false)
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
	routed := role.giveUp(to) != nil
	role.heardVIPAList(to, protected)
	// Its binds no longer hold the DVIPA, but keep it Moving here until
	// they close (IBM) and take it over if the new owner fails.
	s.parked[a] += s.ranged[a]
	s.ranged[a] = 0
	s.takenOver[a] = false
	binds := s.parked[a]
	n := 0
	for k := range s.conns {
		if k.dvipa == a {
			n++
		}
	}
	if n > 0 || binds > 0 {
		role.setMoving(true)
	}
	port := s.port
	s.mu.Unlock()
	// The new owner advertises it already; this stack's advertisement
	// must go, or the LAN would fall back to it when the new owner's does.
	port.Withdraw(a)
	// Its SAs go once the new owner has renegotiated them (swsa.go).
	s.stopIPsec(a)
	if routed || n > 0 {
		s.sx.record(s.plan.Name, fmt.Sprintf("keeps %d connections to %s in Moving state", n, a))
	}
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
	if s.parked[a] > 0 {
		return true // a server here still binds it (IBM: until it closes)
	}
	for k := range s.conns {
		if k.dvipa == a {
			return true
		}
	}
	role.setMoving(false)
	return false
}

// rangeOwnerChanged records a VIPARANGE DVIPA created, moved or deleted,
// or taken over by a stack whose servers bind it when its holder failed.
func (sx *Sysplex) rangeOwnerChanged(a netip.Addr, from, to string, failed bool) {
	sx.mu.Lock()
	sx.owner[a] = to
	sx.moves = append(sx.moves, Move{DVIPA: a, From: from, To: to, At: sx.clk.Now()})
	sx.mu.Unlock()
	switch {
	case failed:
		sx.record(to, fmt.Sprintf("takeover %s from %s: a server here still binds it (VIPARANGE)", a, from))
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
