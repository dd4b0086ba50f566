package sysplex

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/netip"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tcpipc/tcpipc/internal/clock"
	"github.com/tcpipc/tcpipc/internal/testkit/leakcheck"
	"github.com/tcpipc/tcpipc/internal/testkit/sysplextest"
	"github.com/tcpipc/tcpipc/plan"
	"github.com/tcpipc/tcpipc/runtime/lan"
)

var dva1 = netip.MustParseAddr("201.2.10.11")

func figure9Plan(t *testing.T) *plan.Plan { return planFile(t, "figure9") }

// planFile reads a plan of testdata/plans (sysplextest.Plan): the runtime
// and its tests see plans only, never the model.
func planFile(t testing.TB, name string) *plan.Plan { return sysplextest.Plan(t, name) }

// echoServer serves an echo application on a stack until closed.
type echoServer struct {
	ln   net.Listener
	wg   sync.WaitGroup
	mu   sync.Mutex
	open map[net.Conn]bool
}

func serveEcho(t *testing.T, s *Stack, ap netip.AddrPort) *echoServer {
	t.Helper()
	ln, err := s.Listen(ap)
	if err != nil {
		t.Fatal(err)
	}
	e := &echoServer{ln: ln, open: map[net.Conn]bool{}}
	e.wg.Add(1)
	go func() {
		defer e.wg.Done()
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			e.mu.Lock()
			e.open[c] = true
			e.mu.Unlock()
			e.wg.Add(1)
			go func() {
				defer e.wg.Done()
				io.Copy(c, c)
				c.Close()
			}()
		}
	}()
	return e
}

func (e *echoServer) close() {
	e.ln.Close()
	e.mu.Lock()
	for c := range e.open {
		c.Close()
	}
	e.mu.Unlock()
	e.wg.Wait()
}

// startSysplex runs a plan on a manual clock with 100 ms heartbeats, three
// missed declaring a failure; more options may be set; the sysplex stops
// when the test ends.
func startSysplex(t *testing.T, plan *plan.Plan, more ...func(*Options)) (*Sysplex, *clock.Manual) {
	t.Helper()
	sx, clk := newSysplex(t, plan, more...)
	if err := sx.Start(); err != nil {
		t.Fatal(err)
	}
	return sx, clk
}

