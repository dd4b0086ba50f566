package ipsec

import (
	"encoding/binary"
	"net/netip"
	"sync/atomic"
	"testing"

	"github.com/tcpipc/tcpipc/plan"
)

// oracleRule is one filter of the fuzzed gateway's policy, written with
// the plan's types so that the oracle decides with plan.Selector and
// plan.PortRange, not with the endpoint's SPD code.
type oracleRule struct {
	local, remote           plan.Selector
	proto                   int // -1: any
	localPorts, remotePorts plan.PortRange
	action                  plan.Action
	peer                    string // the tunnel's peer, for IPSEC
}

func sel(s string) plan.Selector {
	v, err := plan.ParseSelector(s)
	if err != nil {
		panic(err)
	}
	return v
}

// oraclePolicy is the policy of FuzzInboundPolicy: three rules that
// shadow parts of issue 14's rule (a denied client port range, one
// protected with another peer, one permitted in the clear), issue 14's
// rule, ICMP to the application, UDP to a range of ports on a second
// host, a range protected for another peer, a cleartext permit, telnet to
// the IPv6 host fd00::1 denied and the rest to it protected with the
// client (the SPD must find TCP behind IPv6 extension headers), and deny
// for the rest. The fuzzed packets arrive on the child SA of issue 14's
// rule (appRule).
var oraclePolicy = []oracleRule{
	{sel("10.1.1.1"), sel("10.99.0.0/16"), protoTCP, plan.PortRange{From: appPort, To: appPort}, plan.PortRange{From: 6000, To: 6999}, plan.Deny, ""},
	{sel("10.1.1.1"), sel("10.99.0.0/16"), protoTCP, plan.PortRange{From: appPort, To: appPort}, plan.PortRange{From: 7000, To: 7999}, plan.IPsec, "other"},
	{sel("10.1.1.1"), sel("10.99.0.0/16"), protoTCP, plan.PortRange{From: appPort, To: appPort}, plan.PortRange{From: 8000, To: 8999}, plan.Permit, ""},
	{sel("10.1.1.1"), sel("10.99.0.0/16"), protoTCP, plan.PortRange{From: appPort, To: appPort}, plan.PortRange{From: 1024, To: 65535}, plan.IPsec, "client"},
	{sel("10.1.1.1"), sel("10.99.0.0/16"), 1, plan.AnyPort, plan.AnyPort, plan.IPsec, "client"},
	{sel("10.1.1.4-10.1.1.6"), sel("10.99.0.2"), protoUDP, plan.PortRange{From: 5000, To: 5099}, plan.AnyPort, plan.IPsec, "client"},
	{sel("10.1.1.8/29"), sel("*"), -1, plan.AnyPort, plan.AnyPort, plan.IPsec, "other"},
	{sel("10.1.1.1"), sel("*"), protoUDP, plan.PortRange{From: 53, To: 53}, plan.AnyPort, plan.Permit, ""},
	{sel("fd00::1"), sel("fd00::/64"), protoTCP, plan.PortRange{From: 23, To: 23}, plan.AnyPort, plan.Deny, ""},
	{sel("fd00::1"), sel("fd00::/64"), -1, plan.AnyPort, plan.AnyPort, plan.IPsec, "client"},
	{sel("*"), sel("*"), -1, plan.AnyPort, plan.AnyPort, plan.Deny, ""},
}

// oracleICMP restricts rules of oraclePolicy to ICMP types and codes: the
// ICMP rule protects only echo requests (type 8 code 0), so every other
// message from the client falls to the deny rule.
var oracleICMP = map[int]struct{ typ, code plan.PortRange }{
	4: {plan.PortRange{From: 8, To: 8}, plan.PortRange{From: 0, To: 0}},
}

// appRule is the index of issue 14's rule, whose child SA the fuzzed
// packets arrive on.
const appRule = 3

