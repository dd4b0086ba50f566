package netstack_test

import (
	"net/netip"
	"sync"
	"testing"

	"gvisor.dev/gvisor/pkg/tcpip"
	"gvisor.dev/gvisor/pkg/tcpip/header"

	"github.com/tcpipc/tcpipc/internal/testkit/leakcheck"
	"github.com/tcpipc/tcpipc/runtime/link"
	"github.com/tcpipc/tcpipc/runtime/netstack"
)

// TestForwardingDecrementsTTL: a forwarding stack passes IPv4 and IPv6
// traffic between two others, one hop less each time (RFC 1812 §5.3.1,
// RFC 8200 §3), and counts what it forwarded.
//
//	client C ── R (forwarding) ── server S
func TestForwardingDecrementsTTL(t *testing.T) {
	leakcheck.Check(t)
	c := newStack(t, "C", false)
	r := newStack(t, "R", true)
	s := newStack(t, "S", false)
	p := netip.MustParsePrefix
	connect(t, c, "lan", p("192.0.2.10/24"), r, "lan", p("192.0.2.1/24"))
	must(t, c.AddAddress("lan", p("fd01::10/64")))
	must(t, r.AddAddress("lan", p("fd01::1/64")))
	must(t, c.AddRoute(netstack.Route{Dst: p("fd01::/64"), NIC: "lan"}))
	must(t, r.AddRoute(netstack.Route{Dst: p("fd01::/64"), NIC: "lan"}))

	// R's side of the R–S link is watched from S: what arrives there.
	rs, sr := link.Pipe(link.Options{Name: "xcf"})
	var mu sync.Mutex
	hops := map[int]map[uint8]int{} // IP version → TTL or hop limit → packets from C
	sr.SetTap(func(dir link.Direction, pkt []byte) {
		if dir != link.In {
			return
		}
		mu.Lock()
		defer mu.Unlock()
		switch header.IPVersion(pkt) {
		case header.IPv4Version:
			if ip := header.IPv4(pkt); ip.IsValid(len(pkt)) && ip.SourceAddress().String() == "192.0.2.10" {
				add(hops, 4, ip.TTL())
			}
		case header.IPv6Version:
			if ip := header.IPv6(pkt); ip.IsValid(len(pkt)) && ip.SourceAddress().String() == "fd01::10" {
				add(hops, 6, ip.HopLimit())
			}
		}
	})
	if _, err := r.AttachNIC("xcf", rs); err != nil {
		t.Fatal(err)
	}
	if _, err := s.AttachNIC("xcf", sr); err != nil {
		t.Fatal(err)
	}
	for _, a := range []struct {
		st  *netstack.Stack
		pfx netip.Prefix
	}{{r, p("10.0.1.1/30")}, {s, p("10.0.1.2/30")}, {r, p("fd02::1/64")}, {s, p("fd02::2/64")}} {
		must(t, a.st.AddAddress("xcf", a.pfx))
		must(t, a.st.AddRoute(netstack.Route{Dst: a.pfx.Masked(), NIC: "xcf"}))
	}
	for _, dst := range []string{"0.0.0.0/0", "::/0"} {
		gw := "192.0.2.1"
		if dst == "::/0" {
			gw = "fd01::1"
		}
		must(t, c.AddRoute(netstack.Route{Dst: p(dst), Gateway: netip.MustParseAddr(gw), NIC: "lan"}))
		must(t, s.AddRoute(netstack.Route{Dst: p(dst), NIC: "xcf"}))
	}
	listen(t, s, netip.MustParseAddrPort("10.0.1.2:8000"), "S4")
	listen(t, s, netip.MustParseAddrPort("[fd02::2]:8000"), "S6")

	for _, tc := range []struct{ ap, want string }{{"10.0.1.2:8000", "S4"}, {"[fd02::2]:8000", "S6"}} {
		if got, err := talk(t, c, netip.MustParseAddrPort(tc.ap)); err != nil || got != tc.want {
			t.Fatalf("%s through R: %q, %v", tc.ap, got, err)
		}
	}
	mu.Lock()
	defer mu.Unlock()
	// gVisor sends with TTL and hop limit 64.
	for _, v := range []int{4, 6} {
		if len(hops[v]) != 1 || hops[v][63] == 0 {
			t.Errorf("IPv%d packets from C reached S with hop counts %v, want all 63", v, hops[v])
		}
	}
	if n := hops[4][63] + hops[6][63]; r.ForwardStats().Forwarded < uint64(n) {
		t.Errorf("R counted %d forwarded packets; S received %d from C", r.ForwardStats().Forwarded, n)
	}
}

func add(m map[int]map[uint8]int, v int, hop uint8) {
	if m[v] == nil {
		m[v] = map[uint8]int{}
	}
	m[v][hop]++
}

