package ipsec

import (
	"net/netip"

	"github.com/tcpipc/tcpipc/internal/ike/ikesa"
	"github.com/tcpipc/tcpipc/internal/ike/wire"
	"github.com/tcpipc/tcpipc/internal/natt"
)

// maxSeen bounds the seen table: senders of unauthenticated datagrams
// could otherwise grow it without limit. Losing an entry only means an
// answer leaves by the default port rule of ikeRoute.
const maxSeen = 4096

// transport is the Endpoint as the IKE daemon's ikesa.Transport.
type transport Endpoint

// Send implements ikesa.Transport: it picks the local port and destination
// for an IKE message and frames it for that port.
func (t *transport) Send(_, remote netip.AddrPort, msg []byte) error {
	e := (*Endpoint)(t)
	port, dst := e.ikeRoute(remote, wire.Header(msg))
	return e.conn.WriteTo(port, natt.AppendIKE(nil, port, msg), dst)
}

// ikeRoute decides how an IKE message to remote travels (RFC 7296 §2.23):
//
//   - As the original initiator we send IKE_SA_INIT to port 500 and
//     everything after it to port 4500, from our port 4500 ("floating").
//     RFC 7296 §2.23 allows floating when no NAT was found; it costs
//     nothing, and whether ESP then travels plain or in UDP is decided
//     per child from NAT detection, not from the IKE port.
//   - Otherwise we answer from the port the peer last reached us on, so
//     a peer that floated, or started on 4500, hears back on 4500.
//   - With no record of the peer, port 500 talks to port 500 and anything
//     else is NAT-T on 4500.
func (e *Endpoint) ikeRoute(remote netip.AddrPort, h wire.Header) (uint16, netip.AddrPort) {
	if len(h) >= wire.HeaderLen && h.Exchange() != wire.IKE_SA_INIT && h.FromInitiator() && remote.Port() == ikePort {
		return nattPort, netip.AddrPortFrom(remote.Addr(), nattPort)
	}
	e.mu.Lock()
	port, ok := e.seen[remote]
	e.mu.Unlock()
	switch {
	case ok:
		return port, remote
	case remote.Port() == ikePort:
		return ikePort, remote
	}
	return nattPort, remote
}

// noteSeen records the local port src reached us on.
func (e *Endpoint) noteSeen(src netip.AddrPort, port uint16) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if len(e.seen) >= maxSeen {
		for k := range e.seen {
			delete(e.seen, k)
			if len(e.seen) < maxSeen/2 {
				break
			}
		}
	}
	e.seen[src] = port
}

// observeMapping moves a peer's ESP destination after an IKE message
// arrived on port 4500 from src, if the daemon authenticated it. The
// daemon moves an IKE SA's remote address only for an authenticated
// request (RFC 7296 §2.23), so an SA whose remote now equals src has
// authenticated a message from there; anything else counts as an
// unauthenticated sighting.
func (e *Endpoint) observeMapping(src netip.AddrPort, msg []byte) {
	h, err := wire.ParseHeader(msg)
	if err != nil || h.SPIr() == 0 {
		return
	}
	sa := e.daemon.Lookup(ikesa.IKESAID{SPIi: h.SPIi(), SPIr: h.SPIr()})
	if sa == nil {
		return
	}
	info := sa.Info()
	e.mu.Lock()
	m := e.mappings[info.ID]
	e.mu.Unlock()
	if m == nil {
		return
	}
	if m.Observe(src, info.Remote == src) {
		e.journalPeerMoved(info)
	}
}

// followESP moves the NAT mapping of child c's IKE SA, and the IKE SA
// itself, to src, where an authentic ESP packet of c came from in UDP:
// the NAT in front of the peer now maps it there (the mapping expired,
// the NAT restarted or took another address). A peer that checks no
// liveness sends no IKE message that would tell us (RFC 7296 §2.23), and
// our replies, and our own liveness checks, went on to the old address
// and were lost. Linux moves its SAs the same way (XFRM's new-mapping
// event, which strongSwan acts on). Only an IKE SA that found the peer
// behind a NAT moves; the daemon decides.
func (e *Endpoint) followESP(c *child, src netip.AddrPort) {
	if !e.daemon.ESPFrom(c.info.InboundSPI, src) {
		return
	}
	c.mapping.Observe(src, true)
	e.noteSeen(src, nattPort)
	for _, info := range e.daemon.SAs() {
		if info.ID == c.info.IKE {
			e.journalPeerMoved(info)
		}
	}
}

// ikeMapping is where ESP for one IKE SA's peer goes.
type ikeMapping struct {
	peer string
	*natt.Mapping
}

// mappingOf returns the NAT mapping of IKE SA id, which reached its peer
// at remote, making one for its first child: ESP goes where IKE last
// heard from the peer. e.mu is held.
func (e *Endpoint) mappingOf(peer string, id ikesa.IKESAID, remote netip.AddrPort) *natt.Mapping {
	m := e.mappings[id]
	if m == nil {
		m = &ikeMapping{peer: peer, Mapping: natt.NewMapping(espRemote(remote))}
		e.mappings[id] = m
	}
	return m.Mapping
}

// inheritMapping gives an IKE SA that replaces another by a rekey the
// mapping of the one it replaces, which its children move over with
// (RFC 7296 §2.18): the same peer, reached at the same address. e.mu is
// held.
func (e *Endpoint) inheritMapping(info ikesa.IKESAInfo) {
	if e.mappings[info.ID] != nil {
		return
	}
	for _, m := range e.mappings {
		if m.peer == info.Peer && m.Remote() == espRemote(info.Remote) {
			e.mappings[info.ID] = m
			return
		}
	}
}

// espRemote is where ESP for an IKE SA's peer goes before any
// authenticated message moved it: the peer's IKE address, on port 4500 if
// it was the IKE port.
func espRemote(remote netip.AddrPort) netip.AddrPort {
	if remote.Port() == ikePort {
		return netip.AddrPortFrom(remote.Addr(), nattPort)
	}
	return remote
}

// sendKeepalives sends a NAT keepalive (RFC 3948 §2.3, §4) to the peer of
// every established IKE SA that found us behind a NAT.
func (e *Endpoint) sendKeepalives() {
	for _, info := range e.daemon.SAs() {
		if !info.NATLocal || info.State != ikesa.StateEstablished {
			continue
		}
		dst := espRemote(info.Remote)
		e.mu.Lock()
		if m := e.mappings[info.ID]; m != nil {
			dst = m.Remote()
		}
		e.mu.Unlock()
		if e.conn.WriteTo(nattPort, natt.AppendKeepalive(nil), dst) == nil {
			e.stats.keepalivesOut.Add(1)
		}
	}
}

// checkLiveness sends an empty INFORMATIONAL request on every established
// IKE SA (RFC 7296 §2.4). The daemon retransmits it and, when the peer
// never answers, kills the IKE SA, which deletes its children here.
func (e *Endpoint) checkLiveness() {
	for _, info := range e.daemon.SAs() {
		if info.State != ikesa.StateEstablished {
			continue
		}
		if sa := e.daemon.Lookup(info.ID); sa != nil {
			_ = sa.CheckLiveness(func(err error) {
				if err == nil {
					e.stats.livenessOK.Add(1)
				}
			})
		}
	}
}
