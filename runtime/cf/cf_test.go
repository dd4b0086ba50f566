package cf_test

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/tcpipc/tcpipc/internal/testkit/leakcheck"
	"github.com/tcpipc/tcpipc/runtime/cf"
)

var ctx = context.Background()

func open(t *testing.T) (*cf.Memory, cf.Structure) {
	t.Helper()
	f := cf.NewMemory()
	t.Cleanup(func() { f.Close() })
	s, err := f.Structure(ctx, "EZBDVIPA0101")
	if err != nil {
		t.Fatal(err)
	}
	return f, s
}

func TestPutGetVersions(t *testing.T) {
	_, s := open(t)
	if _, err := s.Get(ctx, "k"); !errors.Is(err, cf.ErrNotFound) {
		t.Fatalf("Get of absent key: %v", err)
	}
	value := []byte("v1")
	e1, err := s.Put(ctx, "k", value)
	if err != nil {
		t.Fatal(err)
	}
	value[0] = 'X' // the structure keeps its own copy
	got, err := s.Get(ctx, "k")
	if err != nil || string(got.Value) != "v1" || got.Version != e1.Version {
		t.Fatalf("Get = %+v, %v; want v1 at %d", got, err, e1.Version)
	}
	got.Value[0] = 'Y' // and hands out copies
	if again, _ := s.Get(ctx, "k"); string(again.Value) != "v1" {
		t.Fatal("caller's edit reached the stored value")
	}
	e2, _ := s.Put(ctx, "other", nil)
	e3, _ := s.Put(ctx, "k", []byte("v2"))
	if !(e1.Version < e2.Version && e2.Version < e3.Version) {
		t.Fatalf("versions not increasing across the structure: %d %d %d", e1.Version, e2.Version, e3.Version)
	}
}

func TestCompareAndSwapAndDelete(t *testing.T) {
	_, s := open(t)
	e, err := s.CompareAndSwap(ctx, "sa/1", 0, []byte("create"))
	if err != nil {
		t.Fatal(err)
	}
	if cur, err := s.CompareAndSwap(ctx, "sa/1", 0, []byte("again")); !errors.Is(err, cf.ErrVersionMismatch) || cur.Version != e.Version {
		t.Fatalf("create over existing: %+v, %v", cur, err)
	}
	if _, err := s.CompareAndSwap(ctx, "sa/1", e.Version+100, []byte("x")); !errors.Is(err, cf.ErrVersionMismatch) {
		t.Fatalf("stale version accepted: %v", err)
	}
	if _, err := s.CompareAndSwap(ctx, "absent", 5, []byte("x")); !errors.Is(err, cf.ErrVersionMismatch) {
		t.Fatalf("CAS on an absent key at version 5: %v", err)
	}
	e2, err := s.CompareAndSwap(ctx, "sa/1", e.Version, []byte("update"))
	if err != nil || e2.Version <= e.Version {
		t.Fatalf("CAS at the current version: %+v, %v", e2, err)
	}
	if err := s.CompareAndDelete(ctx, "sa/1", e.Version); !errors.Is(err, cf.ErrVersionMismatch) {
		t.Fatalf("delete at an old version: %v", err)
	}
	if err := s.CompareAndDelete(ctx, "sa/1", e2.Version); err != nil {
		t.Fatal(err)
	}
	if err := s.CompareAndDelete(ctx, "sa/1", e2.Version); !errors.Is(err, cf.ErrNotFound) {
		t.Fatalf("second delete: %v", err)
	}
	if err := s.Delete(ctx, "sa/1"); err != nil {
		t.Fatalf("Delete of an absent key: %v", err)
	}
}

func TestListByPrefix(t *testing.T) {
	_, s := open(t)
	for _, k := range []string{"sa/2", "peer/x", "sa/1", "sa/10", "s"} {
		s.Put(ctx, k, []byte(k))
	}
	got, err := s.List(ctx, "sa/")
	if err != nil {
		t.Fatal(err)
	}
	var keys []string
	for _, e := range got {
		if string(e.Value) != e.Key {
			t.Fatalf("entry %s has value %q", e.Key, e.Value)
		}
		keys = append(keys, e.Key)
	}
	if fmt.Sprint(keys) != "[sa/1 sa/10 sa/2]" {
		t.Fatalf("List(sa/) = %v", keys)
	}
	all, _ := s.List(ctx, "")
	if len(all) != 5 {
		t.Fatalf("List(\"\") returned %d entries, want 5", len(all))
	}
}

func TestStructuresAreSharedByName(t *testing.T) {
	f, s := open(t)
	s.Put(ctx, "k", []byte("v"))
	again, err := f.Structure(ctx, s.Name())
	if err != nil {
		t.Fatal(err)
	}
	if e, err := again.Get(ctx, "k"); err != nil || string(e.Value) != "v" {
		t.Fatalf("second connection sees %+v, %v", e, err)
	}
	other, _ := f.Structure(ctx, "ISTGENERIC")
	if _, err := other.Get(ctx, "k"); !errors.Is(err, cf.ErrNotFound) {
		t.Fatal("structures share entries")
	}
	for _, bad := range []string{"", "ezbdvipa", "1ABC", "A234567890123456X", "A-B"} {
		if _, err := f.Structure(ctx, bad); !errors.Is(err, cf.ErrInvalidName) {
			t.Errorf("Structure(%q): %v", bad, err)
		}
	}
}

