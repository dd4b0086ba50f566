package sysplex

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/netip"
	"os"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/tcpipc/tcpipc/internal/clock"
	"github.com/tcpipc/tcpipc/plan"
	"github.com/tcpipc/tcpipc/runtime/ipsec"
	"github.com/tcpipc/tcpipc/runtime/xcf"
)

// widenClientNet makes figure 9's client network 192.0.0.0/16 on MVS1 and
// MVS5 alike, so a thousand IPsec peers fit in it.
func widenClientNet(p *plan.Plan) {
	for _, name := range []string{"MVS1", "MVS5"} {
		s := p.Stack(name)
		for i := range s.IKE.Peers {
			for j, l := range s.IKE.Peers[i].Remote.Locations {
				if l == "192.0.2.0/24" {
					s.IKE.Peers[i].Remote.Locations[j] = "192.0.0.0/16"
				}
			}
		}
		for i := range s.SPD.Filters {
			if s.SPD.Filters[i].Remote == "192.0.2.0/24" {
				s.SPD.Filters[i].Remote = "192.0.0.0/16"
			}
		}
	}
}

// BenchmarkSWSATakeover1000 fails MVS1, the routing stack of DVA1, while
// 1,000 IPsec peers (each a host of its own) each keep a connection to APP
// A on MVS2 or MVS4 busy, and reports the time from failure detection
// until MVS5 has renegotiated every tunnel from the SWSA records
// (target: under 1 s), the tunnels it failed to renegotiate and the
// connections lost (target: 0), and how fast MVS5's journal wrote its new
// records (records/s). TCPIPC_SWSA_PEERS sets another number of peers.
func BenchmarkSWSATakeover1000(b *testing.B) {
	n := 1000
	if v, err := strconv.Atoi(os.Getenv("TCPIPC_SWSA_PEERS")); err == nil && v > 0 {
		n = v
	}
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		p := figure9Plan(&testing.T{})
		widenClientNet(p)
		sx, conns, stop := startSWSAPeers(b, p, n)
		var lost atomic.Int64
		var wg sync.WaitGroup
		ctx, cancel := context.WithCancel(context.Background())
		for _, c := range conns {
			wg.Add(1)
			go ping(ctx, &wg, c, &lost)
		}
		time.Sleep(200 * time.Millisecond)
		b.StartTimer()
		if err := sx.Fail("MVS1"); err != nil {
			b.Fatal(err)
		}
		var o *SWSAOutcome
		for o == nil || o.Done.IsZero() {
			time.Sleep(time.Millisecond)
			o = lastOutcome(sx, "MVS5")
		}
		detected := detectionTime(sx, "MVS1")
		var written time.Time
		for written.IsZero() {
			if recordsBy(&testing.T{}, sx, dva1)["MVS5"] == len(o.Recovered) {
				written = time.Now()
			}
			time.Sleep(time.Millisecond)
		}
		b.StopTimer()
		time.Sleep(500 * time.Millisecond) // the connections carry on
		cancel()
		wg.Wait()
		b.Logf("detected %s; MVS5 read the records after %s, renegotiated them in %s",
			detected.Format("15:04:05.000"), o.At.Sub(detected).Round(time.Millisecond), o.Done.Sub(o.At).Round(time.Millisecond))
		b.ReportMetric(float64(o.Done.Sub(detected).Microseconds())/1000, "ms-detect-to-renegotiated")
		b.ReportMetric(float64(n-len(o.Recovered)), "tunnels-lost")
		b.ReportMetric(float64(lost.Load()), "conns-lost")
		b.ReportMetric(float64(len(o.Recovered))/written.Sub(o.At).Seconds(), "records-written/s")
		stop()
	}
}

// startSWSAPeers brings figure 9 up on the real clock with IPsec, APP A
// (echo) on MVS2 and MVS4, and n IPsec client hosts from 192.0.2.10, each
// with one connection to APP A that echoed once.
func startSWSAPeers(b *testing.B, p *plan.Plan, n int) (*Sysplex, []net.Conn, func()) {
	b.Helper()
	sx, _, stop := startPlanWith(b, p, Options{Clock: clock.Real{}, XCF: xcf.Timing{Interval: 50 * time.Millisecond, Missed: 3}, IPsec: true}, true)
	conns := make([]net.Conn, n)
	var wg sync.WaitGroup
	errs := make(chan error, n)
	a := netip.MustParseAddr("192.0.2.10")
	for k := range n {
		addr := a
		a = a.Next()
		wg.Add(1)
		go func() {
			defer wg.Done()
			c, err := ipsecPeer(sx, addr)
			conns[k] = c
			errs <- err
		}()
		if k%50 == 49 {
			wg.Wait() // a few at a time: each is a netstack and an IKE SA
		}
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			b.Fatal(err)
		}
	}
	return sx, conns, func() {
		for _, c := range conns {
			c.Close()
		}
		stop()
	}
}

// ipsecPeer attaches one IPsec client host and connects it to APP A.
func ipsecPeer(sx *Sysplex, addr netip.Addr) (net.Conn, error) {
	client, err := sx.AddClient("peer"+addr.String(), addr)
	if err != nil {
		return nil, err
	}
	cfg, err := ClientIPsec(sx.Plan(), addr, dva1)
	if err != nil {
		return nil, err
	}
	cfg.ID = ipsec.AddrIdentity(netip.MustParseAddr("192.0.2.10"))
	if err := client.EnableIPsec(cfg, sx.Clock(), nil); err != nil {
		return nil, err
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	c, err := client.Netstack().DialTCP(ctx, netip.AddrPortFrom(dva1, 60))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", addr, err)
	}
	c.SetDeadline(time.Now().Add(30 * time.Second))
	if _, err := c.Write([]byte("ping")); err != nil {
		return nil, err
	}
	buf := make([]byte, 4)
	if _, err := io.ReadFull(c, buf); err != nil {
		return nil, fmt.Errorf("%s: %w", addr, err)
	}
	return c, nil
}

// ping exchanges a message on c every 10 ms until ctx ends; a failure is a
// lost connection.
func ping(ctx context.Context, wg *sync.WaitGroup, c net.Conn, lost *atomic.Int64) {
	defer wg.Done()
	msg, buf := []byte("ping"), make([]byte, 4)
	for ctx.Err() == nil {
		c.SetDeadline(time.Now().Add(10 * time.Second))
		if _, err := c.Write(msg); err != nil {
			lost.Add(1)
			return
		}
		if _, err := io.ReadFull(c, buf); err != nil {
			lost.Add(1)
			return
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// detectionTime is when the first stack detected the failure of failed.
func detectionTime(sx *Sysplex, failed string) time.Time {
	for _, e := range sx.Timeline() {
		if e.What == "detects that "+failed+" failed" {
			return e.At
		}
	}
	return time.Time{}
}
