package workload

import (
	"bytes"
	"errors"
	"io"
	"net"
	"sync"

	"github.com/tcpipc/tcpipc/runtime/netstack"
	"github.com/tcpipc/tcpipc/scenario"
)

// This file serves an application's connections. Echo and sink
// connections are served by the Apps' poller, a few goroutines for all of
// them: with a goroutine each blocked in a read, the 32-stack scenario's
// 3,000 server connections held 3,000 stacks grown by gVisor's send path
// (issue 16). A source, and a connection that is not a netstack one, keep
// a goroutine of their own.

// served is one accepted connection.
type served struct {
	id     uint32
	polled *netstack.Polled // nil when the connection has a goroutine
}

// bufSize holds a segment: the links' MTU is 1400.
const bufSize = 4096

// bufs lends read buffers to steps, which hold one only while they run.
var bufs = sync.Pool{New: func() any { b := make([]byte, bufSize); return &b }}

// maxReads bounds one step's reads, so a busy connection does not keep a
// worker from the others; the step is kicked to go on.
const maxReads = 16

func (srv *server) serve(b scenario.Behaviour) {
	defer srv.wg.Done()
	for {
		c, err := srv.ln.Accept()
		if err != nil {
			return
		}
		srv.mu.Lock()
		if srv.stopped {
			srv.mu.Unlock()
			c.Close()
			return
		}
		srv.wg.Add(1)
		sc := &served{id: srv.ids.Add(1)}
		srv.conns[c] = sc
		if nc := netstackConn(c); nc != nil && b != scenario.Source {
			h := &handler{srv: srv, c: c, nc: nc, echo: b != scenario.Sink}
			// Added under the lock, so stop never sees the
			// connection without its Polled.
			sc.polled = srv.poller.Add(nc, h.step)
			srv.mu.Unlock()
			continue
		}
		srv.mu.Unlock()
		go srv.serveBlocking(c, b)
	}
}

// netstackConn finds the netstack connection under c (the sysplex wraps
// it to report its end to the routing stack), or nil.
func netstackConn(c net.Conn) *netstack.Conn {
	for {
		if nc, ok := c.(*netstack.Conn); ok {
			return nc
		}
		u, ok := c.(interface{ Unwrap() net.Conn })
		if !ok {
			return nil
		}
		c = u.Unwrap()
	}
}

// serveBlocking serves c on a goroutine of its own.
func (srv *server) serveBlocking(c net.Conn, b scenario.Behaviour) {
	defer srv.wg.Done()
	switch b {
	case scenario.Sink:
		io.CopyBuffer(io.Discard, c, make([]byte, bufSize))
	case scenario.Source:
		buf := make([]byte, bufSize)
		for i := 0; ; i++ {
			Fill(buf, 0, i*len(buf))
			if _, err := c.Write(buf); err != nil {
				break
			}
		}
	default:
		io.CopyBuffer(c, c, make([]byte, bufSize))
	}
	srv.forget(c)
}

func (srv *server) forget(c net.Conn) {
	c.Close()
	srv.mu.Lock()
	delete(srv.conns, c)
	srv.mu.Unlock()
}

// handler is an echo or sink connection under the poller.
type handler struct {
	srv     *server
	c       net.Conn // what Close must go through (the sysplex's wrapper)
	nc      *netstack.Conn
	echo    bool
	pending []byte // read, not yet echoed: the send buffer was full
}

// step echoes (or discards) what has arrived. While an echo waits for
// room to send, it reads nothing more: the client's data waits in the
// receive buffer, as it would behind a blocked io.Copy.
func (h *handler) step(w *netstack.Polled) (wantWrite, done bool) {
	if len(h.pending) > 0 {
		n, err := h.nc.TryWrite(h.pending)
		h.pending = h.pending[n:]
		if errors.Is(err, netstack.ErrWouldBlock) {
			return true, false
		}
		if err != nil {
			return false, h.end()
		}
		h.pending = nil
	}
	bp := bufs.Get().(*[]byte)
	defer bufs.Put(bp)
	buf := *bp
	for range maxReads {
		n, err := h.nc.TryRead(buf)
		if n > 0 && h.echo {
			w, werr := h.nc.TryWrite(buf[:n])
			if errors.Is(werr, netstack.ErrWouldBlock) {
				h.pending = bytes.Clone(buf[w:n])
				return true, false
			}
			if werr != nil {
				return false, h.end()
			}
		}
		if errors.Is(err, netstack.ErrWouldBlock) {
			return false, false
		}
		if err != nil {
			return false, h.end()
		}
	}
	w.Kick() // more may be waiting: after the others
	return false, false
}

// end closes the connection when the peer closed it, it failed, or the
// server stopped it.
func (h *handler) end() bool {
	h.srv.forget(h.c)
	h.srv.wg.Done()
	return true
}
