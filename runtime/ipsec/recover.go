package ipsec

import (
	"context"
	"errors"
	"fmt"
	"net/netip"
	"time"

	"github.com/tcpipc/tcpipc/internal/ike/ikesa"
	"github.com/tcpipc/tcpipc/internal/ike/wire"
	"github.com/tcpipc/tcpipc/plan"
	"github.com/tcpipc/tcpipc/runtime/swsa"
)

// recovery is one tunnel being renegotiated from a record.
type recovery struct {
	d    swsa.Decision
	done func(swsa.Decision, error)
}

// ErrNoRule is a decision naming a key exchange rule this endpoint lacks.
var ErrNoRule = errors.New("ipsec: no such key exchange rule here")

// Recover renegotiates the tunnels of records the planner says this
// endpoint recovers (seed 003 figure 14, blocks 330-332): for every
// decision at once, without waiting for the peer's traffic or its
// dead-peer detection, it starts an IKE SA to the recorded address with
// the recorded traffic selectors for the first child SA, and asks for the
// record's other child SAs once the IKE SA is up. done hears, once per
// decision, nil when the first child SA is installed or why the tunnel
// could not be renegotiated. The new tunnels journal themselves like any
// other, so the holder's own records are written as they come up.
//
// INITIAL_CONTACT goes with the IKE_AUTH when this endpoint holds no other
// IKE SA with the peer (ikesa decides): the peer then drops the failed
// holder's SAs at once instead of by liveness checking (docs/swsa.md).
func (e *Endpoint) Recover(ds []swsa.Decision, done func(swsa.Decision, error)) {
	s := e.swsaOf()
	if s == nil {
		for _, d := range ds {
			done(d, errors.New("ipsec: the endpoint keeps no SWSA records"))
		}
		return
	}
	s.mu.Lock()
	if s.cancelled != nil {
		err := s.cancelled
		s.mu.Unlock()
		for _, d := range ds {
			done(d, err)
		}
		return
	}
	for _, d := range ds {
		s.waiting = append(s.waiting, &recovery{d: d, done: done})
		s.recovering[d.Peer.Addr()] = true
	}
	s.mu.Unlock()
	e.startRecoveries(s)
}

// recoveryWindow bounds the renegotiations in flight at once: all start
// without waiting for any peer, but a thousand IKE_SA_INIT answers at once
// would overflow the receive queue and cost a retransmission timeout.
const recoveryWindow = 200

// startRecoveries starts waiting recoveries while the window has room.
func (e *Endpoint) startRecoveries(s *swsaState) {
	for {
		s.mu.Lock()
		if len(s.waiting) == 0 || s.active >= recoveryWindow {
			s.mu.Unlock()
			return
		}
		r := s.waiting[0]
		s.waiting = s.waiting[1:]
		s.active++
		s.mu.Unlock()
		if err := e.recoverOne(s, r.d, r.done); err != nil {
			s.mu.Lock()
			s.active--
			delete(s.recovering, r.d.Peer.Addr())
			s.mu.Unlock()
			r.done(r.d, err)
		}
	}
}

func (e *Endpoint) recoverOne(s *swsaState, d swsa.Decision, done func(swsa.Decision, error)) error {
	switch {
	case !d.Recover:
		return fmt.Errorf("ipsec: tunnel %s is not to be recovered", d.TunnelID)
	case len(d.Children) == 0:
		return fmt.Errorf("ipsec: tunnel %s has no child SA to renegotiate", d.TunnelID)
	}
	e.mu.Lock()
	_, ok := e.peers[d.Rule]
	e.mu.Unlock()
	if !ok {
		return fmt.Errorf("%w: %s", ErrNoRule, d.Rule)
	}
	first := d.Children[0]
	ts := ikesa.Selectors{Local: wireSelectors(first.Local), Remote: wireSelectors(first.Remote)}
	r := &recovery{d: d, done: done}
	// A quick answer may install the child before r is registered: while
	// initiations are in flight, outcomes of unknown SAs are kept
	// (s.early) for the registration to pick up.
	s.mu.Lock()
	s.inflight++
	s.mu.Unlock()
	sa, err := e.daemon.InitiateProposing(d.Rule, recoveryTarget(d), ts, e.recordedProposals(d))
	var id uint64
	if err == nil {
		// Before s.mu: Info takes the daemon's lock, which comes first
		// (the daemon sends under it, and sending takes e.mu, then
		// protect takes s.mu under e.mu). Read under s.mu, it deadlocked
		// a takeover with a packet being protected and an initiation.
		id = sa.Info().ID.SPIi
	}
	s.mu.Lock()
	s.inflight--
	if err == nil && s.cancelled != nil {
		// The DVIPA was given up while this one started.
		err = s.cancelled
		defer sa.Delete()
	}
	if err != nil {
		s.forgetEarly()
		s.mu.Unlock()
		return err
	}
	out, early := s.early[id]
	if !early {
		s.pending[id] = r
	}
	delete(s.early, id)
	s.forgetEarly()
	s.mu.Unlock()
	if early {
		e.finishRecovery(s, r, out)
	}
	return nil
}

