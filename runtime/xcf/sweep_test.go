package xcf_test

import (
	"sync/atomic"
	"testing"
	"time"

	"github.com/tcpipc/tcpipc/internal/clock"
	"github.com/tcpipc/tcpipc/internal/testkit/leakcheck"
	"github.com/tcpipc/tcpipc/runtime/xcf"
)

// countingClock is the manual clock counting the timers it was asked for.
type countingClock struct {
	*clock.Manual
	timers atomic.Int64
}

func (c *countingClock) AfterFunc(d time.Duration, f func()) clock.Timer {
	c.timers.Add(1)
	return c.Manual.AfterFunc(d, f)
}

// TestMessagesArmNoTimers (issue 16, boot of 20,000 DVIPAs): a message is
// proof of life, but recording it must cost no timer. With a deadline timer
// per peer stopped and made again on every signal, a third of a big boot's
// CPU went to timers. The member's failure deadlines are swept by one
// timer, so a thousand messages arm nothing, and the peer that stops is
// still declared failed exactly FailAfter intervals and a half after the
// last word it sent.
func TestMessagesArmNoTimers(t *testing.T) {
	leakcheck.Check(t)
	c := &countingClock{Manual: clock.NewManual(time.Unix(0, 0))}
	names := []string{"MVS1", "MVS2"}
	sp := newSysplexOn(t, c.Manual, c, names...)
	ms := joinAll(t, sp, names, 3)
	m1, m2 := ms["MVS1"], ms["MVS2"]

	before := c.timers.Load()
	for range 1000 {
		if err := m2.Send("MVS1", xcf.Message{Type: 1, Payload: []byte("vipa")}); err != nil {
			t.Fatal(err)
		}
	}
	if got := c.timers.Load() - before; got != 0 {
		t.Errorf("1000 messages armed %d timers, want none", got)
	}
	for range 1000 {
		expect(t, m1, xcf.Received, "MVS2")
	}

	// The last word from MVS2 is a message at 50ms, after its heartbeat
	// at 0; it stops then.
	c.Advance(50 * time.Millisecond)
	if err := m2.Send("MVS1", xcf.Message{Type: 1}); err != nil {
		t.Fatal(err)
	}
	expect(t, m1, xcf.Received, "MVS2")
	lastWord := c.Now()
	m2.Stop()
	c.Advance(lastWord.Add(verdictAfter(3)).Sub(c.Now()) - time.Millisecond)
	if s := state(t, m1, "MVS2"); s != xcf.Active {
		t.Fatalf("1ms before the verdict MVS2 is %s", s)
	}
	c.Advance(time.Millisecond)
	expect(t, m1, xcf.Failed, "MVS2")
}
