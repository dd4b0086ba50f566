package leakcheck

import (
	"strings"
	"testing"
	"time"
)

// fakeTB records Errorf calls so a test can see Check fail without failing.
type fakeTB struct {
	testing.TB
	cleanups []func()
	errors   []string
}

func (f *fakeTB) Helper()               {}
func (f *fakeTB) Cleanup(fn func())     { f.cleanups = append(f.cleanups, fn) }
func (f *fakeTB) Errorf(string, ...any) { f.errors = append(f.errors, "leak") }

func (f *fakeTB) finish() {
	for i := len(f.cleanups) - 1; i >= 0; i-- {
		f.cleanups[i]()
	}
}

func TestCheckReportsLeak(t *testing.T) {
	old := Settle
	Settle = 50 * time.Millisecond
	defer func() { Settle = old }()

	f := &fakeTB{}
	Check(f)
	stop := make(chan struct{})
	go func() { <-stop }()
	f.finish()
	close(stop)
	if len(f.errors) != 1 {
		t.Fatalf("Check reported %d errors for a leaked goroutine, want 1", len(f.errors))
	}
}

func TestCheckPassesWhenGoroutinesExit(t *testing.T) {
	f := &fakeTB{}
	Check(f)
	done := make(chan struct{})
	go func() { time.Sleep(20 * time.Millisecond); close(done) }()
	f.finish()
	<-done
	if len(f.errors) != 0 {
		t.Fatalf("Check reported a leak for a goroutine that exited: %v", f.errors)
	}
}

func TestGoroutineID(t *testing.T) {
	id, ok := goroutineID("goroutine 42 [running]:\nmain.main()")
	if !ok || id != 42 {
		t.Fatalf("goroutineID = %d, %v; want 42, true", id, ok)
	}
	if _, ok := goroutineID(strings.Repeat("x", 10)); ok {
		t.Fatal("goroutineID accepted a line without a header")
	}
}
