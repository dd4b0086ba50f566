package sysplex

import (
	"context"
	"io"
	"net"
	"net/netip"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/tcpipc/tcpipc/internal/clock"
	"github.com/tcpipc/tcpipc/plan"
	"github.com/tcpipc/tcpipc/runtime/lan"
	"github.com/tcpipc/tcpipc/runtime/link"
	"github.com/tcpipc/tcpipc/runtime/netstack"
	"github.com/tcpipc/tcpipc/runtime/xcf"
)

// startFigure9 brings figure 9 up on the real clock with a fast heartbeat
// and sink or echo servers on the targets of DVA1 (not on MVS1 itself, so
// a failure of MVS1 loses no connection).
func startFigure9(b *testing.B, hb time.Duration, echo bool) (*Sysplex, *lan.Client, func()) {
	return startFigure9With(b, Options{Clock: clock.Real{}, XCF: xcf.Timing{Interval: hb, Missed: 3}}, echo)
}

func startFigure9With(b *testing.B, opts Options, echo bool) (*Sysplex, *lan.Client, func()) {
	return startPlanWith(b, figure9Plan(&testing.T{}), opts, echo)
}

// startPlanWith is startFigure9With on a changed figure 9 plan.
func startPlanWith(b *testing.B, plan *plan.Plan, opts Options, echo bool) (*Sysplex, *lan.Client, func()) {
	b.Helper()
	sx, err := New(plan, opts)
	if err != nil {
		b.Fatal(err)
	}
	if err := sx.Start(); err != nil {
		b.Fatal(err)
	}
	app := netip.AddrPortFrom(dva1, 60)
	var lns []net.Listener
	var wg sync.WaitGroup
	for _, name := range []string{"MVS2", "MVS4"} {
		ln, err := sx.Stack(name).Listen(app)
		if err != nil {
			b.Fatal(err)
		}
		lns = append(lns, ln)
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				c, err := ln.Accept()
				if err != nil {
					return
				}
				wg.Add(1)
				go func() {
					defer wg.Done()
					if echo {
						io.Copy(c, c)
					} else {
						io.Copy(io.Discard, c)
					}
					c.Close()
				}()
			}
		}()
	}
	for sx.Owner(dva1) != "MVS1" || sx.Stack("MVS1").Routing(dva1) == nil || len(sx.Stack("MVS1").Routing(dva1).DPT()) < 2 {
		time.Sleep(5 * time.Millisecond)
	}
	client, err := sx.AddClient("client", netip.MustParseAddr("192.0.2.10"))
	if err != nil {
		b.Fatal(err)
	}
	return sx, client, func() {
		for _, ln := range lns {
			ln.Close()
		}
		sx.Stop()
		wg.Wait()
	}
}

const streamBytes = 32 << 20

func stream(b *testing.B, dial func() (net.Conn, error)) time.Duration {
	b.Helper()
	c, err := dial()
	if err != nil {
		b.Fatal(err)
	}
	defer c.Close()
	buf := make([]byte, 64<<10)
	start := time.Now()
	for sent := 0; sent < streamBytes; sent += len(buf) {
		if _, err := c.Write(buf); err != nil {
			b.Fatal(err)
		}
	}
	return time.Since(start)
}

// BenchmarkDistributedStream measures one TCP stream client → routing
// stack (MVS1) → GRE over XCF → target → application, and in the same run
// the same stream between two directly linked netstacks, and reports the
// ratio of the two throughputs (target ≥ 0.5).
func BenchmarkDistributedStream(b *testing.B) {
	sx, client, stop := startFigure9(b, time.Second, false)
	defer stop()
	_ = sx
	direct := directPair(b)
	defer direct.close()
	var viaSD, straight time.Duration
	for i := 0; i < b.N; i++ {
		viaSD += stream(b, func() (net.Conn, error) {
			return client.Netstack().DialTCP(context.Background(), netip.AddrPortFrom(dva1, 60))
		})
		straight += stream(b, direct.dial)
	}
	mbps := func(d time.Duration) float64 { return float64(streamBytes) * float64(b.N) / d.Seconds() / 1e6 }
	b.ReportMetric(mbps(viaSD), "MB/s-distributed")
	b.ReportMetric(mbps(straight), "MB/s-direct")
	b.ReportMetric(mbps(viaSD)/mbps(straight), "ratio")
}

