package sysplex

import (
	"context"
	"errors"
	"net"
	"net/netip"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
)

// flakyDialer fails every third call, dialAttempts-1 times in all, so
// that no connection can fail all its attempts however the workers' calls
// interleave (failing every third call without a bound failed a
// connection five times when three workers ran in step under -race), and,
// when never is set, every call after the tenth.
type flakyDialer struct {
	mu       sync.Mutex
	calls    int
	failures int
	never    bool
	opened   []*trackedConn
}

// trackedConn remembers being closed.
type trackedConn struct {
	net.Conn
	closed atomic.Bool
}

func (c *trackedConn) Close() error { c.closed.Store(true); return c.Conn.Close() }

func (f *flakyDialer) dial(_ context.Context, _ netip.AddrPort) (net.Conn, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls++
	if f.never && f.calls > 10 {
		return nil, errors.New("connect: operation timed out")
	}
	if f.calls%3 == 0 && f.failures < dialAttempts-1 {
		f.failures++
		return nil, errors.New("connect: operation timed out")
	}
	a, b := net.Pipe()
	b.Close()
	c := &trackedConn{Conn: a}
	f.opened = append(f.opened, c)
	return c, nil
}

// TestDialAllRetriesAndCounts: attempts that fail are retried and
// counted, and every connection comes back; a connection that never
// comes up fails the lot, naming it, and the ones opened are closed.
func TestDialAllRetriesAndCounts(t *testing.T) {
	ap := netip.MustParseAddrPort("201.2.10.11:60")
	f := &flakyDialer{}
	conns, retries, err := dialAll(f.dial, ap, 30)
	if err != nil {
		t.Fatal(err)
	}
	if len(conns) != 30 || retries != f.calls-30 || retries == 0 {
		t.Fatalf("%d connections, %d retries, %d dials", len(conns), retries, f.calls)
	}
	for k, c := range conns {
		if c == nil {
			t.Fatalf("connection %d missing", k)
		}
		c.Close()
	}

	f = &flakyDialer{never: true}
	conns, _, err = dialAll(f.dial, ap, 30)
	if err == nil || conns != nil || !strings.Contains(err.Error(), "attempts: connect: operation timed out") {
		t.Fatalf("a connection that never came up: %v, %d connections", err, len(conns))
	}
	for _, c := range f.opened {
		if !c.closed.Load() {
			t.Fatal("an opened connection was left open")
		}
	}
}