// FuzzForward injects arbitrary bytes into a forwarding stack: it never
// panics, and never forwards a packet for itself or whose hop count has
// run out, and forwards no trailing bytes.
func FuzzForward(f *testing.F) {
	for _, seed := range [][]byte{
		ipv4Packet(64, "192.0.2.10", "10.0.1.2", nil),
		ipv4Packet(1, "192.0.2.10", "10.0.1.2", nil),
		ipv4Packet(64, "192.0.2.10", "192.0.2.1", nil),
		ipv4Packet(64, "192.0.2.10", "10.0.1.2", []byte{1, 1, 1, 0}), // options
		ipv4Packet(64, "192.0.2.10", "10.0.1.2", nil)[:19],
		append(ipv4Packet(64, "192.0.2.10", "10.0.1.2", nil), 0, 0), // trailing bytes
		ipv6Packet(64, "fd01::10", "fd02::2"),
		ipv6Packet(1, "fd01::10", "fd02::2"),
	} {
		f.Add(seed)
	}
	r, err := netstack.New(netstack.Options{Name: "R", Forwarding: true})
	if err != nil {
		f.Fatal(err)
	}
	defer r.Close()
	p := netip.MustParsePrefix
	lanPeer, lan := link.Pipe(link.Options{Name: "lan"})
	xcf, xcfPeer := link.Pipe(link.Options{Name: "xcf"})
	defer lanPeer.Close()
	defer xcfPeer.Close()
	for _, nic := range []struct {
		name string
		ep   *link.Endpoint
		v4   netip.Prefix
		v6   netip.Prefix
	}{{"lan", lan, p("192.0.2.1/24"), p("fd01::1/64")}, {"xcf", xcf, p("10.0.1.1/30"), p("fd02::1/64")}} {
		if _, err := r.AttachNIC(nic.name, nic.ep); err != nil {
			f.Fatal(err)
		}
		for _, a := range []netip.Prefix{nic.v4, nic.v6} {
			if err := r.AddAddress(nic.name, a); err != nil {
				f.Fatal(err)
			}
			if err := r.AddRoute(netstack.Route{Dst: a.Masked(), NIC: nic.name}); err != nil {
				f.Fatal(err)
			}
		}
	}
	// The plain seeds are forwarded: the property below is not vacuous.
	for _, b := range [][]byte{ipv4Packet(64, "192.0.2.10", "10.0.1.2", nil), ipv6Packet(64, "fd01::10", "fd02::2")} {
		before := r.ForwardStats().Forwarded
		if err := lan.Inject(b); err != nil || r.ForwardStats().Forwarded != before+1 {
			f.Fatalf("a plain IPv%d packet for the XCF side was not forwarded (%v)", header.IPVersion(b), err)
		}
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		before := r.ForwardStats().Forwarded
		_ = lan.Inject(b)
		if r.ForwardStats().Forwarded == before {
			return
		}
		switch header.IPVersion(b) {
		case header.IPv4Version:
			ip := header.IPv4(b)
			if !ip.IsValid(len(b)) || int(ip.TotalLength()) != len(b) || ip.TTL() <= 1 || r.HasAddress(netip.AddrFrom4(ip.DestinationAddress().As4())) {
				t.Fatalf("forwarded %x", b)
			}
		case header.IPv6Version:
			ip := header.IPv6(b)
			if !ip.IsValid(len(b)) || int(ip.PayloadLength())+header.IPv6MinimumSize != len(b) || ip.HopLimit() <= 1 || r.HasAddress(netip.AddrFrom16(ip.DestinationAddress().As16())) {
				t.Fatalf("forwarded %x", b)
			}
		default:
			t.Fatalf("forwarded a packet of IP version %d", header.IPVersion(b))
		}
	})
}

func ipv4Packet(ttl uint8, src, dst string, options []byte) []byte {
	hl := header.IPv4MinimumSize + len(options)
	b := make([]byte, hl+8)
	ip := header.IPv4(b)
	ip.Encode(&header.IPv4Fields{TotalLength: uint16(len(b)), TTL: ttl, Protocol: uint8(header.UDPProtocolNumber),
		SrcAddr: tcpipAddr(src), DstAddr: tcpipAddr(dst), Options: header.IPv4OptionsSerializer{}})
	ip.SetHeaderLength(uint8(hl))
	copy(b[header.IPv4MinimumSize:], options)
	ip.SetChecksum(^ip.CalculateChecksum())
	return b
}

func ipv6Packet(hop uint8, src, dst string) []byte {
	b := make([]byte, header.IPv6MinimumSize+8)
	header.IPv6(b).Encode(&header.IPv6Fields{PayloadLength: 8, TransportProtocol: header.UDPProtocolNumber, HopLimit: hop,
		SrcAddr: tcpipAddr(src), DstAddr: tcpipAddr(dst)})
	return b
}

func tcpipAddr(s string) tcpip.Address {
	return tcpip.AddrFromSlice(netip.MustParseAddr(s).AsSlice())
}
