package sysplex

import (
	"context"
	"fmt"
	"net/netip"
	"slices"
	"time"

	"github.com/tcpipc/tcpipc/plan"
	"github.com/tcpipc/tcpipc/runtime/distributor"
	"github.com/tcpipc/tcpipc/runtime/dvipa"
)

// This file is where takeover and takeback happen: each stack recomputes
// every DVIPA's holder from its own view of the group (reevaluate), takes
// over what becomes its own (activate) and hands over what no longer is
// (giveUp), as seed 003 figures 14 and 15 and the IBM rules on backup
// ranks describe.

// reevaluate recomputes every DVIPA's holder from this stack's view and
// carries out the changes that concern this stack.
func (s *Stack) reevaluate() { s.decide(nil) }

// reevaluateAbout is reevaluate after a change of one peer in the view:
// only the DVIPAs the peer defines or backs up can change holder, since
// only those stacks can hold a DVIPA (dvipa.Owner), and every other input
// of a decision that changes (the grace time ending, an operator's
// deactivation, a holder going idle) decides everything again. With
// thousands of DVIPAs, deciding all of them on each of a boot's joins was
// most of a boot's CPU.
func (s *Stack) reevaluateAbout(peer string) { s.decide(s.sx.about(peer)) }

// decide recomputes the holders of the plan's DVIPAs at the indexes idx
// (all of them when idx is nil) and carries out the changes that concern
// this stack.
func (s *Stack) decide(idx []int) {
	s.mu.Lock()
	if !s.up || s.outOfGroup {
		s.mu.Unlock()
		return
	}
	type todo struct {
		addr netip.Addr
		ch   dvipa.Change
	}
	var changes []todo
	var quiescing []string
	n := len(idx)
	if idx == nil {
		n = len(s.sx.plan.DVIPAs)
	}
	for k := range n {
		i := k
		if idx != nil {
			i = idx[k]
		}
		d := &s.sx.plan.DVIPAs[i]
		a, o := d.Addr, s.owners[d.Addr]
		if s.awaitsHolderLocked(d, o) {
			continue
		}
		if ch, ok := o.Update(s.isUp, func(stack string) int { return s.connsOfLocked(a, stack) }); ok {
			changes = append(changes, todo{a, ch})
		}
		if n, owner, news := s.watchIdleLocked(d, o); news {
			quiescing = append(quiescing, fmt.Sprintf("keeps %s until its %d %s: %s takes it back then (MOVEABLE WHENIDLE)",
				a, n, plural(n, "connection ends", "connections end"), owner))
		}
	}
	s.mu.Unlock()
	for _, q := range quiescing {
		s.sx.record(s.plan.Name, q)
	}
	for _, c := range changes {
		if c.ch.Kind == dvipa.Lost {
			s.sx.ownerLost(c.addr, s.plan.Name)
		}
		switch {
		case c.ch.To == s.plan.Name:
			s.activate(c.addr, c.ch)
		case c.ch.From == s.plan.Name:
			if c.ch.Kind == dvipa.Takeback && !c.ch.KeepsConnections {
				s.handBack(c.addr, c.ch.To)
			}
			s.giveUp(c.addr, c.ch.To)
		}
	}
}

// With MOVEABLE WHENIDLE the DVIPA goes back to its VIPADEFINE stack only
// once the stack holding it has no connections to it left (z/OS
// Communications Server: IP Configuration Reference, "VIPADYNAMIC -
// VIPADEFINE statement", MOVEABLE WHENIDLE). Only the holder knows its
// connections, so the holder decides: when it is idle it says so (msgIdle)
// and gives the DVIPA up, and the owner, in backup state until then,
// takes it back (seed 003 figure 15).

// The word goes to every stack, not to the owner alone: each stack keeps
// its own view of who holds the DVIPA, and one that missed the handover
// would go on counting the old holder's connections, and later take a
// failure of the owner for a move between backups, which never happens,
// leaving the DVIPA active nowhere. A stack that missed every msgIdle
// still learns the handover from the owner's VIPA list
// (ownerTookBackLocked).
// And the holder says it again each idleRecheck until that VIPA list
// comes: a lost msgIdle would leave the owner waiting for a stack that no
// longer routes the DVIPA, and nobody routing it.

// handBack tells every stack that this one, idle, hands a WHENIDLE DVIPA
// back to its owner, and keeps saying it until the owner routes it.
func (s *Stack) handBack(a netip.Addr, owner string) {
	s.mu.Lock()
	s.roles.get(a).handOver(owner)
	m, started := s.member, s.startedAt
	s.mu.Unlock()
	_ = m.Broadcast(encode(msgIdle, vipaList{DVIPA: a}))
	s.sx.clk.AfterFunc(idleRecheck, func() { s.handBackAgain(a, owner, started) })
}

