package workload

import (
	"context"
	"runtime"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/tcpipc/tcpipc/internal/testkit/leakcheck"
	"github.com/tcpipc/tcpipc/runtime/netstack"
	"github.com/tcpipc/tcpipc/scenario"
)

// converse plays n conversations of spec from the client stack and
// returns their results, and the fewest goroutines seen while all of them
// ran: timers fire on goroutines of their own for a moment, but a
// goroutine per conversation would be there in every sample.
func converse(t *testing.T, s twoStacks, spec *scenario.Client, n int) ([]Result, int) {
	t.Helper()
	p := netstack.NewPoller(0)
	var (
		mu  sync.Mutex
		out []Result
		wg  sync.WaitGroup
	)
	for i := range n {
		wg.Add(1)
		Converse(context.Background(), p, s.cli, spec, i, nil, func(r Result) {
			mu.Lock()
			out = append(out, r)
			mu.Unlock()
			wg.Done()
		})
	}
	done := make(chan struct{})
	go func() { wg.Wait(); close(done) }()
	fewest := -1
	for {
		select {
		case <-done:
			return out, fewest
		case <-time.After(5 * time.Millisecond):
			mu.Lock()
			allRun := len(out) == 0
			mu.Unlock()
			if g := runtime.NumGoroutine(); allRun && (fewest < 0 || g < fewest) {
				fewest = g
			}
		}
	}
}

func echoClient(bytes, chunk int, interval time.Duration) *scenario.Client {
	return &scenario.Client{Connect: appAddr, Connections: 1, Bytes: bytes, Chunk: chunk, Interval: interval, Check: true}
}

// TestConversationsHoldNoGoroutine: 200 client connections, each sending
// 4 KB in 512-byte chunks 20 ms apart to an echo server and checking
// every byte, complete on a poller's few goroutines (the scenario's
// clients were a goroutine each: 3,200 in the 32-stack scenario).
func TestConversationsHoldNoGoroutine(t *testing.T) {
	leakcheck.Check(t)
	s := newTwoStacks(t)
	startApp(t, s, scenario.Echo)
	const n = 200
	res, fewest := converse(t, s, echoClient(4096, 512, 20*time.Millisecond), n)
	if fewest > 60 {
		t.Errorf("never fewer than %d goroutines while %d conversations ran; want a few, not one per connection", fewest, n)
	}
	for i, r := range res {
		if r != (Result{Sent: 4096, Verified: 4096, Outcome: Completed}) {
			t.Fatalf("conversation %d: %+v", i, r)
		}
	}
	if len(res) != n {
		t.Fatalf("%d results, want %d", len(res), n)
	}
}

// TestConversationOutcomes: a refused connection fails, a server that
// sends other bytes than the client's is caught as corrupt, and a
// server stopped in the middle ends its clients after what it echoed:
// failed when the client reads the end of the stream, reset when a chunk
// was on its way as the server closed.
func TestConversationOutcomes(t *testing.T) {
	leakcheck.Check(t)
	t.Run("refused", func(t *testing.T) {
		s := newTwoStacks(t) // nothing listens
		res, _ := converse(t, s, echoClient(1024, 512, 0), 1)
		if res[0].Outcome != Failed || res[0].Sent != 0 {
			t.Fatalf("%+v, want failed with nothing sent", res[0])
		}
	})
	t.Run("corrupt", func(t *testing.T) {
		s := newTwoStacks(t)
		startApp(t, s, scenario.Source) // writes connection 0's pattern
		res, _ := converse(t, s, echoClient(1024, 512, 0), 2)
		corrupt := 0
		for _, r := range res {
			if r.Outcome == Corrupt {
				corrupt++
			}
		}
		if corrupt != 1 { // connection 1; connection 0 reads its own pattern
			t.Fatalf("%+v: want exactly connection 1 corrupt", res)
		}
	})
	t.Run("stopped", func(t *testing.T) {
		s := newTwoStacks(t)
		apps := startApp(t, s, scenario.Echo)
		go func() {
			waitSockets(t, apps, 4)
			time.Sleep(100 * time.Millisecond)
			apps.StopAll()
		}()
		res, _ := converse(t, s, echoClient(1<<20, 512, 10*time.Millisecond), 3)
		for _, r := range res {
			if r.Outcome != Failed && r.Outcome != Reset || r.Verified == 0 || r.Verified < r.Sent-512 {
				t.Fatalf("%+v: want failed or reset in the last chunk, after some verified chunks", r)
			}
		}
	})
}

// TestConversationEndsWithItsContext: a conversation whose context ends
// while it pauses between chunks (here for an hour) fails at once, with
// what it verified so far.
func TestConversationEndsWithItsContext(t *testing.T) {
	leakcheck.Check(t)
	s := newTwoStacks(t)
	apps := startApp(t, s, scenario.Echo)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	got := make(chan Result, 1)
	Converse(ctx, netstack.NewPoller(0), s.cli, echoClient(1024, 512, time.Hour), 0, nil, func(r Result) { got <- r })
	waitSockets(t, apps, 2)
	time.Sleep(100 * time.Millisecond) // the first chunk's echo is back
	cancel()
	select {
	case r := <-got:
		if r != (Result{Sent: 512, Verified: 512, Outcome: Failed}) {
			t.Fatalf("%+v, want failed after one verified chunk", r)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("the conversation went on after its context ended")
	}
}

// TestConversationTellsWhenUp: up is told once, when the handshake
// completes and before the result; a refused dial never is. The scenario
// player starts its timeline once every connection is up.
func TestConversationTellsWhenUp(t *testing.T) {
	leakcheck.Check(t)
	for _, listening := range []bool{true, false} {
		s := newTwoStacks(t)
		if listening {
			startApp(t, s, scenario.Echo)
		}
		var mu sync.Mutex
		var events []string
		note := func(e string) { mu.Lock(); events = append(events, e); mu.Unlock() }
		got := make(chan Result, 1)
		Converse(context.Background(), netstack.NewPoller(0), s.cli, echoClient(1024, 512, 0), 0,
			func() { note("up") }, func(r Result) { note(r.Outcome); got <- r })
		<-got
		mu.Lock()
		want := []string{"up", Completed}
		if !listening {
			want = []string{Failed}
		}
		if !slices.Equal(events, want) {
			t.Errorf("listening %v: events %v, want %v", listening, events, want)
		}
		mu.Unlock()
	}
}
