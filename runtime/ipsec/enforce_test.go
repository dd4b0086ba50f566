package ipsec

import (
	"encoding/binary"
	"net/netip"
	"testing"

	"github.com/tcpipc/tcpipc/internal/ike/wire"
)

// TCP flags used by the tests.
const (
	tcpSYN = 0x02
	tcpACK = 0x10
)

// appPort is the application's port in the enforcement tests.
const appPort = 60

// tcpSeg builds an IPv4/TCP packet with the given flags (checksums of the
// TCP segment are not needed by the endpoint).
func tcpSeg(src, dst netip.Addr, sport, dport uint16, flags byte, payload []byte) []byte {
	p := ipv4Header(src, dst, protoTCP, 20+len(payload))
	t := p[20:]
	binary.BigEndian.PutUint16(t[0:], sport)
	binary.BigEndian.PutUint16(t[2:], dport)
	t[12], t[13] = 5<<4, flags
	copy(t[20:], payload)
	return p
}

// icmp4 builds an IPv4/ICMP message of the given type and code.
func icmp4(src, dst netip.Addr, typ, code byte) []byte {
	p := ipv4Header(src, dst, 1, 8)
	p[20], p[21] = typ, code
	return p
}

// ipv4Header returns an IPv4 packet with room for n payload bytes.
func ipv4Header(src, dst netip.Addr, proto byte, n int) []byte {
	p := make([]byte, 20+n)
	p[0], p[8], p[9] = 0x45, 64, proto
	binary.BigEndian.PutUint16(p[2:], uint16(len(p)))
	copy(p[12:16], src.AsSlice())
	copy(p[16:20], dst.AsSlice())
	binary.BigEndian.PutUint16(p[10:], checksum(p[:20], 0))
	return p
}

// issuePolicy is the gateway policy of issue 14: IPSEC for TCP from the
// application's port to the clients' ports 1024-65535, everything else
// denied.
func issuePolicy() []Filter {
	return []Filter{
		{Name: "app", Local: PrefixRange(netip.MustParsePrefix("10.1.1.1/32")),
			Remote: PrefixRange(netip.MustParsePrefix("10.99.0.0/16")), Protocol: protoTCP,
			LocalPorts: PortRange{appPort, appPort}, RemotePorts: PortRange{1024, 65535},
			Action: ActionIPsec, Tunnel: Tunnel{Peer: "client"}},
		{Name: "deny-all", Action: ActionDeny},
	}
}

// establishTCP brings the SAs up with a connection request the gateway's
// policy allows, and waits until the gateway delivered it.
func establishTCP(t *testing.T, tp *topo) {
	t.Helper()
	if v := tp.client.e.Outbound(tcpSeg(clientIn, appAddr, 40000, appPort, tcpSYN, nil)); v != Queued {
		t.Fatalf("first packet: %v, want queued", v)
	}
	recv(t, tp.gw.got, "the SYN at the gateway")
}

// TestDecryptedDatagramToDeniedPortDropped is issue 14's case: a client
// sends a UDP datagram through its child SA to a port no filter allows.
// A client that follows its own policy cannot: the SA carries only the
// TCP rule, so the datagram gets no SA. One that encrypts it anyway on
// that SA has it dropped and counted at the gateway (RFC 4301 §5.2),
// never delivered.
func TestDecryptedDatagramToDeniedPortDropped(t *testing.T) {
	tp := newTopo(t, withGatewayPolicy(nil, issuePolicy()))
	establishTCP(t, tp)
	gw := tp.gw.e
	dyn := gw.SAs().Dynamic[0]
	key := espKey(t, tp.gw.keylog.Bytes(), dyn.InboundSPI)
	dgram := udp4(clientIn, appAddr, 40000, 9999, []byte("past the policy?"))

	if v := tp.client.e.Outbound(dgram); v == Protected || v == Clear {
		t.Fatalf("the client sent the datagram (%v) on an SA for TCP", v)
	}
	// The gateway answers the client's acquire with the TCP rule again,
	// which leaves the datagram out (narrowed.go).
	eventually(t, "the client to give up on the datagram", func() bool { return tp.client.e.Stats().Drops[DropNarrowed] == 1 })

	before := gw.Stats()
	gw.HandleDatagram(nattPort, dyn.Remote, sealGCM(t, key, dyn.InboundSPI, 1000, trailer(dgram, 4)))
	after := gw.Stats()
	select {
	case p := <-tp.gw.got:
		t.Fatalf("the gateway delivered % x", p)
	default:
	}
	if after.Delivered != before.Delivered || after.ESPIn != before.ESPIn+1 {
		t.Errorf("ESP in %d -> %d, delivered %d -> %d", before.ESPIn, after.ESPIn, before.Delivered, after.Delivered)
	}
	if got := after.Drops[DropSelector] - before.Drops[DropSelector]; got != 1 {
		t.Errorf("%d drops for %v, want 1; drops %v", got, DropSelector, after.Drops)
	}
}

