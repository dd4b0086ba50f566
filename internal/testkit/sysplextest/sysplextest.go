// Package sysplextest holds what the tests of runtime/sysplex and of the
// packages above it (runtime/control) share: the checked-in plans of
// testdata/plans, the fast XCF timing they run on a manual clock, waiting
// for a condition the runtime's goroutines make true (an owner, among
// others), and a remote client's echo round trip. It imports no runtime
// package but lan, so runtime/sysplex's own tests can use it.
package sysplextest

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net"
	"net/netip"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"testing"
	"time"

	"github.com/tcpipc/tcpipc/internal/clock"
	"github.com/tcpipc/tcpipc/plan"
	"github.com/tcpipc/tcpipc/runtime/lan"
	"github.com/tcpipc/tcpipc/runtime/xcf"
	"github.com/tcpipc/tcpipc/whatif"
)

// Root is the repository's directory, found from this file's path so a
// test in any package can name testdata/... files.
func Root() string {
	_, file, _, _ := runtime.Caller(0)
	return filepath.Join(filepath.Dir(file), "..", "..", "..")
}

// Plan reads testdata/plans/NAME.json, compiled and kept current by
// compile's TestCheckedInPlans: the runtime's tests see plans only.
func Plan(t testing.TB, name string) *plan.Plan {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(Root(), "testdata", "plans", name+".json"))
	if err != nil {
		t.Fatal(err)
	}
	p, err := plan.Read(bytes.NewReader(b))
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	return p
}

// Heartbeat is the XCF interval of the test sysplexes: the tests advance
// the manual clock by it.
const Heartbeat = 100 * time.Millisecond

// Timing is the test sysplexes' XCF timing: Heartbeat, three missed beats.
var Timing = xcf.Timing{Interval: Heartbeat, Missed: 3}

// WaitFor waits up to ten seconds of real time for cond.
func WaitFor(t testing.TB, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// Owners is the sysplex as AwaitOwner sees it.
type Owners interface {
	Owner(a netip.Addr) string
}

// AwaitOwner advances the clock heartbeat by heartbeat until want holds
// the DVIPA (or six heartbeats passed), then waits for it.
func AwaitOwner(t *testing.T, sx Owners, clk *clock.Manual, a netip.Addr, want string) {
	t.Helper()
	for i := 0; i < 6 && sx.Owner(a) != want; i++ {
		clk.Advance(Heartbeat)
		time.Sleep(20 * time.Millisecond)
	}
	WaitFor(t, want+" to hold "+a.String(), func() bool { return sx.Owner(a) == want })
}

// Dial connects a remote client to ap.
func Dial(t *testing.T, c *lan.Client, ap netip.AddrPort) net.Conn {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	conn, err := c.Netstack().DialTCP(ctx, ap)
	if err != nil {
		t.Fatal(err)
	}
	return conn
}

// EchoOnce writes msg on c and fails the test unless it comes back.
func EchoOnce(t *testing.T, c net.Conn, msg string) {
	t.Helper()
	if err := TryEcho(c, msg); err != nil {
		t.Fatal(err)
	}
}

// TryEcho writes msg on c and reads it back within three seconds.
func TryEcho(c net.Conn, msg string) error {
	c.SetDeadline(time.Now().Add(3 * time.Second))
	if _, err := io.WriteString(c, msg); err != nil {
		return err
	}
	buf := make([]byte, len(msg))
	if _, err := io.ReadFull(c, buf); err != nil {
		return err
	}
	if !bytes.Equal(buf, []byte(msg)) {
		return fmt.Errorf("echo %q, want %q", buf, msg)
	}
	return nil
}

// PacedClock is a manual clock advanced by 5 ms every 5 ms of real time
// until the test ends. Its callbacks run in order on one goroutine: when
// the process stalls, every heartbeat and every deadline stall together,
// so a loaded machine never makes a stack suspect another.
func PacedClock(t *testing.T) *clock.Manual {
	const step = 5 * time.Millisecond
	clk := clock.NewManual(time.Now())
	stop, done := make(chan struct{}), make(chan struct{})
	go func() {
		defer close(done)
		tick := time.NewTicker(step)
		defer tick.Stop()
		for {
			select {
			case <-stop:
				return
			case <-tick.C:
				clk.Advance(step)
			}
		}
	}()
	t.Cleanup(func() { close(stop); <-done })
	return clk
}

// CheckOneHolderEach checks that every DVIPA of the plan is advertised on
// the LAN by exactly one stack, the one whatif names for the sysplex with
// every stack up, and that this stack alone shows it Active (active lists
// the stacks that do).
func CheckOneHolderEach(t *testing.T, p *plan.Plan, advertisers, active func(netip.Addr) []string, report string) {
	t.Helper()
	outcome, err := whatif.Derive(p, whatif.Scenario{})
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range outcome.DVIPAs {
		a := d.Addr
		if d.Start == "" {
			continue // a DVIPA nobody activates without an application
		}
		if got := advertisers(a); !slices.Equal(got, []string{d.Start}) {
			t.Errorf("%s is advertised by %v, want exactly [%s]\n%s", a, got, d.Start, report)
		}
		if got := active(a); !slices.Equal(got, []string{d.Start}) {
			t.Errorf("%s is Active on %v, want exactly [%s]", a, got, d.Start)
		}
	}
}
