package ipsec

import (
	"errors"
	"fmt"
	"sync/atomic"

	"github.com/tcpipc/tcpipc/internal/esp"
	"github.com/tcpipc/tcpipc/internal/ike/ikesa"
	"github.com/tcpipc/tcpipc/internal/natt"
)

// DropReason is why the endpoint discarded a packet.
type DropReason uint8

const (
	// DropTruncated: too short for what it starts with (a datagram, an
	// ESP packet or its ciphertext).
	DropTruncated DropReason = iota
	// DropMalformed: not a well-formed IP packet or datagram (an IPv6
	// extension header chain too long or running past the packet, and
	// a first TCP fragment shorter than a TCP header, included), or a
	// decrypted payload that does not fit its Next Header.
	DropMalformed
	// DropUnknownSPI: no inbound SA has the ESP packet's SPI.
	DropUnknownSPI
	// DropReplay: the sequence number was seen or is left of the window.
	DropReplay
	// DropICV: the integrity check failed.
	DropICV
	// DropBadPadding: the ESP padding is not 1, 2, 3, …
	DropBadPadding
	// DropSelector: the decrypted packet does not fit the SA's traffic
	// selectors (RFC 4301 §5.2).
	DropSelector
	// DropExpired: the SA reached its hard lifetime or ran out of
	// sequence numbers.
	DropExpired
	// DropDummy: an authentic Next Header 59 (TFC) packet.
	DropDummy
	// DropPolicy: the SPD said DENY, or matched nothing; or a cleartext
	// packet arrived that the SPD wants protected.
	DropPolicy
	// DropQueueFull: the packet found its peer's queue full while the
	// SA was negotiated.
	DropQueueFull
	// DropNoSA: the packet needed an SA that could not be negotiated.
	DropNoSA
	// DropPanic: handling the datagram panicked; the panic was recovered.
	DropPanic
	// DropInboundPolicy: a decrypted packet that fits its SA's selectors
	// but that the SPD does not protect with that SA's peer: denied,
	// permitted only in the clear, or bound to another peer (RFC 4301
	// §5.2).
	DropInboundPolicy
	// DropEncapMismatch: an ESP packet that arrived plain for an SA that
	// carries ESP in UDP, or in UDP for one that carries plain ESP (see
	// espconn.go).
	DropEncapMismatch
	// DropNoPlainESP: a packet for an SA that needs plain ESP, on a
	// PacketConn that carries only UDP (it implements no ESPConn).
	DropNoPlainESP
	// DropNarrowed: a packet of a filter whose acquire the peer answered
	// with a child SA narrowed below the packet that triggered it (RFC
	// 7296 §2.9); the packet fits no child, and asking again would only
	// get the same answer (see narrowed.go).
	DropNarrowed
	// DropReadError: a read of the plain ESP socket failed for another
	// reason than its close (the packet, if any, is lost); the loop
	// reads on.
	DropReadError
	numDropReasons
)

var dropNames = [...]string{
	DropTruncated: "truncated", DropMalformed: "malformed", DropUnknownSPI: "unknown SPI",
	DropReplay: "replay", DropICV: "ICV", DropBadPadding: "bad padding", DropSelector: "selector mismatch",
	DropExpired: "expired", DropDummy: "dummy", DropPolicy: "policy", DropQueueFull: "queue full",
	DropNoSA: "no SA", DropPanic: "panic", DropInboundPolicy: "inbound policy",
	DropEncapMismatch: "encapsulation mismatch", DropNoPlainESP: "no plain ESP",
	DropNarrowed: "narrowed by the peer", DropReadError: "read error",
}

func (r DropReason) String() string {
	if r < numDropReasons {
		return dropNames[r]
	}
	return fmt.Sprintf("DropReason(%d)", uint8(r))
}

// Stats counts what an endpoint did.
type Stats struct {
	// Datagrams received, by what they carried.
	IKEIn, ESPIn, KeepalivesIn uint64
	// ESPOut counts packets sent protected, ClearOut packets Outbound
	// returned for sending in the clear, Queued packets held for an SA.
	ESPOut, ClearOut, Queued uint64
	// KeepalivesOut counts NAT keepalives sent.
	KeepalivesOut uint64
	// Delivered counts packets handed to OnCleartext.
	Delivered uint64
	// LivenessOK counts liveness checks the peer answered.
	LivenessOK uint64
	// Drops counts discarded packets by reason; reasons never seen are
	// absent.
	Drops map[DropReason]uint64
	// IKE is the IKE daemon's own count of the IKE messages above.
	IKE ikesa.Stats
}

type counters struct {
	ikeIn, espIn, keepalivesIn, espOut, clearOut, queued, keepalivesOut, delivered, livenessOK atomic.Uint64
	drops                                                                                      [numDropReasons]atomic.Uint64
}

func (c *counters) drop(r DropReason) { c.drops[r].Add(1) }

// espDropReason maps an esp error to its drop reason.
func espDropReason(err error) DropReason {
	switch {
	case errors.Is(err, esp.ErrTooShort):
		return DropTruncated
	case errors.Is(err, esp.ErrUnknownSPI):
		return DropUnknownSPI
	case errors.Is(err, esp.ErrReplay):
		return DropReplay
	case errors.Is(err, esp.ErrICV):
		return DropICV
	case errors.Is(err, esp.ErrBadPadding):
		return DropBadPadding
	case errors.Is(err, esp.ErrDummy):
		return DropDummy
	case errors.Is(err, esp.ErrExpired), errors.Is(err, esp.ErrSeqExhausted):
		return DropExpired
	}
	return DropMalformed
}

// nattDropReason maps a natt.Classify error to its drop reason.
func nattDropReason(err error) DropReason {
	if errors.Is(err, natt.ErrShort) {
		return DropTruncated
	}
	return DropMalformed
}

// Stats returns a snapshot of the counters.
func (e *Endpoint) Stats() Stats {
	c := &e.stats
	s := Stats{
		IKEIn: c.ikeIn.Load(), ESPIn: c.espIn.Load(), KeepalivesIn: c.keepalivesIn.Load(),
		ESPOut: c.espOut.Load(), ClearOut: c.clearOut.Load(), Queued: c.queued.Load(),
		KeepalivesOut: c.keepalivesOut.Load(), Delivered: c.delivered.Load(), LivenessOK: c.livenessOK.Load(),
		Drops: map[DropReason]uint64{},
		IKE:   e.daemon.Stats(),
	}
	for r := range numDropReasons {
		if n := c.drops[r].Load(); n > 0 {
			s.Drops[r] = n
		}
	}
	return s
}