// TestChildSelectorsFollowFilterRule: the child SA negotiated for the
// first connection carries issue 14's filter rule (TCP, the application's
// address and port, client ports 1024-65535), narrowed to the client's
// address, on both ends; not every protocol and port between the key
// exchange rule's locations.
func TestChildSelectorsFollowFilterRule(t *testing.T) {
	tp := newTopo(t, withGatewayPolicy(nil, issuePolicy()))
	establishTCP(t, tp)
	app := wire.Selector{TSType: wire.TS_IPV4_ADDR_RANGE, IPProtocol: protoTCP, StartPort: appPort, EndPort: appPort, Start: appAddr, End: appAddr}
	client := wire.Selector{TSType: wire.TS_IPV4_ADDR_RANGE, IPProtocol: protoTCP, StartPort: 1024, EndPort: 65535, Start: clientIn, End: clientIn}
	gw, cl := tp.gw.e.SAs().Dynamic, tp.client.e.SAs().Dynamic
	if len(gw) != 1 || len(cl) != 1 {
		t.Fatalf("%d and %d child SAs, want 1", len(gw), len(cl))
	}
	for _, c := range []struct {
		who           string
		local, remote []wire.Selector
		want          [2]wire.Selector
	}{
		{"gateway", gw[0].LocalTS, gw[0].RemoteTS, [2]wire.Selector{app, client}},
		{"client", cl[0].LocalTS, cl[0].RemoteTS, [2]wire.Selector{client, app}},
	} {
		if !eqSelectors(c.local, c.want[:1]) || !eqSelectors(c.remote, c.want[1:]) {
			t.Errorf("%s: child selectors %v === %v, want %v === %v", c.who, c.local, c.remote, c.want[0], c.want[1])
		}
	}
}

// TestICMPGetsItsOwnChild: ICMP to the application matches the ping
// rule, which the SA for TCP does not carry; the client negotiates a child
// for it, proposing the packet's selectors first, and the gateway picks
// the ping rule for it (RFC 7296 §2.9). The echo is delivered and the
// reply goes back on that child.
func TestICMPGetsItsOwnChild(t *testing.T) {
	tp := newTopo(t, withGatewayPolicy(tablePolicy()))
	establishTCP(t, tp)
	echo := icmp4(clientIn, appAddr, 8, 0)
	if v := tp.client.e.Outbound(echo); v != Queued {
		t.Fatalf("echo: %v, want queued for a new child", v)
	}
	if got := recv(t, tp.gw.got, "the echo"); string(got) != string(echo) {
		t.Fatalf("gateway got % x", got)
	}
	var icmp *DynamicTunnel
	for _, d := range tp.gw.e.SAs().Dynamic {
		if len(d.LocalTS) == 1 && d.LocalTS[0].IPProtocol == 1 {
			icmp = &d
		}
	}
	if icmp == nil || len(icmp.RemoteTS) != 1 || icmp.RemoteTS[0].IPProtocol != 1 || icmp.RemoteTS[0].Start != clientIn {
		t.Fatalf("no ICMP child at the gateway: %+v", tp.gw.e.SAs().Dynamic)
	}
	before := tp.gw.e.Stats().ESPOut
	if v := tp.gw.e.Outbound(icmp4(appAddr, clientIn, 0, 0)); v != Protected || tp.gw.e.Stats().ESPOut != before+1 {
		t.Fatalf("reply: %v", v)
	}
	recv(t, tp.client.got, "the reply")
}

