package xcf_test

import (
	"context"
	"fmt"
	"net/netip"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/tcpipc/tcpipc/internal/clock"
	"github.com/tcpipc/tcpipc/internal/testkit/leakcheck"
	"github.com/tcpipc/tcpipc/runtime/xcf"
)

// realSysplex joins n fully meshed members on the wall clock with 100ms
// heartbeats and three missed ones to a verdict, as the sysplex tests run.
func realSysplex(t *testing.T, n int) map[string]*xcf.Member {
	t.Helper()
	var clk clock.Real
	var names []string
	nodes := map[string]*xcf.Node{}
	for i := range n {
		name := fmt.Sprintf("MVS%d", i+1)
		names = append(names, name)
		nodes[name] = node(t, name, netip.AddrFrom4([4]byte{10, 0, 1, byte(i + 1)}), clk)
	}
	for i, x := range names {
		for _, y := range names[i+1:] {
			l, err := xcf.Connect(nodes[x], nodes[y], xcf.LinkOptions{})
			if err != nil {
				t.Fatal(err)
			}
			a, b := l.Ends()
			t.Cleanup(func() { a.Endpoint().Close(); b.Endpoint().Close() })
		}
	}
	ms := map[string]*xcf.Member{}
	for _, name := range names {
		m, err := nodes[name].Join(group, xcf.MemberOptions{Interval: interval, FailAfter: 3})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(m.Stop)
		ms[name] = m
	}
	for _, name := range names {
		for range n - 1 {
			if ev := next(t, ms[name]); ev.Kind != xcf.Joined {
				t.Fatalf("%s: %v, want a join", name, ev)
			}
		}
	}
	return ms
}

// TestCPUHogDeclaresNobodyFailed runs eight members on the wall clock
// while twice as many busy goroutines as there are processors spin for
// two seconds without yielding: the members' timers run late, and
// nobody is declared failed.
func TestCPUHogDeclaresNobodyFailed(t *testing.T) {
	if testing.Short() {
		t.Skip("keeps every processor busy for 2s")
	}
	leakcheck.Check(t)
	ms := realSysplex(t, 32)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	var hogs sync.WaitGroup
	for range 2 * runtime.GOMAXPROCS(0) {
		hogs.Add(1)
		go func() {
			defer hogs.Done()
			spin(ctx)
		}()
	}
	hogs.Wait()
	time.Sleep(5 * interval)
	noFailure(t, ms, "after 2s of CPU hogs")
}

// spin burns CPU until ctx ends, looking at it only every few million
// iterations so the loop never blocks or yields on its own.
func spin(ctx context.Context) {
	x := uint64(1)
	for {
		for range 1 << 22 {
			x = x*6364136223846793005 + 1442695040888963407
		}
		if ctx.Err() != nil {
			sink.Store(x)
			return
		}
	}
}

// sink keeps the hogs' arithmetic from being optimised away.
var sink atomic.Uint64