// filters turns the oracle's policy into the endpoint's SPD entries.
func oracleFilters() []Filter {
	rng := func(s plan.Selector) AddrRange {
		if s.All {
			return AddrRange{}
		}
		return AddrRange{s.Lo, s.Hi}
	}
	out := make([]Filter, len(oraclePolicy))
	for i, r := range oraclePolicy {
		f := Filter{Name: "rule", Local: rng(r.local), Remote: rng(r.remote),
			LocalPorts:  PortRange{uint16(r.localPorts.From), uint16(r.localPorts.To)},
			RemotePorts: PortRange{uint16(r.remotePorts.From), uint16(r.remotePorts.To)}}
		if r.proto >= 0 {
			f.Protocol = uint8(r.proto)
		}
		if ic, ok := oracleICMP[i]; ok {
			f.ICMPType, f.ICMPCode = icmpRange(&ic.typ), icmpRange(&ic.code)
		}
		switch r.action {
		case plan.IPsec:
			f.Action, f.Tunnel = ActionIPsec, Tunnel{Peer: r.peer}
		case plan.Permit:
			f.Action = ActionPermit
		}
		out[i] = f
	}
	return out
}

// oracleVerdict is the expected verdict for an inner packet that arrived
// on the client's SA: allowed only if it is a well-formed IPv4 or IPv6
// packet whose first matching rule is IPSEC with the client; rule is the
// index of that first match, or -1. Ports of a non-first fragment, or of a
// segment too short to show them, are unknown and match only rules for
// every port (RFC 4301 §7).
func oracleVerdict(p []byte) (allowed bool, rule int) {
	pk, ok := oracleParse(p)
	if !ok || pk.proto == protoTCP && pk.firstFragment && len(pk.body) < 20 {
		// Malformed, or RFC 1858's tiny first fragment, whose TCP
		// flags may follow in a fragment with unknown ports.
		return false, -1
	}
	hasPorts := pk.proto == protoTCP || pk.proto == protoUDP || pk.proto == protoSCTP
	known := hasPorts && !pk.laterFragment && len(pk.body) >= 4
	var sport, dport int
	if known {
		sport, dport = int(binary.BigEndian.Uint16(pk.body[0:2])), int(binary.BigEndian.Uint16(pk.body[2:4]))
	}
	portOK := func(r plan.PortRange, port int) bool {
		if r == plan.AnyPort || !hasPorts {
			return true
		}
		return known && port >= r.From && port <= r.To
	}
	// ICMP's type and code are its first two bytes, unknown in a later
	// fragment or a message cut short.
	icmpOK := func(i int) bool {
		ic, ok := oracleICMP[i]
		if !ok {
			return true
		}
		if pk.laterFragment || len(pk.body) < 2 {
			return false
		}
		typ, code := int(pk.body[0]), int(pk.body[1])
		return typ >= ic.typ.From && typ <= ic.typ.To && code >= ic.code.From && code <= ic.code.To
	}
	for i, r := range oraclePolicy {
		if r.local.Contains(pk.dst) && r.remote.Contains(pk.src) && (r.proto < 0 || r.proto == pk.proto) &&
			portOK(r.localPorts, dport) && portOK(r.remotePorts, sport) && icmpOK(i) {
			return r.action == plan.IPsec && r.peer == "client", i
		}
	}
	return false, -1
}

// oraclePacket is what the oracle reads from a packet: addresses, the
// upper-layer protocol and what follows its header chain.
type oraclePacket struct {
	src, dst      netip.Addr
	proto         int
	body          []byte
	laterFragment bool // a fragment at a non-zero offset
	firstFragment bool // a fragment at offset 0 with more to come
}

