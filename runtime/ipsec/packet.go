package ipsec

import (
	"encoding/binary"
	"errors"
	"net/netip"

	"github.com/tcpipc/tcpipc/internal/ike/wire"
)

// IP protocol numbers whose first four payload bytes are ports.
const (
	protoTCP  = 6
	protoUDP  = 17
	protoSCTP = 132
)

// IP protocol numbers whose first two payload bytes are a message type
// and code (RFC 792, RFC 4443 §2.1).
const (
	protoICMP   = 1
	protoICMPv6 = 58
)

// protoOSPF is OSPF, whose header's second byte is the packet type (RFC
// 2328 A.3.1, RFC 5340 A.3.1).
const protoOSPF = 89

// errNotIP is returned for a buffer that is not a well-formed IPv4 or IPv6
// packet.
var errNotIP = errors.New("ipsec: not an IP packet")

// errTinyFragment is returned for the first fragment of a TCP segment
// that does not hold a whole TCP header (RFC 1858 §3, RFC 4301 §7).
var errTinyFragment = errors.New("ipsec: first fragment shorter than a TCP header")

// minTCPHeader is the length of a TCP header without options.
const minTCPHeader = 20

// flow is what policy looks at in a packet: RFC 4301 §4.4.1.1 selectors.
// Ports are zero for protocols without them and for non-first fragments,
// whose ports are unknown (RFC 4301 §7).
type flow struct {
	src, dst         netip.Addr
	proto            uint8
	srcPort, dstPort uint16
	// opaquePorts is set when the protocol has ports but this packet
	// does not show them (a non-first fragment).
	opaquePorts bool
	// connect is set for a TCP SYN without ACK: a connection request.
	connect bool
	// icmpType and icmpCode are an ICMP or ICMPv6 message's; icmpKnown
	// is set when the packet shows them (not a later fragment, not cut
	// short).
	icmpType, icmpCode uint8
	icmpKnown          bool
	// ospfType is an OSPF packet's type; ospfKnown is set when the packet
	// shows it.
	ospfType  uint8
	ospfKnown bool
}

// IPv6 extension headers the SPD walks past to the upper-layer protocol
// (RFC 8200 §4, RFC 4301 §4.4.1.1).
const (
	ext6HopByHop = 0
	ext6Routing  = 43
	ext6Fragment = 44
	ext6DestOpts = 60
)

// maxExtHeaders bounds the IPv6 extension header chain parseFlow walks; a
// longer chain is refused as malformed. RFC 8200 §4.1 allows each header
// once (Destination Options twice), so a legitimate chain has at most
// six.
const maxExtHeaders = 8

// parseFlow reads the selectors of the IPv4 or IPv6 packet at the start of
// b. In IPv6 it walks the Hop-by-Hop, Routing, Fragment and Destination
// Options headers to the upper-layer protocol, as the receiving stack
// does; a chain longer than maxExtHeaders or running past the packet is
// errNotIP. A TCP first fragment (offset 0, more to come) too short for a
// whole TCP header is errTinyFragment: its flags could come in a later
// fragment, whose ports are unknown, and turn what the SPD judged as no
// connection request into one (RFC 1858's tiny fragment attack). Any
// other Next Header, AH (51) and ESP (50) included, is taken
// as the protocol, as in IPv4: this runtime implements no AH and the
// receiving stack delivers nothing behind one, so what follows an AH
// header is never looked at.
func parseFlow(b []byte) (flow, error) {
	if len(b) == 0 {
		return flow{}, errNotIP
	}
	var f flow
	var payload []byte
	fragment, firstFragment := false, false
	switch b[0] >> 4 {
	case 4:
		if len(b) < 20 {
			return flow{}, errNotIP
		}
		ihl := int(b[0]&0x0f) * 4
		total := int(binary.BigEndian.Uint16(b[2:4]))
		if ihl < 20 || total < ihl || total > len(b) {
			return flow{}, errNotIP
		}
		f.proto = b[9]
		f.src = netip.AddrFrom4([4]byte(b[12:16]))
		f.dst = netip.AddrFrom4([4]byte(b[16:20]))
		flagsOffset := binary.BigEndian.Uint16(b[6:8])
		fragment = flagsOffset&0x1fff != 0
		firstFragment = flagsOffset&0x3fff == 0x2000 // MF, offset 0
		payload = b[ihl:total]
	case 6:
		if len(b) < 40 {
			return flow{}, errNotIP
		}
		total := 40 + int(binary.BigEndian.Uint16(b[4:6]))
		if total > len(b) {
			return flow{}, errNotIP
		}
		f.src = netip.AddrFrom16([16]byte(b[8:24]))
		f.dst = netip.AddrFrom16([16]byte(b[24:40]))
		var err error
		f.proto, payload, fragment, firstFragment, err = walkExtHeaders(b[6], b[40:total])
		if err != nil {
			return flow{}, err
		}
	default:
		return flow{}, errNotIP
	}
	switch f.proto {
	case protoICMP, protoICMPv6:
		if !fragment && len(payload) >= 2 {
			f.icmpType, f.icmpCode, f.icmpKnown = payload[0], payload[1], true
		}
	case protoOSPF:
		if !fragment && len(payload) >= 2 {
			f.ospfType, f.ospfKnown = payload[1], true
		}
	case protoTCP, protoUDP, protoSCTP:
		if f.proto == protoTCP && firstFragment && len(payload) < minTCPHeader {
			return flow{}, errTinyFragment
		}
		if fragment || len(payload) < 4 {
			f.opaquePorts = true
			break
		}
		f.srcPort = binary.BigEndian.Uint16(payload[0:2])
		f.dstPort = binary.BigEndian.Uint16(payload[2:4])
		if f.proto == protoTCP && len(payload) >= 14 { // the flags are byte 13
			const syn, ack = 0x02, 0x10
			f.connect = payload[13]&(syn|ack) == syn
		}
	}
	return f, nil
}

