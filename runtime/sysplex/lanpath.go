package sysplex

import (
	"fmt"
	"net/netip"

	"github.com/tcpipc/tcpipc/runtime/distributor"
	"github.com/tcpipc/tcpipc/runtime/lan"
	"gvisor.dev/gvisor/pkg/tcpip/header"
)

// This file is the LAN packet path of a stack: what arrives for a DVIPA
// goes to the local netstack or, through the distributor, over the XCF
// link to the target that serves the connection.

// fromLAN receives a packet the LAN routed to this stack. IKE and ESP
// (plain or in UDP) for a DVIPA it protects go to the DVIPA's IPsec
// endpoint, which hands the decrypted packets to route. Connections to a DVIPA this stack
// distributes are routed by the distributor: a SYN picks a target, later
// packets follow the CRT; packets for a remote target go over the XCF
// link in GRE (seed 003 figures 11 and 12).
func (s *Stack) fromLAN(pkt []byte) error {
	s.mu.Lock()
	up := s.up
	s.mu.Unlock()
	if !up {
		return ErrStackDown
	}
	if dst, ok := lan.Destination(pkt); ok && (s.interceptESP(dst, pkt) || s.interceptIKE(dst, pkt)) {
		return nil
	}
	if s.plan.IPSecurity && isESP(pkt) {
		// No endpoint of ours took it: no SA, discard and count (RFC
		// 4303 section 3.4.2); the netstack would answer "protocol
		// unreachable".
		s.mu.Lock()
		s.drops.NoSA++
		s.mu.Unlock()
		return nil
	}
	return s.route(pkt, false)
}

// isESP reports whether pkt is plain ESP (IP protocol 50), IPv4 or IPv6
// (next header of the fixed header).
func isESP(pkt []byte) bool {
	switch header.IPVersion(pkt) {
	case header.IPv4Version:
		return len(pkt) >= header.IPv4MinimumSize && header.IPv4(pkt).Protocol() == lan.ProtoESP
	case header.IPv6Version:
		return len(pkt) >= header.IPv6MinimumSize && header.IPv6(pkt).NextHeader() == lan.ProtoESP
	}
	return false
}

// interceptESP hands a plain ESP packet (IP protocol 50) for a protected
// DVIPA to its endpoint; ESP in UDP goes with IKE (interceptIKE). It
// reports whether it consumed the packet.
func (s *Stack) interceptESP(dst netip.Addr, pkt []byte) bool {
	sec := s.secFor(dst)
	if sec == nil {
		return false
	}
	src, payload, ok := lan.ParseESP(pkt)
	if ok {
		sec.conn.DeliverESP(src, payload)
	}
	return ok
}

