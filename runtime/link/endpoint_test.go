package link

import (
	"context"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/tcpipc/tcpipc/internal/testkit/leakcheck"
	"gvisor.dev/gvisor/pkg/buffer"
	"gvisor.dev/gvisor/pkg/tcpip"
	"gvisor.dev/gvisor/pkg/tcpip/header"
	"gvisor.dev/gvisor/pkg/tcpip/stack"
)

// ipv4Packet returns a minimal IPv4 datagram of n bytes (only the version
// nibble and length matter to the endpoint).
func ipv4Packet(n int) []byte {
	b := make([]byte, n)
	b[0] = 0x45
	b[2], b[3] = byte(n>>8), byte(n)
	return b
}

func write(e *Endpoint, pkt []byte) (int, tcpip.Error) {
	pb := stack.NewPacketBuffer(stack.PacketBufferOptions{Payload: buffer.MakeWithData(pkt)})
	defer pb.DecRef()
	var l stack.PacketBufferList
	l.PushBack(pb)
	return e.WritePackets(l)
}

// TestQueuedWriterBlocksInsteadOfDropping fills a queue whose consumer is
// stuck and checks that the next writer waits, that nothing is dropped, and
// that everything arrives in order once the consumer moves.
func TestQueuedWriterBlocksInsteadOfDropping(t *testing.T) {
	leakcheck.Check(t)
	gate := make(chan struct{})
	var mu sync.Mutex
	var got []int
	e := New(Options{QueueLen: 2, Handler: func(ctx context.Context, pkt []byte) error {
		select {
		case <-gate:
		case <-ctx.Done():
			return ctx.Err()
		}
		mu.Lock()
		got = append(got, len(pkt))
		mu.Unlock()
		return nil
	}})
	defer func() { e.Close(); e.Wait() }()

	// One packet sits in the handler, two fill the queue.
	for i := range 3 {
		if n, err := write(e, ipv4Packet(100+i)); n != 1 || err != nil {
			t.Fatalf("write %d: n=%d err=%v", i, n, err)
		}
	}
	fourth := make(chan struct{})
	go func() {
		defer close(fourth)
		write(e, ipv4Packet(103))
	}()
	select {
	case <-fourth:
		t.Fatal("writer returned although the queue was full")
	case <-time.After(100 * time.Millisecond):
	}
	close(gate)
	<-fourth
	deadline := time.Now().Add(5 * time.Second)
	for e.Stats().PacketsOut < 4 && time.Now().Before(deadline) {
		time.Sleep(time.Millisecond)
	}
	st := e.Stats()
	if st.PacketsOut != 4 || st.Dropped() != 0 || st.Blocked == 0 {
		t.Fatalf("stats %v; want 4 out, 0 dropped, blocked > 0", st)
	}
	mu.Lock()
	defer mu.Unlock()
	for i, n := range got {
		if n != 100+i {
			t.Fatalf("packet %d has length %d: out of order %v", i, n, got)
		}
	}
}

// TestCloseReleasesBlockedWriter: a writer blocked on a stuck consumer
// returns when the endpoint closes, and the lost packets count as shutdown
// drops.
func TestCloseReleasesBlockedWriter(t *testing.T) {
	leakcheck.Check(t)
	e := New(Options{QueueLen: 1, Handler: func(ctx context.Context, pkt []byte) error {
		<-ctx.Done()
		return ctx.Err()
	}})
	write(e, ipv4Packet(40)) // taken by the pump, stuck in the handler
	write(e, ipv4Packet(40)) // fills the queue
	res := make(chan tcpip.Error, 1)
	go func() {
		_, err := write(e, ipv4Packet(40))
		res <- err
	}()
	time.Sleep(50 * time.Millisecond)
	e.Close()
	e.Wait()
	if err := <-res; err == nil {
		t.Fatal("blocked writer returned no error after Close")
	}
	st := e.Stats()
	if st.Drops[DropShutdown] != 3 || st.PacketsOut != 0 {
		t.Fatalf("stats %v; want 3 shutdown drops (in handler, queued, blocked)", st)
	}
	// A whole batch written after Close is refused and counted.
	var batch stack.PacketBufferList
	for range 3 {
		pb := stack.NewPacketBuffer(stack.PacketBufferOptions{Payload: buffer.MakeWithData(ipv4Packet(40))})
		defer pb.DecRef()
		batch.PushBack(pb)
	}
	if n, err := e.WritePackets(batch); n != 0 || err == nil {
		t.Fatalf("write after Close: n=%d err=%v", n, err)
	}
	if got := e.Stats().Drops[DropShutdown]; got != 6 {
		t.Fatalf("shutdown drops %d, want 6 after a 3-packet batch", got)
	}
}

