package ipsec

import (
	"errors"
	"fmt"
	"net"
	"net/netip"
)

// UDPConn is a PacketConn over two real UDP sockets, on ports 500 and 4500
// of one address. It is what the endpoint uses outside the in-process LAN,
// e.g. inside a network namespace for interoperability tests.
type UDPConn struct {
	ike, natt *net.UDPConn
}

// ListenUDP binds addr:500 and addr:4500.
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
	return &UDPConn{ike: ike, natt: natt}, nil
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

// Close closes both sockets.
func (c *UDPConn) Close() error { return errors.Join(c.ike.Close(), c.natt.Close()) }
