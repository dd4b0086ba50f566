package sysplex

import (
	"io"
	"net"
	"net/netip"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"gvisor.dev/gvisor/pkg/tcpip"
	"gvisor.dev/gvisor/pkg/tcpip/checksum"
	"gvisor.dev/gvisor/pkg/tcpip/header"

	"github.com/tcpipc/tcpipc/internal/testkit/leakcheck"
	"github.com/tcpipc/tcpipc/runtime/distributor"
	"github.com/tcpipc/tcpipc/runtime/lan"
	"github.com/tcpipc/tcpipc/runtime/link"
)

// tcpSegment builds an IPv4 TCP segment from src to dst.
func tcpSegment(src, dst netip.AddrPort, flags header.TCPFlags, payload []byte) []byte {
	return tcpSegmentAt(src, dst, 1000, 2000, flags, payload)
}

// tcpSegmentAt builds an IPv4 TCP segment with the given sequence and
// acknowledgement numbers.
func tcpSegmentAt(src, dst netip.AddrPort, seq, ack uint32, flags header.TCPFlags, payload []byte) []byte {
	pkt := make([]byte, header.IPv4MinimumSize+header.TCPMinimumSize+len(payload))
	ip := header.IPv4(pkt)
	ip.Encode(&header.IPv4Fields{
		TotalLength: uint16(len(pkt)),
		TTL:         64,
		Protocol:    uint8(header.TCPProtocolNumber),
		SrcAddr:     tcpip.AddrFrom4(src.Addr().As4()),
		DstAddr:     tcpip.AddrFrom4(dst.Addr().As4()),
	})
	ip.SetChecksum(^ip.CalculateChecksum())
	tcp := header.TCP(ip.Payload())
	tcp.Encode(&header.TCPFields{
		SrcPort: src.Port(), DstPort: dst.Port(),
		SeqNum: seq, AckNum: ack,
		DataOffset: header.TCPMinimumSize,
		Flags:      flags,
		WindowSize: 65535,
	})
	copy(tcp.Payload(), payload)
	sum := header.PseudoHeaderChecksum(header.TCPProtocolNumber, ip.SourceAddress(), ip.DestinationAddress(), uint16(len(tcp)))
	tcp.SetChecksum(^tcp.CalculateChecksum(checksum.Checksum(payload, sum)))
	return pkt
}

// countResets counts the TCP resets the LAN carries from now on.
func countResets(sx *Sysplex) *atomic.Int32 {
	var n atomic.Int32
	sx.Fabric().SetTap(func(_ link.Direction, pkt []byte) {
		ip := header.IPv4(pkt)
		if ip.IsValid(len(pkt)) && ip.TransportProtocol() == header.TCPProtocolNumber &&
			header.TCP(ip.Payload()).Flags().Contains(header.TCPFlagRst) {
			n.Add(1)
		}
	})
	return &n
}

// TestNoResetFromAStackThatDoesNotRouteTheDVIPA: a packet for DVA1 that
// reaches a stack which does not route it — on its way when the DVIPA
// moved, or inside the routing stack as it failed — is dropped and
// counted. The stack's netstack must not see it: it holds DVA1 on its VIPA
// NIC (MVS2 even listens on it), so it would answer with a reset and end a
// connection that lives on, on another target.
func TestNoResetFromAStackThatDoesNotRouteTheDVIPA(t *testing.T) {
	leakcheck.Check(t)
	sx, _ := startSysplex(t, figure9Plan(t))
	serveAPPA(t, sx)
	client := netip.MustParseAddr("192.0.2.10")
	if _, err := sx.AddClient("client", client); err != nil {
		t.Fatal(err)
	}
	resets := countResets(sx)
	from := netip.AddrPortFrom(client, 40001)
	for _, name := range []string{"MVS2", "MVS5"} { // a target with a server; the backup
		s := sx.Stack(name)
		before := s.RouteDrops()
		if err := s.fromLAN(tcpSegment(from, netip.AddrPortFrom(dva1, 60), header.TCPFlagAck|header.TCPFlagPsh, []byte("echo me"))); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		after := s.RouteDrops()
		if after.NotRouted != before.NotRouted+1 || after.Reset != before.Reset {
			t.Errorf("%s: counts went from %+v to %+v, want one more NotRouted", name, before, after)
		}
	}
	// The routing stack itself answers a connection nobody has with a
	// reset once it has settled: that path still works, and shows how
	// soon a reset would have appeared.
	mvs1 := sx.Stack("MVS1")
	mvs1.mu.Lock()
	role := mvs1.roles.lookup(dva1)
	role.mu.Lock()
	role.activatedAt = time.Time{}
	role.mu.Unlock()
	mvs1.mu.Unlock()
	if err := mvs1.fromLAN(tcpSegment(from, netip.AddrPortFrom(dva1, 60), header.TCPFlagAck, nil)); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "MVS1's reset", func() bool { return resets.Load() > 0 })
	if d := mvs1.RouteDrops(); d.Reset != 1 {
		t.Errorf("MVS1: %+v, want one packet answered with a reset", d)
	}
	time.Sleep(50 * time.Millisecond) // a late reset from MVS2 or MVS5 would show here
	if n := resets.Load(); n != 1 {
		t.Errorf("%d resets on the LAN, want only MVS1's", n)
	}
}

