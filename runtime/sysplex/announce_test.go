package sysplex

import (
	"sync"
	"testing"
	"time"

	"github.com/tcpipc/tcpipc/internal/clock"
	"github.com/tcpipc/tcpipc/internal/testkit/leakcheck"
	"github.com/tcpipc/tcpipc/internal/testkit/sysplextest"
	"github.com/tcpipc/tcpipc/runtime/xcf"
)

// vipaListCounter counts the VIPA lists each stack received, by sender.
type vipaListCounter struct {
	mu sync.Mutex
	n  map[[2]string]int // {receiver, sender}
}

func (c *vipaListCounter) hook(s *Stack) {
	s.eventHook = func(ev xcf.Event) {
		if ev.Kind == xcf.Received && ev.Msg.Type == msgVIPAList {
			c.mu.Lock()
			c.n[[2]string{s.Name(), ev.Peer}]++
			c.mu.Unlock()
		}
	}
}

func (c *vipaListCounter) count(to, from string) int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.n[[2]string{to, from}]
}

// TestJoinAnnouncesToTheNewcomerOnly (issue 16, boot time): when a stack
// joins for the first time, the stacks already up tell it which DVIPAs
// they route, and only it: MVS2, which has MVS1's VIPA list already, gets
// no second copy when MVS3 joins. Re-sending every routed DVIPA to every
// peer on every join made boot grow with stacks² × DVIPAs.
func TestJoinAnnouncesToTheNewcomerOnly(t *testing.T) {
	leakcheck.Check(t)
	clk := clock.NewManual(time.Unix(0, 0))
	sx, err := New(figure9Plan(t), Options{Clock: clk, XCF: sysplextest.Timing})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(sx.Stop)
	c := &vipaListCounter{n: map[[2]string]int{}}
	for _, s := range sx.Stacks() {
		c.hook(s)
	}
	for _, name := range []string{"MVS1", "MVS2"} {
		if err := sx.Stack(name).start(); err != nil {
			t.Fatal(err)
		}
	}
	waitFor(t, "MVS2 to hear MVS1's VIPA list", func() bool { return c.count("MVS2", "MVS1") > 0 })
	before := c.count("MVS2", "MVS1")
	if err := sx.Stack("MVS3").start(); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "MVS3 to hear MVS1's VIPA list", func() bool { return c.count("MVS3", "MVS1") > 0 })
	// A copy to MVS2 would have been sent before MVS3's; give it time
	// to be read.
	time.Sleep(100 * time.Millisecond)
	if got := c.count("MVS2", "MVS1"); got != before {
		t.Errorf("MVS2 received MVS1's VIPA list %d times after MVS3 joined, %d before", got, before)
	}
}