// oracleParse reads an IPv4 packet, or an IPv6 packet whose Hop-by-Hop,
// Routing, Destination Options and Fragment headers (at most eight in
// all) it skips to the upper-layer protocol, as the receiving stack does
// (RFC 8200 §4). It is written apart from parseFlow so that the fuzz
// target checks one against the other.
func oracleParse(p []byte) (oraclePacket, bool) {
	var pk oraclePacket
	switch {
	case len(p) >= 20 && p[0]>>4 == 4:
		ihl, total := int(p[0]&0xf)*4, int(binary.BigEndian.Uint16(p[2:4]))
		if ihl < 20 || total < ihl || total > len(p) {
			return pk, false
		}
		pk.proto = int(p[9])
		pk.src, pk.dst = netip.AddrFrom4([4]byte(p[12:16])), netip.AddrFrom4([4]byte(p[16:20]))
		pk.body = p[ihl:total]
		pk.laterFragment = binary.BigEndian.Uint16(p[6:8])&0x1fff != 0
		pk.firstFragment = !pk.laterFragment && p[6]&0x20 != 0
		return pk, true
	case len(p) >= 40 && p[0]>>4 == 6:
		end := 40 + int(binary.BigEndian.Uint16(p[4:6]))
		if end > len(p) {
			return pk, false
		}
		pk.src, pk.dst = netip.AddrFrom16([16]byte(p[8:24])), netip.AddrFrom16([16]byte(p[24:40]))
		skipped := map[int]bool{0: true, 43: true, 60: true, 44: true}
		next, at := int(p[6]), 40
		for hdrs := 1; skipped[next]; hdrs++ {
			if hdrs > 8 || at+8 > end {
				return pk, false
			}
			if next == 44 { // Fragment: 8 bytes, offset in the top 13 bits of bytes 2-3
				if p[at+2] != 0 || p[at+3]&0xf8 != 0 {
					pk.proto, pk.body, pk.laterFragment = int(p[at]), p[at+8:end], true
					return pk, true
				}
				pk.firstFragment = pk.firstFragment || p[at+3]&1 == 1
				next, at = int(p[at]), at+8
				continue
			}
			n := 8 * (1 + int(p[at+1]))
			if at+n > end {
				return pk, false
			}
			next, at = int(p[at]), at+n
		}
		pk.proto, pk.body = next, p[at:end]
		return pk, true
	}
	return pk, false
}