// recoveryTarget is where a recovery's IKE_SA_INIT goes. Without NAT it
// goes to the recorded address on port 500 and floats to 4500 as any
// initiation does (RFC 7296 §2.23). Behind a one-to-one NAT it goes
// straight to the recorded public address on port 4500 with the non-ESP
// marker (RFC 7296 §2.23 allows starting there), where the NAT's mapping
// of the peer's IKE port is; NAT detection then puts ESP in UDP. The
// planner never recovers a peer behind a NAPT, whose mapping only the
// peer could renew.
func recoveryTarget(d swsa.Decision) netip.AddrPort {
	if d.UDPEncap {
		return netip.AddrPortFrom(d.Peer.Addr(), nattPort)
	}
	return netip.AddrPortFrom(d.Peer.Addr(), ikePort)
}

// outcome is how a recovery's IKE SA ended up: its first child, or err.
type outcome struct {
	child ikesa.ChildSA
	err   error
}

// forgetEarly drops the kept outcomes once no initiation is in flight
// (s.mu held).
func (s *swsaState) forgetEarly() {
	if s.inflight == 0 {
		clear(s.early)
	}
}

// settle takes the recovery of IKE SA spi, or keeps its outcome for an
// initiation still in flight (s.mu held).
func (s *swsaState) settle(spi uint64, o outcome) *recovery {
	r := s.pending[spi]
	delete(s.pending, spi)
	if r == nil && s.inflight > 0 {
		if _, ok := s.early[spi]; !ok {
			s.early[spi] = o
		}
	}
	return r
}

// recovered completes the recovery whose IKE SA installed child c.
func (e *Endpoint) recovered(s *swsaState, c ikesa.ChildSA) {
	s.mu.Lock()
	r := s.settle(c.IKE.SPIi, outcome{child: c})
	s.mu.Unlock()
	if r != nil {
		e.finishRecovery(s, r, outcome{child: c})
	}
}

// recoveryFailed ends the recovery whose IKE SA died before its first
// child SA came up.
func (e *Endpoint) recoveryFailed(s *swsaState, id ikesa.IKESAID, err error) {
	s.mu.Lock()
	r := s.settle(id.SPIi, outcome{err: err})
	s.mu.Unlock()
	if r != nil {
		e.finishRecovery(s, r, outcome{err: err})
	}
}

// ErrChildRefused is a recovery whose IKE SA came up but whose first
// child SA did not: the tunnel carries no traffic, so it is not recovered.
var ErrChildRefused = errors.New("ipsec: the IKE SA is up but its first child SA was refused")

// childRefused is ikesa's OnChildRefused: the child SA proposed in
// IKE_AUTH was not set up. A recovery waiting for it ends as failed (its
// window slot and its hold on the peer's traffic go with it).
func (e *Endpoint) childRefused(info ikesa.IKESAInfo, err error) {
	if s := e.swsaOf(); s != nil {
		e.recoveryFailed(s, info.ID, fmt.Errorf("%w: %v", ErrChildRefused, err))
	}
}

// finishRecovery marks the tunnel as recovered from the record, asks for
// the record's further child SAs and tells done.
func (e *Endpoint) finishRecovery(s *swsaState, r *recovery, o outcome) {
	s.mu.Lock()
	s.active--
	delete(s.recovering, r.d.Peer.Addr())
	s.mu.Unlock()
	defer e.startRecoveries(s)
	if o.err != nil {
		r.done(r.d, o.err)
		return
	}
	c := o.child
	s.mu.Lock()
	if t := s.byIKE[c.IKE]; t != nil {
		t.from = RecoveredFrom{Writer: r.d.Writer, Tunnel: r.d.TunnelID}
	}
	s.mu.Unlock()
	if sa := e.daemon.Lookup(c.IKE); sa != nil {
		for _, more := range r.d.Children[1:] {
			ts := ikesa.Selectors{Local: wireSelectors(more.Local), Remote: wireSelectors(more.Remote)}
			_ = sa.CreateChildWith(ts, nil)
		}
	}
	r.done(r.d, nil)
}

