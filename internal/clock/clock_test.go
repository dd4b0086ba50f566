package clock

import (
	"testing"
	"time"
)

func TestManualRunsDueCallbacksInOrder(t *testing.T) {
	c := NewManual(time.Unix(0, 0))
	var got []string
	c.AfterFunc(3*time.Second, func() { got = append(got, "c") })
	c.AfterFunc(1*time.Second, func() {
		got = append(got, "a")
		// Scheduled from a callback, still inside the window: must run.
		c.AfterFunc(time.Second, func() { got = append(got, "b") })
	})
	stopped := c.AfterFunc(2500*time.Millisecond, func() { got = append(got, "never") })
	if !stopped.Stop() {
		t.Fatal("Stop of a pending timer returned false")
	}
	c.Advance(2 * time.Second)
	if want := "ab"; join(got) != want {
		t.Fatalf("after 2s ran %q, want %q", join(got), want)
	}
	c.Advance(time.Second)
	if want := "abc"; join(got) != want {
		t.Fatalf("after 3s ran %q, want %q", join(got), want)
	}
	if c.Now() != time.Unix(3, 0) {
		t.Fatalf("Now = %v, want 3s after epoch", c.Now())
	}
	if c.Pending() != 0 {
		t.Fatalf("Pending = %d, want 0", c.Pending())
	}
}

// TestStallRunsOverdueCallbacksLateAndLatestFirst: nothing runs inside a
// stall; the overdue callbacks run afterwards, latest deadline first, all
// seeing the time at the end of the stall; a callback stopped by an
// earlier one in the batch does not run, and one scheduled by the batch
// with no delay runs after it.
func TestStallRunsOverdueCallbacksLateAndLatestFirst(t *testing.T) {
	c := NewManual(time.Unix(0, 0))
	var got []string
	var at []time.Duration
	record := func(name string) func() {
		return func() {
			got = append(got, name)
			at = append(at, c.Now().Sub(time.Unix(0, 0)))
		}
	}
	c.AfterFunc(1*time.Second, record("a"))
	b := c.AfterFunc(2*time.Second, record("b"))
	c.AfterFunc(3*time.Second, func() {
		record("c")()
		b.Stop()
		c.AfterFunc(0, record("now"))
	})
	c.AfterFunc(9*time.Second, record("later"))
	c.Stall(5 * time.Second)
	if want := "canow"; join(got) != want {
		t.Fatalf("after the stall ran %q, want %q", join(got), want)
	}
	for _, d := range at {
		if d != 5*time.Second {
			t.Fatalf("a callback saw %s, want the end of the stall (5s)", d)
		}
	}
	if c.Pending() != 1 {
		t.Fatalf("Pending = %d, want 1", c.Pending())
	}
}

func join(s []string) string {
	out := ""
	for _, x := range s {
		out += x
	}
	return out
}
