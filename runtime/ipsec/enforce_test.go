package ipsec

import (
	"encoding/binary"
	"net/netip"
	"testing"
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
// The SA's selectors (from the key exchange rule's locations) cover it,
// but the SPD denies it, so it is dropped and counted (RFC 4301 §5.2),
// never delivered.
func TestDecryptedDatagramToDeniedPortDropped(t *testing.T) {
	tp := newTopo(t, withGatewayPolicy(nil, issuePolicy()))
	establishTCP(t, tp)
	before := tp.gw.e.Stats()

	dgram := udp4(clientIn, appAddr, 40000, 9999, []byte("past the policy?"))
	if v := tp.client.e.Outbound(dgram); v != Protected {
		t.Fatalf("the client's policy should protect the datagram; got %v", v)
	}
	eventually(t, "the datagram to reach the gateway", func() bool { return tp.gw.e.Stats().ESPIn > before.ESPIn })
	after := tp.gw.e.Stats()
	select {
	case p := <-tp.gw.got:
		t.Fatalf("the gateway delivered % x", p)
	default:
	}
	if after.Delivered != before.Delivered {
		t.Errorf("delivered went from %d to %d", before.Delivered, after.Delivered)
	}
	if got := after.Drops[DropInboundPolicy] - before.Drops[DropInboundPolicy]; got != 1 {
		t.Errorf("%d drops for %v, want 1; drops %v", got, DropInboundPolicy, after.Drops)
	}
}

// tablePolicy is the gateway policy of the table tests: the issue's rule
// for the application, ICMP to it, a filter bound to another peer, a
// cleartext DNS permit, and deny for the rest.
func tablePolicy() ([]Peer, []Filter) {
	remote := PrefixRange(netip.MustParsePrefix("10.99.0.0/16"))
	app := PrefixRange(netip.MustParsePrefix("10.1.1.1/32"))
	peers := []Peer{{Name: "other", Addr: netip.MustParseAddr("203.0.113.9"), PSK: testPSK,
		LocalTS:  []netip.Prefix{netip.MustParsePrefix("10.1.1.0/24")},
		RemoteTS: []netip.Prefix{netip.MustParsePrefix("10.99.0.0/16")}}}
	filters := append(issuePolicy()[:1],
		Filter{Name: "ping", Local: app, Remote: remote, Protocol: 1, Action: ActionIPsec, Tunnel: Tunnel{Peer: "client"}},
		Filter{Name: "other", Local: PrefixRange(netip.MustParsePrefix("10.1.1.3/32")), Remote: remote,
			Action: ActionIPsec, Tunnel: Tunnel{Peer: "other"}},
		Filter{Name: "dns", Local: app, Protocol: protoUDP, LocalPorts: PortRange{53, 53}, Action: ActionPermit},
		Filter{Name: "deny-all", Action: ActionDeny})
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
	other := netip.MustParseAddr("10.1.1.3")
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
		{"TCP to the application", tcpSeg(clientIn, appAddr, 40000, appPort, tcpACK, []byte("x")), delivered},
		{"TCP to the application, lowest client port", tcpSeg(clientIn, appAddr, 1024, appPort, tcpSYN, nil), delivered},
		{"TCP to another port", tcpSeg(clientIn, appAddr, 40000, appPort+1, tcpSYN, nil), DropInboundPolicy},
		{"TCP from a client port below 1024", tcpSeg(clientIn, appAddr, 1023, appPort, tcpSYN, nil), DropInboundPolicy},
		{"UDP to the application's port", udp4(clientIn, appAddr, 40000, appPort, []byte("x")), DropInboundPolicy},
		{"UDP to a denied port", udp4(clientIn, appAddr, 40000, 9999, []byte("x")), DropInboundPolicy},
		{"UDP to a port permitted only in the clear", udp4(clientIn, appAddr, 40000, 53, []byte("x")), DropInboundPolicy},
		{"ICMP echo to the application", icmp4(clientIn, appAddr, 8, 0), delivered},
		{"ICMP to an address of the SA no ICMP filter covers", icmp4(clientIn, app2, 8, 0), DropInboundPolicy},
		{"TCP to an address of the SA outside the filter", tcpSeg(clientIn, app2, 40000, appPort, tcpSYN, nil), DropInboundPolicy},
		{"TCP to an address protected for another peer", tcpSeg(clientIn, other, 40000, appPort, tcpSYN, nil), DropInboundPolicy},
		{"non-first fragment to the application", fragment, DropInboundPolicy},
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
	gw := tp.gw.e
	app2 := netip.MustParseAddr("10.1.1.2")
	other := netip.MustParseAddr("10.1.1.3")
	for _, tc := range []struct {
		name   string
		pkt    []byte
		want   Verdict
		viaESP bool // sent into the client's child SA
	}{
		{"TCP from the application", tcpSeg(appAddr, clientIn, appPort, 40000, tcpSYN|tcpACK, nil), Protected, true},
		{"ICMP from the application", icmp4(appAddr, clientIn, 0, 0), Protected, true},
		{"TCP from another port", tcpSeg(appAddr, clientIn, appPort+1, 40000, tcpACK, nil), Dropped, false},
		{"UDP from the application's port", udp4(appAddr, clientIn, appPort, 40000, []byte("x")), Dropped, false},
		{"TCP from an address outside every filter", tcpSeg(app2, clientIn, appPort, 40000, tcpACK, nil), Dropped, false},
		{"DNS answer permitted in the clear", udp4(appAddr, clientIn, 53, 40000, []byte("x")), Clear, false},
		{"traffic protected for another peer", tcpSeg(other, clientIn, appPort, 40000, tcpACK, nil), Queued, false},
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
		})
	}
}
