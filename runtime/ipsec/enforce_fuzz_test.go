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
// host, a range protected for another peer, a cleartext permit, and deny
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
	{sel("*"), sel("*"), -1, plan.AnyPort, plan.AnyPort, plan.Deny, ""},
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
// on the client's SA: allowed only if it is a well-formed IPv4 packet
// whose first matching rule is IPSEC with the client; rule is the index
// of that first match, or -1. Ports of a non-first fragment, or of a
// segment too short to show them, are unknown and match only rules for
// every port (RFC 4301 §7).
func oracleVerdict(p []byte) (allowed bool, rule int) {
	if len(p) < 20 || p[0]>>4 != 4 {
		return false, -1
	}
	ihl, total := int(p[0]&0xf)*4, int(binary.BigEndian.Uint16(p[2:4]))
	if ihl < 20 || total < ihl || total > len(p) {
		return false, -1
	}
	proto := int(p[9])
	src, dst := netip.AddrFrom4([4]byte(p[12:16])), netip.AddrFrom4([4]byte(p[16:20]))
	body := p[ihl:total]
	hasPorts := proto == protoTCP || proto == protoUDP || proto == protoSCTP
	known := hasPorts && binary.BigEndian.Uint16(p[6:8])&0x1fff == 0 && len(body) >= 4
	var sport, dport int
	if known {
		sport, dport = int(binary.BigEndian.Uint16(body[0:2])), int(binary.BigEndian.Uint16(body[2:4]))
	}
	portOK := func(r plan.PortRange, port int) bool {
		if r == plan.AnyPort || !hasPorts {
			return true
		}
		return known && port >= r.From && port <= r.To
	}
	for i, r := range oraclePolicy {
		if r.local.Contains(dst) && r.remote.Contains(src) && (r.proto < 0 || r.proto == proto) &&
			portOK(r.localPorts, dport) && portOK(r.remotePorts, sport) {
			return r.action == plan.IPsec && r.peer == "client", i
		}
	}
	return false, -1
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
	f.Add(false, byte(protoUDP), byte(2), byte(5), uint16(40000), uint16(5050), uint16(0), []byte("x"))
	f.Add(false, byte(protoTCP), byte(2), byte(9), uint16(40000), uint16(22), uint16(0), []byte{})
	f.Add(false, byte(protoTCP), byte(2), byte(1), uint16(40000), uint16(appPort), uint16(10), []byte("frag"))
	f.Add(false, byte(protoTCP), byte(2), byte(1), uint16(6500), uint16(appPort), uint16(0), []byte{})
	f.Add(false, byte(protoTCP), byte(2), byte(1), uint16(7500), uint16(appPort), uint16(0), []byte{})
	f.Add(false, byte(protoTCP), byte(2), byte(1), uint16(8500), uint16(appPort), uint16(0), []byte{})
	f.Add(true, byte(0), byte(0), byte(0), uint16(0), uint16(0), uint16(0), udp4(clientIn, appAddr, 1, 53, nil))
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
