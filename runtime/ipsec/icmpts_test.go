package ipsec

import (
	"net/netip"
	"testing"

	"github.com/tcpipc/tcpipc/internal/ike/wire"
)

// TestICMPFilterSelectors: an ICMP filter rule's traffic selectors carry
// its types and codes in the port fields, type in the high byte and code
// in the low one (RFC 7296 §3.13.1, RFC 4301 §4.4.1.1), on both sides.
// A range of types with every code is one port range; a range of types
// with some codes is one range per type, as long as that stays short.
func TestICMPFilterSelectors(t *testing.T) {
	r := func(first, last uint8) ICMPRange { return ICMPRange{Set: true, First: first, Last: last} }
	p := func(lo, hi uint16) PortRange { return PortRange{lo, hi} }
	cases := []struct {
		name        string
		proto       uint8
		types, code ICMPRange
		want        []PortRange // nil: every port
	}{
		{"every message", protoICMP, ICMPRange{}, ICMPRange{}, nil},
		{"echo", protoICMP, r(8, 8), r(0, 0), []PortRange{p(0x0800, 0x0800)}},
		{"echo reply", protoICMP, r(0, 0), r(0, 0), []PortRange{p(0x0000, 0x0000)}},
		{"echo reply, any code", protoICMP, r(0, 0), ICMPRange{}, []PortRange{p(0x0000, 0x00ff)}},
		{"unreachable, any code", protoICMP, r(3, 3), ICMPRange{}, []PortRange{p(0x0300, 0x03ff)}},
		{"echo reply to echo, any code", protoICMP, r(0, 8), ICMPRange{}, []PortRange{p(0x0000, 0x08ff)}},
		{"unreachable codes 1-3", protoICMP, r(3, 3), r(1, 3), []PortRange{p(0x0301, 0x0303)}},
		{"types 3-5, code 1", protoICMP, r(3, 5), r(1, 1), []PortRange{p(0x0301, 0x0301), p(0x0401, 0x0401), p(0x0501, 0x0501)}},
		{"code 0 of every type", protoICMP, ICMPRange{}, r(0, 0), []PortRange{p(0x0000, 0xff00)}},
		{"ICMPv6 echo request", protoICMPv6, r(128, 128), ICMPRange{}, []PortRange{p(0x8000, 0x80ff)}},
	}
	local, remote := netip.MustParsePrefix("10.1.1.0/24"), netip.MustParsePrefix("10.99.0.0/16")
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			f := Filter{Name: "icmp", Protocol: c.proto, ICMPType: c.types, ICMPCode: c.code, Action: ActionIPsec}
			ts := filterSelectors(&f, []netip.Prefix{local}, []netip.Prefix{remote})
			for side, got := range map[string][]wire.Selector{"local": ts.Local, "remote": ts.Remote} {
				want := c.want
				if want == nil {
					want = []PortRange{{0, 65535}}
				}
				if len(got) != len(want) {
					t.Fatalf("%s: %v, want ports %v", side, got, want)
				}
				for i, s := range got {
					if s.IPProtocol != c.proto || s.StartPort != want[i].First || s.EndPort != want[i].Last {
						t.Errorf("%s selector %d: %v, want protocol %d ports %#04x-%#04x", side, i, s, c.proto, want[i].First, want[i].Last)
					}
				}
			}
		})
	}
	// A rule no ICMP message can match (an empty range) has no selectors.
	f := Filter{Protocol: protoICMP, ICMPType: ICMPRange{Set: true, First: 1, Last: 0}, Action: ActionIPsec}
	if ts := filterSelectors(&f, []netip.Prefix{local}, []netip.Prefix{remote}); len(ts.Local)+len(ts.Remote) != 0 {
		t.Errorf("empty ICMP range: %v", ts)
	}
}

// echoPolicy protects ICMP echo requests (type 8 code 0) between the
// application and the clients, and denies everything else.
func echoPolicy() []Filter {
	return []Filter{
		{Name: "echo", Local: PrefixRange(netip.MustParsePrefix("10.1.1.1/32")), Remote: PrefixRange(netip.MustParsePrefix("10.99.0.0/16")),
			Protocol: protoICMP, ICMPType: ICMPRange{Set: true, First: 8, Last: 8}, ICMPCode: ICMPRange{Set: true},
			Action: ActionIPsec, Tunnel: Tunnel{Peer: "client"}},
		{Name: "deny-all", Action: ActionDeny},
	}
}

// TestICMPChildCarriesTypeAndCode: the child SA negotiated for an echo
// request carries the echo rule's ICMP type and code in its selectors'
// ports (0x0800), on both ends; the echo is delivered; and a timestamp
// request (type 13) sealed on that child does not fit the SA's selectors
// and is dropped as such (RFC 4301 §5.2), before the SPD is asked.
func TestICMPChildCarriesTypeAndCode(t *testing.T) {
	tp := newTopo(t, withGatewayPolicy(nil, echoPolicy()))
	echo := icmp4(clientIn, appAddr, 8, 0)
	if v := tp.client.e.Outbound(echo); v != Queued {
		t.Fatalf("echo: %v, want queued", v)
	}
	if got := recv(t, tp.gw.got, "the echo"); string(got) != string(echo) {
		t.Fatalf("gateway got % x", got)
	}
	app := wire.Selector{TSType: wire.TS_IPV4_ADDR_RANGE, IPProtocol: protoICMP, StartPort: 0x0800, EndPort: 0x0800, Start: appAddr, End: appAddr}
	client := wire.Selector{TSType: wire.TS_IPV4_ADDR_RANGE, IPProtocol: protoICMP, StartPort: 0x0800, EndPort: 0x0800, Start: clientIn, End: clientIn}
	gw, cl := tp.gw.e.SAs().Dynamic, tp.client.e.SAs().Dynamic
	if len(gw) != 1 || len(cl) != 1 {
		t.Fatalf("%d and %d child SAs, want 1", len(gw), len(cl))
	}
	if !eqSelectors(gw[0].LocalTS, []wire.Selector{app}) || !eqSelectors(gw[0].RemoteTS, []wire.Selector{client}) {
		t.Errorf("gateway child %v === %v, want %v === %v", gw[0].LocalTS, gw[0].RemoteTS, app, client)
	}
	if !eqSelectors(cl[0].LocalTS, []wire.Selector{client}) || !eqSelectors(cl[0].RemoteTS, []wire.Selector{app}) {
		t.Errorf("client child %v === %v, want %v === %v", cl[0].LocalTS, cl[0].RemoteTS, client, app)
	}

	dyn := gw[0]
	key := espKey(t, tp.gw.keylog.Bytes(), dyn.InboundSPI)
	before := tp.gw.e.Stats()
	tp.gw.e.HandleDatagram(nattPort, dyn.Remote, sealGCM(t, key, dyn.InboundSPI, 1000, trailer(icmp4(clientIn, appAddr, 13, 0), 4)))
	after := tp.gw.e.Stats()
	if after.Delivered != before.Delivered || after.Drops[DropSelector] != before.Drops[DropSelector]+1 {
		t.Errorf("timestamp request on the echo child: delivered %d -> %d, drops %v -> %v, want one %v drop",
			before.Delivered, after.Delivered, before.Drops, after.Drops, DropSelector)
	}
}
