package ipsec

import (
	"bytes"
	"encoding/binary"
	"net/netip"
	"sync"
)

// Early ESP. The IKE daemon sends the IKE_AUTH or CREATE_CHILD_SA
// response that makes a child SA before the endpoint installs the child
// (ikesa runs OnChildSA once the message is handled). The peer may answer
// at once with its first ESP, which another loop than the IKE's reads (the
// plain ESP loop, or the other UDP port): it must not be dropped as an
// unknown SPI because it overtook the installation.
//
// So ESP for an SPI no child has yet, arriving while IKE messages are
// being handled, is held until every IKE handling under way at its
// arrival has ended, then goes on (to its child, or to the unknown-SPI
// drop). ESP for an installed child never waits: a flood of IKE_SA_INIT,
// with its Diffie-Hellman work, does not stall the data plane.

// earlyLimit bounds the packets held, earlyPerSource those of one source
// address; beyond them they go on at once (and are dropped as unknown
// SPIs if their child is not there yet). A peer's first ESP on a new
// child is a packet or a few: the per-source bound keeps a flood of
// unknown-SPI ESP from one (perhaps spoofed) address from taking every
// place from the other peers.
const (
	earlyLimit     = 64
	earlyPerSource = 8
)

// earlyESP is the endpoint's record of IKE handlings under way and of the
// ESP packets held for them. Its lock is taken before Endpoint.mu.
type earlyESP struct {
	mu     sync.Mutex
	seq    uint64              // the last IKE handling begun
	active map[uint64]struct{} // IKE handlings under way
	held   []heldESP
	// bySource counts the held packets of each source address.
	bySource map[netip.Addr]int
}

// heldESP is a packet held until the IKE handlings up to after have ended.
type heldESP struct {
	src   netip.Addr
	from  netip.AddrPort // src with its port
	pkt   []byte
	udp   bool
	after uint64
}

// beginIKE records an IKE handling under way and returns its number.
func (e *Endpoint) beginIKE() uint64 {
	x := &e.early
	x.mu.Lock()
	defer x.mu.Unlock()
	if x.active == nil {
		x.active = map[uint64]struct{}{}
	}
	x.seq++
	x.active[x.seq] = struct{}{}
	return x.seq
}

// endIKE records the end of handling n (its children are installed by
// now) and passes on the packets that waited for no other handling.
func (e *Endpoint) endIKE(n uint64) {
	x := &e.early
	x.mu.Lock()
	delete(x.active, n)
	oldest := x.seq + 1 // the oldest handling still under way
	for a := range x.active {
		oldest = min(oldest, a)
	}
	var ready []heldESP
	keep := x.held[:0]
	for _, h := range x.held {
		if h.after < oldest {
			ready = append(ready, h)
			x.unhold(h.src)
		} else {
			keep = append(keep, h)
		}
	}
	clear(x.held[len(keep):])
	x.held = keep
	x.mu.Unlock()
	for _, h := range ready {
		e.decryptAndDeliver(h.from, h.pkt, h.udp)
	}
}

// unhold forgets a held packet of src (x.mu held).
func (x *earlyESP) unhold(src netip.Addr) {
	if x.bySource[src]--; x.bySource[src] <= 0 {
		delete(x.bySource, src)
	}
}

// holdEarly holds pkt, from src, if its SPI has no child yet while IKE
// messages are being handled, and reports whether it did.
func (e *Endpoint) holdEarly(from netip.AddrPort, pkt []byte, udp bool) bool {
	src := from.Addr()
	x := &e.early
	x.mu.Lock()
	defer x.mu.Unlock()
	if len(x.active) == 0 || len(x.held) >= earlyLimit || x.bySource[src] >= earlyPerSource || len(pkt) < 4 {
		return false
	}
	spi := binary.BigEndian.Uint32(pkt[:4])
	e.mu.Lock()
	known := e.children[spi] != nil
	e.mu.Unlock()
	if known {
		return false
	}
	if x.bySource == nil {
		x.bySource = map[netip.Addr]int{}
	}
	x.bySource[src]++
	x.held = append(x.held, heldESP{src: src, from: from, pkt: bytes.Clone(pkt), udp: udp, after: x.seq})
	return true
}

// heldCount is how many packets wait (for tests).
func (e *Endpoint) heldCount() int {
	e.early.mu.Lock()
	defer e.early.mu.Unlock()
	return len(e.early.held)
}
