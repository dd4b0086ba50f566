package ipsec

import (
	"bytes"
	"errors"
	"fmt"
	"net/netip"
	"time"

	"github.com/tcpipc/tcpipc/internal/esp"
	"github.com/tcpipc/tcpipc/internal/ike/ikesa"
)

// negotiationTimeout bounds how long packets wait for an SA. IKE gives up
// on an unanswered peer by itself, but an IKE SA can come up with its
// child refused, and then no callback says the wait is over.
const negotiationTimeout = 30 * time.Second

// Verdict is what Outbound did with a packet.
type Verdict uint8

const (
	// Dropped: denied by policy, malformed, or no room to queue it.
	Dropped Verdict = iota
	// Clear: the SPD permits it unprotected; the caller sends it.
	Clear
	// Protected: sent as ESP to the peer.
	Protected
	// Queued: held until the SA being negotiated for it is up.
	Queued
)

func (v Verdict) String() string {
	switch v {
	case Dropped:
		return "dropped"
	case Clear:
		return "clear"
	case Protected:
		return "protected"
	case Queued:
		return "queued"
	}
	return fmt.Sprintf("Verdict(%d)", uint8(v))
}

// Outbound applies the SPD to an IP packet leaving the stack (RFC 4301
// §5.1): PERMIT hands it back to send in the clear, DENY drops it, IPSEC
// encrypts it with the peer's newest fitting child SA and sends it as ESP
// (plain, or in UDP behind a NAT), or, when there is none, queues a copy
// and negotiates one. Outbound does not keep pkt.
func (e *Endpoint) Outbound(pkt []byte) Verdict {
	fl, err := parseFlow(pkt)
	if err != nil {
		e.stats.drop(DropMalformed)
		return Dropped
	}
	f := e.spd.lookup(Outbound, fl)
	switch {
	case f == nil || f.Action == ActionDeny || f.refusesConnect(Outbound, fl):
		e.stats.drop(DropPolicy)
		return Dropped
	case f.Action == ActionPermit:
		e.stats.clearOut.Add(1)
		return Clear
	}
	e.mu.Lock()
	ps := e.peers[f.Tunnel.Peer]
	e.mu.Unlock()
	return e.protect(ps, pkt, f)
}

// protect sends pkt through the newest child of ps whose selectors fit
// it. Without one, if trigger (the IPSEC filter pkt matched) is set, it
// queues pkt and starts getting an SA for the filter's traffic: a new
// child on an established IKE SA, or a new IKE SA, unless the peer
// already answered that filter with a narrower child (narrowed.go);
// otherwise it drops pkt.
func (e *Endpoint) protect(ps *peerState, pkt []byte, trigger *Filter) Verdict {
	fl, _ := parseFlow(pkt) // callers checked it
	e.mu.Lock()
	if e.closed {
		e.mu.Unlock()
		e.stats.drop(DropNoSA)
		return Dropped
	}
	// A child can go away between picking and encrypting, as when a
	// rekey's Delete lands; then pick again, once.
	for range 2 {
		ch := ps.index.pick(fl)
		if ch == nil {
			break
		}
		dst := ch.mapping.Remote()
		e.mu.Unlock()
		v, expired := e.sendESP(ch, pkt, dst)
		if !expired {
			return v
		}
		e.mu.Lock()
	}
	if trigger == nil || e.holdsOnDemand(fl.dst) { // swsa.go: a recovery negotiates it
		e.mu.Unlock()
		e.stats.drop(DropNoSA)
		return Dropped
	}
	if e.narrowedAway(ps, trigger, fl) {
		e.mu.Unlock()
		e.stats.drop(DropNarrowed)
		return Dropped
	}
	if len(ps.queue) >= e.cfg.QueueLimit {
		e.mu.Unlock()
		e.stats.drop(DropQueueFull)
		return Dropped
	}
	ps.queue = append(ps.queue, bytes.Clone(pkt))
	e.stats.queued.Add(1)
	start := !ps.negotiating
	if start {
		ps.negotiating = true
		ps.proposal, ps.trigger = proposal(trigger, fl, ps.cfg), trigger
		ps.generation++
		gen := ps.generation
		e.after(negotiationTimeout, func() { e.negotiationOver(ps, gen) })
	}
	e.mu.Unlock()
	if start {
		e.negotiate(ps)
	}
	return Queued
}

// negotiate gets a child SA for ps: CREATE_CHILD_SA on an established IKE
// SA, or IKE_SA_INIT and IKE_AUTH from scratch (RFC 7296 §1.3.1, §1.2).
func (e *Endpoint) negotiate(ps *peerState) {
	e.mu.Lock()
	ts := ps.proposal
	e.mu.Unlock()
	for _, sa := range e.ikeSAsOf(ps.cfg.Name) {
		err := sa.CreateChildWith(ts, func(err error) {
			if err != nil {
				e.negotiationFailed(ps)
			}
		})
		if err == nil {
			return
		}
	}
	to := netip.AddrPortFrom(ps.cfg.Addr, ikePort)
	if !ps.cfg.Addr.IsValid() {
		// A peer that may be anywhere in its range is reached where the
		// traffic waiting for the SA goes, as z/OS IKED does on demand.
		dst, ok := e.waitingFor(ps)
		if !ok {
			e.negotiationFailed(ps)
			return
		}
		to = netip.AddrPortFrom(dst, ikePort)
	}
	sa, err := e.daemon.InitiateWith(ps.cfg.Name, to, ts)
	if err != nil {
		e.negotiationFailed(ps)
		return
	}
	spi := sa.Info().ID.SPIi
	if e.initiatedHook != nil {
		e.initiatedHook(sa)
	}
	e.mu.Lock()
	ps.initiated = spi
	e.mu.Unlock()
	// From here on ikeEvent takes the SA's failure for ours. One before
	// went by unnoticed: its state, read now and not before noting the
	// SPI, says so (the daemon marks the SA dead before reporting it).
	if sa.Info().State == ikesa.StateDead {
		e.negotiationFailed(ps)
	}
}

// waitingFor returns the destination of the first packet queued for ps,
// when the peer's selectors cover it.
func (e *Endpoint) waitingFor(ps *peerState) (netip.Addr, bool) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if len(ps.queue) == 0 {
		return netip.Addr{}, false
	}
	fl, err := parseFlow(ps.queue[0])
	if err != nil {
		return netip.Addr{}, false
	}
	for _, ts := range ps.cfg.RemoteTS {
		if ts.Contains(fl.dst) {
			return fl.dst, true
		}
	}
	return netip.Addr{}, false
}

// sendESP encrypts pkt with ch's outbound SA and sends it to dst, plain or
// in UDP from port 4500 as the child says (RFC 4303 §3.3, RFC 3948 §2.1;
// see espconn.go). expired reports, without
// counting it, that the SA was closed, so the caller can pick another.
func (e *Endpoint) sendESP(ch *child, pkt []byte, dst netip.AddrPort) (v Verdict, expired bool) {
	next := esp.ProtoIPv4
	if pkt[0]>>4 == 6 {
		next = esp.ProtoIPv6
	}
	b, err := ch.out.Encap(make([]byte, 0, ch.out.EncapLen(len(pkt))), pkt, next)
	switch {
	case errors.Is(err, esp.ErrExpired):
		return Dropped, true
	case err != nil:
		e.stats.drop(espDropReason(err))
		return Dropped, false
	}
	// A failed write is a packet lost on the wire, as with a full socket
	// buffer; it was still protected.
	if e.writeESP(ch, b, dst) {
		e.stats.espOut.Add(1)
	}
	return Protected, false
}
