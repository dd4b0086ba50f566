package lan

import (
	"bytes"
	"fmt"
	"net"
	"net/netip"
	"sync"

	"gvisor.dev/gvisor/pkg/tcpip"
	"gvisor.dev/gvisor/pkg/tcpip/checksum"
	"gvisor.dev/gvisor/pkg/tcpip/header"
)

// This file is a UDP socket on the LAN for an IPsec endpoint (its IKE
// and NAT-T ports), carried as IPv4/UDP packets on the fabric, and its
// raw socket for plain ESP (IP protocol 50): what a routing stack's
// endpoint and a remote client's endpoint both use.

// IKEPort and NATTPort are the UDP ports the endpoint owns on its address.
const (
	IKEPort  = 500
	NATTPort = 4500
)

// UDP is an endpoint's pair of UDP sockets (500 and 4500) and its ESP
// socket on the LAN fabric (an ipsec.PacketConn and ipsec.ESPConn):
// packets in come from the stack's LAN path, packets out are IPv4/UDP or
// IPv4/ESP packets from the endpoint's address.
type UDP struct {
	local netip.Addr
	send  func(pkt []byte) error
	in    map[uint16]chan datagram
	esp   chan datagram
	done  chan struct{}
	once  sync.Once
}

type datagram struct {
	src     netip.AddrPort
	payload []byte
}

// NewUDP opens the IKE and NAT-T sockets of local; send puts a packet on
// the LAN.
func NewUDP(local netip.Addr, send func([]byte) error) *UDP {
	return &UDP{local: local, send: send, done: make(chan struct{}),
		in:  map[uint16]chan datagram{IKEPort: make(chan datagram, 256), NATTPort: make(chan datagram, 1024)},
		esp: make(chan datagram, 1024)}
}

// Deliver queues a datagram for the endpoint; a full queue drops it, as
// a socket buffer would (the endpoint's peers retransmit).
func (c *UDP) Deliver(port uint16, src netip.AddrPort, payload []byte) {
	select {
	case c.in[port] <- datagram{src, bytes.Clone(payload)}:
	default:
	}
}

// DeliverESP queues a plain ESP packet (the IP payload) for the endpoint;
// a full queue drops it.
func (c *UDP) DeliverESP(src netip.Addr, payload []byte) {
	select {
	case c.esp <- datagram{netip.AddrPortFrom(src, 0), bytes.Clone(payload)}:
	default:
	}
}

// ReadESP implements ipsec.ESPConn.
func (c *UDP) ReadESP(b []byte) (int, netip.Addr, error) {
	select {
	case d := <-c.esp:
		return copy(b, d.payload), d.src.Addr(), nil
	case <-c.done:
		return 0, netip.Addr{}, net.ErrClosed
	}
}

// WriteESP implements ipsec.ESPConn: b goes to dst as an IPv4 packet of
// protocol 50.
func (c *UDP) WriteESP(b []byte, dst netip.Addr) error {
	select {
	case <-c.done:
		return net.ErrClosed
	default:
	}
	return c.send(ESPPacket(c.local, dst, b))
}

func (c *UDP) ReadFrom(port uint16, b []byte) (int, netip.AddrPort, error) {
	ch := c.in[port]
	if ch == nil {
		return 0, netip.AddrPort{}, fmt.Errorf("no socket on port %d", port)
	}
	select {
	case d := <-ch:
		return copy(b, d.payload), d.src, nil
	case <-c.done:
		return 0, netip.AddrPort{}, net.ErrClosed
	}
}

func (c *UDP) WriteTo(port uint16, b []byte, dst netip.AddrPort) error {
	select {
	case <-c.done:
		return net.ErrClosed
	default:
	}
	return c.send(UDPPacket(netip.AddrPortFrom(c.local, port), dst, b))
}

func (c *UDP) Close() error {
	c.once.Do(func() { close(c.done) })
	return nil
}

// UDPPacket builds an IPv4/UDP packet with its checksums.
func UDPPacket(src, dst netip.AddrPort, payload []byte) []byte {
	pkt := make([]byte, header.IPv4MinimumSize+header.UDPMinimumSize+len(payload))
	ip := header.IPv4(pkt)
	ip.Encode(&header.IPv4Fields{TotalLength: uint16(len(pkt)), TTL: 64, Protocol: uint8(header.UDPProtocolNumber),
		SrcAddr: tcpip.AddrFrom4(src.Addr().As4()), DstAddr: tcpip.AddrFrom4(dst.Addr().As4())})
	ip.SetChecksum(^ip.CalculateChecksum())
	u := header.UDP(pkt[header.IPv4MinimumSize:])
	u.Encode(&header.UDPFields{SrcPort: src.Port(), DstPort: dst.Port(), Length: uint16(len(u))})
	copy(u[header.UDPMinimumSize:], payload)
	sum := header.PseudoHeaderChecksum(header.UDPProtocolNumber, ip.SourceAddress(), ip.DestinationAddress(), uint16(len(u)))
	u.SetChecksum(^u.CalculateChecksum(checksum.Checksum(payload, sum)))
	return pkt
}

// ParseUDP reads an IPv4/UDP packet: destination port, source and
// payload.
func ParseUDP(pkt []byte) (uint16, netip.AddrPort, []byte, bool) {
	if header.IPVersion(pkt) != header.IPv4Version {
		return 0, netip.AddrPort{}, nil, false
	}
	ip := header.IPv4(pkt)
	if !ip.IsValid(len(pkt)) || ip.TransportProtocol() != header.UDPProtocolNumber || ip.More() || ip.FragmentOffset() != 0 {
		return 0, netip.AddrPort{}, nil, false
	}
	body := ip.Payload()
	if len(body) < header.UDPMinimumSize {
		return 0, netip.AddrPort{}, nil, false
	}
	u := header.UDP(body)
	if int(u.Length()) < header.UDPMinimumSize || int(u.Length()) > len(body) {
		return 0, netip.AddrPort{}, nil, false
	}
	src := netip.AddrPortFrom(netip.AddrFrom4(ip.SourceAddress().As4()), u.SourcePort())
	return u.DestinationPort(), src, body[header.UDPMinimumSize:u.Length()], true
}

// Source is a packet's source address.
func Source(pkt []byte) (netip.Addr, bool) {
	switch header.IPVersion(pkt) {
	case header.IPv4Version:
		if len(pkt) >= header.IPv4MinimumSize {
			return netip.AddrFrom4([4]byte(pkt[12:16])), true
		}
	case header.IPv6Version:
		if len(pkt) >= header.IPv6MinimumSize {
			return netip.AddrFrom16([16]byte(pkt[8:24])), true
		}
	}
	return netip.Addr{}, false
}
