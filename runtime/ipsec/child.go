package ipsec

import (
	"errors"
	"slices"
	"sync/atomic"
	"time"

	"github.com/tcpipc/tcpipc/internal/esp"
	"github.com/tcpipc/tcpipc/internal/ike/ikesa"
	"github.com/tcpipc/tcpipc/internal/natt"
)

// rekeyRetry is how long to wait, at least, before trying a failed child
// rekey again, e.g. after both ends rekeyed at once and both got
// TEMPORARY_FAILURE. Up to as much again is added at random so that two
// ends do not collide for ever (RFC 7296 section 2.25).
const rekeyRetry = 2 * time.Second

// child is an installed child SA: the negotiated parameters without keys,
// and its two ESP SAs.
type child struct {
	info    ikesa.ChildSA // key fields cleared once the SAs are built
	in, out *esp.SA
	created time.Time
	life    esp.Lifetime
	// mapping is where the child's ESP goes: its IKE SA's NAT mapping,
	// shared with the IKE SA's other children.
	mapping *natt.Mapping
	// rekeying is set while a rekey of this child is under way or done,
	// so the soft expiry of both directions starts only one.
	rekeying atomic.Bool
	// ready is set once the child may carry outbound traffic. A child
	// the peer made by rekeying starts unready: the peer may not have
	// installed its inbound half until its CREATE_CHILD_SA response
	// arrives, so we keep sending on the old child until a packet
	// arrives on the new one or the old one is deleted (RFC 7296 §2.8).
	ready atomic.Bool
	// retired is set once the child carries no more outbound traffic and
	// only its inbound SA lingers after a rekey (see removeChild).
	retired atomic.Bool
	// retry paces the tries to rekey it (backoff.go); e.mu guards it.
	retry backoff
}

// installChild is ikesa's OnChildSA: it builds the child's ESP SAs, puts
// the inbound one into the SAD and makes the outbound one the peer's
// newest, then sends what waited for it.
func (e *Endpoint) installChild(c ikesa.ChildSA) {
	e.mu.Lock()
	ps := e.peers[c.Peer]
	closed := e.closed
	e.mu.Unlock()
	if ps == nil || closed {
		return
	}
	ch := &child{info: c, created: e.clock.Now(), life: e.spd.tunnelFor(c.Peer).Lifetime}
	var err error
	ch.in, err = e.newESPSA(ch, c.InboundSPI, c.InboundEncrKey, c.InboundIntegKey)
	if err == nil {
		ch.out, err = e.newESPSA(ch, c.OutboundSPI, c.OutboundEncrKey, c.OutboundIntegKey)
	}
	if err == nil {
		err = e.sad.Add(ch.in)
	}
	if err != nil {
		// Our ESP cannot run what IKE negotiated; take the child down
		// again rather than black-hole its traffic.
		if ch.in != nil {
			ch.in.Close()
		}
		if ch.out != nil {
			ch.out.Close()
		}
		e.deleteChildSA(c.Peer, c.InboundSPI)
		return
	}
	if e.keylog != nil {
		e.keylog.logESP(c.InboundSPI, c, c.InboundEncrKey, c.InboundIntegKey)
		e.keylog.logESP(c.OutboundSPI, c, c.OutboundEncrKey, c.OutboundIntegKey)
	}
	ch.info.InboundEncrKey, ch.info.InboundIntegKey = nil, nil
	ch.info.OutboundEncrKey, ch.info.OutboundIntegKey = nil, nil

	e.mu.Lock()
	// If an older child carries the same traffic and we did not ask to
	// replace it, the peer is rekeying it.
	peerRekey := slices.ContainsFunc(ps.children, func(old *child) bool { return sameTS(old, ch) && !old.rekeying.Load() })
	ch.ready.Store(!peerRekey)
	e.children[c.InboundSPI] = ch
	ps.addChild(ch)
	ch.mapping = e.mappingOf(c.Peer, c.IKE, c.Remote)
	// What waited goes out through the children. When this acquire got
	// a child that leaves out its trigger (narrowed.go), what none covers
	// is judged as a packet of the trigger's filter (the queue does not
	// keep each packet's own): dropped as narrowed when it goes where the
	// acquire went, else it starts its own acquire. Otherwise what none
	// covers is dropped, as before.
	var flush *Filter
	if e.noteAcquireAnswered(ps, ch) {
		flush = ps.trigger
	}
	queue := ps.queue
	ps.queue, ps.negotiating, ps.trigger, ps.initiated = nil, false, nil, 0
	e.mu.Unlock()

	e.journalChild(c, int(ch.life.HardTime.Seconds()))
	for _, pkt := range queue {
		e.protect(ps, pkt, flush)
	}
}