// FuzzInboundPolicy seals fuzzed inner packets with the gateway's inbound
// SA, so each one is decrypted and then checked against the policy. The
// oracle: a packet the policy (oracleVerdict, computed from the rules with
// plan's types) denies is never delivered; a well-formed packet from the
// client that issue 14's rule allows, which is what the SA carries,
// always is.
func FuzzInboundPolicy(f *testing.F) {
	peers := []Peer{{Name: "other", Addr: netip.MustParseAddr("203.0.113.9"), PSK: testPSK,
		LocalTS:  []netip.Prefix{netip.MustParsePrefix("10.1.1.0/24")},
		RemoteTS: []netip.Prefix{netip.MustParsePrefix("10.99.0.0/16")}}}
	tp := newTopo(f, withGatewayPolicy(peers, oracleFilters()))
	if v := tp.client.e.Outbound(tcpSeg(clientIn, appAddr, 40000, appPort, tcpSYN, nil)); v != Queued {
		f.Fatalf("first packet: %v", v)
	}
	recv(f, tp.gw.got, "the SYN at the gateway")
	gw := tp.gw.e
	dyn := gw.SAs().Dynamic[0]
	key := espKey(f, tp.gw.keylog.Bytes(), dyn.InboundSPI)
	var seq atomic.Uint32
	seq.Store(100)

	f.Add(false, byte(protoTCP), byte(2), byte(1), uint16(40000), uint16(appPort), uint16(0), []byte("x"))
	f.Add(false, byte(protoUDP), byte(2), byte(1), uint16(40000), uint16(9999), uint16(0), []byte("x"))
	f.Add(false, byte(1), byte(2), byte(1), uint16(0x0800), uint16(0), uint16(0), []byte{})
	f.Add(false, byte(1), byte(2), byte(1), uint16(0x0d00), uint16(0), uint16(0), []byte{}) // timestamp: not echo
	f.Add(false, byte(1), byte(2), byte(1), uint16(0x0801), uint16(0), uint16(0), []byte{}) // echo, code 1
	f.Add(false, byte(protoUDP), byte(2), byte(5), uint16(40000), uint16(5050), uint16(0), []byte("x"))
	f.Add(false, byte(protoTCP), byte(2), byte(9), uint16(40000), uint16(22), uint16(0), []byte{})
	f.Add(false, byte(protoTCP), byte(2), byte(1), uint16(40000), uint16(appPort), uint16(10), []byte("frag"))
	f.Add(false, byte(protoTCP), byte(2), byte(1), uint16(6500), uint16(appPort), uint16(0), []byte{})
	f.Add(false, byte(protoTCP), byte(2), byte(1), uint16(7500), uint16(appPort), uint16(0), []byte{})
	f.Add(false, byte(protoTCP), byte(2), byte(1), uint16(8500), uint16(appPort), uint16(0), []byte{})
	f.Add(true, byte(0), byte(0), byte(0), uint16(0), uint16(0), uint16(0), udp4(clientIn, appAddr, 1, 53, nil))
	v6client := netip.MustParseAddr("fd00::2")
	for _, exts := range [][]ext6{nil, {hopByHop}, {destOpts}, {routing}, {atomicFrag}, {laterFrag},
		{hopByHop, routing, destOpts, atomicFrag, destOpts}, {destOpts, destOpts, destOpts, destOpts, destOpts, destOpts, destOpts, destOpts, destOpts}} {
		for _, port := range []uint16{23, 22} {
			f.Add(true, byte(0), byte(0), byte(0), uint16(0), uint16(0), uint16(0), tcp6(v6client, v6Local, 40000, port, tcpSYN, exts...))
		}
	}
	f.Add(true, byte(0), byte(0), byte(0), uint16(0), uint16(0), uint16(0), tinyFirstFragment4(clientIn, appAddr, 40000, appPort, tcpSYN, 8))
	f.Add(true, byte(0), byte(0), byte(0), uint16(0), uint16(0), uint16(0), tinyFirstFragment4(clientIn, appAddr, 40000, appPort, tcpACK, 20))
	f.Add(true, byte(0), byte(0), byte(0), uint16(0), uint16(0), uint16(0), tinyFirstFragment6(v6client, v6Local, 40000, 22, tcpSYN, 8))
	f.Add(true, byte(0), byte(0), byte(0), uint16(0), uint16(0), uint16(0), tinyFirstFragment6(v6client, v6Local, 40000, 22, tcpSYN, 20))
	gw.mu.Lock()
	c := gw.children[dyn.InboundSPI]
	gw.mu.Unlock()
	f.Fuzz(func(t *testing.T, raw bool, proto, srcHost, dstHost byte, sport, dport, fragOff uint16, body []byte) {
		inner := body
		if !raw {
			inner = fuzzPacket(proto, srcHost, dstHost, sport, dport, fragOff, body)
		}
		before := gw.Stats().Delivered
		gw.HandleDatagram(nattPort, dyn.Remote, sealGCM(t, key, dyn.InboundSPI, seq.Add(1), trailer(inner, 4)))
		delivered := gw.Stats().Delivered != before
		if delivered {
			<-tp.gw.got // never blocks: delivery happened before HandleDatagram returned
		}
		allowed, rule := oracleVerdict(inner)
		// The SPD's own decision, for IPv6 too, which the SA's IPv4
		// selectors keep from being delivered.
		spdAllows := false
		if fl, err := parseFlow(inner); err == nil {
			_, spdAllows = gw.admitProtected(c, fl)
		}
		if spdAllows != allowed {
			t.Fatalf("the SPD allows %v, the oracle %v (rule %d): % x", spdAllows, allowed, rule, inner)
		}
		switch {
		case delivered && !allowed:
			t.Fatalf("delivered a packet the policy denies: % x", inner)
		case !delivered && rule == appRule && !raw && srcHost == 2:
			t.Fatalf("dropped a packet the policy allows (drops %v): % x", gw.Stats().Drops, inner)
		}
	})
}

// fuzzPacket builds an IPv4 packet from 10.99.0.srcHost to 10.1.1.dstHost
// whose first four payload bytes are the ports, at fragment offset
// fragOff (in 8-byte units).
func fuzzPacket(proto, srcHost, dstHost byte, sport, dport, fragOff uint16, body []byte) []byte {
	src := netip.AddrFrom4([4]byte{10, 99, 0, srcHost})
	dst := netip.AddrFrom4([4]byte{10, 1, 1, dstHost})
	p := ipv4Header(src, dst, proto, 4+len(body))
	binary.BigEndian.PutUint16(p[20:], sport)
	binary.BigEndian.PutUint16(p[22:], dport)
	copy(p[24:], body)
	binary.BigEndian.PutUint16(p[6:], fragOff&0x1fff)
	binary.BigEndian.PutUint16(p[10:], 0)
	binary.BigEndian.PutUint16(p[10:], checksum(p[:20], 0))
	return p
}
