package esp

import "fmt"

// Protocol is an IP protocol number as carried in the ESP Next Header field
// (RFC 4303 §2.6).
type Protocol uint8

// Next Header values the data plane treats specially.
const (
	ProtoIPv4 Protocol = 4  // tunnel mode, inner IPv4 packet
	ProtoTCP  Protocol = 6  // transport mode
	ProtoUDP  Protocol = 17 // transport mode
	ProtoIPv6 Protocol = 41 // tunnel mode, inner IPv6 packet
	ProtoNone Protocol = 59 // dummy packet for traffic flow confidentiality (§2.6)
)

func (p Protocol) String() string {
	switch p {
	case ProtoIPv4:
		return "IPv4"
	case ProtoTCP:
		return "TCP"
	case ProtoUDP:
		return "UDP"
	case ProtoIPv6:
		return "IPv6"
	case ProtoNone:
		return "No-Next-Header"
	}
	return fmt.Sprintf("proto-%d", uint8(p))
}

// Mode says what an SA carries (RFC 4301 §4.1).
type Mode uint8

const (
	// Tunnel mode carries whole IP packets; Next Header is 4 or 41.
	Tunnel Mode = iota
	// Transport mode carries the upper-layer payload of the outer IP
	// packet; Next Header is that payload's protocol.
	Transport
)

func (m Mode) String() string {
	switch m {
	case Tunnel:
		return "tunnel"
	case Transport:
		return "transport"
	}
	return fmt.Sprintf("mode-%d", uint8(m))
}

// Cipher is an ESP encryption transform. The values are the IKEv2 transform
// IDs (RFC 7296 §3.3.2, IANA "Transform Type 1"), so an IKE proposal maps
// straight onto them.
type Cipher uint8

const (
	// AESCBC is AES in CBC mode with a random 16-byte IV (RFC 3602). It
	// needs an Integrity algorithm.
	AESCBC Cipher = 12
	// AESGCM16 is AES-GCM with a 16-byte ICV and an 8-byte explicit IV
	// (RFC 4106). Its key is the AES key followed by a 4-byte salt.
	AESGCM16 Cipher = 20
)

func (c Cipher) String() string {
	switch c {
	case AESCBC:
		return "AES-CBC"
	case AESGCM16:
		return "AES-GCM-16"
	}
	return fmt.Sprintf("cipher-%d", uint8(c))
}

// Integrity is an ESP integrity transform. The values are the IKEv2
// transform IDs (IANA "Transform Type 3").
type Integrity uint8

const (
	// NoIntegrity is the only choice for AESGCM16, which authenticates
	// by itself.
	NoIntegrity Integrity = 0
	// HMACSHA1_96 is HMAC-SHA-1 truncated to 12 bytes (RFC 2404).
	HMACSHA1_96 Integrity = 2
	// HMACSHA2_256_128 is HMAC-SHA-256 truncated to 16 bytes (RFC 4868).
	HMACSHA2_256_128 Integrity = 12
	// HMACSHA2_384_192 is HMAC-SHA-384 truncated to 24 bytes (RFC 4868).
	HMACSHA2_384_192 Integrity = 13
	// HMACSHA2_512_256 is HMAC-SHA-512 truncated to 32 bytes (RFC 4868).
	HMACSHA2_512_256 Integrity = 14
)

func (i Integrity) String() string {
	switch i {
	case NoIntegrity:
		return "none"
	case HMACSHA1_96:
		return "HMAC-SHA1-96"
	case HMACSHA2_256_128:
		return "HMAC-SHA2-256-128"
	case HMACSHA2_384_192:
		return "HMAC-SHA2-384-192"
	case HMACSHA2_512_256:
		return "HMAC-SHA2-512-256"
	}
	return fmt.Sprintf("integrity-%d", uint8(i))
}