// newESPSA builds one direction of ch.
func (e *Endpoint) newESPSA(ch *child, spi uint32, encKey, integKey []byte) (*esp.SA, error) {
	c := ch.info
	return esp.NewSA(esp.Config{
		SPI: spi, Mode: esp.Tunnel,
		Cipher: esp.Cipher(c.Encr), EncKey: esp.Key(encKey),
		Integrity: esp.Integrity(c.Integ), AuthKey: esp.Key(integKey),
		ESN: c.ESN, Lifetime: ch.life, Clock: e.clock,
		OnSoftExpire: func(*esp.SA, esp.Expiry) { e.rekeyChild(ch) },
		OnHardExpire: func(*esp.SA, esp.Expiry) { e.deleteChildSA(ch.info.Peer, ch.info.InboundSPI) },
	})
}

// removeChild is ikesa's OnChildSADeleted: the child is gone on the IKE
// side, so it stops carrying outbound traffic at once. If a rekey replaced
// it, its inbound SA stays in the SAD for Config.RekeyedGrace, because the
// peer may have sent packets on it just before the Delete that are still
// on their way (strongSwan's delete_rekeyed_delay does the same); else it
// goes at once.
func (e *Endpoint) removeChild(c ikesa.ChildSA) {
	e.mu.Lock()
	ch := e.children[c.InboundSPI]
	if ch == nil {
		e.mu.Unlock()
		return
	}
	replaced := false
	if ps := e.peers[c.Peer]; ps != nil {
		ps.removeChild(ch)
		replaced = slices.ContainsFunc(ps.children, func(x *child) bool { return sameTS(x, ch) })
	}
	grace := replaced && e.cfg.RekeyedGrace > 0 && !e.closed && !ch.retired.Load()
	if grace {
		ch.retired.Store(true)
		e.after(e.cfg.RekeyedGrace, func() { e.dropChild(ch) })
	}
	e.mu.Unlock()
	e.journalChildGone(c.InboundSPI)
	ch.out.Close()
	if !grace {
		e.dropChild(ch)
	}
}

// dropChild takes ch's inbound SA out of the SAD and forgets ch.
func (e *Endpoint) dropChild(ch *child) {
	spi := ch.info.InboundSPI
	e.mu.Lock()
	if e.children[spi] == ch {
		delete(e.children, spi)
	}
	e.mu.Unlock()
	if sa, ok := e.sad.Lookup(spi); ok && sa == ch.in {
		e.sad.Remove(spi)
	}
	ch.in.Close()
}

// ikeSAsOf returns the established IKE SAs with peer.
func (e *Endpoint) ikeSAsOf(peer string) []*ikesa.IKESA {
	var out []*ikesa.IKESA
	for _, info := range e.daemon.SAs() {
		if info.Peer == peer && info.State == ikesa.StateEstablished {
			if sa := e.daemon.Lookup(info.ID); sa != nil {
				out = append(out, sa)
			}
		}
	}
	return out
}

