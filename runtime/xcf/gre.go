package xcf

import (
	"encoding/binary"
	"errors"
	"fmt"
	"net/netip"
)

// Wire constants of an XCF frame.
const (
	IPv4HeaderLen = 20 // outer header, no options (RFC 791 §3.1)
	GREHeaderLen  = 4  // RFC 2784 §2.1, no checksum
	// Overhead is what encapsulation adds to an inner datagram.
	Overhead = IPv4HeaderLen + GREHeaderLen

	ProtocolGRE = 47 // IANA protocol number for GRE

	EtherTypeIPv4 = 0x0800 // GRE protocol type for an IPv4 payload (RFC 2784 §2.4)
	EtherTypeIPv6 = 0x86DD // GRE protocol type for an IPv6 payload

	outerTTL = 64
)

// GRE header bits (RFC 2784 §2.1): C is bit 0 of the first 16-bit word,
// Reserved0 bits 1-12, Ver bits 13-15.
const (
	greChecksumPresent = 0x8000
	greReserved0Strict = 0x7C00 // bits 1-5: RFC 1701 features we do not implement
	greVersionMask     = 0x0007
)

// Decode errors. Each names the rule the frame broke.
var (
	ErrShort          = errors.New("xcf: frame too short")
	ErrNotIPv4        = errors.New("xcf: outer header is not IPv4")
	ErrBadHeaderLen   = errors.New("xcf: outer IPv4 header length out of range")
	ErrBadTotalLen    = errors.New("xcf: outer IPv4 total length out of range")
	ErrBadChecksum    = errors.New("xcf: outer IPv4 header checksum mismatch")
	ErrFragment       = errors.New("xcf: outer IPv4 fragment (XCF frames are never fragmented)")
	ErrNotGRE         = errors.New("xcf: outer protocol is not GRE (47)")
	ErrGREReserved    = errors.New("xcf: GRE reserved bits 1-5 set (RFC 2784 §2.3)")
	ErrGREVersion     = errors.New("xcf: GRE version is not 0 (RFC 2784 §2.3.1)")
	ErrGREChecksum    = errors.New("xcf: GRE checksum mismatch (RFC 2784 §2.5)")
	ErrGREProtocol    = errors.New("xcf: GRE protocol type is neither IPv4 nor IPv6")
	ErrInnerMismatch  = errors.New("xcf: inner datagram version does not match GRE protocol type")
	ErrAddressFamily  = errors.New("xcf: XCF addresses must be IPv4")
	ErrInnerTooLarge  = errors.New("xcf: inner datagram too large for one frame")
	errEmptyInnerData = errors.New("xcf: empty inner datagram")
)

// Frame is a view of one XCF frame: outer IPv4 header, GRE header, inner
// datagram. Obtain one with ParseFrame, which validates it; the accessors
// assume a valid frame.
type Frame []byte

// outer returns the outer IPv4 header length in bytes.
func (f Frame) outerLen() int { return int(f[0]&0x0f) * 4 }

// Src is the outer source: the XCF address of the sending stack.
func (f Frame) Src() netip.Addr { return netip.AddrFrom4([4]byte(f[12:16])) }

// Dst is the outer destination: the XCF address of the receiving stack.
func (f Frame) Dst() netip.Addr { return netip.AddrFrom4([4]byte(f[16:20])) }

// ID is the outer IPv4 identification field.
func (f Frame) ID() uint16 { return binary.BigEndian.Uint16(f[4:6]) }

// TTL is the outer time to live.
func (f Frame) TTL() uint8 { return f[8] }

// GRE returns the GRE header.
func (f Frame) GRE() GREHeader {
	g := GREHeader(f[f.outerLen():])
	return g[:g.Len()]
}

// Inner is the encapsulated datagram.
func (f Frame) Inner() []byte {
	total := int(binary.BigEndian.Uint16(f[2:4]))
	start := f.outerLen() + f.GRE().Len()
	return f[start:total]
}

// GREHeader is a view of a GRE header (RFC 2784 §2.1):
//
//	 0                   1                   2                   3
//	 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//	|C|       Reserved0       | Ver |         Protocol Type         |
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//	|      Checksum (optional)      |       Reserved1 (Optional)    |
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
type GREHeader []byte

func (g GREHeader) word0() uint16 { return binary.BigEndian.Uint16(g[0:2]) }

// ChecksumPresent is the C bit.
func (g GREHeader) ChecksumPresent() bool { return g.word0()&greChecksumPresent != 0 }

// Version is the Ver field; RFC 2784 requires 0.
func (g GREHeader) Version() uint8 { return uint8(g.word0() & greVersionMask) }

