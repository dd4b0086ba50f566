package ipsec

import (
	"encoding/binary"
	"net/netip"
	"testing"

	"github.com/tcpipc/tcpipc/internal/ike/ikesa"
)

// IPv6 extension headers (RFC 8200 §4) used by the tests.
const (
	extHopByHop = 0
	extRouting  = 43
	extFragment = 44
	extDestOpts = 60
)

var (
	v6Local  = netip.MustParseAddr("fd00::1")
	v6Remote = netip.MustParseAddr("fd00::2")
)

// ext6 is one IPv6 extension header: its type and, for a Fragment
// header, the offset (in 8-byte units) and the M flag.
type ext6 struct {
	typ     byte
	fragOff uint16
	more    bool
}

var (
	hopByHop   = ext6{typ: extHopByHop}
	destOpts   = ext6{typ: extDestOpts}
	routing    = ext6{typ: extRouting}
	atomicFrag = ext6{typ: extFragment}              // offset 0, no more fragments
	laterFrag  = ext6{typ: extFragment, fragOff: 10} // a non-first fragment
)

// ip6 builds an IPv6 packet from src to dst whose extension headers exts
// (each 8 bytes long) come before the upper-layer header upper of
// protocol proto.
func ip6(src, dst netip.Addr, proto byte, upper []byte, exts ...ext6) []byte {
	p := make([]byte, 40, 40+8*len(exts)+len(upper))
	p[0], p[7] = 0x60, 64
	copy(p[8:24], src.AsSlice())
	copy(p[24:40], dst.AsSlice())
	next := &p[6]
	for _, x := range exts {
		*next = x.typ
		h := make([]byte, 8) // Hdr Ext Len 0: 8 bytes; options are Pad1/PadN
		if x.typ == extDestOpts || x.typ == extHopByHop {
			h[2], h[3] = 1, 4 // PadN of 4 bytes
		}
		if x.typ == extRouting {
			h[2] = 4 // a routing type nobody processes, Segments Left 0
		}
		if x.typ == extFragment {
			v := x.fragOff << 3
			if x.more {
				v |= 1
			}
			binary.BigEndian.PutUint16(h[2:], v)
			binary.BigEndian.PutUint32(h[4:], 0x1234)
		}
		p = append(p, h...)
		next = &p[len(p)-8]
	}
	*next = proto
	p = append(p, upper...)
	binary.BigEndian.PutUint16(p[4:], uint16(len(p)-40))
	return p
}

// tcp6 builds an IPv6/TCP segment with the given flags behind exts.
func tcp6(src, dst netip.Addr, sport, dport uint16, flags byte, exts ...ext6) []byte {
	t := make([]byte, 20)
	binary.BigEndian.PutUint16(t[0:], sport)
	binary.BigEndian.PutUint16(t[2:], dport)
	t[12], t[13] = 5<<4, flags
	return ip6(src, dst, protoTCP, t, exts...)
}

// spdEndpoint is an endpoint with only an SPD: enough for InboundClear,
// admitProtected and the PERMIT and DENY verdicts of Outbound.
func spdEndpoint(t *testing.T, filters ...Filter) *Endpoint {
	t.Helper()
	spd, err := NewSPD(filters...)
	if err != nil {
		t.Fatal(err)
	}
	return &Endpoint{spd: spd}
}

// v6Filters is the brief's SPD: telnet to fd00::1 from fd00::2 must be
// protected with peer A, everything else between them is permitted in
// the clear.
func v6Filters() []Filter {
	one := func(a netip.Addr) AddrRange { return AddrRange{a, a} }
	return []Filter{
		{Name: "telnet", Local: one(v6Local), Remote: one(v6Remote), Protocol: protoTCP,
			LocalPorts: PortRange{23, 23}, Action: ActionIPsec, Tunnel: Tunnel{Peer: "A"}},
		{Name: "clear", Local: one(v6Local), Remote: one(v6Remote), Action: ActionPermit},
	}
}

// TestIPv6ExtensionHeadersInboundClear: a connection request to a port
// the SPD protects is refused in the clear whatever extension headers
// come before its TCP header (RFC 4301 §4.4.1.1, RFC 8200 §4): the
// receiving stack skips them and delivers the segment, so the SPD must
// too. Traffic the clear filter covers still passes behind them.
func TestIPv6ExtensionHeadersInboundClear(t *testing.T) {
	e := spdEndpoint(t, v6Filters()...)
	for _, tc := range []struct {
		name string
		pkt  []byte
		want bool
	}{
		{"SYN to telnet", tcp6(v6Remote, v6Local, 40000, 23, tcpSYN), false},
		{"SYN to telnet behind Hop-by-Hop", tcp6(v6Remote, v6Local, 40000, 23, tcpSYN, hopByHop), false},
		{"SYN to telnet behind Destination Options", tcp6(v6Remote, v6Local, 40000, 23, tcpSYN, destOpts), false},
		{"SYN to telnet behind Routing", tcp6(v6Remote, v6Local, 40000, 23, tcpSYN, routing), false},
		{"SYN to telnet behind an atomic Fragment header", tcp6(v6Remote, v6Local, 40000, 23, tcpSYN, atomicFrag), false},
		{"SYN to telnet behind all four", tcp6(v6Remote, v6Local, 40000, 23, tcpSYN, hopByHop, destOpts, routing, atomicFrag, destOpts), false},
		{"SYN to ssh", tcp6(v6Remote, v6Local, 40000, 22, tcpSYN), true},
		{"SYN to ssh behind Destination Options", tcp6(v6Remote, v6Local, 40000, 22, tcpSYN, destOpts), true},
		{"SYN to ssh behind Hop-by-Hop and Routing", tcp6(v6Remote, v6Local, 40000, 22, tcpSYN, hopByHop, routing), true},
		// A non-first fragment's ports are unknown (RFC 4301 §7): it
		// matches only filters for every port, as in IPv4.
		{"non-first fragment of TCP", tcp6(v6Remote, v6Local, 40000, 23, tcpACK, laterFrag), true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := e.InboundClear(tc.pkt); got != tc.want {
				t.Fatalf("InboundClear = %v, want %v (% x)", got, tc.want, tc.pkt)
			}
		})
	}
}