// BenchmarkIPsecDistributedStream runs the same distributed stream as
// BenchmarkDistributedStream with figure 9's IPsec policy on the packet
// path: an IPsec client's stream is decrypted by MVS1 (AES-GCM-128, ESP in
// UDP) before it is distributed, a cleartext client's (an address no key
// exchange rule covers, so permit-all lets it through) is not. It reports
// both throughputs and their ratio, measured in the same run.
func BenchmarkIPsecDistributedStream(b *testing.B) {
	sx, secure, stop := startFigure9With(b, Options{Clock: clock.Real{}, XCF: xcf.Timing{Interval: time.Second, Missed: 3}, IPsec: true}, false)
	defer stop()
	cfg, err := ClientIPsec(sx.Plan(), secure.Addr, dva1)
	if err != nil {
		b.Fatal(err)
	}
	if err := secure.EnableIPsec(cfg, clock.Real{}, nil); err != nil {
		b.Fatal(err)
	}
	clear, err := sx.AddClient("clear", netip.MustParseAddr("198.51.100.20"))
	if err != nil {
		b.Fatal(err)
	}
	dialFrom := func(c *lan.Client) func() (net.Conn, error) {
		return func() (net.Conn, error) {
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			return c.Netstack().DialTCP(ctx, netip.AddrPortFrom(dva1, 60))
		}
	}
	var protected, plain time.Duration
	for i := 0; i < b.N; i++ {
		protected += stream(b, dialFrom(secure))
		plain += stream(b, dialFrom(clear))
	}
	mbps := func(d time.Duration) float64 { return float64(streamBytes) * float64(b.N) / d.Seconds() / 1e6 }
	b.ReportMetric(mbps(protected), "MB/s-ipsec")
	b.ReportMetric(mbps(plain), "MB/s-clear")
	b.ReportMetric(mbps(protected)/mbps(plain), "ratio")
}

type pair struct {
	a, b *netstack.Stack
	ln   net.Listener
	wg   sync.WaitGroup
}

func directPair(b *testing.B) *pair {
	b.Helper()
	p := &pair{}
	var err error
	if p.a, err = netstack.New(netstack.Options{Name: "A"}); err != nil {
		b.Fatal(err)
	}
	if p.b, err = netstack.New(netstack.Options{Name: "B"}); err != nil {
		b.Fatal(err)
	}
	ea, eb := link.Pipe(link.Options{Name: "direct", RXChecksumOffload: true})
	for _, x := range []struct {
		s    *netstack.Stack
		ep   *link.Endpoint
		addr string
	}{{p.a, ea, "10.0.0.1"}, {p.b, eb, "10.0.0.2"}} {
		if _, err := x.s.AttachNIC("eth", x.ep); err != nil {
			b.Fatal(err)
		}
		if err := x.s.AddAddress("eth", netip.MustParsePrefix(x.addr+"/24")); err != nil {
			b.Fatal(err)
		}
		if err := x.s.AddRoute(netstack.Route{Dst: netip.MustParsePrefix("10.0.0.0/24"), NIC: "eth"}); err != nil {
			b.Fatal(err)
		}
	}
	if p.ln, err = p.b.ListenTCP(netip.MustParseAddrPort("10.0.0.2:9")); err != nil {
		b.Fatal(err)
	}
	p.wg.Add(1)
	go func() {
		defer p.wg.Done()
		for {
			c, err := p.ln.Accept()
			if err != nil {
				return
			}
			p.wg.Add(1)
			go func() { defer p.wg.Done(); io.Copy(io.Discard, c); c.Close() }()
		}
	}()
	return p
}

func (p *pair) dial() (net.Conn, error) {
	return p.a.DialTCP(context.Background(), netip.MustParseAddrPort("10.0.0.2:9"))
}

func (p *pair) close() {
	p.ln.Close()
	p.a.Close()
	p.b.Close()
	p.wg.Wait()
}

