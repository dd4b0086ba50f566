package xcf_test

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"net/netip"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/tcpipc/tcpipc/internal/clock"
	"github.com/tcpipc/tcpipc/internal/testkit/leakcheck"
	"github.com/tcpipc/tcpipc/runtime/link"
	"github.com/tcpipc/tcpipc/runtime/netstack"
	"github.com/tcpipc/tcpipc/runtime/xcf"
)

var (
	xcfA = netip.MustParseAddr("10.0.0.1")
	xcfB = netip.MustParseAddr("10.0.0.2")
	xcfC = netip.MustParseAddr("10.0.0.3")
)

func node(t *testing.T, name string, addr netip.Addr, clk clock.Clock) *xcf.Node {
	t.Helper()
	n, err := xcf.NewNode(name, addr, clk)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func stackFor(t *testing.T, n *xcf.Node) *netstack.Stack {
	t.Helper()
	s, err := netstack.New(netstack.Options{Name: n.Name()})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Close)
	return s
}

// linked builds nodes A and B with a stack each, joined by one XCF link.
func linked(t *testing.T) (l *xcf.Link, sa, sb *netstack.Stack) {
	t.Helper()
	clk := clock.NewManual(time.Unix(0, 0))
	a, b := node(t, "MVS1", xcfA, clk), node(t, "MVS2", xcfB, clk)
	l, err := xcf.Connect(a, b, xcf.LinkOptions{})
	if err != nil {
		t.Fatal(err)
	}
	pa, pb := l.Ends()
	sa, sb = stackFor(t, a), stackFor(t, b)
	if err := pa.AttachTo(sa, "xcf-MVS2"); err != nil {
		t.Fatal(err)
	}
	if err := pb.AttachTo(sb, "xcf-MVS1"); err != nil {
		t.Fatal(err)
	}
	return l, sa, sb
}

// echo serves one line per connection on st at port.
func echo(t *testing.T, st *netstack.Stack, ap netip.AddrPort) {
	t.Helper()
	ln, err := st.ListenTCP(ap)
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go func() {
				defer c.Close()
				line, _ := bufio.NewReader(c).ReadString('\n')
				io.WriteString(c, strings.ToUpper(line))
			}()
		}
	}()
	t.Cleanup(func() { ln.Close(); <-done })
}

func roundTrip(st *netstack.Stack, ap netip.AddrPort, timeout time.Duration) error {
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	c, err := st.DialTCP(ctx, ap)
	if err != nil {
		return err
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(timeout))
	io.WriteString(c, "hello\n")
	got, err := bufio.NewReader(c).ReadString('\n')
	if err != nil {
		return err
	}
	if got != "HELLO\n" {
		return fmt.Errorf("echo %q", got)
	}
	return nil
}

func TestTCPOverXCFLinkIsGRE(t *testing.T) {
	leakcheck.Check(t)
	l, sa, sb := linked(t)
	echo(t, sb, netip.AddrPortFrom(xcfB, 7))
	if err := roundTrip(sa, netip.AddrPortFrom(xcfB, 7), 5*time.Second); err != nil {
		t.Fatal(err)
	}
	pa, pb := l.Ends()
	sta, stb := pa.Stats(), pb.Stats()
	if sta.FramesOut == 0 || stb.FramesIn != sta.FramesOut || stb.FramesOut == 0 || sta.FramesIn != stb.FramesOut {
		t.Fatalf("frame counters disagree: A %+v, B %+v", sta, stb)
	}
	if sta.Spoofed+stb.Spoofed+sta.Malformed+stb.Malformed != 0 {
		t.Fatalf("unexpected drops: A %+v, B %+v", sta, stb)
	}
}

