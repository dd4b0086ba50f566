package memnet

import (
	"net"
	"net/netip"
)

// Host is one address with several ports, read by its owner. It has the
// shape of the IPsec endpoint's PacketConn.
type Host struct {
	addr  netip.Addr
	socks map[uint16]*socket
}

// Listen opens ports on addr, all or none.
func (n *Network) Listen(addr netip.Addr, ports ...uint16) (*Host, error) {
	h := &Host{addr: addr, socks: map[uint16]*socket{}}
	for _, port := range ports {
		s, err := n.bind(netip.AddrPortFrom(addr, port))
		if err != nil {
			h.Close()
			return nil, err
		}
		h.socks[port] = s
	}
	return h, nil
}

func (h *Host) sock(port uint16) (*socket, error) {
	if s := h.socks[port]; s != nil {
		return s, nil
	}
	return nil, &net.AddrError{Err: "no such port", Addr: netip.AddrPortFrom(h.addr, port).String()}
}

// ReadFrom blocks until a datagram arrives on port and copies it into b.
func (h *Host) ReadFrom(port uint16, b []byte) (int, netip.AddrPort, error) {
	s, err := h.sock(port)
	if err != nil {
		return 0, netip.AddrPort{}, err
	}
	return s.read(b)
}

// WriteTo sends b from port to dst.
func (h *Host) WriteTo(port uint16, b []byte, dst netip.AddrPort) error {
	s, err := h.sock(port)
	if err != nil {
		return err
	}
	if s.closed() {
		return net.ErrClosed
	}
	s.net.send(s.addr, dst, b)
	return nil
}

// Close closes every port of the host.
func (h *Host) Close() error {
	for _, s := range h.socks {
		s.close()
	}
	return nil
}
