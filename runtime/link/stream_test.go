package link_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"errors"
	"io"
	"math/rand/v2"
	"net"
	"net/netip"
	"sync/atomic"
	"testing"
	"time"

	"github.com/tcpipc/tcpipc/internal/testkit/leakcheck"
	"github.com/tcpipc/tcpipc/runtime/link"
	"github.com/tcpipc/tcpipc/runtime/netstack"
)

var (
	addrA = netip.MustParsePrefix("10.1.0.1/24")
	addrB = netip.MustParsePrefix("10.1.0.2/24")
)

// pair builds two stacks joined by the given endpoints. Closing the stacks
// (at cleanup) closes the endpoints.
func pair(tb testing.TB, ea, eb *link.Endpoint) (a, b *netstack.Stack) {
	tb.Helper()
	a, b = mustStack(tb, "A"), mustStack(tb, "B")
	for _, x := range []struct {
		s  *netstack.Stack
		ep *link.Endpoint
		p  netip.Prefix
	}{{a, ea, addrA}, {b, eb, addrB}} {
		if _, err := x.s.AttachNIC("eth0", x.ep); err != nil {
			tb.Fatal(err)
		}
		if err := x.s.AddAddress("eth0", x.p); err != nil {
			tb.Fatal(err)
		}
		if err := x.s.AddRoute(netstack.Route{Dst: x.p.Masked(), NIC: "eth0"}); err != nil {
			tb.Fatal(err)
		}
	}
	return a, b
}

func mustStack(tb testing.TB, name string) *netstack.Stack {
	tb.Helper()
	s, err := netstack.New(netstack.Options{Name: name})
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(s.Close)
	return s
}

// stream sends n pseudo-random bytes from a to b over TCP and returns the
// SHA-256 of what was sent and of what arrived. progress, if not nil,
// receives the running count of bytes the writer has handed to TCP.
func stream(tb testing.TB, a, b *netstack.Stack, n int64, progress func(int64)) (sent, got [32]byte) {
	tb.Helper()
	l, err := b.ListenTCP(netip.AddrPortFrom(addrB.Addr(), 9000))
	if err != nil {
		tb.Fatal(err)
	}
	defer l.Close()
	type result struct {
		sum [32]byte
		n   int64
		err error
	}
	res := make(chan result, 1)
	go func() {
		c, err := l.Accept()
		if err != nil {
			res <- result{err: err}
			return
		}
		defer c.Close()
		h := sha256.New()
		m, err := io.Copy(h, c)
		var r result
		copy(r.sum[:], h.Sum(nil))
		r.n, r.err = m, err
		res <- r
	}()

	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	c, err := a.DialTCP(ctx, netip.AddrPortFrom(addrB.Addr(), 9000))
	if err != nil {
		tb.Fatal(err)
	}
	h := sha256.New()
	rng := rand.NewChaCha8([32]byte{1})
	buf := make([]byte, 64<<10)
	var written int64
	for written < n {
		chunk := buf[:min(int64(len(buf)), n-written)]
		rng.Read(chunk)
		h.Write(chunk)
		if _, err := c.Write(chunk); err != nil {
			tb.Fatal(err)
		}
		written += int64(len(chunk))
		if progress != nil {
			progress(written)
		}
	}
	c.Close()
	r := <-res
	if r.err != nil && !errors.Is(r.err, net.ErrClosed) {
		tb.Fatalf("receiver: %v after %d bytes", r.err, r.n)
	}
	if r.n != n {
		tb.Fatalf("receiver got %d bytes, want %d", r.n, n)
	}
	copy(sent[:], h.Sum(nil))
	return sent, r.sum
}

// TestTCPStreamIntact pushes 64 MiB through a pipe and checks it arrives
// byte for byte with not one packet dropped by the link.
func TestTCPStreamIntact(t *testing.T) {
	if testing.Short() {
		t.Skip("64 MiB stream skipped in -short mode")
	}
	leakcheck.Check(t)
	ea, eb := link.Pipe(link.Options{Name: "ab"})
	a, b := pair(t, ea, eb)
	sent, got := stream(t, a, b, 64<<20, nil)
	if sent != got {
		t.Fatal("stream arrived corrupted")
	}
	for _, e := range []*link.Endpoint{ea, eb} {
		if st := e.Stats(); st.Dropped() != 0 {
			t.Errorf("%s dropped packets: %v", e.Name(), st)
		}
	}
	if st := ea.Stats(); st.BytesOut < 64<<20 || eb.Stats().BytesIn != st.BytesOut {
		t.Errorf("counters disagree: a %v, b %v", st, eb.Stats())
	}
}

