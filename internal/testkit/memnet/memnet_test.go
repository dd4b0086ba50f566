package memnet

import (
	"net/netip"
	"testing"
)

var (
	client = netip.MustParseAddr("10.1.0.1")
	public = netip.MustParseAddr("198.51.100.1")
	gw     = netip.MustParseAddr("203.0.113.1")
)

// TestNAPTAndBack: a host behind the NAT shows the public address with a
// port of its own, and the reply to that port reaches it; after a rebind
// the same private port shows a new public port.
func TestNAPTAndBack(t *testing.T) {
	n := New()
	defer n.Close()
	n.SetNAT(client, public)
	c, err := n.Listen(client, 500)
	if err != nil {
		t.Fatal(err)
	}
	g, err := n.Listen(gw, 500)
	if err != nil {
		t.Fatal(err)
	}
	buf := make([]byte, 16)
	seen := func() netip.AddrPort {
		t.Helper()
		if err := c.WriteTo(500, []byte("hi"), netip.AddrPortFrom(gw, 500)); err != nil {
			t.Fatal(err)
		}
		k, src, err := g.ReadFrom(500, buf)
		if err != nil || string(buf[:k]) != "hi" || src.Addr() != public {
			t.Fatalf("gateway read %q from %v, %v", buf[:k], src, err)
		}
		return src
	}
	src := seen()
	if err := g.WriteTo(500, []byte("ok"), src); err != nil {
		t.Fatal(err)
	}
	if k, from, err := c.ReadFrom(500, buf); err != nil || string(buf[:k]) != "ok" || from != netip.AddrPortFrom(gw, 500) {
		t.Fatalf("client read %q from %v, %v", buf[:k], from, err)
	}
	n.RebindNAT()
	if again := seen(); again == src {
		t.Errorf("after a rebind the public port is still %v", again)
	}
}

// TestEndpointMapPortDropAndTap: a fixed mapping translates both ways, the
// tap and the drop hook see datagrams to nowhere too, and a dropped
// datagram is not delivered.
func TestEndpointMapPortDropAndTap(t *testing.T) {
	n := New()
	priv, pub := netip.AddrPortFrom(client, 500), netip.AddrPortFrom(public, 4500)
	gwAP := netip.AddrPortFrom(gw, 500)
	n.MapPort(priv, pub)
	var tapped, asked int
	n.SetTap(func(_, _ netip.AddrPort, _ []byte) { tapped++ })
	n.SetDrop(func(_, dst netip.AddrPort, p []byte) bool { asked++; return string(p) == "lose" })
	got := make(chan netip.AddrPort, 4)
	e := n.Endpoint(priv)
	e.Serve(func(src netip.AddrPort, _ []byte) { got <- src })
	g := n.Endpoint(gwAP)
	g.Serve(func(src netip.AddrPort, msg []byte) { _ = g.Send(gwAP, src, msg) })
	_ = e.Send(priv, netip.AddrPortFrom(gw, 9), []byte("nowhere"))
	_ = e.Send(priv, gwAP, []byte("lose"))
	_ = e.Send(priv, gwAP, []byte("echo"))
	if src := <-got; src != gwAP {
		t.Errorf("echo came from %v", src)
	}
	n.Close()
	if tapped != 4 || asked != 4 {
		t.Errorf("tap saw %d, drop hook saw %d datagrams; want 4 each", tapped, asked)
	}
	if len(got) != 0 {
		t.Errorf("%d datagrams more than the echo arrived", len(got))
	}
}

// TestHold: held datagrams wait for release and then arrive in the order
// sent, through the NAT; others pass at once.
func TestHold(t *testing.T) {
	n := New()
	defer n.Close()
	n.SetNAT(client, public)
	gwAP, priv := netip.AddrPortFrom(gw, 500), netip.AddrPortFrom(client, 500)
	got := make(chan string, 4)
	g := n.Endpoint(gwAP)
	g.Serve(func(src netip.AddrPort, msg []byte) {
		if src.Addr() != public {
			t.Errorf("%q came from %v, want the NAT's address", msg, src)
		}
		got <- string(msg)
	})
	e := n.Endpoint(priv)
	release := n.Hold(func(_, _ netip.AddrPort, p []byte) bool { return string(p) != "pass" })
	for _, m := range []string{"one", "two", "pass"} {
		_ = e.Send(priv, gwAP, []byte(m))
	}
	if m := <-got; m != "pass" {
		t.Fatalf("first to arrive %q, want the one not held", m)
	}
	release()
	for _, want := range []string{"one", "two"} {
		if m := <-got; m != want {
			t.Errorf("released %q, want %q", m, want)
		}
	}
}
