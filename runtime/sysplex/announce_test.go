package sysplex

import (
	"sync"
	"testing"

	"github.com/tcpipc/tcpipc/internal/testkit/leakcheck"
	"github.com/tcpipc/tcpipc/runtime/xcf"
)

// msgMarker is a message type no stack handles: a test sends it after
// the messages it wants read, and knows they were once the marker is.
const msgMarker xcf.MessageType = 0xffff

// vipaListCounter counts the VIPA lists each stack received, by sender,
// and the markers.
type vipaListCounter struct {
	mu sync.Mutex
	n  map[[2]string]int // {receiver, sender}
	// markers counts the markers each stack read.
	markers map[string]int
}

func (c *vipaListCounter) hook(s *Stack) {
	s.eventHook = func(ev xcf.Event) {
		if ev.Kind != xcf.Received {
			return
		}
		c.mu.Lock()
		defer c.mu.Unlock()
		switch ev.Msg.Type {
		case msgVIPAList:
			c.n[[2]string{s.Name(), ev.Peer}]++
		case msgMarker:
			c.markers[s.Name()]++
		}
	}
}

func (c *vipaListCounter) count(to, from string) int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.n[[2]string{to, from}]
}

func (c *vipaListCounter) marked(stack string) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.markers[stack] > 0
}

// TestJoinAnnouncesToTheNewcomerOnly (issue 16, boot time): when a stack
// joins for the first time, the stacks already up tell it which DVIPAs
// they route, and only it: MVS2, which has MVS1's VIPA list already, gets
// no second copy when MVS3 joins. Re-sending every routed DVIPA to every
// peer on every join made a boot grow with stacks² × DVIPAs.
func TestJoinAnnouncesToTheNewcomerOnly(t *testing.T) {
	leakcheck.Check(t)
	sx, _ := newSysplex(t, figure9Plan(t))
	c := &vipaListCounter{n: map[[2]string]int{}, markers: map[string]int{}}
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
	// A copy to MVS2 would have been queued for MVS2 before MVS3's (a
	// broadcast goes to the peers in order, each delivery synchronous);
	// MVS1's marker, sent now, comes after it.
	if err := sx.Stack("MVS1").member.Send("MVS2", xcf.Message{Type: msgMarker}); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "MVS2 to read the marker", func() bool { return c.marked("MVS2") })
	if got := c.count("MVS2", "MVS1"); got != before {
		t.Errorf("MVS2 received MVS1's VIPA list %d times after MVS3 joined, %d before", got, before)
	}
}
