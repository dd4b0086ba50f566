package ipsec

import (
	"errors"
	"fmt"
	"net"
	"net/netip"
)

// UDPConn is a PacketConn over two real UDP sockets, on ports 500 and 4500
// of one address, and an ESPConn over a raw IP socket for protocol 50 when
// the process may open one (CAP_NET_RAW). It is what the endpoint uses
// outside the in-process LAN, e.g. inside a network namespace for
// interoperability tests.
type UDPConn struct {
	ike, natt *net.UDPConn
	raw       *net.IPConn // nil: plain ESP is not available
}

// ErrNoPlainESP is returned by a UDPConn that could not open its raw ESP
// socket.
var ErrNoPlainESP = errors.New("ipsec: no raw socket for plain ESP (IP protocol 50)")

// ListenUDP binds addr:500 and addr:4500, and a raw socket for ESP on addr
// if the process is allowed to; without it only UDP-encapsulated ESP
// works (see ESPConn).
func ListenUDP(addr netip.Addr) (*UDPConn, error) {
	ike, err := net.ListenUDP("udp", net.UDPAddrFromAddrPort(netip.AddrPortFrom(addr, ikePort)))
	if err != nil {
		return nil, err
	}
	natt, err := net.ListenUDP("udp", net.UDPAddrFromAddrPort(netip.AddrPortFrom(addr, nattPort)))
	if err != nil {
		ike.Close()
		return nil, err
	}
	network := "ip4:50"
	if addr.Is6() {
		network = "ip6:50"
	}
	raw, err := net.ListenIP(network, &net.IPAddr{IP: addr.AsSlice()})
	if err != nil {
		raw = nil
	}
	return &UDPConn{ike: ike, natt: natt, raw: raw}, nil
}

// NewUDPConn wraps two sockets bound elsewhere, the first on port 500 and
// the second on port 4500. The UDPConn owns them.
func NewUDPConn(ike, natt *net.UDPConn) *UDPConn { return &UDPConn{ike: ike, natt: natt} }

func (c *UDPConn) sock(port uint16) (*net.UDPConn, error) {
	switch port {
	case ikePort:
		return c.ike, nil
	case nattPort:
		return c.natt, nil
	}
	return nil, fmt.Errorf("ipsec: no socket on port %d", port)
}

// ReadFrom implements PacketConn.
func (c *UDPConn) ReadFrom(port uint16, b []byte) (int, netip.AddrPort, error) {
	s, err := c.sock(port)
	if err != nil {
		return 0, netip.AddrPort{}, err
	}
	n, src, err := s.ReadFromUDPAddrPort(b)
	return n, netip.AddrPortFrom(src.Addr().Unmap(), src.Port()), err
}

// WriteTo implements PacketConn.
func (c *UDPConn) WriteTo(port uint16, b []byte, dst netip.AddrPort) error {
	s, err := c.sock(port)
	if err != nil {
		return err
	}
	_, err = s.WriteToUDPAddrPort(b, dst)
	return err
}

// ReadESP implements ESPConn. The kernel strips the IPv4 header of a raw
// socket's packets, so b starts at the SPI.
func (c *UDPConn) ReadESP(b []byte) (int, netip.Addr, error) {
	if c.raw == nil {
		return 0, netip.Addr{}, ErrNoPlainESP
	}
	n, src, err := c.raw.ReadFromIP(b)
	if err != nil {
		return 0, netip.Addr{}, err
	}
	a, _ := netip.AddrFromSlice(src.IP)
	return n, a.Unmap(), nil
}

// WriteESP implements ESPConn.
func (c *UDPConn) WriteESP(b []byte, dst netip.Addr) error {
	if c.raw == nil {
		return ErrNoPlainESP
	}
	_, err := c.raw.WriteToIP(b, &net.IPAddr{IP: dst.AsSlice()})
	return err
}

// Close closes the sockets.
func (c *UDPConn) Close() error {
	err := errors.Join(c.ike.Close(), c.natt.Close())
	if c.raw != nil {
		err = errors.Join(err, c.raw.Close())
	}
	return err
}
