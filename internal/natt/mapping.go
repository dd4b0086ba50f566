package natt

import (
	"net/netip"
	"sync"
)

// Mapping is where one peer is reached: the address and port its traffic
// arrives from, which a NAT may change at any time.
//
// RFC 7296 §2.23 lets a host follow such a change only when a message from
// the new address has been authenticated; otherwise anyone who can send a
// spoofed datagram could redirect the SA's traffic. Mapping cannot check
// authenticity itself, so the caller says, message by message.
//
// Mapping is safe for concurrent use.
type Mapping struct {
	mu      sync.Mutex
	remote  netip.AddrPort
	moves   uint64
	ignored uint64
}

// NewMapping starts a mapping at the address the peer was first seen at.
func NewMapping(remote netip.AddrPort) *Mapping {
	return &Mapping{remote: unmap(remote)}
}

// Remote returns the address to send to.
func (m *Mapping) Remote() netip.AddrPort {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.remote
}

// Observe records a message from src. authenticated says whether the
// message passed its integrity check (for IKE, the SK payload of RFC 7296
// §3.14). Only an authenticated message from a new address moves the
// mapping; Observe reports whether it did.
func (m *Mapping) Observe(src netip.AddrPort, authenticated bool) bool {
	src = unmap(src)
	m.mu.Lock()
	defer m.mu.Unlock()
	if src == m.remote || !src.IsValid() {
		return false
	}
	if !authenticated {
		m.ignored++
		return false
	}
	m.remote = src
	m.moves++
	return true
}

// MappingStats counts what Observe did.
type MappingStats struct {
	Moves   uint64 // authenticated messages that changed the address
	Ignored uint64 // unauthenticated messages from another address
}

// Stats returns the mapping's counters.
func (m *Mapping) Stats() MappingStats {
	m.mu.Lock()
	defer m.mu.Unlock()
	return MappingStats{Moves: m.moves, Ignored: m.ignored}
}

// unmap turns an IPv4-mapped IPv6 address, as a dual-stack socket reports
// IPv4 peers, into plain IPv4, so one peer never looks like two.
func unmap(a netip.AddrPort) netip.AddrPort {
	return netip.AddrPortFrom(a.Addr().Unmap(), a.Port())
}
