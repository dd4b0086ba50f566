package ikesa

import (
	"bytes"
	"net/netip"
	"sync"
)

// MemNetwork is an in-memory stand-in for UDP between daemons in tests.
// Every endpoint has its own delivery goroutine, so a daemon never handles
// a message on the sender's stack. It can translate addresses like a NAT
// and lose messages on request.
type MemNetwork struct {
	mu   sync.Mutex
	ends map[netip.AddrPort]*MemEndpoint
	// nat maps an endpoint's private address to the public one its
	// messages appear from; replies to the public one reach it.
	nat  map[netip.AddrPort]netip.AddrPort
	drop func(src, dst netip.AddrPort, msg []byte) bool
	wg   sync.WaitGroup
}

// MemEndpoint is one address on a MemNetwork; it is a Transport.
type MemEndpoint struct {
	net      *MemNetwork
	addr     netip.AddrPort
	in       chan memPacket
	stop     chan struct{}
	stopOnce sync.Once
}

type memPacket struct {
	src netip.AddrPort
	msg []byte
}

// memQueue is how many messages an endpoint buffers before it drops, as a
// full socket buffer would.
const memQueue = 256

// NewMemNetwork returns an empty network.
func NewMemNetwork() *MemNetwork {
	return &MemNetwork{ends: map[netip.AddrPort]*MemEndpoint{}, nat: map[netip.AddrPort]netip.AddrPort{}}
}

// Endpoint adds an endpoint at addr. Messages for it are queued until
// Serve starts delivering them.
func (n *MemNetwork) Endpoint(addr netip.AddrPort) *MemEndpoint {
	e := &MemEndpoint{net: n, addr: addr, in: make(chan memPacket, memQueue), stop: make(chan struct{})}
	n.mu.Lock()
	n.ends[addr] = e
	n.mu.Unlock()
	return e
}

// SetNAT makes messages from private appear to come from public.
func (n *MemNetwork) SetNAT(private, public netip.AddrPort) {
	n.mu.Lock()
	defer n.mu.Unlock()
	n.nat[private] = public
}

// SetDrop installs f, which sees every message (with the addresses as
// they appear on the wire) and loses it when it returns true.
func (n *MemNetwork) SetDrop(f func(src, dst netip.AddrPort, msg []byte) bool) {
	n.mu.Lock()
	defer n.mu.Unlock()
	n.drop = f
}

// Close stops every delivery goroutine and waits for them.
func (n *MemNetwork) Close() {
	n.mu.Lock()
	ends := n.ends
	n.ends = map[netip.AddrPort]*MemEndpoint{}
	n.mu.Unlock()
	for _, e := range ends {
		e.Close()
	}
	n.wg.Wait()
}

// Close takes the endpoint off the network, as if its process died:
// messages to its address are lost from now on.
func (e *MemEndpoint) Close() {
	e.stopOnce.Do(func() { close(e.stop) })
	n := e.net
	n.mu.Lock()
	if n.ends[e.addr] == e {
		delete(n.ends, e.addr)
	}
	n.mu.Unlock()
}

// Serve starts delivering the endpoint's messages to handle, one at a time.
func (e *MemEndpoint) Serve(handle func(src netip.AddrPort, msg []byte)) {
	e.net.wg.Add(1)
	go func() {
		defer e.net.wg.Done()
		for {
			select {
			case <-e.stop:
				return
			case p := <-e.in:
				handle(p.src, p.msg)
			}
		}
	}()
}

// Send implements Transport.
func (e *MemEndpoint) Send(local, remote netip.AddrPort, msg []byte) error {
	n := e.net
	n.mu.Lock()
	src := local
	if pub, ok := n.nat[local]; ok {
		src = pub
	}
	dst := remote
	for private, public := range n.nat {
		if public == remote {
			dst = private
		}
	}
	to, drop := n.ends[dst], n.drop
	n.mu.Unlock()
	// The drop hook sees messages to nowhere too, as a capture would.
	if (drop != nil && drop(src, remote, msg)) || to == nil {
		return nil
	}
	select {
	case to.in <- memPacket{src: src, msg: bytes.Clone(msg)}:
	default:
	}
	return nil
}