// tablePolicy is the gateway policy of the table tests. Three rules for
// parts of the application's traffic come before issue 14's rule and
// shadow it: connections from client ports 6000-6999 are denied, those
// from 7000-7999 protected with another peer, those from 8000-8999
// permitted in the clear. Then ICMP to the application, a cleartext DNS
// permit; for the IPv6 application fd00::1, telnet out denied and the
// rest permitted in the clear; and deny for the rest.
func tablePolicy() ([]Peer, []Filter) {
	remote := PrefixRange(netip.MustParsePrefix("10.99.0.0/16"))
	app := PrefixRange(netip.MustParsePrefix("10.1.1.1/32"))
	v6app := AddrRange{v6Local, v6Local}
	peers := []Peer{{Name: "other", Addr: netip.MustParseAddr("203.0.113.9"), PSK: testPSK,
		LocalTS:  []netip.Prefix{netip.MustParsePrefix("10.1.1.0/24")},
		RemoteTS: []netip.Prefix{netip.MustParsePrefix("10.99.0.0/16")}}}
	shadow := func(name string, lo uint16, action Action, peer string) Filter {
		f := Filter{Name: name, Local: app, Remote: remote, Protocol: protoTCP,
			LocalPorts: PortRange{appPort, appPort}, RemotePorts: PortRange{lo, lo + 999}, Action: action}
		if peer != "" {
			f.Tunnel = Tunnel{Peer: peer}
		}
		return f
	}
	filters := []Filter{
		shadow("denied-clients", 6000, ActionDeny, ""),
		shadow("other-peer", 7000, ActionIPsec, "other"),
		shadow("clear-clients", 8000, ActionPermit, ""),
		issuePolicy()[0],
		{Name: "ping", Local: app, Remote: remote, Protocol: 1, Action: ActionIPsec, Tunnel: Tunnel{Peer: "client"}},
		{Name: "dns", Local: app, Protocol: protoUDP, LocalPorts: PortRange{53, 53}, Action: ActionPermit},
		{Name: "v6-no-telnet", Local: v6app, Protocol: protoTCP, RemotePorts: PortRange{23, 23}, Action: ActionDeny},
		{Name: "v6-clear", Local: v6app, Action: ActionPermit},
		{Name: "deny-all", Action: ActionDeny},
	}
	return peers, filters
}

