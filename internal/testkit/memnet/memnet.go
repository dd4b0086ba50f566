package memnet

import (
	"bytes"
	"fmt"
	"net"
	"net/netip"
	"sync"
)

// queueLen is how many datagrams a socket buffers before it drops.
const queueLen = 1024

// firstNATPort is where the NAT starts allocating public ports.
const firstNATPort = 40000

// Hook sees a datagram with its addresses as they appear on the wire:
// the source after any NAT, the destination as the sender wrote it.
type Hook func(src, dst netip.AddrPort, payload []byte)

// DropHook loses every datagram it returns true for.
type DropHook func(src, dst netip.AddrPort, payload []byte) bool

// Network is the LAN. The zero value is not usable; call New.
type Network struct {
	mu    sync.Mutex
	socks map[netip.AddrPort]*socket
	// napt maps a private address to the public address its NAT shows;
	// out and back are the NAT's port mappings (private to public and
	// back), allocated on first use and forgotten by RebindNAT.
	napt      map[netip.Addr]netip.Addr
	out, back map[netip.AddrPort]netip.AddrPort
	// static holds fixed port mappings (MapPort), private to public.
	static   map[netip.AddrPort]netip.AddrPort
	nextPort uint16
	tap      Hook
	drop     DropHook
	wg       sync.WaitGroup
}

// New returns an empty network.
func New() *Network {
	return &Network{
		socks: map[netip.AddrPort]*socket{}, napt: map[netip.Addr]netip.Addr{},
		out: map[netip.AddrPort]netip.AddrPort{}, back: map[netip.AddrPort]netip.AddrPort{},
		static: map[netip.AddrPort]netip.AddrPort{}, nextPort: firstNATPort,
	}
}

// SetNAT puts private behind a NAT that shows it as public, translating
// ports too (NAPT): each private address and port gets its own public port,
// and datagrams to that public port go back to it.
func (n *Network) SetNAT(private, public netip.Addr) {
	n.mu.Lock()
	defer n.mu.Unlock()
	n.napt[private] = public
}

// MapPort is a NAT with one fixed mapping: datagrams from private appear
// to come from public, and datagrams to public reach private.
func (n *Network) MapPort(private, public netip.AddrPort) {
	n.mu.Lock()
	defer n.mu.Unlock()
	n.static[private] = public
}

// RebindNAT forgets the NAPT's port mappings, as a NAT does when they time
// out: the next datagram from each private port gets a new public port.
func (n *Network) RebindNAT() {
	n.mu.Lock()
	defer n.mu.Unlock()
	clear(n.out)
	clear(n.back)
}

// SetTap installs f, which sees every datagram, including datagrams to
// nowhere and ones the drop hook loses.
func (n *Network) SetTap(f Hook) {
	n.mu.Lock()
	defer n.mu.Unlock()
	n.tap = f
}

// SetDrop installs f. It sees every datagram, including datagrams to
// nowhere, as a capture would.
func (n *Network) SetDrop(f DropHook) {
	n.mu.Lock()
	defer n.mu.Unlock()
	n.drop = f
}

// Inject delivers a datagram as if src had sent it to dst, bypassing the
// NAT, the tap and the drop hook: the way tests forge traffic.
func (n *Network) Inject(src, dst netip.AddrPort, payload []byte) {
	n.mu.Lock()
	s := n.socks[dst]
	n.mu.Unlock()
	if s != nil {
		s.deliver(src, payload)
	}
}

// Hold keeps back the datagrams match picks (every one when match is
// nil) until release delivers them, NAT applied, in the order they were
// sent, and ends the hold: two senders' messages then cross as if sent at
// one moment. It takes the place of the drop hook.
func (n *Network) Hold(match DropHook) (release func()) {
	type datagram struct {
		src, dst netip.AddrPort
		payload  []byte
	}
	var mu sync.Mutex
	var held []datagram
	holding := true
	n.SetDrop(func(src, dst netip.AddrPort, payload []byte) bool {
		mu.Lock()
		defer mu.Unlock()
		if !holding || match != nil && !match(src, dst, payload) {
			return false
		}
		held = append(held, datagram{src, dst, bytes.Clone(payload)})
		return true
	})
	return func() {
		mu.Lock()
		holding = false
		all := held
		held = nil
		mu.Unlock()
		for _, d := range all {
			n.mu.Lock()
			s := n.socks[n.inside(d.dst)]
			n.mu.Unlock()
			if s != nil {
				s.deliver(d.src, d.payload)
			}
		}
	}
}