// CancelRecoveries ends every recovery of the endpoint with err: the stack
// gave the DVIPA up, so it must not go on negotiating from an address it
// no longer holds, nor start new recoveries. Waiting recoveries never
// start; an IKE SA still negotiating is abandoned without a word (the
// peer's half-open SA times out); one already up stays until
// DeleteTunnels. done hears err for each recovery not ended yet.
func (e *Endpoint) CancelRecoveries(err error) {
	s := e.swsaOf()
	if s == nil {
		return
	}
	s.mu.Lock()
	if s.cancelled != nil {
		s.mu.Unlock()
		return
	}
	s.cancelled = err
	ended := s.waiting
	s.waiting = nil
	spis := map[uint64]bool{}
	for spi, r := range s.pending {
		spis[spi] = true
		ended = append(ended, r)
	}
	s.active -= len(s.pending)
	clear(s.pending)
	clear(s.recovering)
	s.mu.Unlock()
	for _, info := range e.daemon.SAs() {
		if spis[info.ID.SPIi] && info.State != ikesa.StateEstablished {
			if sa := e.daemon.Lookup(info.ID); sa != nil {
				sa.Delete()
			}
		}
	}
	for _, r := range ended {
		r.done(r.d, err)
	}
}

// DeleteTunnels ends every child SA and IKE SA of the endpoint with an
// INFORMATIONAL Delete to the peer (RFC 7296 §1.4.1): a stack that gave a
// DVIPA back does it once the new holder has renegotiated the tunnels
// (seed 003 figure 15, block 364), so the peer never lacks a working SA.
func (e *Endpoint) DeleteTunnels() {
	for _, info := range e.daemon.SAs() {
		if info.State != ikesa.StateEstablished {
			continue
		}
		if sa := e.daemon.Lookup(info.ID); sa != nil {
			sa.Delete()
		}
	}
}

// DeleteTunnelsAndWait is DeleteTunnels, then a wait until the peers have
// answered (no IKE SA is being deleted any more), limit on the endpoint's
// clock has passed or ctx ends. A Delete waits behind an exchange under way (RFC 7296
// §2.3) and may have to be sent again; closing the endpoint right after
// DeleteTunnels dropped it, and the peer kept SAs no stack held.
func (e *Endpoint) DeleteTunnelsAndWait(ctx context.Context, limit time.Duration) {
	e.DeleteTunnels()
	expired := make(chan struct{})
	t := e.clock.AfterFunc(limit, func() { close(expired) })
	defer t.Stop()
	for e.deleting() {
		select {
		case <-e.ikeGone:
		case <-expired:
			return
		case <-ctx.Done():
			return
		}
	}
}

// deleting reports whether an IKE SA still waits for its Delete's answer.
func (e *Endpoint) deleting() bool {
	for _, info := range e.daemon.SAs() {
		if info.State == ikesa.StateDeleting {
			return true
		}
	}
	return false
}

// recordedProposals are the record's negotiated transforms as the only
// offers, so the new SAs have the security service characteristics of the
// old ones (IBM, "DVIPA takeover"). The ESP offer is the endpoint's own
// suite with the recorded cipher, integrity and ESN, and the recorded PFS
// group when the record names one (a first child SA, made in IKE_AUTH,
// has none of its own).
func (e *Endpoint) recordedProposals(d swsa.Decision) ikesa.Proposals {
	var p ikesa.Proposals
	if s, ok := suiteOf(d.IKE.Transforms); ok {
		p.IKE = []ikesa.Suite{s}
	}
	c := d.Children[0]
	want, ok := suiteOf(c.Transforms)
	if !ok {
		return p
	}
	for _, s := range e.cfg.ESP {
		dh := s.DH
		if c.PFS != nil {
			dh = wire.DHGroup(c.PFS.ID)
		}
		if s.Encr == want.Encr && s.KeyBits == want.KeyBits && s.Integ == want.Integ && s.ESN == want.ESN && s.DH == dh {
			p.ESP = append(p.ESP, s)
		}
	}
	if len(p.ESP) == 0 { // none of ours: InitiateProposing refuses it
		if c.PFS != nil {
			want.DH = wire.DHGroup(c.PFS.ID)
		}
		p.ESP = []ikesa.Suite{want}
	}
	return p
}

// suiteOf reads recorded transforms as a suite; false when they name no
// encryption.
func suiteOf(ts []plan.Transform) (ikesa.Suite, bool) {
	s := suite(plan.Proposal{Transforms: ts})
	return s, s.Encr != 0
}