// TestSynchronousHandlerAndTap: with no queue the handler runs inline, and
// the tap sees each packet with its direction.
func TestSynchronousHandlerAndTap(t *testing.T) {
	leakcheck.Check(t)
	var handled int
	e := New(Options{Handler: func(_ context.Context, pkt []byte) error { handled++; return nil }})
	defer e.Close()
	var taps []Direction
	e.SetTap(func(d Direction, pkt []byte) { taps = append(taps, d) })
	write(e, ipv4Packet(60))
	if handled != 1 {
		t.Fatalf("handler ran %d times before WritePackets returned, want 1", handled)
	}
	// Not attached to a stack: inbound is refused, and counted.
	if err := e.Inject(ipv4Packet(60)); err == nil {
		t.Fatal("Inject into an unattached endpoint succeeded")
	}
	if len(taps) != 1 || taps[0] != Out {
		t.Fatalf("taps %v, want [out]", taps)
	}
	e.SetDown(true)
	write(e, ipv4Packet(60))
	if handled != 1 || e.Stats().Drops[DropDown] != 1 {
		t.Fatalf("down link passed a packet: handled %d, stats %v", handled, e.Stats())
	}
}

func TestInjectRejectsNonIP(t *testing.T) {
	e := New(Options{})
	defer e.Close()
	if err := e.Inject([]byte{0x00, 1, 2}); err == nil {
		t.Fatal("Inject accepted a packet with version 0")
	}
	if e.Stats().Drops[DropMalformed] != 1 {
		t.Fatalf("stats %v, want one malformed drop", e.Stats())
	}
	if header.IPVersion(ipv4Packet(20)) != 4 {
		t.Fatal("test helper builds a non-IPv4 packet")
	}
}

// TestIdlePumpsExit: a queued endpoint runs its pump only while it has
// packets to hand on. The 32-stack sysplex has 992 XCF link endpoints,
// most of them idle; a pump each held a goroutine stack each for the
// sysplex's life (issue 16's memory target).
func TestIdlePumpsExit(t *testing.T) {
	leakcheck.Check(t)
	before := runtime.NumGoroutine()
	var delivered atomic.Int64
	const n = 50
	var ends []*Endpoint
	for range n {
		a, b := Pipe(Options{})
		b.Attach(countingDispatcher{&delivered})
		ends = append(ends, a, b)
	}
	defer func() {
		for _, e := range ends {
			e.Close()
			e.Wait()
		}
	}()
	if got := runtime.NumGoroutine() - before; got > 2 {
		t.Fatalf("%d idle pipes hold %d goroutines; want none", n, got)
	}
	for i := 0; i < len(ends); i += 2 {
		for range 3 {
			if n, err := write(ends[i], ipv4Packet(60)); n != 1 || err != nil {
				t.Fatalf("write: n=%d err=%v", n, err)
			}
		}
	}
	deadline := time.Now().Add(5 * time.Second)
	for (delivered.Load() < 3*n || runtime.NumGoroutine()-before > 2) && time.Now().Before(deadline) {
		time.Sleep(time.Millisecond)
	}
	if got := delivered.Load(); got != 3*n {
		t.Fatalf("%d packets delivered, want %d", got, 3*n)
	}
	if got := runtime.NumGoroutine() - before; got > 2 {
		t.Fatalf("after their traffic, %d pipes hold %d goroutines; want none", n, got)
	}
}

// countingDispatcher counts the packets a stack would receive.
type countingDispatcher struct{ n *atomic.Int64 }