// TestInboundPolicyTable injects packets sealed with the gateway's
// inbound SA: each fits or misses the SA's selectors and the SPD entry
// bound to it in one way, and only those that fit both are delivered.
func TestInboundPolicyTable(t *testing.T) {
	tp := newTopo(t, withGatewayPolicy(tablePolicy()))
	establishTCP(t, tp)
	gw := tp.gw.e
	dyn := gw.SAs().Dynamic[0]
	key := espKey(t, tp.gw.keylog.Bytes(), dyn.InboundSPI)
	app2 := netip.MustParseAddr("10.1.1.2")
	fragment := tcpSeg(clientIn, appAddr, 40000, appPort, tcpACK, []byte("tail"))
	fragment[7] = 10 // fragment offset 80: ports unknown (RFC 4301 §7)
	binary.BigEndian.PutUint16(fragment[10:], 0)
	binary.BigEndian.PutUint16(fragment[10:], checksum(fragment[:20], 0))

	const delivered = DropReason(255)
	seq := uint32(100)
	for _, tc := range []struct {
		name  string
		inner []byte
		want  DropReason
	}{
		// Inside the SA's selectors (issue 14's rule, narrowed to the
		// client's address): the SPD entry decides.
		{"TCP to the application", tcpSeg(clientIn, appAddr, 40000, appPort, tcpACK, []byte("x")), delivered},
		{"TCP to the application, lowest client port", tcpSeg(clientIn, appAddr, 1024, appPort, tcpSYN, nil), delivered},
		{"TCP from a client port an earlier rule denies", tcpSeg(clientIn, appAddr, 6500, appPort, tcpSYN, nil), DropInboundPolicy},
		{"TCP from a client port protected for another peer", tcpSeg(clientIn, appAddr, 7500, appPort, tcpSYN, nil), DropInboundPolicy},
		{"TCP from a client port permitted only in the clear", tcpSeg(clientIn, appAddr, 8500, appPort, tcpSYN, nil), DropInboundPolicy},
		// Outside the SA's selectors, which follow the filter rule.
		{"TCP to another port", tcpSeg(clientIn, appAddr, 40000, appPort+1, tcpSYN, nil), DropSelector},
		{"TCP from a client port below 1024", tcpSeg(clientIn, appAddr, 1023, appPort, tcpSYN, nil), DropSelector},
		{"UDP to the application's port", udp4(clientIn, appAddr, 40000, appPort, []byte("x")), DropSelector},
		{"UDP to a denied port", udp4(clientIn, appAddr, 40000, 9999, []byte("x")), DropSelector},
		{"UDP to a port permitted only in the clear", udp4(clientIn, appAddr, 40000, 53, []byte("x")), DropSelector},
		{"ICMP on the TCP rule's SA", icmp4(clientIn, appAddr, 8, 0), DropSelector},
		{"TCP to another address", tcpSeg(clientIn, app2, 40000, appPort, tcpSYN, nil), DropSelector},
		{"non-first fragment to the application", fragment, DropSelector},
		// RFC 1858: a first fragment too short for the TCP flags.
		{"tiny first fragment to the application", tinyFirstFragment4(clientIn, appAddr, 40000, appPort, tcpSYN, 8), DropMalformed},
		{"source outside the SA's selectors", tcpSeg(netip.MustParseAddr("10.99.0.77"), appAddr, 40000, appPort, tcpSYN, nil), DropSelector},
	} {
		t.Run(tc.name, func(t *testing.T) {
			seq++
			before := gw.Stats()
			gw.HandleDatagram(nattPort, dyn.Remote, sealGCM(t, key, dyn.InboundSPI, seq, trailer(tc.inner, 4)))
			after := gw.Stats()
			if tc.want == delivered {
				if after.Delivered != before.Delivered+1 {
					t.Fatalf("not delivered; drops %v", after.Drops)
				}
				recv(t, tp.gw.got, "the delivery")
				return
			}
			if after.Delivered != before.Delivered {
				t.Fatalf("delivered; want dropped for %v", tc.want)
			}
			if got := after.Drops[tc.want] - before.Drops[tc.want]; got != 1 {
				t.Fatalf("%v drops +%d, want +1; drops %v", tc.want, got, after.Drops)
			}
		})
	}
}