// handBackAgain repeats msgIdle while the owner has not announced that it
// routes the DVIPA and this stack, in the same life, still sees it as the
// holder and up.
func (s *Stack) handBackAgain(a netip.Addr, owner string, started time.Time) {
	s.mu.Lock()
	role, o := s.roles.get(a), s.owners[a]
	waiting := s.up && !s.outOfGroup && s.startedAt.Equal(started) &&
		role.handingOver() == owner && role.distributor() == nil &&
		o != nil && o.Holder() == owner && s.isUp(owner)
	m := s.member
	s.mu.Unlock()
	if !waiting {
		return
	}
	s.sx.record(s.plan.Name, fmt.Sprintf("says again that it is idle for %s: %s has not taken it back", a, owner))
	_ = m.Broadcast(encode(msgIdle, vipaList{DVIPA: a}))
	s.sx.clk.AfterFunc(idleRecheck, func() { s.handBackAgain(a, owner, started) })
}

// ownerTookBackLocked settles this stack's view on the owner of a
// WHENIDLE DVIPA when the owner announces that it routes the DVIPA again
// (its VIPA list): the backup that held it handed it back. (s.mu held.)
func (s *Stack) ownerTookBackLocked(a netip.Addr, from string) {
	d, o := s.sx.dvipa(a), s.owners[a]
	if d == nil || o == nil || d.Moveable != plan.WhenIdle || d.Owner != from ||
		!slices.Contains(d.DefinedBy, from) || o.Holder() == from || !s.isUp(from) {
		return
	}
	o.Settle(from)
}

// connsOfLocked is how many connections a stack holds for a DVIPA, as far
// as this stack can tell: its own routing table for itself; for another
// holder, none once it announced it is idle, else at least one (s.mu held).
func (s *Stack) connsOfLocked(a netip.Addr, stack string) int {
	role := s.roles.lookup(a)
	if stack == s.plan.Name {
		if dist := role.distributor(); dist != nil {
			return len(dist.CRT())
		}
		return 0
	}
	if role.idleHolder() == stack {
		return 0
	}
	return 1
}

// awaitsHolderLocked reports whether this stack, seeing nobody hold a
// DVIPA it would activate, must wait: a restarted owner of a MOVEABLE
// WHENIDLE DVIPA does not know yet whether a backup holds it with
// connections, and a restarted backup with the long form of a DVIPA no
// stack VIPADEFINEs does not know yet whether another backup holds it
// (IBM: it creates the DVIPA only "if it is not active elsewhere in the
// sysplex already"). It learns it from the holder's VIPA list or msgIdle
// (and then knows the holder), or from the end of its grace time (nobody
// holds it). (s.mu held.)
func (s *Stack) awaitsHolderLocked(d *plan.DVIPA, o *dvipa.Owner) bool {
	self := s.plan.Name
	if o.Holder() != "" {
		return false
	}
	whenIdleOwner := d.Moveable == plan.WhenIdle && d.Owner == self && slices.Contains(d.DefinedBy, self)
	if !whenIdleOwner && !s.createsAsBackup(d) {
		return false
	}
	role := s.roles.lookup(d.Addr)
	if idle := role.idleHolder(); idle != "" && s.isUp(idle) {
		o.Settle(idle)
		return false
	}
	if r := role.routerOf(); r != "" && r != self && s.isUp(r) {
		o.Settle(r)
		return false
	}
	return !s.graceOver
}

// createsAsBackup reports whether this stack backs up d with the long
// form and no stack VIPADEFINEs d: then it may create d itself.
func (s *Stack) createsAsBackup(d *plan.DVIPA) bool {
	if slices.Contains(d.DefinedBy, d.Owner) {
		return false
	}
	return slices.ContainsFunc(d.Backups, func(b plan.Backup) bool { return b.Stack == s.plan.Name && b.CanCreate })
}

// watchIdleLocked schedules, while this stack holds a WHENIDLE DVIPA whose
// owner wants it back, a look each idleRecheck at whether its connections
// ended (they leave the routing table on the clock, EndLinger after their
// end). It reports the connections and the owner when this stack has just
// begun to quiesce the DVIPA (news), for the timeline. (s.mu held.)
func (s *Stack) watchIdleLocked(d *plan.DVIPA, o *dvipa.Owner) (conns int, owner string, news bool) {
	a := d.Addr
	if o.StateOf(s.plan.Name, s.isUp, func(string) bool { return false }) != dvipa.Quiescing {
		if role := s.roles.lookup(a); role != nil {
			role.setQuiescing(false)
		}
		return 0, "", false
	}
	role := s.roles.get(a)
	news = role.setQuiescing(true)
	if role.armIdleCheck() {
		s.sx.clk.AfterFunc(idleRecheck, func() {
			role.idleChecked()
			s.reevaluate()
		})
	}
	return s.connsOfLocked(a, s.plan.Name), d.Owner, news
}