// TestCleanCloseEndsWithoutReset: when a client and a server close a
// connection to DVA1 in turn, the target reports the end before the
// client's last ACK arrives; the routing stack still passes that ACK on
// (distributor.EndLinger) instead of answering it with a reset.
func TestCleanCloseEndsWithoutReset(t *testing.T) {
	leakcheck.Check(t)
	sx, _ := startSysplex(t, figure9Plan(t))
	serveAPPA(t, sx)
	client, err := sx.AddClient("client", netip.MustParseAddr("192.0.2.10"))
	if err != nil {
		t.Fatal(err)
	}
	resets := countResets(sx)
	mvs1 := sx.Stack("MVS1")
	for i := range 3 { // one connection to each target
		c := dial(t, client, netip.AddrPortFrom(dva1, 60))
		echoOnce(t, c, "bye")
		c.Close()
		waitFor(t, "the end reported", func() bool {
			crt := mvs1.Routing(dva1).CRT()
			return len(crt) == i+1 && !slices.ContainsFunc(crt, func(c distributor.Conn) bool { return !c.Ending })
		})
	}
	time.Sleep(100 * time.Millisecond) // the last ACKs, or resets, cross the LAN
	if d := mvs1.RouteDrops(); d.Reset != 0 || resets.Load() != 0 {
		t.Fatalf("%d resets on the LAN; MVS1 %+v", resets.Load(), d)
	}
}

// listenOnMVS2 opens the only server of app, on MVS2, which accepts only
// when the test calls Accept, and adds a client; both end with the test.
func listenOnMVS2(t *testing.T, sx *Sysplex, app netip.AddrPort) (net.Listener, *lan.Client) {
	t.Helper()
	ln, err := sx.Stack("MVS2").Listen(app)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	waitFor(t, "MVS2 ready in MVS1's DPT", func() bool {
		d := sx.Stack("MVS1").Routing(dva1)
		return d != nil && len(d.DPT()) == 1 && d.DPT()[0].Ready > 0
	})
	client, err := sx.AddClient("client", netip.MustParseAddr("192.0.2.10"))
	if err != nil {
		t.Fatal(err)
	}
	return ln, client
}

// TestUnacceptedConnectionSurvivesTakeover: a connection MVS2's stack has
// set up but its application has not accepted yet is still MVS2's. Its
// report to the backup that takes DVA1 over (NEWCONN, then CONNSDONE) must
// name it, or the backup drops the entry it restored from the coupling
// facility and the connection dies.
func TestUnacceptedConnectionSurvivesTakeover(t *testing.T) {
	leakcheck.Check(t)
	sx, clk := startSysplex(t, figure9Plan(t))
	app := netip.AddrPortFrom(dva1, 60)
	ln, client := listenOnMVS2(t, sx, app)
	c := dial(t, client, app)
	defer c.Close()
	if _, err := c.Write([]byte("waiting\n")); err != nil {
		t.Fatal(err)
	}

	failOver(t, sx, clk, "MVS1", dva1, "MVS5")
	clk.Advance(restoreTimeout * time.Second) // past the restore timeout too
	if text := timelineText(sx); strings.Contains(text, "drops") {
		t.Fatalf("the backup dropped a restored connection:\n%s", text)
	}
	if crt := sx.Stack("MVS5").Routing(dva1).CRT(); len(crt) != 1 || crt[0].Target != "MVS2" {
		t.Fatalf("MVS5's CRT: %+v, want the connection on MVS2", crt)
	}
	s, err := ln.Accept()
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	go io.Copy(s, s)
	back := make([]byte, len("waiting\nstill here\n"))
	if _, err := c.Write([]byte("still here\n")); err != nil {
		t.Fatal(err)
	}
	c.SetDeadline(time.Now().Add(5 * time.Second))
	if _, err := io.ReadFull(c, back); err != nil || string(back) != "waiting\nstill here\n" {
		t.Fatalf("after the takeover: %q, %v", back, err)
	}
}

// TestConnectionResetInTheAcceptQueue: a client that resets its connection
// before the server's application accepts it leaves a connection with no
// peer in the accept queue; Accept skips it and returns the next one.
func TestConnectionResetInTheAcceptQueue(t *testing.T) {
	leakcheck.Check(t)
	sx, _ := startSysplex(t, figure9Plan(t))
	app := netip.AddrPortFrom(dva1, 60)
	ln, client := listenOnMVS2(t, sx, app)
	// The client's last segment to DVA1 tells where a reset must be.
	var mu sync.Mutex
	var last header.TCP
	sx.Fabric().SetTap(func(_ link.Direction, pkt []byte) {
		ip := header.IPv4(pkt)
		if ip.IsValid(len(pkt)) && ip.TransportProtocol() == header.TCPProtocolNumber && netip.AddrFrom4(ip.DestinationAddress().As4()) == dva1 {
			mu.Lock()
			last = header.TCP(slices.Clone(ip.Payload()))
			mu.Unlock()
		}
	})
	first := dial(t, client, app)
	defer first.Close()
	from := netip.MustParseAddrPort(first.LocalAddr().String())
	// The tap sees the handshake's last ACK after dial may have returned:
	// wait for it, or the reset carries the SYN's numbers and is ignored.
	waitFor(t, "the client's ACK of the handshake", func() bool {
		mu.Lock()
		defer mu.Unlock()
		return last != nil && last.SourcePort() == from.Port() && last.Flags() == header.TCPFlagAck
	})
	mu.Lock()
	rst := tcpSegmentAt(from, app, last.SequenceNumber(), last.AckNumber(), header.TCPFlagRst|header.TCPFlagAck, nil)
	mu.Unlock()
	if err := sx.Stack("MVS1").fromLAN(rst); err != nil {
		t.Fatal(err)
	}
	second := dial(t, client, app)
	defer second.Close()

	s, err := ln.Accept()
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if got := s.RemoteAddr().String(); got != second.LocalAddr().String() {
		t.Fatalf("accepted the connection from %s, want the second one (%s)", got, second.LocalAddr())
	}
}
