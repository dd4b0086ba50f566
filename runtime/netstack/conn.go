package netstack

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net"
	"sync"

	"gvisor.dev/gvisor/pkg/tcpip"
	"gvisor.dev/gvisor/pkg/tcpip/adapters/gonet"
	"gvisor.dev/gvisor/pkg/tcpip/stack"
	"gvisor.dev/gvisor/pkg/tcpip/transport/tcp"
	"gvisor.dev/gvisor/pkg/waiter"
)

// This file is the stack's TCP sockets. A Conn is gonet's blocking
// net.Conn with its gVisor endpoint kept at hand, so that a Poller can
// serve thousands of connections on a few goroutines instead of one
// goroutine (and one grown stack) each: the 32-stack scenario of issue 16
// had 6,000 of them, a third of its memory.

// ErrWouldBlock is returned by TryRead and TryWrite when the connection
// has nothing to read or no room to write now.
var ErrWouldBlock = errors.New("netstack: operation would block")

// Conn is one TCP connection of a stack. Its net.Conn methods block, as
// gonet's do; TryRead, TryWrite and Watch are the non-blocking side for a
// Poller. Use one side or the other for reading.
type Conn struct {
	*gonet.TCPConn
	ep tcpip.Endpoint
	wq *waiter.Queue

	mu    sync.Mutex
	entry *waiter.Entry // the Watch callback, nil when none
}

func newConn(wq *waiter.Queue, ep tcpip.Endpoint) *Conn {
	return &Conn{TCPConn: gonet.NewTCPConn(wq, ep), ep: ep, wq: wq}
}

// TryRead reads what has arrived without waiting: ErrWouldBlock when
// nothing has, io.EOF once the peer closed and everything was read.
func (c *Conn) TryRead(b []byte) (int, error) {
	w := tcpip.SliceWriter(b)
	res, err := c.ep.Read(&w, tcpip.ReadOptions{})
	switch err.(type) {
	case nil:
		if res.Count > 0 {
			// What gonet's Read does: lets receive-buffer
			// auto-tuning see the application's pace.
			c.ep.ModerateRecvBuf(res.Count)
		}
		return res.Count, nil
	case *tcpip.ErrWouldBlock:
		return 0, ErrWouldBlock
	case *tcpip.ErrClosedForReceive:
		return 0, io.EOF
	}
	return 0, c.opError("read", err)
}

// TryWrite writes as much of b as the send buffer takes now. It returns
// ErrWouldBlock, with the count written, when it could not take all of b.
func (c *Conn) TryWrite(b []byte) (int, error) {
	var r bytes.Reader
	r.Reset(b)
	n, err := c.ep.Write(&r, tcpip.WriteOptions{})
	switch err.(type) {
	case nil:
		if int(n) < len(b) {
			return int(n), ErrWouldBlock
		}
		return int(n), nil
	case *tcpip.ErrWouldBlock:
		return int(n), ErrWouldBlock
	}
	return int(n), c.opError("write", err)
}

func (c *Conn) opError(op string, err tcpip.Error) error {
	return &net.OpError{Op: op, Net: "tcp", Source: c.LocalAddr(), Addr: c.RemoteAddr(), Err: errors.New(err.String())}
}

// Watch calls fn whenever the connection may have become readable (data,
// the peer's close, an error) and, with writable, writable. fn runs on
// gVisor's packet path with its locks held: it must not block or touch
// the connection, only hand the work on (Poller.Kick). Watch replaces an
// earlier Watch.
func (c *Conn) Watch(writable bool, fn func()) {
	mask := waiter.ReadableEvents | waiter.EventHUp | waiter.EventErr
	if writable {
		mask |= waiter.WritableEvents
	}
	e := waiter.NewFunctionEntry(mask, func(waiter.EventMask) { fn() })
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.entry != nil {
		c.wq.EventUnregister(c.entry)
	}
	c.entry = &e
	c.wq.EventRegister(c.entry)
}

// Unwatch stops the Watch callback.
func (c *Conn) Unwatch() {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.entry != nil {
		c.wq.EventUnregister(c.entry)
		c.entry = nil
	}
}

// TCPListener is a listening socket whose Accept returns *Conn.
type TCPListener struct {
	*gonet.TCPListener
	ep     tcpip.Endpoint
	wq     *waiter.Queue
	closed chan struct{}
	once   sync.Once
}

// listenBacklog is gonet's: Linux's usual somaxconn.
const listenBacklog = 4096