// BenchmarkTakeover1000 fails the routing stack of DVA1 while 1,000
// connections on its targets exchange a message every 10 ms, and reports
// the time from failure detection until the new routing stack knows every
// connection (its CRT restored from the coupling facility and confirmed by
// NEWCONN) and until it forwards the
// first packet (target: under 50 ms beyond the detection interval; the
// clients' TCP retransmission timers decide when that packet comes), and
// the connections lost (target: 0).
func BenchmarkTakeover1000(b *testing.B) {
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		sx, client, stop := startFigure9(b, 50*time.Millisecond, true)
		const n = 1000
		conns, retries, err := dialAll(clientDialer(client), netip.AddrPortFrom(dva1, 60), n)
		if err != nil {
			b.Fatalf("setup: %v (%d attempts retried)", err, retries)
		}
		var lost atomic.Int64
		var wg, echoed sync.WaitGroup
		ctx, cancel := context.WithCancel(context.Background())
		echoed.Add(n)
		for _, c := range conns {
			wg.Add(1)
			go pingLoop(ctx, c, &wg, &echoed, &lost)
		}
		// Ready: every connection echoed once and is in MVS1's CRT.
		echoed.Wait()
		for lost.Load() == 0 && crtLen(sx.Stack("MVS1"), dva1) < n {
			time.Sleep(time.Millisecond)
		}
		if l := lost.Load(); l > 0 {
			cancel()
			wg.Wait()
			stop()
			b.Fatalf("setup: %d connections failed before the takeover", l)
		}
		b.ReportMetric(float64(retries), "setup-retries")
		b.StartTimer()
		if err := sx.Fail("MVS1"); err != nil {
			b.Fatal(err)
		}
		var detected time.Time
		for detected.IsZero() {
			for _, e := range sx.Timeline() {
				if e.What == "detects that MVS1 failed" {
					detected = e.At
					break
				}
			}
			time.Sleep(time.Millisecond)
		}
		var ready time.Time
		for ready.IsZero() {
			if d := sx.Stack("MVS5").Routing(dva1); d != nil && len(d.CRT()) == n {
				ready = time.Now()
			}
			time.Sleep(100 * time.Microsecond)
		}
		var forwarded time.Time
		for forwarded.IsZero() {
			for _, m := range sx.Moves() {
				if m.DVIPA == dva1 && m.To == "MVS5" && !m.FirstForward.IsZero() {
					forwarded = m.FirstForward
				}
			}
			time.Sleep(time.Millisecond)
		}
		b.StopTimer()
		time.Sleep(500 * time.Millisecond) // the connections carry on
		cancel()
		wg.Wait()
		b.ReportMetric(float64(ready.Sub(detected).Microseconds())/1000, "ms-detect-to-ready")
		b.ReportMetric(float64(forwarded.Sub(detected).Microseconds())/1000, "ms-detect-to-forward")
		b.ReportMetric(float64(lost.Load()), "lost")
		stop()
	}
}

// pingLoop exchanges a message on c every 10 ms until ctx ends, marks
// echoed after its first round trip, and counts the connection lost when
// a round trip fails.
func pingLoop(ctx context.Context, c net.Conn, wg, echoed *sync.WaitGroup, lost *atomic.Int64) {
	defer wg.Done()
	defer c.Close()
	first := true
	signal := func() {
		if first {
			first = false
			echoed.Done()
		}
	}
	defer signal() // a connection lost in setup must not hold the wait
	msg := []byte("ping")
	buf := make([]byte, 4)
	for ctx.Err() == nil {
		c.SetDeadline(time.Now().Add(5 * time.Second))
		if _, err := c.Write(msg); err != nil {
			lost.Add(1)
			return
		}
		if _, err := io.ReadFull(c, buf); err != nil {
			lost.Add(1)
			return
		}
		signal()
		time.Sleep(10 * time.Millisecond)
	}
}

// crtLen is how many connections s's distributor of a knows, 0 if none.
func crtLen(s *Stack, a netip.Addr) int {
	if d := s.Routing(a); d != nil {
		return len(d.CRT())
	}
	return 0
}
