package netstack_test

import (
	"net/netip"
	"testing"
	"time"

	"github.com/tcpipc/tcpipc/internal/testkit/leakcheck"
	"github.com/tcpipc/tcpipc/runtime/netstack"
)

// TestVIPAMovesBetweenStacks is the takeover of reference/ipsec.md §8.3 at
// the netstack level: a client reaches a DVIPA through a routing stack; the
// DVIPA moves from one target to another by address add/remove and a
// one-step route table swap on the router, and new connections reach the
// new owner.
//
//	client C ── R (forwarding) ──┬── T1 (DVIPA on its VIPA NIC)
//	                             └── T2
func TestVIPAMovesBetweenStacks(t *testing.T) {
	leakcheck.Check(t)
	c := newStack(t, "C", false)
	r := newStack(t, "R", true)
	// Targets forward so that they accept the DVIPA held on the VIPA NIC
	// when it arrives on the XCF NIC (see AddVIPANIC).
	t1 := newStack(t, "T1", true)
	t2 := newStack(t, "T2", true)
	p := netip.MustParsePrefix
	connect(t, c, "lan", p("192.0.2.10/24"), r, "lan", p("192.0.2.1/24"))
	connect(t, r, "xcf1", p("10.0.1.1/30"), t1, "xcf", p("10.0.1.2/30"))
	connect(t, r, "xcf2", p("10.0.2.1/30"), t2, "xcf", p("10.0.2.2/30"))
	must(t, c.AddRoute(netstack.Route{Dst: p("0.0.0.0/0"), Gateway: p("192.0.2.1/32").Addr(), NIC: "lan"}))
	for _, tg := range []*netstack.Stack{t1, t2} {
		must(t, tg.AddVIPANIC())
		must(t, tg.AddRoute(netstack.Route{Dst: p("0.0.0.0/0"), NIC: "xcf"}))
	}

	dvipa := netip.MustParseAddr("10.9.9.9")
	host := netip.PrefixFrom(dvipa, 32)
	ap := netip.AddrPortFrom(dvipa, 8000)
	listen(t, t1, netip.AddrPortFrom(netip.IPv4Unspecified(), 8000), "T1")
	listen(t, t2, netip.AddrPortFrom(netip.IPv4Unspecified(), 8000), "T2")

	base := r.Routes()
	must(t, t1.AddAddress(netstack.VIPANIC, host))
	must(t, r.SetRoutes(append([]netstack.Route{{Dst: host, NIC: "xcf1"}}, base...)))
	if got, err := talk(t, c, ap); err != nil || got != "T1" {
		t.Fatalf("before takeover: banner %q, err %v; want T1", got, err)
	}

	// Takeover: the owner loses the DVIPA, the backup gains it, the router
	// points the host route at the backup.
	must(t, t1.RemoveAddress(netstack.VIPANIC, dvipa))
	must(t, t2.AddAddress(netstack.VIPANIC, host))
	must(t, r.SetRoutes(append([]netstack.Route{{Dst: host, NIC: "xcf2"}}, base...)))
	if got, err := talk(t, c, ap); err != nil || got != "T2" {
		t.Fatalf("after takeover: banner %q, err %v; want T2", got, err)
	}
}

// TestForwardingSwitch: a stack between client and server passes traffic
// only while forwarding is on.
func TestForwardingSwitch(t *testing.T) {
	leakcheck.Check(t)
	c := newStack(t, "C", false)
	r := newStack(t, "R", false)
	s := newStack(t, "S", false)
	p := netip.MustParsePrefix
	connect(t, c, "lan", p("192.0.2.10/24"), r, "lan", p("192.0.2.1/24"))
	connect(t, r, "xcf", p("10.0.1.1/30"), s, "xcf", p("10.0.1.2/30"))
	must(t, c.AddRoute(netstack.Route{Dst: p("0.0.0.0/0"), Gateway: p("192.0.2.1/32").Addr(), NIC: "lan"}))
	must(t, s.AddRoute(netstack.Route{Dst: p("0.0.0.0/0"), NIC: "xcf"}))
	listen(t, s, netip.MustParseAddrPort("10.0.1.2:8000"), "S")
	ap := netip.MustParseAddrPort("10.0.1.2:8000")

	if _, err := talkWithin(t, c, ap, 300*time.Millisecond); err == nil {
		t.Fatal("reached the server through a stack that does not forward")
	}
	must(t, r.SetForwarding(true))
	if got, err := talk(t, c, ap); err != nil || got != "S" {
		t.Fatalf("with forwarding on: %q, %v", got, err)
	}
}