// Protocol is the protocol type of the payload, an EtherType.
func (g GREHeader) Protocol() uint16 { return binary.BigEndian.Uint16(g[2:4]) }

// Len is the header length: 4, or 8 with the checksum present.
func (g GREHeader) Len() int {
	if g.ChecksumPresent() {
		return GREHeaderLen + 4
	}
	return GREHeaderLen
}

// ParseFrame validates b as an XCF frame and returns a view of it. Bytes
// past the outer total length are ignored, as IP receivers do.
func ParseFrame(b []byte) (Frame, error) {
	if len(b) < IPv4HeaderLen {
		return nil, ErrShort
	}
	if b[0]>>4 != 4 {
		return nil, ErrNotIPv4
	}
	hl := int(b[0]&0x0f) * 4
	if hl < IPv4HeaderLen || hl > len(b) {
		return nil, ErrBadHeaderLen
	}
	total := int(binary.BigEndian.Uint16(b[2:4]))
	if total < hl+GREHeaderLen || total > len(b) {
		return nil, ErrBadTotalLen
	}
	if checksum(b[:hl], 0) != 0xffff {
		return nil, ErrBadChecksum
	}
	// More-fragments flag or a fragment offset: a piece, not a frame.
	if binary.BigEndian.Uint16(b[6:8])&0x3fff != 0 {
		return nil, ErrFragment
	}
	if b[9] != ProtocolGRE {
		return nil, ErrNotGRE
	}
	g := GREHeader(b[hl:total])
	if g.word0()&greReserved0Strict != 0 {
		return nil, ErrGREReserved
	}
	if g.Version() != 0 {
		return nil, ErrGREVersion
	}
	if len(g) < g.Len() {
		return nil, ErrShort
	}
	if g.ChecksumPresent() && checksum(g, 0) != 0xffff {
		return nil, ErrGREChecksum
	}
	inner := b[hl+g.Len() : total]
	if len(inner) == 0 {
		return nil, errEmptyInnerData
	}
	switch g.Protocol() {
	case EtherTypeIPv4:
		if inner[0]>>4 != 4 {
			return nil, ErrInnerMismatch
		}
	case EtherTypeIPv6:
		if inner[0]>>4 != 6 {
			return nil, ErrInnerMismatch
		}
	default:
		return nil, ErrGREProtocol
	}
	return Frame(b[:total]), nil
}

// AppendFrame encapsulates inner, an IPv4 or IPv6 datagram, in a frame from
// src to dst (XCF addresses, IPv4) and appends it to buf. id is the outer
// IPv4 identification. The GRE header carries no checksum: the inner
// datagram has its own, and the link is in-process.
func AppendFrame(buf []byte, src, dst netip.Addr, id uint16, inner []byte) ([]byte, error) {
	if !src.Is4() || !dst.Is4() {
		return buf, ErrAddressFamily
	}
	if len(inner) == 0 {
		return buf, errEmptyInnerData
	}
	var proto uint16
	switch inner[0] >> 4 {
	case 4:
		proto = EtherTypeIPv4
	case 6:
		proto = EtherTypeIPv6
	default:
		return buf, ErrInnerMismatch
	}
	total := Overhead + len(inner)
	if total > 0xffff {
		return buf, fmt.Errorf("%w: %d bytes", ErrInnerTooLarge, len(inner))
	}
	start := len(buf)
	buf = append(buf, make([]byte, Overhead)...)
	h := buf[start:]
	h[0] = 4<<4 | IPv4HeaderLen/4
	binary.BigEndian.PutUint16(h[2:4], uint16(total))
	binary.BigEndian.PutUint16(h[4:6], id)
	h[8] = outerTTL
	h[9] = ProtocolGRE
	s4, d4 := src.As4(), dst.As4()
	copy(h[12:16], s4[:])
	copy(h[16:20], d4[:])
	binary.BigEndian.PutUint16(h[10:12], ^checksum(h[:IPv4HeaderLen], 0))
	binary.BigEndian.PutUint16(h[22:24], proto)
	return append(buf, inner...), nil
}

// checksum is the RFC 1071 one's complement sum of b, folded to 16 bits
// and not complemented. A header whose checksum field is correct sums to
// 0xffff.
func checksum(b []byte, initial uint32) uint16 {
	sum := initial
	for len(b) >= 2 {
		sum += uint32(binary.BigEndian.Uint16(b))
		b = b[2:]
	}
	if len(b) == 1 {
		sum += uint32(b[0]) << 8
	}
	for sum > 0xffff {
		sum = sum&0xffff + sum>>16
	}
	return uint16(sum)
}