// Close takes every socket off the network and waits for every Endpoint's
// delivery goroutine.
func (n *Network) Close() {
	n.mu.Lock()
	socks := n.socks
	n.socks = map[netip.AddrPort]*socket{}
	n.mu.Unlock()
	for _, s := range socks {
		s.close()
	}
	n.wg.Wait()
}

// send carries a datagram from src to dst through the NAT.
func (n *Network) send(src, dst netip.AddrPort, payload []byte) {
	n.mu.Lock()
	src = n.outside(src)
	s, tap, drop := n.socks[n.inside(dst)], n.tap, n.drop
	n.mu.Unlock()
	if tap != nil {
		tap(src, dst, payload)
	}
	if drop != nil && drop(src, dst, payload) {
		return
	}
	if s != nil {
		s.deliver(src, payload)
	}
}

// outside is the address a datagram from src shows on the wire. n.mu is
// held.
func (n *Network) outside(src netip.AddrPort) netip.AddrPort {
	if public, ok := n.static[src]; ok {
		return public
	}
	public, ok := n.napt[src.Addr()]
	if !ok {
		return src
	}
	mapped, ok := n.out[src]
	if !ok {
		mapped = netip.AddrPortFrom(public, n.nextPort)
		n.nextPort++
		n.out[src], n.back[mapped] = mapped, src
	}
	return mapped
}

// inside is the socket address a datagram to dst reaches. n.mu is held.
func (n *Network) inside(dst netip.AddrPort) netip.AddrPort {
	if private, ok := n.back[dst]; ok {
		return private
	}
	for private, public := range n.static {
		if public == dst {
			return private
		}
	}
	return dst
}

// bind opens a socket at ap.
func (n *Network) bind(ap netip.AddrPort) (*socket, error) {
	n.mu.Lock()
	defer n.mu.Unlock()
	if n.socks[ap] != nil {
		return nil, &net.AddrError{Err: "address in use", Addr: ap.String()}
	}
	s := &socket{net: n, addr: ap, in: make(chan datagram, queueLen), done: make(chan struct{})}
	n.socks[ap] = s
	return s, nil
}

type datagram struct {
	src     netip.AddrPort
	payload []byte
}

// socket is one address and port: a bounded queue of datagrams.
type socket struct {
	net       *Network
	addr      netip.AddrPort
	in        chan datagram
	done      chan struct{}
	closeOnce sync.Once
}

func (s *socket) deliver(src netip.AddrPort, payload []byte) {
	select {
	case s.in <- datagram{src, bytes.Clone(payload)}:
	default:
	}
}

// next blocks until a datagram arrives (ok) or the socket closes.
func (s *socket) next() (d datagram, ok bool) {
	select {
	case <-s.done:
		return datagram{}, false
	case d := <-s.in:
		return d, true
	}
}

// read is next into the caller's buffer.
func (s *socket) read(b []byte) (int, netip.AddrPort, error) {
	d, ok := s.next()
	if !ok {
		return 0, netip.AddrPort{}, net.ErrClosed
	}
	return copy(b, d.payload), d.src, nil
}

// close takes the socket off the network: datagrams to its address are
// lost from now on.
func (s *socket) close() {
	s.closeOnce.Do(func() {
		close(s.done)
		n := s.net
		n.mu.Lock()
		defer n.mu.Unlock()
		if n.socks[s.addr] == s {
			delete(n.socks, s.addr)
		}
	})
}

// closed reports whether the socket is closed.
func (s *socket) closed() bool {
	select {
	case <-s.done:
		return true
	default:
		return false
	}
}

// mustBind is bind for test wiring, where an address in use is a bug in
// the test.
func (n *Network) mustBind(ap netip.AddrPort) *socket {
	s, err := n.bind(ap)
	if err != nil {
		panic(fmt.Sprintf("memnet: %v", err))
	}
	return s
}
