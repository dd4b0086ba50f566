package sysplex

import (
	"context"
	"net/netip"
	"sync/atomic"
	"testing"

	"github.com/tcpipc/tcpipc/internal/testkit/leakcheck"
	"github.com/tcpipc/tcpipc/runtime/lan"
	"github.com/tcpipc/tcpipc/runtime/link"
	"gvisor.dev/gvisor/pkg/tcpip/header"
)

// TestNoCleartextWithoutEndpoint puts stacks in the windows where they
// send from DVA1 (protected by DVIPSEC and figure 9's policy) with no
// IPsec endpoint of their own and no protecting router to hand the packet
// to: the routing stack between activating DVA1 and starting its
// endpoint, and a stack that gave DVA1 away before the new holder's VIPA
// list said the new holder protects it; and a target (whose plan has no
// policy of its own) that knows DVA1's router protects it but has no link
// to that router. A segment from DVA1 port 60 (an
// IPSEC filter's traffic) never reaches the LAN in the clear there: it is
// dropped and counted. A UDP datagram, which the policy's permit-all
// filter lets out unprotected, still leaves: the check is the policy's,
// not a blanket drop.
func TestNoCleartextWithoutEndpoint(t *testing.T) {
	leakcheck.Check(t)
	var wire lanCount
	var udpOut atomic.Int64
	tap := func(d link.Direction, pkt []byte) {
		wire.tap(d, pkt)
		if src, ok := lan.Source(pkt); ok && src == dva1 && len(pkt) > 9 && pkt[9] == 17 {
			if port, _, _, ok := lan.ParseUDP(pkt); ok && port == 40000 {
				udpOut.Add(1)
			}
		}
	}
	sx, _ := startSysplex(t, figure9Plan(t), withIPsec, func(o *Options) { o.LANTap = tap })
	waitFor(t, "MVS1 to own DVA1", func() bool { return sx.Owner(dva1) == "MVS1" })
	waitFor(t, "MVS5 to hear MVS1 protects DVA1", func() bool {
		_, router := sx.Stack("MVS5").outboundIPsec(dva1)
		return router == "MVS1"
	})
	host, err := sx.AddClient("client", netip.MustParseAddr("192.0.2.10"))
	if err != nil {
		t.Fatal(err)
	}
	client := netip.AddrPortFrom(host.Addr, 40000)
	segment := tcpSegment(netip.AddrPortFrom(dva1, 60), client, header.TCPFlagAck|header.TCPFlagPsh, []byte("reply"))
	datagram := lan.UDPPacket(netip.AddrPortFrom(dva1, 60), client, []byte("denied"))

	for _, c := range []struct {
		name, stack string
		window      func(s *Stack) (restore func())
		// policy: the stack checks its own policy (the datagram its
		// PERMIT filter allows leaves); else, with no policy of its own,
		// everything waits for the protecting router.
		policy bool
	}{
		{"routes DVA1, endpoint not started", "MVS1", func(s *Stack) func() {
			s.mu.Lock()
			sec := s.roles.lookup(dva1).takeSec()
			s.mu.Unlock()
			return func() {
				s.mu.Lock()
				s.roles.lookup(dva1).setSec(sec)
				s.mu.Unlock()
			}
		}, true},
		{"gave DVA1 away, new holder's VIPA list not heard", "MVS5", func(s *Stack) func() {
			s.mu.Lock()
			r := s.roles.get(dva1)
			r.giveUp("MVS1")
			r.mu.Lock()
			r.protected = false
			r.mu.Unlock()
			s.mu.Unlock()
			return func() {
				s.mu.Lock()
				r.heardVIPAList("MVS1", true)
				s.mu.Unlock()
			}
		}, true},
		// A target hears a new router's VIPA list before the one that
		// says the router protects DVA1 (a takeback: MVS1 reactivates
		// DVA1 before its endpoint runs). Its own plan has no policy, but
		// DVA1 is a DVIPA the sysplex protects: the check is the
		// protecting stacks' policy (a CI run's capture showed two
		// segments from DVA1 port 60 in the clear at such a moment).
		{"a target whose new router has not said it protects DVA1", "MVS2", func(s *Stack) func() {
			s.mu.Lock()
			r := s.roles.get(dva1)
			router := r.routerOf()
			r.heardVIPAList(router, false)
			s.mu.Unlock()
			return func() {
				s.mu.Lock()
				r.heardVIPAList(router, true)
				s.mu.Unlock()
			}
		}, true},
		{"a target whose protecting router it has no XCF link to", "MVS2", func(s *Stack) func() {
			s.mu.Lock()
			r := s.roles.get(dva1)
			router := r.routerOf()
			r.heardVIPAList("NOLINK", true)
			s.mu.Unlock()
			return func() {
				s.mu.Lock()
				r.heardVIPAList(router, true)
				s.mu.Unlock()
			}
		}, false},
	} {
		t.Run(c.name, func(t *testing.T) {
			s := sx.Stack(c.stack)
			restore := c.window(s)
			defer restore()
			s.mu.Lock()
			toLAN := s.toLANOfLife
			s.mu.Unlock()
			before, udpBefore := s.RouteDrops().Unprotected, udpOut.Load()
			wire.mu.Lock()
			clearBefore := wire.clearTCP6
			wire.mu.Unlock()
			for _, pkt := range [][]byte{segment, datagram} {
				if err := toLAN(context.Background(), pkt); err != nil {
					t.Fatal(err)
				}
			}
			wire.mu.Lock()
			clear := wire.clearTCP6 - clearBefore
			wire.mu.Unlock()
			if clear != 0 {
				t.Fatalf("%s sent %d cleartext port-60 segments from DVA1 to the LAN", c.stack, clear)
			}
			want := uint64(2)
			if c.policy {
				want = 1
				waitFor(t, "the permitted datagram on the LAN", func() bool { return udpOut.Load() == udpBefore+1 })
			}
			if got := s.RouteDrops().Unprotected - before; got != want {
				t.Fatalf("%s counted %d unprotected drops, want %d", c.stack, got, want)
			}
			if !c.policy && udpOut.Load() != udpBefore {
				t.Fatalf("%s sent the datagram with no policy to check it against", c.stack)
			}
		})
	}
}