// rekeyChild replaces ch with a fresh child (RFC 7296 §2.8) when one of
// its SAs reaches a soft lifetime. An IKE SA rekey moves children to the
// new IKE SA without telling us, so every IKE SA with the peer is asked;
// the one that holds the child does it. A failed rekey is tried again
// as backoff.go paces it, until the child's hard lifetime.
func (e *Endpoint) rekeyChild(ch *child) {
	if ch.retired.Load() || !ch.rekeying.CompareAndSwap(false, true) || e.isClosed() {
		return
	}
	failed := func(err error) {
		ch.rekeying.Store(false)
		e.mu.Lock()
		defer e.mu.Unlock()
		var deadline time.Time
		if ch.life.HardTime > 0 {
			deadline = ch.created.Add(ch.life.HardTime)
		}
		if wait, ok := ch.retry.next(err, e.clock.Now(), deadline); ok {
			e.after(wait, func() { e.rekeyChild(ch) })
		}
	}
	var err error
	for _, sa := range e.ikeSAsOf(ch.info.Peer) {
		err = sa.RekeyChild(ch.info.InboundSPI, func(err error) {
			if err != nil {
				failed(err)
			}
		})
		if err == nil {
			return
		}
	}
	if e.isActive(ch) {
		failed(err)
	}
}

// isActive reports whether ch is installed and not retired.
func (e *Endpoint) isActive(ch *child) bool {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.children[ch.info.InboundSPI] == ch && !ch.retired.Load()
}

// deleteChildSA ends the child we receive on inSPI: through the IKE SA
// that holds it, which tells the peer and reports the deletion back to
// removeChild, or locally when no IKE SA holds it any more.
func (e *Endpoint) deleteChildSA(peer string, inSPI uint32) {
	for _, sa := range e.ikeSAsOf(peer) {
		if sa.DeleteChild(inSPI) == nil {
			return
		}
	}
	e.removeChild(ikesa.ChildSA{Peer: peer, InboundSPI: inSPI})
}

// ikeEvent is ikesa's OnIKESA. It notes when each IKE SA came up, for
// the displays. The failure of the IKE SA a negotiation started ends the
// wait of the peer's queued packets; other endings (deletion, rekey,
// replacement) are reported through the children.
func (e *Endpoint) ikeEvent(info ikesa.IKESAInfo, err error) {
	e.journalIKE(info, err)
	e.mu.Lock()
	if err == nil {
		e.inheritMapping(info)
		e.ikeTimes[info.ID] = e.scheduleIKERefresh(info)
	} else {
		delete(e.ikeTimes, info.ID)
		delete(e.mappings, info.ID)
	}
	e.mu.Unlock()
	if err != nil {
		select {
		case e.ikeGone <- struct{}{}:
		default: // a signal is already waiting
		}
	}
	if err == nil || errors.Is(err, ikesa.ErrRekeyed) || errors.Is(err, ikesa.ErrClosed) ||
		errors.Is(err, ikesa.ErrDeleted) || errors.Is(err, ikesa.ErrReplaced) || errors.Is(err, ikesa.ErrExpired) {
		return
	}
	e.mu.Lock()
	ps := e.peers[info.Peer] // nil for an SA that died before IKE_AUTH named the peer
	ours := ps != nil && info.Initiator && ps.initiated == info.ID.SPIi
	e.mu.Unlock()
	if ours {
		e.negotiationFailed(ps)
	}
}

// negotiationFailed drops the packets that waited for an SA with ps.
func (e *Endpoint) negotiationFailed(ps *peerState) { e.negotiationOver(ps, 0) }

// negotiationOver drops the packets that waited for an SA with ps, if
// negotiation number gen (or any, for 0) is still under way.
func (e *Endpoint) negotiationOver(ps *peerState, gen uint64) {
	e.mu.Lock()
	if !ps.negotiating || gen != 0 && gen != ps.generation {
		e.mu.Unlock()
		return
	}
	n := len(ps.queue)
	ps.queue, ps.negotiating, ps.trigger, ps.initiated = nil, false, nil, 0
	e.mu.Unlock()
	for range n {
		e.stats.drop(DropNoSA)
	}
}
