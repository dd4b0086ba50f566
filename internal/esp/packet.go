package esp

import "encoding/binary"

// HeaderLen is the length of the ESP header: SPI and sequence number
// (RFC 4303 §2.1, §2.2).
const HeaderLen = 8

// trailerLen is Pad Length plus Next Header (RFC 4303 §2.5, §2.6).
const trailerLen = 2

// Packet is a view of an ESP packet starting at its SPI:
//
//	SPI(4) | Sequence Number(4) | IV | ciphertext | ICV
//
// where the ciphertext hides payload | padding | Pad Length | Next Header.
// The IV and ICV lengths depend on the SA, so only the header has accessors.
type Packet []byte

// SPI returns the Security Parameters Index (RFC 4303 §2.1).
func (p Packet) SPI() uint32 { return binary.BigEndian.Uint32(p[0:4]) }

// Seq returns the low 32 bits of the sequence number (RFC 4303 §2.2).
func (p Packet) Seq() uint32 { return binary.BigEndian.Uint32(p[4:8]) }

// PeekSPI returns the SPI of an ESP packet, or false if b is too short to
// hold an ESP header.
func PeekSPI(b []byte) (uint32, bool) {
	if len(b) < HeaderLen {
		return 0, false
	}
	return Packet(b).SPI(), true
}

// checkPadding reports whether the padding in front of the trailer is the
// default sequence 1, 2, 3, … that RFC 4303 §2.4 tells senders to use.
func checkPadding(pad []byte) bool {
	for i, b := range pad {
		if b != byte(i+1) {
			return false
		}
	}
	return true
}

// innerIPLen returns the length of the IP packet at the start of b, which
// must agree with the Next Header value; ok is false if b does not start with
// a well-formed header of that version. Bytes after the packet are TFC
// padding (RFC 4303 §2.7) and are cut off by the caller.
func innerIPLen(b []byte, next Protocol) (n int, ok bool) {
	if len(b) == 0 {
		return 0, false
	}
	switch next {
	case ProtoIPv4:
		if len(b) < 20 || b[0]>>4 != 4 {
			return 0, false
		}
		ihl := int(b[0]&0x0f) * 4
		total := int(binary.BigEndian.Uint16(b[2:4]))
		if ihl < 20 || total < ihl || total > len(b) {
			return 0, false
		}
		return total, true
	case ProtoIPv6:
		if len(b) < 40 || b[0]>>4 != 6 {
			return 0, false
		}
		total := 40 + int(binary.BigEndian.Uint16(b[4:6]))
		if total > len(b) {
			return 0, false
		}
		return total, true
	}
	return 0, false
}