// route delivers a packet for this stack: connections to a DVIPA it
// distributes follow the distributor, the rest go to its netstack.
// ipsec marks packets the stack decrypted.
func (s *Stack) route(pkt []byte, ipsec bool) error {
	dst, ok := lan.Destination(pkt)
	s.mu.Lock()
	// The role is looked up under the stack's lock too: a role made and
	// activated meanwhile (a VIPARANGE bind) is seen with rangeAddrs.
	role := s.roles.lookup(dst)
	lan, dist := s.lan, role.distributor()
	notRouted := ok && dist == nil && (s.owners[dst] != nil || s.rangeAddrs[dst])
	if notRouted {
		s.drops.NotRouted++
	}
	s.mu.Unlock()
	if notRouted {
		// A DVIPA this stack holds on its VIPA NIC but does not route:
		// the packet was on its way when the DVIPA moved or the stack
		// failed. The address is not active here, so it is dropped, as
		// z/OS drops it, and TCP resends it to the new routing stack;
		// the netstack would answer it with a reset.
		return nil
	}
	if dist == nil || header.IPVersion(pkt) != header.IPv4Version {
		return lan.Inject(pkt)
	}
	ip := header.IPv4(pkt)
	if !ip.IsValid(len(pkt)) || ip.TransportProtocol() != header.TCPProtocolNumber || len(pkt) < int(ip.HeaderLength())+header.TCPMinimumSize {
		return lan.Inject(pkt)
	}
	tcp := header.TCP(ip.Payload())
	src := netip.AddrFrom4(ip.SourceAddress().As4())
	key := distributor.ConnKey{Client: netip.AddrPortFrom(src, tcp.SourcePort()), Port: tcp.DestinationPort()}
	flags := tcp.Flags()
	syn := flags.Contains(header.TCPFlagSyn) && !flags.Contains(header.TCPFlagAck)
	// A new connection to a port this stack does not distribute is its
	// own; an existing one follows the CRT all the same: after a takeover
	// by a backup whose VIPADISTRIBUTE names other ports than the
	// owner's, the targets report their connections to every port with
	// NEWCONN (seed 003 figure 14, blocks 314-320).
	own := syn && !dist.Distributes(key.Port)
	if own {
		s.ownWhileSettling(role, dist, netip.AddrPortFrom(dst, key.Port), key, ipsec)
	}
	target, ok := dist.Route(key, syn && !own, ipsec)
	if !ok {
		s.mu.Lock()
		local := s.conns[connKey{dvipa: dst, client: key.Client, port: key.Port}]
		settling := role.settling(s.sx.clk.Now(), s.grace)
		held := !syn && !local && settling
		switch {
		case held:
			s.drops.Settling++
		case !local && !own:
			s.drops.Reset++
		}
		s.mu.Unlock()
		if held {
			// Just after a takeover the connection may not be reported
			// yet: hold the packet back, the client resends it.
			return nil
		}
		// No server ready, or a connection nobody has: the stack answers
		// with a reset, as z/OS does.
		return lan.Inject(pkt)
	}
	if flags.Contains(header.TCPFlagRst) {
		dist.Closed(key)
	}
	if target == s.plan.Name {
		return lan.Inject(pkt)
	}
	p, ok := s.node.Port(target)
	if !ok {
		return fmt.Errorf("sysplex: no XCF link from %s to %s", s.plan.Name, target)
	}
	s.sx.forwarded(dst)
	return p.Forward(pkt)
}

// ownWhileSettling puts a new connection to a port the stack does not
// distribute but serves itself in the CRT while it settles after an
// activation: packets no CRT entry covers are held back then, as the
// unreported connection of a target they may be, and the handshake's ACK
// and the data of the stack's own connection would be too.
func (s *Stack) ownWhileSettling(role *routingRole, dist *distributor.Distributor, ap netip.AddrPort, key distributor.ConnKey, ipsec bool) {
	s.mu.Lock()
	serving, grace := s.listening[ap] > 0, s.grace
	s.mu.Unlock()
	if serving && role.settling(s.sx.clk.Now(), grace) {
		dist.Adopt(key, s.plan.Name, ipsec)
	}
}

// RouteDrops counts the LAN packets for DVIPAs a stack did not pass on to
// a target or to its own connections.
type RouteDrops struct {
	// Settling: packets of connections no target had reported yet, held
	// back just after the stack became the routing stack.
	Settling uint64
	// Reset: a SYN no server was ready for, or a packet of a connection
	// no target has; the stack answered it with a reset.
	Reset uint64
	// NotRouted: packets for a DVIPA the stack did not route, caught in
	// flight across a takeover, a takeback or the stack's failure.
	NotRouted uint64
	// Unprotected: packets from an address the stack's IPsec policy
	// protects that the policy does not let out in the clear, caught
	// while no endpoint of this stack and no protecting routing stack
	// could take them (ipsec.go, leaveClear).
	Unprotected uint64
	// NoSA: ESP (IP protocol 50) for an address of this stack that no
	// IPsec endpoint of the stack took; a stack with IPSECURITY discards
	// it (RFC 4303 section 3.4.2) instead of answering it.
	NoSA uint64
}

// RouteDrops returns the stack's counts since the sysplex started.
func (s *Stack) RouteDrops() RouteDrops {
	s.mu.Lock()
	d := s.drops
	s.mu.Unlock()
	d.Unprotected = s.unprotected.Load()
	return d
}
