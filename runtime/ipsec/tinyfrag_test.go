package ipsec

import (
	"encoding/binary"
	"net/netip"
	"testing"
)

// tinyFirstFragment4 is the first fragment (offset 0, More Fragments) of
// an IPv4 TCP segment from src to dst holding only n bytes of its TCP
// header: the ports and, from 14 bytes on, the flags.
func tinyFirstFragment4(src, dst netip.Addr, sport, dport uint16, flags byte, n int) []byte {
	p := tcpSeg(src, dst, sport, dport, flags, nil)[:20+n]
	binary.BigEndian.PutUint16(p[2:], uint16(len(p)))
	binary.BigEndian.PutUint16(p[6:], 0x2000) // MF, offset 0
	binary.BigEndian.PutUint16(p[10:], 0)
	binary.BigEndian.PutUint16(p[10:], checksum(p[:20], 0))
	return p
}

// tinyFirstFragment6 is the IPv6 counterpart: a Fragment header at offset
// 0 with M set, then n bytes of the TCP header.
func tinyFirstFragment6(src, dst netip.Addr, sport, dport uint16, flags byte, n int) []byte {
	p := tcp6(src, dst, sport, dport, flags, ext6{typ: extFragment, more: true})
	p = p[:48+n]
	binary.BigEndian.PutUint16(p[4:], uint16(len(p)-40))
	return p
}

// TestTinyFirstFragmentDropped is RFC 1858's tiny fragment attack on a
// filter that allows connections one way only (RFC 4301 §7): a first
// fragment with the ports but not the flags matches the filter as no
// connection request, the SYN comes in a later fragment whose ports are
// unknown, and the receiver reassembles a connection request the filter
// refuses. A first TCP fragment shorter than a TCP header is dropped and
// counted as malformed, in IPv4 and IPv6, in and out; one holding the
// whole header is judged as before.
func TestTinyFirstFragmentDropped(t *testing.T) {
	v4Local, v4Remote := netip.MustParseAddr("10.1.1.1"), netip.MustParseAddr("10.99.0.2")
	e := spdEndpoint(t,
		Filter{Name: "telnet-out-only", Protocol: protoTCP, LocalPorts: PortRange{23, 23}, Connect: Outbound, Action: ActionPermit},
		Filter{Name: "rest", Action: ActionPermit},
	)
	for _, tc := range []struct {
		name string
		pkt  []byte
		want bool
	}{
		{"IPv4 SYN to telnet", tcpSeg(v4Remote, v4Local, 40000, 23, tcpSYN, nil), false},
		{"IPv4 first fragment with 8 TCP bytes", tinyFirstFragment4(v4Remote, v4Local, 40000, 23, tcpSYN, 8), false},
		{"IPv4 first fragment with 19 TCP bytes", tinyFirstFragment4(v4Remote, v4Local, 40000, 23, tcpSYN, 19), false},
		{"IPv4 first fragment with a whole SYN", tinyFirstFragment4(v4Remote, v4Local, 40000, 23, tcpSYN, 20), false},
		{"IPv4 first fragment with a whole ACK", tinyFirstFragment4(v4Remote, v4Local, 40000, 23, tcpACK, 20), true},
		{"IPv6 first fragment with 8 TCP bytes", tinyFirstFragment6(v6Remote, v6Local, 40000, 23, tcpSYN, 8), false},
		{"IPv6 first fragment with a whole SYN", tinyFirstFragment6(v6Remote, v6Local, 40000, 23, tcpSYN, 20), false},
		{"IPv6 first fragment with a whole ACK", tinyFirstFragment6(v6Remote, v6Local, 40000, 23, tcpACK, 20), true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := e.InboundClear(tc.pkt); got != tc.want {
				t.Fatalf("InboundClear = %v, want %v (% x)", got, tc.want, tc.pkt)
			}
		})
	}
	for _, pkt := range [][]byte{
		tinyFirstFragment4(v4Remote, v4Local, 40000, 23, tcpSYN, 8),
		tinyFirstFragment6(v6Remote, v6Local, 40000, 23, tcpSYN, 8),
	} {
		before := e.stats.drops[DropMalformed].Load()
		e.InboundClear(pkt)
		if e.Outbound(pkt) != Dropped {
			t.Errorf("tiny first fragment sent out: % x", pkt)
		}
		if got := e.stats.drops[DropMalformed].Load() - before; got != 2 {
			t.Errorf("%d malformed drops for a tiny first fragment in and out, want 2", got)
		}
	}
}
