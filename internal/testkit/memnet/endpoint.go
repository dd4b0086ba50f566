package memnet

import (
	"net"
	"net/netip"
)

// Endpoint is one address and port that delivers what it receives to a
// handler, one datagram at a time, on its own goroutine. Datagrams are
// queued until Serve starts. It has the shape of the IKE daemon's
// Transport.
type Endpoint struct{ sock *socket }

// Endpoint opens a socket at addr. It panics if addr is in use: tests wire
// their networks by hand.
func (n *Network) Endpoint(addr netip.AddrPort) *Endpoint {
	return &Endpoint{sock: n.mustBind(addr)}
}

// Serve starts delivering the endpoint's datagrams to handle until the
// endpoint or the network closes.
func (e *Endpoint) Serve(handle func(src netip.AddrPort, msg []byte)) {
	n := e.sock.net
	n.wg.Add(1)
	go func() {
		defer n.wg.Done()
		for {
			d, ok := e.sock.next()
			if !ok {
				return
			}
			handle(d.src, d.payload)
		}
	}()
}

// Send sends msg from local to remote. Like UDP it never waits and may
// lose the datagram.
func (e *Endpoint) Send(local, remote netip.AddrPort, msg []byte) error {
	if e.sock.closed() {
		return net.ErrClosed
	}
	e.sock.net.send(local, remote, msg)
	return nil
}

// Close takes the endpoint off the network, as if its process died.
func (e *Endpoint) Close() { e.sock.close() }
