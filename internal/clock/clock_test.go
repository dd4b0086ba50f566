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

func join(s []string) string {
	out := ""
	for _, x := range s {
		out += x
	}
	return out
}
