package workload

import (
	"bytes"
	"context"
	"io"
	"net"
	"net/netip"
	"runtime"
	"sync"
	"testing"
	"time"

	"github.com/tcpipc/tcpipc/internal/testkit/leakcheck"
	"github.com/tcpipc/tcpipc/runtime/link"
	"github.com/tcpipc/tcpipc/runtime/netstack"
	"github.com/tcpipc/tcpipc/scenario"
)

var (
	serverAddr = netip.MustParsePrefix("10.1.0.2/24")
	clientAddr = netip.MustParsePrefix("10.1.0.1/24")
	appAddr    = netip.AddrPortFrom(serverAddr.Addr(), 60)
)

// twoStacks is a server stack "SRV" for the applications and a client
// stack, joined by a pipe. Its listener wraps connections as the sysplex
// does, so the applications must unwrap them.
type twoStacks struct{ srv, cli *netstack.Stack }

func (s twoStacks) Up(stack string) bool { return stack == "SRV" }

func (s twoStacks) Listen(_ string, ap netip.AddrPort) (net.Listener, error) {
	l, err := s.srv.ListenTCP(ap)
	if err != nil {
		return nil, err
	}
	return wrappingListener{l}, nil
}

type wrappingListener struct{ net.Listener }

func (l wrappingListener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err != nil {
		return nil, err
	}
	return &wrapped{c}, nil
}

type wrapped struct{ net.Conn }

func (w *wrapped) Unwrap() net.Conn { return w.Conn }

func newTwoStacks(t *testing.T) twoStacks {
	t.Helper()
	var s twoStacks
	for _, st := range []**netstack.Stack{&s.srv, &s.cli} {
		ns, err := netstack.New(netstack.Options{Name: "x"})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(ns.Close)
		*st = ns
	}
	a, b := link.Pipe(link.Options{Name: "cli-srv", RXChecksumOffload: true})
	for _, x := range []struct {
		st *netstack.Stack
		ep *link.Endpoint
		p  netip.Prefix
	}{{s.cli, a, clientAddr}, {s.srv, b, serverAddr}} {
		if _, err := x.st.AttachNIC("lan", x.ep); err != nil {
			t.Fatal(err)
		}
		if err := x.st.AddAddress("lan", x.p); err != nil {
			t.Fatal(err)
		}
		if err := x.st.AddRoute(netstack.Route{Dst: x.p.Masked(), NIC: "lan"}); err != nil {
			t.Fatal(err)
		}
	}
	return s
}

func startApp(t *testing.T, s twoStacks, b scenario.Behaviour) *Apps {
	t.Helper()
	apps := New(s, []*scenario.Application{{Name: "APP", Stacks: []string{"SRV"}, Bind: appAddr, Behaviour: b}})
	if err := apps.StartAll(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(apps.StopAll)
	return apps
}

func dial(t *testing.T, s twoStacks) *netstack.Conn {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	c, err := s.cli.DialTCP(ctx, appAddr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

// exchange writes a chunk of connection i's pattern and reads it back.
func exchange(c net.Conn, i, off, n int) error {
	out, back := make([]byte, n), make([]byte, n)
	Fill(out, i, off)
	c.SetDeadline(time.Now().Add(10 * time.Second))
	if _, err := c.Write(out); err != nil {
		return err
	}
	if _, err := io.ReadFull(c, back); err != nil {
		return err
	}
	if !bytes.Equal(out, back) {
		return io.ErrUnexpectedEOF
	}
	return nil
}

// TestEchoConnectionsHoldNoGoroutine: 200 open echo connections, each
// with an exchange behind it and more to come, hold no goroutine of the
// server's each (issue 16: a goroutine per connection, its stack grown
// by gVisor's send path, was a third of the 32-stack scenario's memory),
// and every byte still comes back.
func TestEchoConnectionsHoldNoGoroutine(t *testing.T) {
	leakcheck.Check(t)
	s := newTwoStacks(t)
	apps := startApp(t, s, scenario.Echo)
	const n = 200
	conns := make([]*netstack.Conn, n)
	for i := range conns {
		conns[i] = dial(t, s)
		if err := exchange(conns[i], i, 0, 512); err != nil {
			t.Fatalf("connection %d: %v", i, err)
		}
	}
	waitSockets(t, apps, n+1)
	if g := runtime.NumGoroutine(); g > 60 {
		t.Fatalf("%d goroutines with %d echo connections open; want a few, not one per connection", g, n)
	}
	var wg sync.WaitGroup
	errs := make(chan error, n)
	for i, c := range conns {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for off := 512; off < 8192; off += 1000 {
				if err := exchange(c, i, off, 1000); err != nil {
					errs <- err
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
}

// waitSockets waits until the server lists want sockets (its listener and
// the connections it accepted).
func waitSockets(t *testing.T, apps *Apps, want int) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for len(apps.Sockets("SRV")) != want {
		if time.Now().After(deadline) {
			t.Fatalf("%d sockets, want %d", len(apps.Sockets("SRV")), want)
		}
		time.Sleep(time.Millisecond)
	}
}

// TestEchoHoldsWhatItCannotSendYet: a client that writes 2 MB before it
// reads anything fills the server's send buffer; the echo keeps what it
// read and could not send, reads no more until it has, and every byte
// comes back in order.
func TestEchoHoldsWhatItCannotSendYet(t *testing.T) {
	leakcheck.Check(t)
	s := newTwoStacks(t)
	startApp(t, s, scenario.Echo)
	c := dial(t, s)
	const size = 2 << 20
	out := make([]byte, size)
	Fill(out, 7, 0)
	c.SetDeadline(time.Now().Add(30 * time.Second))
	wrote := make(chan error, 1)
	go func() { _, err := c.Write(out); wrote <- err }()
	time.Sleep(200 * time.Millisecond) // let both buffers fill
	back := make([]byte, size)
	if _, err := io.ReadFull(c, back); err != nil {
		t.Fatal(err)
	}
	if err := <-wrote; err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(out, back) {
		t.Fatal("echo differs from what was sent")
	}
}

// TestStopEndsPolledConnections: stopping the application closes its
// connections (the client sees its read end) and leaves no goroutine.
func TestStopEndsPolledConnections(t *testing.T) {
	leakcheck.Check(t)
	for _, b := range []scenario.Behaviour{scenario.Echo, scenario.Sink} {
		s := newTwoStacks(t)
		apps := startApp(t, s, b)
		c := dial(t, s)
		if _, err := c.Write([]byte("hello")); err != nil {
			t.Fatal(err)
		}
		waitSockets(t, apps, 2)
		apps.StopAll()
		if got := apps.Sockets("SRV"); len(got) != 0 {
			t.Fatalf("%s: sockets after stop: %v", b, got)
		}
		c.SetReadDeadline(time.Now().Add(10 * time.Second))
		buf := make([]byte, 16)
		for {
			_, err := c.Read(buf)
			if err == nil {
				continue // the echo of hello
			}
			if ne, ok := err.(net.Error); ok && ne.Timeout() {
				t.Fatalf("%s: the client's connection stayed open after stop", b)
			}
			break
		}
	}
}