// TestSpoofedSourceDropped is seed 003 figure 11, block 222: a frame that
// names an XCF source other than the node at the far end of the link it
// arrived on is discarded and counted, and never reaches the stack.
func TestSpoofedSourceDropped(t *testing.T) {
	leakcheck.Check(t)
	l, _, _ := linked(t)
	_, pb := l.Ends()

	inner := make([]byte, 20)
	inner[0] = 0x45
	inner[3] = 20
	spoof, err := xcf.AppendFrame(nil, xcfC, xcfB, 1, inner)
	if err != nil {
		t.Fatal(err)
	}
	before := pb.Endpoint().Stats().PacketsIn
	if err := pb.Receive(spoof); err == nil {
		t.Fatal("spoofed frame accepted")
	}
	if st := pb.Stats(); st.Spoofed != 1 || st.FramesIn != 0 {
		t.Fatalf("port stats %+v, want one spoof drop", st)
	}
	if pb.Endpoint().Stats().PacketsIn != before {
		t.Fatal("spoofed frame reached the stack")
	}

	// The same datagram from the right source goes through.
	genuine, _ := xcf.AppendFrame(nil, xcfA, xcfB, 2, inner)
	if err := pb.Receive(genuine); err != nil {
		t.Fatal(err)
	}
	if pb.Endpoint().Stats().PacketsIn != before+1 {
		t.Fatal("genuine frame did not reach the stack")
	}

	// And one addressed to another node is refused too.
	wrongDst, _ := xcf.AppendFrame(nil, xcfA, xcfC, 3, inner)
	if err := pb.Receive(wrongDst); err == nil || pb.Stats().Misaddressed != 1 {
		t.Fatalf("misaddressed frame: err %v, stats %+v", err, pb.Stats())
	}
}

// TestCutLinkLosesTrafficUntilRestored: with two nodes a cut link leaves
// no other path: it carries nothing, and TCP works again once it is
// restored.
func TestCutLinkLosesTrafficUntilRestored(t *testing.T) {
	leakcheck.Check(t)
	l, sa, sb := linked(t)
	echo(t, sb, netip.AddrPortFrom(xcfB, 7))
	l.Cut()
	if err := roundTrip(sa, netip.AddrPortFrom(xcfB, 7), 300*time.Millisecond); err == nil {
		t.Fatal("connection succeeded over a cut link")
	}
	pa, _ := l.Ends()
	if st := pa.Stats(); st.Cut == 0 || st.Rerouted != 0 {
		t.Fatalf("cut link: stats %+v, want drops and nothing rerouted", st)
	}
	l.Restore()
	if err := roundTrip(sa, netip.AddrPortFrom(xcfB, 7), 5*time.Second); err != nil {
		t.Fatalf("after restore: %v", err)
	}
}

// meshed builds nodes MVS1, MVS2 and MVS3, each with a stack and a group
// member (a node that runs routes for others), fully linked.
func meshed(t *testing.T) (links map[string]*xcf.Link, stacks []*netstack.Stack) {
	t.Helper()
	clk := clock.NewManual(time.Unix(0, 0))
	nodes := []*xcf.Node{node(t, "MVS1", xcfA, clk), node(t, "MVS2", xcfB, clk), node(t, "MVS3", xcfC, clk)}
	links = map[string]*xcf.Link{}
	for _, n := range nodes {
		// Forwarding, as the sysplex's stacks have it: a reply may leave
		// by another NIC than the one its request came in on.
		st, err := netstack.New(netstack.Options{Name: n.Name(), Forwarding: true})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(st.Close)
		stacks = append(stacks, st)
		m, err := n.Join("EZBTCPCS", xcf.MemberOptions{Interval: time.Hour})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(m.Stop)
	}
	for i := range nodes {
		for j := i + 1; j < len(nodes); j++ {
			l, err := xcf.Connect(nodes[i], nodes[j], xcf.LinkOptions{})
			if err != nil {
				t.Fatal(err)
			}
			pa, pb := l.Ends()
			if err := pa.AttachTo(stacks[i], "xcf-"+nodes[j].Name()); err != nil {
				t.Fatal(err)
			}
			if err := pb.AttachTo(stacks[j], "xcf-"+nodes[i].Name()); err != nil {
				t.Fatal(err)
			}
			links[nodes[i].Name()+"-"+nodes[j].Name()] = l
		}
	}
	return links, stacks
}

// TestCutLinkReroutesThroughThirdNode: the dynamic XCF link is one IP
// route among others; with MVS1-MVS2 cut, their traffic goes through MVS3
// and a TCP connection between them still works, both ways.
func TestCutLinkReroutesThroughThirdNode(t *testing.T) {
	leakcheck.Check(t)
	links, stacks := meshed(t)
	echo(t, stacks[1], netip.AddrPortFrom(xcfB, 7))
	links["MVS1-MVS2"].Cut()
	if err := roundTrip(stacks[0], netip.AddrPortFrom(xcfB, 7), 5*time.Second); err != nil {
		t.Fatalf("MVS1 to MVS2 with their link cut: %v", err)
	}
	pa, pb := links["MVS1-MVS2"].Ends()
	if pa.Stats().Rerouted == 0 || pb.Stats().Rerouted == 0 || pa.Stats().FramesOut != 0 {
		t.Fatalf("want both directions rerouted and nothing on the cut link: MVS1 %+v, MVS2 %+v", pa.Stats(), pb.Stats())
	}
	// Forward, the distributor's path, takes the detour too.
	inner := make([]byte, 20)
	inner[0], inner[3] = 0x45, 20
	if err := pa.Forward(inner); err != nil {
		t.Fatalf("Forward over a cut link with another path: %v", err)
	}
}

