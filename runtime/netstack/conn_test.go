package netstack_test

import (
	"errors"
	"io"
	"net/netip"
	"sync/atomic"
	"testing"
	"time"

	"github.com/tcpipc/tcpipc/internal/testkit/leakcheck"
	"github.com/tcpipc/tcpipc/runtime/netstack"
)

// eventually polls cond for up to 10 s.
func eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("never: %s", what)
		}
		time.Sleep(time.Millisecond)
	}
}

// TestConnWithoutBlocking: a connection from StartDialTCP reports its
// handshake through Connected, and arriving data through Watch; TryRead says when nothing has
// arrived, returns what has, and io.EOF after the peer's close; a refused
// dial ends with an error.
func TestConnWithoutBlocking(t *testing.T) {
	leakcheck.Check(t)
	a := newStack(t, "A", false)
	b := newStack(t, "B", false)
	connect(t, a, "toB", addrA, b, "toA", addrB)
	l, err := b.ListenTCP(netip.AddrPortFrom(addrB.Addr(), 80))
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	c, err := a.StartDialTCP(netip.AddrPortFrom(addrB.Addr(), 80))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	// The handshake may end before a Watch could be registered (the
	// poller kicks once after registering for that reason), so the
	// callback is checked on data that is sent only once it is watched.
	eventually(t, "connected", func() bool { ok, err := c.Connected(); return ok && err == nil })
	s, err := l.Accept()
	if err != nil {
		t.Fatal(err)
	}
	var kicks atomic.Int32
	c.Watch(false, func() { kicks.Add(1) })
	buf := make([]byte, 16)
	if _, err := c.TryRead(buf); !errors.Is(err, netstack.ErrWouldBlock) {
		t.Fatalf("read before any data: %v, want ErrWouldBlock", err)
	}
	if n, err := s.Write([]byte("hello")); n != 5 || err != nil {
		t.Fatal(n, err)
	}
	eventually(t, "the data's arrival calls the Watch callback", func() bool { return kicks.Load() > 0 })
	c.Unwatch()
	s.Close()
	var got []byte
	eventually(t, "hello, then the end", func() bool {
		n, err := c.TryRead(buf)
		got = append(got, buf[:n]...)
		return err == io.EOF
	})
	if string(got) != "hello" {
		t.Fatalf("read %q, want hello", got)
	}
	refused, err := a.StartDialTCP(netip.AddrPortFrom(addrB.Addr(), 81))
	if err != nil {
		t.Fatal(err)
	}
	defer refused.Close()
	var rerr error
	eventually(t, "refused", func() bool { ok, err := refused.Connected(); rerr = err; return ok })
	if rerr == nil {
		t.Fatal("a dial to a closed port connected")
	}
}
