package pump

import (
	"runtime"
	"testing"

	"github.com/tcpipc/tcpipc/internal/testkit/leakcheck"
)

// TestOrderWithoutBlocking: Put never blocks, even with nobody reading,
// and the reader gets every value in order.
func TestOrderWithoutBlocking(t *testing.T) {
	leakcheck.Check(t)
	p := New[int](Options[int]{})
	for i := range 10000 {
		p.Put(i)
	}
	stop := make(chan struct{})
	done := make(chan struct{})
	go func() { defer close(done); p.Run(stop, nil) }()
	for i := range 10000 {
		if v := <-p.Out(); v != i {
			t.Fatalf("value %d came out as %d", i, v)
		}
	}
	close(stop)
	<-done
	if _, open := <-p.Out(); open {
		t.Error("Out is still open after Run returned")
	}
}

// TestBoundAndCoalesce: past Max, droppable values are refused and
// counted; other values are always queued, after Coalesce had its say.
func TestBoundAndCoalesce(t *testing.T) {
	droppable := func(v int) bool { return v >= 0 }
	// Coalesce keeps only the latest negative value.
	latest := func(q []int, _ int) []int {
		out := q[:0]
		for _, v := range q {
			if v >= 0 {
				out = append(out, v)
			}
		}
		return out
	}
	p := New(Options[int]{Max: 3, Droppable: droppable, Coalesce: latest})
	for _, v := range []int{1, -1, 2, -2, 3, 4, 5, -3} {
		p.Put(v)
	}
	if got := p.Dropped(); got != 2 {
		t.Errorf("dropped %d, want 2 (4 and 5)", got)
	}
	want := []int{1, 2, 3, -3}
	if p.Len() != len(want) {
		t.Fatalf("queue holds %d values, want %v", p.Len(), want)
	}
	stop := make(chan struct{})
	go p.Run(nil, stop)
	for _, w := range want {
		if v := <-p.Out(); v != w {
			t.Errorf("got %d, want %d", v, w)
		}
	}
	// Taking values frees the bound again.
	p.Put(6)
	if v := <-p.Out(); v != 6 || p.Dropped() != 2 {
		t.Errorf("after draining got %d with %d dropped", v, p.Dropped())
	}
	close(stop)
	for range p.Out() {
	}
}

// TestBacklog: Backlog counts every value put and not yet received, the
// queue's and the one Run is handing over alike.
func TestBacklog(t *testing.T) {
	leakcheck.Check(t)
	p := New[int](Options[int]{})
	for i := range 3 {
		p.Put(i)
	}
	if b := p.Backlog(); b != 3 {
		t.Fatalf("Backlog before Run = %d, want 3", b)
	}
	stop := make(chan struct{})
	done := make(chan struct{})
	go func() { defer close(done); p.Run(stop, nil) }()
	for i := range 3 {
		// Unread values are never missed (one just received may count).
		if b := p.Backlog(); b < 3-i {
			t.Fatalf("Backlog with %d unread = %d", 3-i, b)
		}
		<-p.Out()
	}
	for p.Backlog() != 0 {
		runtime.Gosched()
	}
	close(stop)
	<-done
}