func TestConnectRejectsDuplicates(t *testing.T) {
	clk := clock.NewManual(time.Unix(0, 0))
	a, b := node(t, "MVS1", xcfA, clk), node(t, "MVS2", xcfB, clk)
	l, err := xcf.Connect(a, b, xcf.LinkOptions{})
	if err != nil {
		t.Fatal(err)
	}
	pa, pb := l.Ends()
	defer pa.Endpoint().Close()
	defer pb.Endpoint().Close()
	if _, err := xcf.Connect(b, a, xcf.LinkOptions{}); err == nil {
		t.Fatal("second link between the same nodes accepted")
	}
	if _, err := xcf.Connect(a, a, xcf.LinkOptions{}); err == nil {
		t.Fatal("link from a node to itself accepted")
	}
	if _, err := xcf.NewNode("X", netip.MustParseAddr("fd00::1"), clk); err == nil {
		t.Fatal("IPv6 XCF address accepted")
	}
}

// TestRenewAfterRestart: a node whose stack failed gets a fresh endpoint
// on the same link, and traffic flows again with the new stack.
func TestRenewAfterRestart(t *testing.T) {
	leakcheck.Check(t)
	l, sa, sb := linked(t)
	_, pb := l.Ends()
	sb.Close() // MVS2 fails: its end of the link dies with it
	if err := roundTrip(sa, netip.AddrPortFrom(xcfB, 7), 300*time.Millisecond); err == nil {
		t.Fatal("a failed stack answered")
	}
	sb2, err := netstack.New(netstack.Options{Name: "MVS2"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(sb2.Close)
	pb.Renew()
	if err := pb.AttachTo(sb2, "xcf-MVS1"); err != nil {
		t.Fatal(err)
	}
	echo(t, sb2, netip.AddrPortFrom(xcfB, 7))
	if err := roundTrip(sa, netip.AddrPortFrom(xcfB, 7), 5*time.Second); err != nil {
		t.Fatalf("after renewing: %v", err)
	}
}

// TestForwardCarriesInnerDatagram: Forward wraps a datagram the stack did
// not send itself (the distributor's case), the tap sees the GRE frame,
// and the peer's stack receives the inner datagram.
func TestForwardCarriesInnerDatagram(t *testing.T) {
	leakcheck.Check(t)
	l, sa, sb := linked(t)
	pa, _ := l.Ends()
	var frames atomic.Int64
	pa.SetTap(func(dir link.Direction, f []byte) {
		if _, err := xcf.ParseFrame(f); err == nil && dir == link.Out {
			frames.Add(1)
		}
	})
	// Capture what sa would send to sb, and forward it by hand instead.
	echo(t, sb, netip.AddrPortFrom(xcfB, 7))
	if err := roundTrip(sa, netip.AddrPortFrom(xcfB, 7), 5*time.Second); err != nil {
		t.Fatal(err)
	}
	if frames.Load() == 0 {
		t.Fatal("tap saw no GRE frame")
	}
	// The far end sees exactly the inner datagram, once (the stacks' own
	// late segments may cross the link too, so count only this one).
	inner := []byte{0x45, 0, 0, 28, 0, 0, 0, 0, 64, 17, 0, 0, 10, 0, 0, 1, 10, 0, 0, 2, 0, 9, 0, 9, 0, 8, 0, 0}
	_, pb := l.Ends()
	var arrived atomic.Int64
	pb.SetIntercept(func(got []byte) bool {
		if bytes.Equal(got, inner) {
			arrived.Add(1)
			return true
		}
		return false
	})
	before := pa.Stats().FramesOut
	if err := pa.Forward(inner); err != nil {
		t.Fatal(err)
	}
	if n := arrived.Load(); n != 1 {
		t.Fatalf("the inner datagram arrived %d times, want once", n)
	}
	if got := pa.Stats().FramesOut; got < before+1 {
		t.Fatalf("FramesOut %d, want at least %d", got, before+1)
	}
}
