package netstack_test

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net"
	"net/netip"
	"slices"
	"testing"
	"time"

	"github.com/tcpipc/tcpipc/internal/testkit/leakcheck"
	"github.com/tcpipc/tcpipc/runtime/link"
	"github.com/tcpipc/tcpipc/runtime/netstack"
)

var (
	addrA = netip.MustParsePrefix("10.1.0.1/24")
	addrB = netip.MustParsePrefix("10.1.0.2/24")
	a6    = netip.MustParsePrefix("fd00::1/64")
	b6    = netip.MustParsePrefix("fd00::2/64")
)

// newStack builds a stack closed at the end of the test.
func newStack(t *testing.T, name string, forwarding bool) *netstack.Stack {
	t.Helper()
	s, err := netstack.New(netstack.Options{Name: name, Forwarding: forwarding})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Close)
	return s
}

// connect joins x and y with a pipe: NIC nx on x with address px, NIC ny on
// y with address py. The connected prefixes route themselves.
func connect(t *testing.T, x *netstack.Stack, nx string, px netip.Prefix, y *netstack.Stack, ny string, py netip.Prefix) {
	t.Helper()
	ea, eb := link.Pipe(link.Options{Name: nx + "-" + ny})
	must(t, attach(x, nx, ea, px))
	must(t, attach(y, ny, eb, py))
}

func attach(s *netstack.Stack, nic string, ep *link.Endpoint, p netip.Prefix) error {
	if _, err := s.AttachNIC(nic, ep); err != nil {
		return err
	}
	if err := s.AddAddress(nic, p); err != nil {
		return err
	}
	return s.AddRoute(netstack.Route{Dst: p.Masked(), NIC: nic})
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// serveBanner accepts connections on l and writes banner then echoes one
// line, until l closes. The returned channel closes when the server exits.
func serveBanner(l net.Listener, banner string) <-chan struct{} {
	done := make(chan struct{})
	go func() {
		defer close(done)
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			go func() {
				defer c.Close()
				fmt.Fprintf(c, "%s\n", banner)
				line, err := bufio.NewReader(c).ReadString('\n')
				if err == nil {
					io.WriteString(c, line)
				}
			}()
		}
	}()
	return done
}

// talk dials ap from s, reads the banner, and checks one echoed line.
func talk(t *testing.T, s *netstack.Stack, ap netip.AddrPort) (string, error) {
	t.Helper()
	return talkWithin(t, s, ap, 5*time.Second)
}

func talkWithin(t *testing.T, s *netstack.Stack, ap netip.AddrPort, timeout time.Duration) (string, error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	c, err := s.DialTCP(ctx, ap)
	if err != nil {
		return "", err
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(timeout))
	r := bufio.NewReader(c)
	banner, err := r.ReadString('\n')
	if err != nil {
		return "", err
	}
	io.WriteString(c, "ping\n")
	echo, err := r.ReadString('\n')
	if err != nil {
		return "", err
	}
	if echo != "ping\n" {
		return "", fmt.Errorf("echo = %q, want ping", echo)
	}
	return banner[:len(banner)-1], nil
}

func listen(t *testing.T, s *netstack.Stack, ap netip.AddrPort, banner string) {
	t.Helper()
	l, err := s.ListenTCP(ap)
	if err != nil {
		t.Fatal(err)
	}
	done := serveBanner(l, banner)
	t.Cleanup(func() { l.Close(); <-done })
}

func TestTCPOverPipeIPv4AndIPv6(t *testing.T) {
	leakcheck.Check(t)
	a := newStack(t, "A", false)
	b := newStack(t, "B", false)
	connect(t, a, "toB", addrA, b, "toA", addrB)
	must(t, a.AddAddress("toB", a6))
	must(t, b.AddAddress("toA", b6))
	must(t, a.AddRoute(netstack.Route{Dst: a6.Masked(), NIC: "toB"}))
	must(t, b.AddRoute(netstack.Route{Dst: b6.Masked(), NIC: "toA"}))

	listen(t, b, netip.AddrPortFrom(netip.IPv4Unspecified(), 80), "hello4")
	listen(t, b, netip.AddrPortFrom(netip.IPv6Unspecified(), 81), "hello6")
	for _, tc := range []struct {
		ap   netip.AddrPort
		want string
	}{
		{netip.AddrPortFrom(addrB.Addr(), 80), "hello4"},
		{netip.AddrPortFrom(b6.Addr(), 81), "hello6"},
	} {
		got, err := talk(t, a, tc.ap)
		if err != nil {
			t.Fatalf("%s: %v", tc.ap, err)
		}
		if got != tc.want {
			t.Errorf("%s: banner %q, want %q", tc.ap, got, tc.want)
		}
	}
}