// TestIPv6ExtensionChainMalformed: a chain of extension headers that
// runs past the packet, or is longer than the SPD walks, is not a packet
// the SPD can judge: it is dropped and counted as malformed, in and out.
func TestIPv6ExtensionChainMalformed(t *testing.T) {
	e := spdEndpoint(t, v6Filters()...)
	nine := make([]ext6, 9)
	for i := range nine {
		nine[i] = destOpts
	}
	truncated := tcp6(v6Remote, v6Local, 40000, 22, tcpSYN, destOpts)
	truncated[41] = 200 // Hdr Ext Len past the end of the packet
	cut := tcp6(v6Remote, v6Local, 40000, 22, tcpSYN, destOpts)
	cut = cut[:40+4]
	binary.BigEndian.PutUint16(cut[4:], uint16(len(cut)-40))
	for _, tc := range []struct {
		name string
		pkt  []byte
	}{
		{"nine Destination Options headers", tcp6(v6Remote, v6Local, 40000, 22, tcpSYN, nine...)},
		{"extension header longer than the packet", truncated},
		{"packet ending inside an extension header", cut},
	} {
		t.Run(tc.name, func(t *testing.T) {
			before := e.stats.drops[DropMalformed].Load()
			if e.InboundClear(tc.pkt) {
				t.Fatal("accepted")
			}
			if got := e.stats.drops[DropMalformed].Load() - before; got != 1 {
				t.Fatalf("%d malformed drops, want 1", got)
			}
		})
	}
}

// TestIPv6ExtensionHeadersAfterDecryption: a packet decrypted on a child
// of peer A is judged by the filter its upper-layer protocol and ports
// match, not by the first all-protocols filter: behind any extension
// header, TCP to a denied port is refused (RFC 4301 §5.2).
func TestIPv6ExtensionHeadersAfterDecryption(t *testing.T) {
	e := spdEndpoint(t,
		Filter{Name: "no-telnet", Protocol: protoTCP, LocalPorts: PortRange{23, 23}, Action: ActionDeny},
		Filter{Name: "peer-a", Action: ActionIPsec, Tunnel: Tunnel{Peer: "A"}},
	)
	c := &child{info: ikesa.ChildSA{Peer: "A"}}
	for _, exts := range [][]ext6{nil, {hopByHop}, {destOpts}, {routing}, {atomicFrag}, {hopByHop, routing, destOpts}} {
		for _, port := range []uint16{23, 22} {
			pkt := tcp6(v6Remote, v6Local, 40000, port, tcpSYN, exts...)
			fl, err := parseFlow(pkt)
			if err != nil {
				t.Fatalf("%v: %v", exts, err)
			}
			_, ok := e.admitProtected(c, fl)
			if want := port != 23; ok != want {
				t.Errorf("TCP to port %d behind %v: admitted %v, want %v", port, exts, ok, want)
			}
		}
	}
}

// TestIPv6ExtensionFlow: parseFlow finds the upper-layer protocol and
// ports behind each extension header, and a non-first fragment's
// protocol with opaque ports.
func TestIPv6ExtensionFlow(t *testing.T) {
	for _, tc := range []struct {
		name string
		exts []ext6
		want flow
	}{
		{"none", nil, flow{proto: protoTCP, srcPort: 40000, dstPort: 23, connect: true}},
		{"Hop-by-Hop", []ext6{hopByHop}, flow{proto: protoTCP, srcPort: 40000, dstPort: 23, connect: true}},
		{"Destination Options", []ext6{destOpts}, flow{proto: protoTCP, srcPort: 40000, dstPort: 23, connect: true}},
		{"Routing", []ext6{routing}, flow{proto: protoTCP, srcPort: 40000, dstPort: 23, connect: true}},
		{"atomic Fragment", []ext6{atomicFrag}, flow{proto: protoTCP, srcPort: 40000, dstPort: 23, connect: true}},
		{"eight headers", []ext6{hopByHop, destOpts, routing, destOpts, destOpts, destOpts, destOpts, atomicFrag}, flow{proto: protoTCP, srcPort: 40000, dstPort: 23, connect: true}},
		{"non-first Fragment", []ext6{laterFrag}, flow{proto: protoTCP, opaquePorts: true}},
		{"Hop-by-Hop, non-first Fragment", []ext6{hopByHop, laterFrag}, flow{proto: protoTCP, opaquePorts: true}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			fl, err := parseFlow(tcp6(v6Remote, v6Local, 40000, 23, tcpSYN, tc.exts...))
			if err != nil {
				t.Fatal(err)
			}
			tc.want.src, tc.want.dst = v6Remote, v6Local
			if fl != tc.want {
				t.Fatalf("flow %+v, want %+v", fl, tc.want)
			}
		})
	}
}