// walkExtHeaders follows the IPv6 extension header chain that starts with
// Next Header next at the start of b and returns the upper-layer protocol
// and its payload. Behind a Fragment header with a non-zero offset the
// rest is fragment data: the protocol is the Fragment header's Next
// Header and laterFragment reports the packet as a non-first fragment,
// whose ports are unknown (RFC 4301 §7); firstFragment reports a Fragment
// header at offset 0 with more fragments to come.
func walkExtHeaders(next uint8, b []byte) (proto uint8, payload []byte, laterFragment, firstFragment bool, err error) {
	for n := 0; ; n++ {
		switch next {
		case ext6HopByHop, ext6Routing, ext6DestOpts, ext6Fragment:
		default:
			return next, b, false, firstFragment, nil
		}
		if n == maxExtHeaders || len(b) < 8 {
			return 0, nil, false, false, errNotIP
		}
		size := 8 // the Fragment header; the others give their length
		if next != ext6Fragment {
			size = (int(b[1]) + 1) * 8
		}
		if size > len(b) {
			return 0, nil, false, false, errNotIP
		}
		if next == ext6Fragment {
			offsetM := binary.BigEndian.Uint16(b[2:4])
			if offsetM>>3 != 0 {
				return b[0], b[size:], true, false, nil
			}
			firstFragment = firstFragment || offsetM&1 != 0
		}
		next, b = b[0], b[size:]
	}
}

// inSelector reports whether a packet's address, protocol and port on one
// side fit the traffic selector s (RFC 7296 §3.13.1). A packet whose ports
// are opaque fits only a selector that allows every port.
func inSelector(s wire.Selector, addr netip.Addr, proto uint8, port uint16, opaque bool) bool {
	if s.TSType != wire.TS_IPV4_ADDR_RANGE && s.TSType != wire.TS_IPV6_ADDR_RANGE {
		return false
	}
	if addr.Compare(s.Start) < 0 || addr.Compare(s.End) > 0 {
		return false
	}
	if s.IPProtocol != 0 && s.IPProtocol != proto {
		return false
	}
	if opaque {
		return s.StartPort == 0 && s.EndPort == 65535
	}
	return port >= s.StartPort && port <= s.EndPort
}

// tsPorts are the packet's source and destination "ports" as traffic
// selectors see them: an ICMP or ICMPv6 message's type and code as one
// 16-bit value, type in the high byte, on both sides (RFC 7296 §3.13.1,
// RFC 4301 §4.4.1.1); otherwise its ports. opaque is set when the packet
// does not show them.
func (f flow) tsPorts() (src, dst uint16, opaque bool) {
	if f.proto == protoICMP || f.proto == protoICMPv6 {
		v := uint16(f.icmpType)<<8 | uint16(f.icmpCode)
		return v, v, !f.icmpKnown
	}
	return f.srcPort, f.dstPort, f.opaquePorts
}

// fitsSelectors reports whether a packet from the "from" side to the "to"
// side fits some selector of each list: for an outbound packet from is our
// LocalTS and to the RemoteTS, for an inbound one the other way round.
func fitsSelectors(f flow, from, to []wire.Selector) bool {
	okFrom, okTo := false, false
	src, dst, opaque := f.tsPorts()
	for _, s := range from {
		if inSelector(s, f.src, f.proto, src, opaque) {
			okFrom = true
			break
		}
	}
	for _, s := range to {
		if inSelector(s, f.dst, f.proto, dst, opaque) {
			okTo = true
			break
		}
	}
	return okFrom && okTo
}
