package ipsec

import (
	"bytes"
	"net"
	"net/netip"
	"sync"
)

// MemNetwork is an in-memory UDP LAN for endpoints in one process, with an
// optional NAT in front of some hosts. Each endpoint gets a PacketConn from
// Listen. Delivery is asynchronous through bounded queues that drop when
// full, as socket buffers do.
type MemNetwork struct {
	mu    sync.Mutex
	socks map[netip.AddrPort]*memSock
	// nats maps a private address to the public address its NAT shows.
	nats map[netip.Addr]netip.Addr
	// out and back are the NAT's port mappings: private to public, and
	// public to private.
	out, back map[netip.AddrPort]netip.AddrPort
	nextPort  uint16
	tap       func(src, dst netip.AddrPort, payload []byte)
	drop      func(src, dst netip.AddrPort, payload []byte) bool
}

// memQueue is how many datagrams a socket buffers.
const memQueue = 1024

// firstNATPort is where the NAT starts allocating public ports.
const firstNATPort = 40000

// NewMemNetwork returns an empty network.
func NewMemNetwork() *MemNetwork {
	return &MemNetwork{
		socks: map[netip.AddrPort]*memSock{}, nats: map[netip.Addr]netip.Addr{},
		out: map[netip.AddrPort]netip.AddrPort{}, back: map[netip.AddrPort]netip.AddrPort{},
		nextPort: firstNATPort,
	}
}

// SetNAT puts private behind a NAT that shows it as public, translating
// ports too (NAPT): each private address and port gets its own public port,
// and datagrams to that public port go back to it.
func (n *MemNetwork) SetNAT(private, public netip.Addr) {
	n.mu.Lock()
	defer n.mu.Unlock()
	n.nats[private] = public
}

// RebindNAT forgets the NAT's port mappings, as a NAT does when they time
// out: the next datagram from each private port gets a new public port.
func (n *MemNetwork) RebindNAT() {
	n.mu.Lock()
	defer n.mu.Unlock()
	clear(n.out)
	clear(n.back)
}

// SetTap installs f, which sees every datagram as it crosses the public
// side of the network (after any NAT translated its source), including
// datagrams to nowhere and ones the drop hook loses.
func (n *MemNetwork) SetTap(f func(src, dst netip.AddrPort, payload []byte)) {
	n.mu.Lock()
	defer n.mu.Unlock()
	n.tap = f
}

// SetDrop installs f, which loses every datagram it returns true for.
func (n *MemNetwork) SetDrop(f func(src, dst netip.AddrPort, payload []byte) bool) {
	n.mu.Lock()
	defer n.mu.Unlock()
	n.drop = f
}

// Inject delivers a datagram as if src had sent it to dst, bypassing any
// NAT: the way tests forge traffic.
func (n *MemNetwork) Inject(src, dst netip.AddrPort, payload []byte) {
	n.mu.Lock()
	s := n.socks[dst]
	n.mu.Unlock()
	if s != nil {
		s.deliver(src, payload)
	}
}

// Listen opens addr's ports 500 and 4500.
func (n *MemNetwork) Listen(addr netip.Addr) (PacketConn, error) {
	n.mu.Lock()
	defer n.mu.Unlock()
	c := &memConn{net: n, addr: addr, done: make(chan struct{})}
	for _, port := range []uint16{ikePort, nattPort} {
		ap := netip.AddrPortFrom(addr, port)
		if n.socks[ap] != nil {
			return nil, &net.AddrError{Err: "address in use", Addr: ap.String()}
		}
	}
	for i, port := range []uint16{ikePort, nattPort} {
		s := &memSock{in: make(chan memDatagram, memQueue)}
		c.socks[i] = s
		n.socks[netip.AddrPortFrom(addr, port)] = s
	}
	return c, nil
}

// send carries a datagram from src to dst.
func (n *MemNetwork) send(src, dst netip.AddrPort, payload []byte) {
	n.mu.Lock()
	if public, ok := n.nats[src.Addr()]; ok {
		mapped, ok := n.out[src]
		if !ok {
			mapped = netip.AddrPortFrom(public, n.nextPort)
			n.nextPort++
			n.out[src], n.back[mapped] = mapped, src
		}
		src = mapped
	}
	to := dst
	if private, ok := n.back[dst]; ok {
		to = private
	}
	s, tap, drop := n.socks[to], n.tap, n.drop
	n.mu.Unlock()
	if tap != nil {
		tap(src, dst, payload)
	}
	if s == nil || (drop != nil && drop(src, dst, payload)) {
		return
	}
	s.deliver(src, payload)
}

type memDatagram struct {
	src     netip.AddrPort
	payload []byte
}

type memSock struct{ in chan memDatagram }

func (s *memSock) deliver(src netip.AddrPort, payload []byte) {
	select {
	case s.in <- memDatagram{src, bytes.Clone(payload)}:
	default:
	}
}

// memConn is one host's pair of sockets.
type memConn struct {
	net       *MemNetwork
	addr      netip.Addr
	socks     [2]*memSock // ports 500 and 4500
	done      chan struct{}
	closeOnce sync.Once
}

func (c *memConn) sock(port uint16) *memSock {
	switch port {
	case ikePort:
		return c.socks[0]
	case nattPort:
		return c.socks[1]
	}
	return nil
}

func (c *memConn) ReadFrom(port uint16, b []byte) (int, netip.AddrPort, error) {
	s := c.sock(port)
	if s == nil {
		return 0, netip.AddrPort{}, &net.AddrError{Err: "no such port", Addr: netip.AddrPortFrom(c.addr, port).String()}
	}
	select {
	case <-c.done:
		return 0, netip.AddrPort{}, net.ErrClosed
	case d := <-s.in:
		return copy(b, d.payload), d.src, nil
	}
}

func (c *memConn) WriteTo(port uint16, b []byte, dst netip.AddrPort) error {
	select {
	case <-c.done:
		return net.ErrClosed
	default:
	}
	c.net.send(netip.AddrPortFrom(c.addr, port), dst, b)
	return nil
}

func (c *memConn) Close() error {
	c.closeOnce.Do(func() {
		close(c.done)
		n := c.net
		n.mu.Lock()
		defer n.mu.Unlock()
		for i, port := range []uint16{ikePort, nattPort} {
			ap := netip.AddrPortFrom(c.addr, port)
			if n.socks[ap] == c.socks[i] {
				delete(n.socks, ap)
			}
		}
	})
	return nil
}