// TestOutboundPolicyTable sends packets from the gateway's side once a
// child SA with the client is up: only what an IPSEC filter for the
// client covers goes into that SA, nothing the SPD wants protected leaves
// in the clear, and denied traffic is dropped (RFC 4301 §5.1).
func TestOutboundPolicyTable(t *testing.T) {
	tp := newTopo(t, withGatewayPolicy(tablePolicy()))
	establishTCP(t, tp)
	// Each packet is judged against the SAs up now. A Queued packet
	// starts a negotiation; were it to finish between Outbound and the
	// Stats below, the queued packet would leave as ESP and count against
	// the case. No IKE message gets through from here on, so none does.
	tp.net.SetDrop(func(src, dst netip.AddrPort, payload []byte) bool { return isIKE(src, dst, payload) })
	gw := tp.gw.e
	app2 := netip.MustParseAddr("10.1.1.2")
	for _, tc := range []struct {
		name   string
		pkt    []byte
		want   Verdict
		viaESP bool // sent into the client's child SA
	}{
		{"TCP from the application", tcpSeg(appAddr, clientIn, appPort, 40000, tcpSYN|tcpACK, nil), Protected, true},
		// The SA's selectors fit the next three, the SPD does not.
		{"TCP to a client port an earlier rule denies", tcpSeg(appAddr, clientIn, appPort, 6500, tcpACK, nil), Dropped, false},
		{"TCP to a client port protected for another peer", tcpSeg(appAddr, clientIn, appPort, 7500, tcpACK, nil), Queued, false},
		{"TCP to a client port permitted in the clear", tcpSeg(appAddr, clientIn, appPort, 8500, tcpACK, nil), Clear, false},
		// ICMP is protected, but the SA carries TCP only: it waits for
		// an SA of its own, never leaves in the clear.
		{"ICMP from the application", icmp4(appAddr, clientIn, 0, 0), Queued, false},
		{"TCP from another port", tcpSeg(appAddr, clientIn, appPort+1, 40000, tcpACK, nil), Dropped, false},
		{"UDP from the application's port", udp4(appAddr, clientIn, appPort, 40000, []byte("x")), Dropped, false},
		{"TCP from an address outside every filter", tcpSeg(app2, clientIn, appPort, 40000, tcpACK, nil), Dropped, false},
		{"DNS answer permitted in the clear", udp4(appAddr, clientIn, 53, 40000, []byte("x")), Clear, false},
		{"tiny first fragment from the application", tinyFirstFragment4(appAddr, clientIn, appPort, 40000, tcpACK, 8), Dropped, false},
		// IPv6: the SPD judges the TCP header behind the extension
		// headers (RFC 4301 §4.4.1.1), not the first Next Header.
		{"IPv6 telnet", tcp6(v6Local, v6Remote, 40000, 23, tcpSYN), Dropped, false},
		{"IPv6 telnet behind Hop-by-Hop", tcp6(v6Local, v6Remote, 40000, 23, tcpSYN, hopByHop), Dropped, false},
		{"IPv6 telnet behind Destination Options", tcp6(v6Local, v6Remote, 40000, 23, tcpSYN, destOpts), Dropped, false},
		{"IPv6 telnet behind Routing", tcp6(v6Local, v6Remote, 40000, 23, tcpSYN, routing), Dropped, false},
		{"IPv6 telnet behind an atomic Fragment header", tcp6(v6Local, v6Remote, 40000, 23, tcpSYN, atomicFrag), Dropped, false},
		{"IPv6 ssh behind Destination Options", tcp6(v6Local, v6Remote, 40000, 22, tcpSYN, destOpts), Clear, false},
		{"IPv6 non-first fragment, ports unknown", tcp6(v6Local, v6Remote, 40000, 23, tcpACK, laterFrag), Clear, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			before := gw.Stats()
			if v := gw.Outbound(tc.pkt); v != tc.want {
				t.Fatalf("verdict %v, want %v", v, tc.want)
			}
			after := gw.Stats()
			if sent := after.ESPOut - before.ESPOut; sent != 0 != tc.viaESP {
				t.Errorf("%d packets sent as ESP", sent)
			}
			if clear := after.ClearOut - before.ClearOut; clear != 0 != (tc.want == Clear) {
				t.Errorf("%d packets sent in the clear", clear)
			}
			if queued := after.Queued - before.Queued; queued != 0 != (tc.want == Queued) {
				t.Errorf("%d packets queued", queued)
			}
		})
	}
}

// isIKE tells IKE datagrams on a memnet from ESP: IKE on port 500, or on
// the NAT-T port behind the four zero bytes of the non-ESP marker (RFC
// 3948 §2.2); ESP goes on memESPPort or on the NAT-T port with its SPI.
func isIKE(src, dst netip.AddrPort, payload []byte) bool {
	switch {
	case src.Port() == ikePort || dst.Port() == ikePort:
		return true
	case src.Port() == nattPort || dst.Port() == nattPort:
		return len(payload) >= 4 && payload[0] == 0 && payload[1] == 0 && payload[2] == 0 && payload[3] == 0
	}
	return false
}

// TestFigure9RuleSelectors: figure 9's MVS1 policy for DVA1 gives the
// IKE daemon DVA1's port 60 rule only, so a child SA for DVA1 carries TCP
// to and from port 60 and nothing else between DVA1 and the clients.
func TestFigure9RuleSelectors(t *testing.T) {
	cfg, err := FromPlan(figure9Stack(t, "MVS1", true), dva1)
	if err != nil {
		t.Fatal(err)
	}
	peers := cfg.ikePeers()
	if len(peers) == 0 {
		t.Fatal("no IKE peers")
	}
	for _, p := range peers {
		if len(p.Policies) == 0 {
			t.Fatalf("peer %s: no filter rule selectors", p.Name)
		}
		for _, ts := range p.Policies {
			for _, s := range ts.Local {
				if s.IPProtocol != protoTCP || s.StartPort != 60 || s.EndPort != 60 || s.Start != dva1 || s.End != dva1 {
					t.Errorf("peer %s: local selector %v, want DVA1 TCP port 60", p.Name, s)
				}
			}
			for _, s := range ts.Remote {
				if s.IPProtocol != protoTCP {
					t.Errorf("peer %s: remote selector %v is not TCP", p.Name, s)
				}
			}
		}
	}
}