// newSysplex is startSysplex without the start, for tests that hook the
// stacks before they run.
func newSysplex(t *testing.T, plan *plan.Plan, more ...func(*Options)) (*Sysplex, *clock.Manual) {
	t.Helper()
	clk := clock.NewManual(time.Unix(0, 0))
	opts := Options{Clock: clk, XCF: sysplextest.Timing}
	for _, f := range more {
		f(&opts)
	}
	sx, err := New(plan, opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(sx.Stop)
	return sx, clk
}

// failOver fails a stack, advances the clock past the missed heartbeats
// and waits for want to hold the DVIPA.
func failOver(t *testing.T, sx *Sysplex, clk *clock.Manual, failed string, a netip.Addr, want string) {
	t.Helper()
	if err := sx.Fail(failed); err != nil {
		t.Fatal(err)
	}
	awaitOwner(t, sx, clk, a, want)
}

// awaitOwner advances the clock heartbeat by heartbeat until want holds
// the DVIPA, then waits for it (sysplextest.AwaitOwner).
func awaitOwner(t *testing.T, sx *Sysplex, clk *clock.Manual, a netip.Addr, want string) {
	t.Helper()
	sysplextest.AwaitOwner(t, sx, clk, a, want)
}

// serveAPPA serves APP A (echo) on DVA1 port 60 on MVS1, MVS2 and MVS4
// until the test ends, and waits until MVS1's DPT has all three.
func serveAPPA(t *testing.T, sx *Sysplex) map[string]*echoServer {
	t.Helper()
	servers := map[string]*echoServer{}
	for _, name := range []string{"MVS1", "MVS2", "MVS4"} {
		e := serveEcho(t, sx.Stack(name), netip.AddrPortFrom(dva1, 60))
		servers[name] = e
		t.Cleanup(func() { servers[name].close() })
	}
	waitFor(t, "three ready targets", func() bool {
		d := sx.Stack("MVS1").Routing(dva1)
		return d != nil && len(d.DPT()) == 3
	})
	return servers
}

// dial connects a client to ap.
func dial(t *testing.T, c *lan.Client, ap netip.AddrPort) net.Conn { return sysplextest.Dial(t, c, ap) }

func waitFor(t *testing.T, what string, cond func() bool) { sysplextest.WaitFor(t, what, cond) }

// TestFigure9TakeoverAndTakeback runs seed 003 figures 14 and 15: MVS1
// distributes connections to MVS1, MVS2 and MVS4; MVS1 fails and MVS5 takes
// DVA1 over, the connections on MVS2 and MVS4 carry on; MVS1 recovers and
// takes DVA1 back without dropping a connection.
func TestFigure9TakeoverAndTakeback(t *testing.T) {
	leakcheck.Check(t)
	sx, clk := startSysplex(t, figure9Plan(t))
	waitFor(t, "MVS1 to own DVA1", func() bool { return sx.Owner(dva1) == "MVS1" })
	app := netip.AddrPortFrom(dva1, 60)
	servers := serveAPPA(t, sx)
	client, err := sx.AddClient("client", netip.MustParseAddr("192.0.2.10"))
	if err != nil {
		t.Fatal(err)
	}
	const n = 30
	conns := make([]net.Conn, n)
	targets := map[string]int{}
	for i := range conns {
		conns[i] = dial(t, client, app)
		c := conns[i]
		echoOnce(t, c, fmt.Sprintf("hello %d", i))
	}
	defer func() {
		for _, c := range conns {
			c.Close()
		}
	}()
	for _, c := range sx.Stack("MVS1").Routing(dva1).CRT() {
		targets[c.Target]++
	}
	if targets["MVS1"] != 10 || targets["MVS2"] != 10 || targets["MVS4"] != 10 {
		t.Fatalf("round robin over MVS1, MVS2, MVS4 gave %v", targets)
	}
	// The routing stack keeps its CRT in the coupling facility too.
	if entries, err := sx.crt.List(context.Background(), dva1.String()+"/"); err != nil || len(entries) != n {
		t.Fatalf("the CF holds %d CRT entries (%v), want %d", len(entries), err, n)
	}

	// MVS1 fails; the others notice after three missed heartbeats.
	failOver(t, sx, clk, "MVS1", dva1, "MVS5")
	// It starts from the CF's copy: the 20 connections on surviving targets.
	if !strings.Contains(timelineText(sx), "MVS5     restores 20 connections to 201.2.10.11 from the coupling facility") {
		t.Fatalf("timeline:\n%s", timelineText(sx))
	}
	waitFor(t, "MVS5 to learn the connections", func() bool {
		d := sx.Stack("MVS5").Routing(dva1)
		return d != nil && len(d.CRT()) == 20
	})
	// Past the settle time, packets of connections nobody reported (those
	// that lived on MVS1) are answered with a reset.
	clk.Advance(time.Second)
	survived, lost := 0, 0
	for i, c := range conns {
		if err := tryEcho(c, fmt.Sprintf("after takeover %d", i)); err != nil {
			lost++
		} else {
			survived++
		}
	}
	if survived != 20 || lost != 10 {
		t.Fatalf("after the takeover %d connections survived and %d were lost; want 20 and 10", survived, lost)
	}

	// MVS1 recovers and takes DVA1 back; no connection is dropped.
	servers["MVS1"].close()
	if err := sx.Recover("MVS1"); err != nil {
		t.Fatal(err)
	}
	servers["MVS1"] = serveEcho(t, sx.Stack("MVS1"), app)
	waitFor(t, "MVS1 to take DVA1 back", func() bool { return sx.Owner(dva1) == "MVS1" })
	waitFor(t, "MVS1 to learn the connections", func() bool {
		d := sx.Stack("MVS1").Routing(dva1)
		return d != nil && len(d.CRT()) == 20
	})
	for i, c := range conns {
		if i%3 == 0 {
			continue // those were on the old MVS1
		}
		if err := tryEcho(c, fmt.Sprintf("after takeback %d", i)); err != nil {
			t.Fatalf("connection %d dropped on takeback: %v", i, err)
		}
	}
}

func echoOnce(t *testing.T, c net.Conn, msg string) { sysplextest.EchoOnce(t, c, msg) }

func tryEcho(c net.Conn, msg string) error { return sysplextest.TryEcho(c, msg) }
