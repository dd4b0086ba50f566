// Package sysplextest starts embedded sysplexes for the tests of the
// packages above runtime/sysplex (control, play): the checked-in plans of
// testdata/plans, a sysplex on a manual clock with a fast heartbeat, and
// a wait for a condition that the runtime's goroutines make true.
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
	"testing"
	"time"

	"github.com/tcpipc/tcpipc/internal/clock"
	"github.com/tcpipc/tcpipc/plan"
	"github.com/tcpipc/tcpipc/runtime/sysplex"
	"github.com/tcpipc/tcpipc/runtime/xcf"
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

// Heartbeat is the XCF interval of the sysplexes Start brings up: the
// tests advance the manual clock by it.
const Heartbeat = 100 * time.Millisecond

// Start brings a plan up on a manual clock (XCF heartbeat 100ms, three
// missed beats) and stops it when the test ends.
func Start(t *testing.T, p *plan.Plan, more ...func(*sysplex.Options)) (*sysplex.Sysplex, *clock.Manual) {
	t.Helper()
	clk := clock.NewManual(time.Unix(0, 0))
	opts := sysplex.Options{Clock: clk, XCF: xcf.Timing{Interval: Heartbeat, Missed: 3}}
	for _, f := range more {
		f(&opts)
	}
	sx, err := sysplex.New(p, opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(sx.Stop)
	if err := sx.Start(); err != nil {
		t.Fatal(err)
	}
	return sx, clk
}

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

// AwaitOwner advances the clock heartbeat by heartbeat until want holds
// the DVIPA (or six heartbeats passed), then waits for it.
func AwaitOwner(t *testing.T, sx *sysplex.Sysplex, clk *clock.Manual, a netip.Addr, want string) {
	t.Helper()
	for i := 0; i < 6 && sx.Owner(a) != want; i++ {
		clk.Advance(Heartbeat)
		time.Sleep(20 * time.Millisecond)
	}
	WaitFor(t, want+" to hold "+a.String(), func() bool { return sx.Owner(a) == want })
}

// Dial connects a remote client to ap.
func Dial(t *testing.T, c *sysplex.Client, ap netip.AddrPort) net.Conn {
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