func listenTCP(s *stack.Stack, addr tcpip.FullAddress, proto tcpip.NetworkProtocolNumber) (*TCPListener, error) {
	var wq waiter.Queue
	ep, err := s.NewEndpoint(tcp.ProtocolNumber, proto, &wq)
	if err != nil {
		return nil, errors.New(err.String())
	}
	if err := ep.Bind(addr); err != nil {
		ep.Close()
		return nil, &net.OpError{Op: "bind", Net: "tcp", Addr: tcpAddr(addr), Err: errors.New(err.String())}
	}
	if err := ep.Listen(listenBacklog); err != nil {
		ep.Close()
		return nil, &net.OpError{Op: "listen", Net: "tcp", Addr: tcpAddr(addr), Err: errors.New(err.String())}
	}
	return &TCPListener{TCPListener: gonet.NewTCPListener(s, &wq, ep), ep: ep, wq: &wq, closed: make(chan struct{})}, nil
}

// Accept waits for the next connection, as gonet's does, and returns it
// as a *Conn.
func (l *TCPListener) Accept() (net.Conn, error) {
	entry, ready := waiter.NewChannelEntry(waiter.ReadableEvents)
	l.wq.EventRegister(&entry)
	defer l.wq.EventUnregister(&entry)
	for {
		n, wq, err := l.ep.Accept(nil)
		if _, ok := err.(*tcpip.ErrWouldBlock); !ok {
			if err != nil {
				return nil, &net.OpError{Op: "accept", Net: "tcp", Addr: l.Addr(), Err: errors.New(err.String())}
			}
			return newConn(wq, n), nil
		}
		select {
		case <-l.closed:
			return nil, net.ErrClosed
		case <-ready:
		}
	}
}

// Close stops the listener; a waiting Accept returns.
func (l *TCPListener) Close() error {
	l.once.Do(func() { close(l.closed) })
	return l.TCPListener.Close()
}

// dialTCP is gonet's DialTCPWithBind returning a *Conn.
func dialTCP(ctx context.Context, s *stack.Stack, local, remote tcpip.FullAddress, proto tcpip.NetworkProtocolNumber) (*Conn, error) {
	var wq waiter.Queue
	ep, terr := s.NewEndpoint(tcp.ProtocolNumber, proto, &wq)
	if terr != nil {
		return nil, errors.New(terr.String())
	}
	entry, connected := waiter.NewChannelEntry(waiter.WritableEvents)
	wq.EventRegister(&entry)
	defer wq.EventUnregister(&entry)
	if err := ctx.Err(); err != nil {
		ep.Close()
		return nil, err
	}
	if local != (tcpip.FullAddress{}) {
		if terr = ep.Bind(local); terr != nil {
			ep.Close()
			return nil, &net.OpError{Op: "bind", Net: "tcp", Addr: tcpAddr(local), Err: errors.New(terr.String())}
		}
	}
	terr = ep.Connect(remote)
	if _, ok := terr.(*tcpip.ErrConnectStarted); ok {
		select {
		case <-ctx.Done():
			ep.Close()
			return nil, ctx.Err()
		case <-connected:
		}
		terr = ep.LastError()
	}
	if terr != nil {
		ep.Close()
		return nil, &net.OpError{Op: "connect", Net: "tcp", Addr: tcpAddr(remote), Err: errors.New(terr.String())}
	}
	return newConn(&wq, ep), nil
}

// startDialTCP sends the SYN and returns: the caller learns the outcome
// from Connected, when a Watch with writable fires.
func startDialTCP(s *stack.Stack, remote tcpip.FullAddress, proto tcpip.NetworkProtocolNumber) (*Conn, error) {
	var wq waiter.Queue
	ep, terr := s.NewEndpoint(tcp.ProtocolNumber, proto, &wq)
	if terr != nil {
		return nil, errors.New(terr.String())
	}
	terr = ep.Connect(remote)
	if _, ok := terr.(*tcpip.ErrConnectStarted); !ok && terr != nil {
		ep.Close()
		return nil, &net.OpError{Op: "connect", Net: "tcp", Addr: tcpAddr(remote), Err: errors.New(terr.String())}
	}
	return newConn(&wq, ep), nil
}

// Connected reports whether the handshake of a connection from
// StartDialTCP has ended, and its error if it failed. gVisor reports a
// connecting endpoint writable only once the handshake is over, either
// way (gonet's dial waits for the same event).
func (c *Conn) Connected() (bool, error) {
	if c.ep.Readiness(waiter.WritableEvents) == 0 {
		return false, nil
	}
	if err := c.ep.LastError(); err != nil {
		return true, c.opError("connect", err)
	}
	return true, nil
}

func tcpAddr(a tcpip.FullAddress) *net.TCPAddr {
	return &net.TCPAddr{IP: net.IP(a.Addr.AsSlice()), Port: int(a.Port)}
}