// TestFailedStackSendsNothing: a failing stack takes its IPsec endpoints
// away before its netstack stops, and the netstack may still send for a
// moment (the figure9-swsa run caught MVS1's last ACKs from DVA1 port 60
// in the clear just after it failed). A failed system sends nothing: the
// LAN handler of the life that failed carries neither a segment from DVA1
// nor a datagram from MVS1's home address that the policy would permit.
func TestFailedStackSendsNothing(t *testing.T) {
	leakcheck.Check(t)
	var wire lanCount
	var homeOut atomic.Int64
	home := netip.MustParseAddr("10.1.1.1")
	tap := func(d link.Direction, pkt []byte) {
		wire.tap(d, pkt)
		if src, ok := lan.Source(pkt); ok && src == home {
			homeOut.Add(1)
		}
	}
	sx, _ := startSysplex(t, figure9Plan(t), withIPsec, func(o *Options) { o.LANTap = tap })
	waitFor(t, "MVS1 to own DVA1", func() bool { return sx.Owner(dva1) == "MVS1" })
	host, err := sx.AddClient("client", netip.MustParseAddr("192.0.2.10"))
	if err != nil {
		t.Fatal(err)
	}
	client := netip.AddrPortFrom(host.Addr, 40000)
	s := sx.Stack("MVS1")
	s.mu.Lock()
	toLAN := s.toLANOfLife
	s.mu.Unlock()
	if err := sx.Fail("MVS1"); err != nil {
		t.Fatal(err)
	}
	for _, pkt := range [][]byte{
		tcpSegment(netip.AddrPortFrom(dva1, 60), client, header.TCPFlagAck, nil),
		lan.UDPPacket(netip.AddrPortFrom(home, 5000), client, []byte("permitted, but the system is down")),
	} {
		if err := toLAN(context.Background(), pkt); err != nil {
			t.Fatal(err)
		}
	}
	wire.mu.Lock()
	defer wire.mu.Unlock()
	if wire.clearTCP6 != 0 || homeOut.Load() != 0 {
		t.Fatalf("failed MVS1 sent %d cleartext port-60 segments and %d datagrams from its home address", wire.clearTCP6, homeOut.Load())
	}
}

// TestTargetGuardOnlyForProtectedDVIPAs: the DVIPSEC stacks' policy
// guards what a stack without a policy of its own sends only from a
// DVIPA those stacks can hold, never from the stack's home address or
// another address of the DVIPA's subnet, even when their filters name
// every local address ("*") or a whole subnet and their key exchange rule
// does not cover the address (FromPlan's error, a deny-all guard for the
// stacks themselves).
func TestTargetGuardOnlyForProtectedDVIPAs(t *testing.T) {
	p := figure9Plan(t)
	for i := range p.Stacks {
		st := &p.Stacks[i]
		if !st.DVIPSec {
			continue
		}
		for j := range st.SPD.Filters {
			if st.SPD.Filters[j].Local == dva1.String() {
				st.SPD.Filters[j].Local = "*"
			}
		}
	}
	sx, _ := newSysplex(t, p, withIPsec)
	mvs2 := sx.Stack("MVS2")
	for _, a := range []netip.Addr{p.Stacks[1].Home[0].Addr, netip.MustParseAddr("201.2.10.70")} {
		if mvs2.planSPD(a) != nil {
			t.Errorf("MVS2 (no IPSECURITY) guards %s with another stack's policy", a)
		}
	}
	if mvs2.planSPD(dva1) == nil {
		t.Errorf("MVS2 does not guard DVA1, which MVS1 and MVS5 protect")
	}
}