func (d countingDispatcher) DeliverNetworkPacket(tcpip.NetworkProtocolNumber, *stack.PacketBuffer) {
	d.n.Add(1)
}

func (countingDispatcher) DeliverLinkPacket(tcpip.NetworkProtocolNumber, *stack.PacketBuffer) {}

// TestWaitWhileTrafficFlows: Wait on an open queued endpoint while
// writers start and stop its pump returns each time the queue empties;
// it panicked ("WaitGroup is reused before previous Wait has returned")
// once pumps came and went with the traffic.
func TestWaitWhileTrafficFlows(t *testing.T) {
	leakcheck.Check(t)
	var delivered atomic.Int64
	a, b := Pipe(Options{})
	b.Attach(countingDispatcher{&delivered})
	defer func() { a.Close(); b.Close(); a.Wait(); b.Wait() }()
	var wg sync.WaitGroup
	stop := make(chan struct{})
	for range 2 {
		wg.Add(2)
		go func() {
			defer wg.Done()
			for range 2000 {
				if _, err := write(a, ipv4Packet(60)); err != nil {
					t.Error(err)
					return
				}
			}
		}()
		go func() {
			defer wg.Done()
			for {
				select {
				case <-stop:
					return
				default:
					a.Wait()
				}
			}
		}()
	}
	for delivered.Load() < 4000 {
		time.Sleep(time.Millisecond)
	}
	close(stop)
	wg.Wait()
}

// TestCloseEndsWaitOnOpenEndpoint: Wait on an open queued endpoint whose
// pump sits in a handler waiting for the endpoint's context (as Handler
// asks a blocking handler to) must end when Close cancels that context.
// Close took pumpMu, which Wait holds while it waits: a deadlock.
func TestCloseEndsWaitOnOpenEndpoint(t *testing.T) {
	leakcheck.Check(t)
	entered := make(chan struct{}, 1)
	e := New(Options{QueueLen: 4, Handler: func(ctx context.Context, _ []byte) error {
		entered <- struct{}{}
		<-ctx.Done()
		return ctx.Err()
	}})
	if _, err := write(e, ipv4Packet(60)); err != nil {
		t.Fatal(err)
	}
	<-entered
	waited := make(chan struct{})
	go func() { e.Wait(); close(waited) }()
	time.Sleep(20 * time.Millisecond) // let Wait take pumpMu
	closed := make(chan struct{})
	go func() { e.Close(); close(closed) }()
	for name, done := range map[string]chan struct{}{"Close": closed, "Wait": waited} {
		select {
		case <-done:
		case <-time.After(5 * time.Second):
			t.Fatalf("%s did not return: Close is blocked behind Wait", name)
		}
	}
	if got := e.Stats().Drops[DropShutdown]; got != 1 {
		t.Errorf("DropShutdown = %d, want 1 (the packet the handler gave up)", got)
	}
}

// TestPacketQueuedAfterCloseIsDropped: a writer that passed WritePackets'
// closed check just before Close queues its packet after the pump has
// drained and left. That packet must be dropped, counted and released, not
// left in the queue: the pump leaves through drain without counting the
// queue down, so the writer is not the one that raises the count from
// zero and starts no pump.
func TestPacketQueuedAfterCloseIsDropped(t *testing.T) {
	for try := range 20 {
		gate, entered := make(chan struct{}), make(chan struct{}, 1)
		e := New(Options{QueueLen: 8, Handler: func(context.Context, []byte) error {
			select {
			case entered <- struct{}{}:
			default:
			}
			<-gate
			return nil
		}})
		for range 3 {
			if _, err := write(e, ipv4Packet(60)); err != nil {
				t.Fatal(err)
			}
		}
		<-entered
		e.Close()
		close(gate)
		e.Wait()
		before := e.Stats().Drops[DropShutdown]
		e.send(buffer.NewViewWithData(ipv4Packet(60))) // the late writer
		if n, after := len(e.queue), e.Stats().Drops[DropShutdown]; n != 0 || after != before+1 {
			t.Fatalf("try %d: %d packets left in the closed queue, DropShutdown %d → %d; want 0 left and one more drop", try, n, before, after)
		}
	}
}