func TestClosedFacilityAndCancelledContext(t *testing.T) {
	f, s := open(t)
	cancelled, cancel := context.WithCancel(ctx)
	cancel()
	if _, err := s.Put(cancelled, "k", nil); !errors.Is(err, context.Canceled) {
		t.Fatalf("Put with a cancelled context: %v", err)
	}
	f.Close()
	if _, err := s.Get(ctx, "k"); !errors.Is(err, cf.ErrClosed) {
		t.Fatalf("Get after Close: %v", err)
	}
	if _, err := f.Structure(ctx, "EZBDVIPA0101"); !errors.Is(err, cf.ErrClosed) {
		t.Fatalf("Structure after Close: %v", err)
	}
	if _, err := s.Watch(ctx, ""); !errors.Is(err, cf.ErrClosed) {
		t.Fatalf("Watch after Close: %v", err)
	}
}

// TestConcurrentCASCounter: many goroutines increment one counter through
// CompareAndSwap retry loops. Every increment must land exactly once.
func TestConcurrentCASCounter(t *testing.T) {
	_, s := open(t)
	const workers, each = 8, 200
	if _, err := s.Put(ctx, "counter", binary.BigEndian.AppendUint64(nil, 0)); err != nil {
		t.Fatal(err)
	}
	var conflicts atomic.Int64
	var wg sync.WaitGroup
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range each {
				for {
					e, err := s.Get(ctx, "counter")
					if err != nil {
						t.Error(err)
						return
					}
					n := binary.BigEndian.Uint64(e.Value)
					_, err = s.CompareAndSwap(ctx, "counter", e.Version, binary.BigEndian.AppendUint64(nil, n+1))
					if err == nil {
						break
					}
					if !errors.Is(err, cf.ErrVersionMismatch) {
						t.Error(err)
						return
					}
					conflicts.Add(1)
				}
			}
		}()
	}
	wg.Wait()
	e, _ := s.Get(ctx, "counter")
	if got := binary.BigEndian.Uint64(e.Value); got != workers*each {
		t.Fatalf("counter = %d, want %d (%d conflicts retried)", got, workers*each, conflicts.Load())
	}
	t.Logf("%d CAS conflicts retried", conflicts.Load())
}

// TestConcurrentCreateHasOneWinner: like two backups racing to take over
// a DVIPA's SA records, exactly one create-only CAS succeeds.
func TestConcurrentCreateHasOneWinner(t *testing.T) {
	_, s := open(t)
	const racers = 16
	var wins atomic.Int64
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i := range racers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			_, err := s.CompareAndSwap(ctx, "owner/DVA1", 0, []byte(fmt.Sprint("MVS", i)))
			switch {
			case err == nil:
				wins.Add(1)
			case !errors.Is(err, cf.ErrVersionMismatch):
				t.Error(err)
			}
		}()
	}
	close(start)
	wg.Wait()
	if wins.Load() != 1 {
		t.Fatalf("%d racers created the entry, want exactly 1", wins.Load())
	}
}

func TestWatchSeesChangesInOrder(t *testing.T) {
	leakcheck.Check(t)
	f, s := open(t)
	wctx, cancel := context.WithCancel(ctx)
	ch, err := s.Watch(wctx, "sa/")
	if err != nil {
		t.Fatal(err)
	}
	e1, _ := s.Put(ctx, "sa/1", []byte("a"))
	s.Put(ctx, "peer/1", []byte("not watched"))
	e2, _ := s.CompareAndSwap(ctx, "sa/1", e1.Version, []byte("b"))
	s.Delete(ctx, "sa/1")
	want := []string{
		fmt.Sprintf("put sa/1=a@%d", e1.Version),
		fmt.Sprintf("put sa/1=b@%d", e2.Version),
		fmt.Sprintf("delete sa/1=@%d", e2.Version+1),
	}
	for i, w := range want {
		select {
		case c := <-ch:
			if got := fmt.Sprintf("%s %s=%s@%d", c.Kind, c.Entry.Key, c.Entry.Value, c.Entry.Version); got != w {
				t.Fatalf("change %d = %s, want %s", i, got, w)
			}
		case <-time.After(5 * time.Second):
			t.Fatalf("change %d (%s) not delivered", i, w)
		}
	}
	cancel()
	for range ch {
	}
	// A second watch ends when the facility closes.
	ch2, err := s.Watch(ctx, "")
	if err != nil {
		t.Fatal(err)
	}
	f.Close()
	for range ch2 {
	}
}

// TestWatchUnderConcurrentWriters: a slow watcher still sees every change
// of many concurrent writers, in strictly increasing revision order.
func TestWatchUnderConcurrentWriters(t *testing.T) {
	leakcheck.Check(t)
	_, s := open(t)
	wctx, cancel := context.WithCancel(ctx)
	defer cancel()
	ch, err := s.Watch(wctx, "")
	if err != nil {
		t.Fatal(err)
	}
	const writers, each = 4, 100
	var wg sync.WaitGroup
	for w := range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range each {
				s.Put(ctx, fmt.Sprintf("w%d/%d", w, i), nil)
			}
		}()
	}
	wg.Wait()
	var last uint64
	for i := range writers * each {
		select {
		case c := <-ch:
			if c.Entry.Version <= last {
				t.Fatalf("change %d at revision %d after %d", i, c.Entry.Version, last)
			}
			last = c.Entry.Version
		case <-time.After(5 * time.Second):
			t.Fatalf("only %d of %d changes delivered", i, writers*each)
		}
	}
}