// TestSlowConsumerBackPressure stalls the link's consumer in the middle of
// a stream and checks that the TCP writer is held back rather than the
// link dropping: the queue reports blocked writers, the writer makes no
// progress while the consumer is stalled, and the stream completes intact
// afterwards.
func TestSlowConsumerBackPressure(t *testing.T) {
	leakcheck.Check(t)
	ea, eb, stall, a, b := stallablePair(t)

	// More than the largest TCP send buffer (6 MiB), so the writer cannot
	// finish into its buffer while the link is stalled.
	const total = 32 << 20
	var written atomic.Int64
	done := make(chan struct{})
	go func() {
		defer close(done)
		sent, got := stream(t, a, b, total, func(n int64) { written.Store(n) })
		if sent != got {
			t.Error("stream arrived corrupted")
		}
	}()

	// Let the stream get going, then stall the consumer.
	for written.Load() < 1<<20 {
		time.Sleep(time.Millisecond)
	}
	gate := make(chan struct{})
	stall.Store(&gate)
	time.Sleep(300 * time.Millisecond)
	before := written.Load()
	time.Sleep(200 * time.Millisecond)
	after := written.Load()
	if before != after || after >= total {
		t.Errorf("writer moved from %d to %d bytes (of %d) while the link was stalled", before, after, total)
	}
	if st := ea.Stats(); st.Blocked == 0 {
		t.Errorf("stalled link: %v; want blocked writers", st)
	}
	stall.Store(nil)
	close(gate)
	<-done
	for _, e := range []*link.Endpoint{ea, eb} {
		if st := e.Stats(); st.Dropped() != 0 {
			t.Errorf("%s dropped packets: %v", e.Name(), st)
		}
	}
}

// TestPcapTapRecordsTraffic captures a short exchange and reads the file
// back: every record is an IP packet, and the count matches the link's
// counters.
func TestPcapTapRecordsTraffic(t *testing.T) {
	leakcheck.Check(t)
	var file bytes.Buffer
	pw, err := link.NewPcapWriter(&file, clockForTest())
	if err != nil {
		t.Fatal(err)
	}
	ea, eb := link.Pipe(link.Options{Name: "cap"})
	ea.SetTap(pw.Tap(link.Out))
	eb.SetTap(pw.Tap(link.Out))
	a, b := pair(t, ea, eb)
	sent, got := stream(t, a, b, 100_000, nil)
	if sent != got {
		t.Fatal("stream corrupted")
	}
	// Stop all traffic (the closing handshake runs on after the stream)
	// before comparing the capture with the counters.
	a.Close()
	b.Close()
	if err := pw.Err(); err != nil {
		t.Fatal(err)
	}
	want := ea.Stats().PacketsOut + eb.Stats().PacketsOut
	n := countPcap(t, file.Bytes())
	if uint64(n) != want {
		t.Fatalf("pcap holds %d packets, links sent %d", n, want)
	}
}

// TestCloseDuringStalledTransfer closes both stacks while the link under a
// TCP stream is stalled, so that gVisor's own goroutines are blocked in
// WritePackets: Close must not hang on them, the application sees an
// error, and no goroutine survives.
func TestCloseDuringStalledTransfer(t *testing.T) {
	leakcheck.Check(t)
	ea, _, stall, a, b := stallablePair(t)
	l, err := b.ListenTCP(netip.AddrPortFrom(addrB.Addr(), 9000))
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	go func() {
		c, err := l.Accept()
		if err == nil {
			io.Copy(io.Discard, c)
			c.Close()
		}
	}()
	c, err := a.DialTCP(context.Background(), netip.AddrPortFrom(addrB.Addr(), 9000))
	if err != nil {
		t.Fatal(err)
	}
	var written atomic.Int64
	writeErr := make(chan error, 1)
	go func() {
		buf := make([]byte, 64<<10)
		for {
			n, err := c.Write(buf)
			written.Add(int64(n))
			if err != nil {
				writeErr <- err
				return
			}
		}
	}()
	for written.Load() < 1<<20 {
		time.Sleep(time.Millisecond)
	}
	never := make(chan struct{})
	stall.Store(&never)
	time.Sleep(200 * time.Millisecond)
	if ea.Stats().Blocked == 0 {
		t.Fatalf("link not stalled: %v", ea.Stats())
	}

	closed := make(chan struct{})
	go func() {
		a.Close()
		b.Close()
		close(closed)
	}()
	select {
	case <-closed:
	case <-time.After(10 * time.Second):
		t.Fatal("Close hung with writers blocked in the link")
	}
	select {
	case err := <-writeErr:
		t.Logf("writer ended with: %v", err)
	case <-time.After(5 * time.Second):
		t.Fatal("writer still blocked after Close")
	}
}

// stallablePair links two stacks with 4-packet queues; while *stall is set,
// the consumer of A's outbound queue waits for it to be closed.
func stallablePair(t *testing.T) (ea, eb *link.Endpoint, stall *atomic.Pointer[chan struct{}], a, b *netstack.Stack) {
	t.Helper()
	stall = new(atomic.Pointer[chan struct{}])
	ea = link.New(link.Options{Name: "a", QueueLen: 4, Handler: func(ctx context.Context, pkt []byte) error {
		if g := stall.Load(); g != nil {
			select {
			case <-*g:
			case <-ctx.Done():
				return ctx.Err()
			}
		}
		return eb.Inject(pkt)
	}})
	eb = link.New(link.Options{Name: "b", QueueLen: 4, Handler: func(_ context.Context, pkt []byte) error {
		return ea.Inject(pkt)
	}})
	a, b = pair(t, ea, eb)
	return ea, eb, stall, a, b
}