func TestUDPRoundTrip(t *testing.T) {
	leakcheck.Check(t)
	a := newStack(t, "A", false)
	b := newStack(t, "B", false)
	connect(t, a, "toB", addrA, b, "toA", addrB)

	srv, err := b.ListenUDP(netip.AddrPortFrom(addrB.Addr(), 500))
	must(t, err)
	defer srv.Close()
	cli, err := a.DialUDP(netip.AddrPort{}, netip.AddrPortFrom(addrB.Addr(), 500))
	must(t, err)
	defer cli.Close()

	if _, err := cli.Write([]byte("ike")); err != nil {
		t.Fatal(err)
	}
	buf := make([]byte, 64)
	srv.SetDeadline(time.Now().Add(5 * time.Second))
	n, from, err := srv.ReadFrom(buf)
	must(t, err)
	if string(buf[:n]) != "ike" {
		t.Fatalf("server got %q", buf[:n])
	}
	if _, err := srv.WriteTo([]byte("ack"), from); err != nil {
		t.Fatal(err)
	}
	cli.SetDeadline(time.Now().Add(5 * time.Second))
	n, err = cli.Read(buf)
	must(t, err)
	if string(buf[:n]) != "ack" {
		t.Fatalf("client got %q", buf[:n])
	}
}

func TestAddressesAndRoutes(t *testing.T) {
	leakcheck.Check(t)
	a := newStack(t, "A", false)
	b := newStack(t, "B", false)
	connect(t, a, "toB", addrA, b, "toA", addrB)
	must(t, a.AddVIPANIC())

	vipa := netip.MustParsePrefix("10.9.9.9/32")
	must(t, a.AddAddress(netstack.VIPANIC, vipa))
	got, err := a.Addresses(netstack.VIPANIC)
	must(t, err)
	if !slices.Equal(got, []netip.Prefix{vipa}) {
		t.Fatalf("VIPA NIC addresses = %v, want [%v]", got, vipa)
	}
	if !a.HasAddress(vipa.Addr()) || b.HasAddress(vipa.Addr()) {
		t.Fatal("HasAddress disagrees with where the VIPA was added")
	}
	must(t, a.RemoveAddress(netstack.VIPANIC, vipa.Addr()))
	if a.HasAddress(vipa.Addr()) {
		t.Fatal("VIPA still present after RemoveAddress")
	}
	if err := a.RemoveAddress(netstack.VIPANIC, vipa.Addr()); err == nil {
		t.Fatal("removing an absent address succeeded")
	}

	def := netstack.Route{Dst: netip.MustParsePrefix("0.0.0.0/0"), Gateway: addrB.Addr(), NIC: "toB"}
	host := netstack.Route{Dst: netip.MustParsePrefix("10.7.7.7/32"), NIC: "toB"}
	must(t, a.AddRoute(def))
	must(t, a.AddRoute(host))
	want := []netstack.Route{host, {Dst: addrA.Masked(), NIC: "toB"}, def}
	if got := a.Routes(); !slices.Equal(got, want) {
		t.Fatalf("Routes = %v, want longest prefix first %v", got, want)
	}
	if n := a.RemoveRoutes(host.Dst); n != 1 {
		t.Fatalf("RemoveRoutes removed %d, want 1", n)
	}
	must(t, a.SetRoutes([]netstack.Route{def}))
	if got := a.Routes(); !slices.Equal(got, []netstack.Route{def}) {
		t.Fatalf("after SetRoutes, Routes = %v", got)
	}
	if err := a.AddRoute(netstack.Route{Dst: host.Dst, NIC: "nope"}); err == nil {
		t.Fatal("route via an unknown NIC accepted")
	}
	if _, err := a.AttachNIC("toB", link.New(link.Options{})); err == nil {
		t.Fatal("duplicate NIC name accepted")
	}
	must(t, a.RemoveNIC("toB"))
	if got := a.Routes(); len(got) != 0 {
		t.Fatalf("routes survived their NIC: %v", got)
	}
}

// TestOpenTCPListsWhatTheServerHolds: a connection the application has not
// accepted yet is open; the listener, and a connection the server closed,
// are not.
func TestOpenTCPListsWhatTheServerHolds(t *testing.T) {
	leakcheck.Check(t)
	a := newStack(t, "A", false)
	b := newStack(t, "B", false)
	connect(t, a, "toB", addrA, b, "toA", addrB)
	l, err := b.ListenTCP(netip.AddrPortFrom(addrB.Addr(), 80))
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	c, err := a.DialTCP(ctx, netip.AddrPortFrom(addrB.Addr(), 80))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	want := netstack.TCPConn{Local: netip.AddrPortFrom(addrB.Addr(), 80), Remote: netip.MustParseAddrPort(c.LocalAddr().String())}
	if got := b.OpenTCP(addrB.Addr()); len(got) != 1 || got[0] != want {
		t.Fatalf("before accept: %v, want [%v]", got, want)
	}
	if got := b.OpenTCP(addrA.Addr()); len(got) != 0 {
		t.Fatalf("connections to another address: %v", got)
	}
	s, err := l.Accept()
	if err != nil {
		t.Fatal(err)
	}
	s.Close()
	if got := b.OpenTCP(addrB.Addr()); len(got) != 0 {
		t.Fatalf("after the server closed: %v", got)
	}
}