// idleRecheck is how often a quiescing holder looks whether it is idle.
const idleRecheck = time.Second

// activate makes this stack the owner and routing stack of a DVIPA
// (seed 003 figure 14 blocks 312-324; figure 10 blocks 200-206).
func (s *Stack) activate(a netip.Addr, ch dvipa.Change) {
	d := s.sx.dvipa(a)
	s.mu.Lock()
	dists := s.distributionsFor(d)
	if len(dists) == 0 {
		// Not distributed: the owner serves new connections itself, and
		// a CRT still carries the connections another stack keeps
		// (Moving) to it.
		dists = []plan.Distribution{localOnly(s.plan.Name)}
	}
	routing := distributor.New(s.sx.clk, a.String(), dists...)
	role := s.roles.get(a)
	role.activate(routing, s.plan.Name, s.sx.clk.Now(), false)
	port, m := s.port, s.member
	s.mu.Unlock()
	if n := s.restoreCRT(a, routing); n > 0 {
		s.sx.record(s.plan.Name, fmt.Sprintf("restores %d connections to %s from the coupling facility", n, a))
		// Each target's report ends with CONNSDONE, which drops its
		// restored entries it did not confirm. This is for a target
		// that never reports (down, or its messages lost).
		s.sx.clk.AfterFunc(restoreTimeout*s.grace, func() {
			if gone := routing.DropRestored(); gone > 0 {
				s.sx.record(s.plan.Name, fmt.Sprintf("drops %d restored connections to %s no target reported", gone, a))
			}
		})
	}
	sec := s.startIPsec(a, func(pkt []byte) error { return port.Send(context.Background(), pkt) })
	if sec != nil {
		s.mu.Lock()
		role.setSec(sec)
		s.mu.Unlock()
	}
	// This stack is a target of itself: its own servers count too, and
	// must be in the DPT before the first SYN arrives.
	s.reportTo(a, s.plan.Name)
	if s.overtaken(a) {
		s.withhold(a)
		return
	}
	port.Advertise(a)
	s.sx.ownerChanged(a, ch)
	_ = m.Broadcast(encode(msgVIPAList, vipaList{DVIPA: a, IPSec: sec != nil}))
	// With the DVIPA advertised, the peers' answers reach this stack.
	s.recoverSAs(a, sec)
}

// distributionsFor picks the VIPADISTRIBUTE definitions in force when
// this stack routes the DVIPA (one per port set): its own, else those of
// the stack that defines the DVIPA.
func (s *Stack) distributionsFor(d *plan.DVIPA) []plan.Distribution {
	if d == nil {
		return nil
	}
	for _, by := range []string{s.plan.Name, d.Owner} {
		var out []plan.Distribution
		for _, dist := range d.Distributions {
			if dist.Stack == by {
				out = append(out, dist)
			}
		}
		if len(out) > 0 {
			return out
		}
	}
	return nil
}

// giveUp hands a DVIPA to its new holder: the route moves, and the
// connections this stack routed are handed over with NEWCONN (seed 003
// figure 15 blocks 344-352).
func (s *Stack) giveUp(a netip.Addr, to string) {
	s.mu.Lock()
	role := s.roles.get(a)
	// The new holder's VIPA list may have come while this stack still
	// routed the DVIPA, and been ignored: giveUp records the new holder.
	dist := role.giveUp(to)
	port, m := s.port, s.member
	s.mu.Unlock()
	port.Withdraw(a)
	s.stopIPsec(a)
	if to != "" {
		// Its own servers report to the new routing stack.
		s.reportTo(a, to)
	}
	if dist == nil || to == "" {
		return
	}
	// Connections that already ended are not handed on: no target would
	// report their end again.
	crt := slices.DeleteFunc(dist.CRT(), func(c distributor.Conn) bool { return c.Ending })
	s.sx.record(s.plan.Name, fmt.Sprintf("hands %s to %s with NEWCONN for %d connections", a, to, len(crt)))
	kept := 0
	for _, c := range crt {
		_ = m.Send(to, encode(msgNewConn, newConn{DVIPA: a, Client: c.Key.Client, Port: c.Key.Port, Target: c.Target, IPSec: c.IPSec}))
		if c.Target == s.plan.Name {
			kept++
		}
	}
	if kept > 0 {
		// Connections this stack serves itself stay here until they end.
		s.mu.Lock()
		role.setMoving(true)
		s.mu.Unlock()
		s.sx.record(s.plan.Name, fmt.Sprintf("keeps %d connections to %s in Moving state", kept, a))
	}
}

// localOnly is the routing of a DVIPA nobody distributes: every new
// connection to the owner itself.
func localOnly(stack string) plan.Distribution {
	return plan.Distribution{Stack: stack, Method: plan.RoundRobin, Targets: []plan.Target{{Stack: stack}}}
}

// plural picks the word for n things.
func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}
