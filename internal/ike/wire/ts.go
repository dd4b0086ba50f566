package wire

import (
	"encoding/binary"
	"fmt"
	"net/netip"
)

// TS is a Traffic Selector payload, TSi or TSr (RFC 7296 section 3.13).
type TS struct {
	PT        PayloadType // PayloadTSi or PayloadTSr
	Selectors []Selector
}

// Selector is one traffic selector (RFC 7296 section 3.13.1): an address
// range, a port range and an IP protocol (0 for any).
type Selector struct {
	TSType     TSType
	IPProtocol uint8
	StartPort  uint16
	EndPort    uint16
	Start, End netip.Addr
	// Opaque holds the bytes after the first four for a selector type this
	// package does not know; the responder answers TS_UNACCEPTABLE to it
	// rather than rejecting the whole message.
	Opaque []byte
}

// Selector lengths fixed by their type.
const (
	tsIPv4Len = 16
	tsIPv6Len = 40
)

func (p *TS) Type() PayloadType { return p.PT }

// Same reports whether two selectors cover the same traffic: type,
// protocol, ports and addresses (Opaque aside).
func (s Selector) Same(t Selector) bool {
	return s.TSType == t.TSType && s.IPProtocol == t.IPProtocol && s.StartPort == t.StartPort &&
		s.EndPort == t.EndPort && s.Start == t.Start && s.End == t.End
}

func (s Selector) String() string {
	if s.TSType != TS_IPV4_ADDR_RANGE && s.TSType != TS_IPV6_ADDR_RANGE {
		return fmt.Sprintf("%s(%d bytes)", s.TSType, len(s.Opaque))
	}
	return fmt.Sprintf("%s-%s proto %d ports %d-%d", s.Start, s.End, s.IPProtocol, s.StartPort, s.EndPort)
}

func (p *TS) appendBody(b []byte) ([]byte, error) {
	if p.PT != PayloadTSi && p.PT != PayloadTSr {
		return nil, fmt.Errorf("ike: traffic selector payload typed %s", p.PT)
	}
	if len(p.Selectors) == 0 || len(p.Selectors) > 255 {
		return nil, fmt.Errorf("ike: %s with %d selectors", p.PT, len(p.Selectors))
	}
	b = append(b, byte(len(p.Selectors)), 0, 0, 0)
	for _, s := range p.Selectors {
		start := len(b)
		b = append(b, byte(s.TSType), s.IPProtocol, 0, 0)
		switch s.TSType {
		case TS_IPV4_ADDR_RANGE, TS_IPV6_ADDR_RANGE:
			addrLen := 4
			if s.TSType == TS_IPV6_ADDR_RANGE {
				addrLen = 16
			}
			if s.Start.BitLen() != addrLen*8 || s.End.BitLen() != addrLen*8 {
				return nil, fmt.Errorf("ike: %s with addresses %s and %s", s.TSType, s.Start, s.End)
			}
			b = binary.BigEndian.AppendUint16(b, s.StartPort)
			b = binary.BigEndian.AppendUint16(b, s.EndPort)
			b = append(b, s.Start.AsSlice()...)
			b = append(b, s.End.AsSlice()...)
		default:
			b = append(b, s.Opaque...)
		}
		if len(b)-start > 0xffff {
			return nil, fmt.Errorf("ike: selector longer than 65535 bytes")
		}
		binary.BigEndian.PutUint16(b[start+2:], uint16(len(b)-start))
	}
	return b, nil
}

func decodeTS(pt PayloadType, b []byte) (Payload, error) {
	if len(b) < 4 {
		return nil, syntaxErr(pt, "%d bytes, TS header needs 4", len(b))
	}
	count := int(b[0])
	if count == 0 {
		return nil, syntaxErr(pt, "no traffic selectors")
	}
	p := &TS{PT: pt}
	b = b[4:]
	for len(b) > 0 {
		if len(b) < 4 {
			return nil, syntaxErr(pt, "selector header needs 4 bytes, %d left", len(b))
		}
		s := Selector{TSType: TSType(b[0]), IPProtocol: b[1]}
		n := int(binary.BigEndian.Uint16(b[2:4]))
		if n < 4 || n > len(b) {
			return nil, syntaxErr(pt, "selector length %d, %d bytes left", n, len(b))
		}
		switch s.TSType {
		case TS_IPV4_ADDR_RANGE, TS_IPV6_ADDR_RANGE:
			want, addrLen := tsIPv4Len, 4
			if s.TSType == TS_IPV6_ADDR_RANGE {
				want, addrLen = tsIPv6Len, 16
			}
			if n != want {
				return nil, syntaxErr(pt, "%s of length %d, want %d", s.TSType, n, want)
			}
			s.StartPort = binary.BigEndian.Uint16(b[4:6])
			s.EndPort = binary.BigEndian.Uint16(b[6:8])
			s.Start, _ = netip.AddrFromSlice(b[8 : 8+addrLen])
			s.End, _ = netip.AddrFromSlice(b[8+addrLen : 8+2*addrLen])
		default:
			s.Opaque = clone(b[4:n])
		}
		p.Selectors = append(p.Selectors, s)
		b = b[n:]
	}
	if len(p.Selectors) != count {
		return nil, syntaxErr(pt, "header says %d selectors, payload holds %d", count, len(p.Selectors))
	}
	return p, nil
}
