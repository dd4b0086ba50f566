package natt

import (
	"errors"
	"fmt"
	"time"
)

// The UDP ports IKE uses (RFC 7296 §2.23).
const (
	// IKEPort carries IKE with no marker and never ESP.
	IKEPort = 500
	// NATTPort carries IKE behind the non-ESP marker, ESP, and keepalives.
	NATTPort = 4500
)

// KeepaliveInterval is how often a host behind a NAT sends a keepalive when
// it has sent nothing else (RFC 3948 §4). 20 seconds is strongSwan's default
// and well inside the UDP timeouts NATs commonly use.
const KeepaliveInterval = 20 * time.Second

// ikeHeaderLen is the fixed IKE header (RFC 7296 §3.1); nothing shorter is
// an IKE message.
const ikeHeaderLen = 28

// espHeaderLen is SPI plus sequence number (RFC 4303 §2).
const espHeaderLen = 8

// keepalive is the single byte of a NAT keepalive (RFC 3948 §2.3).
const keepalive = 0xFF

// nonESPMarker precedes IKE on port 4500: four zero bytes where an ESP
// packet's SPI would be, and SPI 0 is never assigned (RFC 3948 §2.2).
var nonESPMarker = [4]byte{}

// Kind is what a datagram carries.
type Kind uint8

const (
	KindIKE       Kind = iota + 1 // an IKE message, to the IKE daemon
	KindESP                       // an ESP packet, to the SAD
	KindKeepalive                 // a NAT keepalive, to be dropped
)

func (k Kind) String() string {
	switch k {
	case KindIKE:
		return "IKE"
	case KindESP:
		return "ESP"
	case KindKeepalive:
		return "NAT-keepalive"
	}
	return fmt.Sprintf("kind-%d", uint8(k))
}

// Reasons Classify refuses a datagram.
var (
	ErrShort = errors.New("natt: datagram too short for what it starts with")
	ErrPort  = errors.New("natt: not an IKE port")
)

// Classify tells what a datagram received on localPort carries and returns
// the part to hand on: the IKE message without any marker, or the ESP
// packet starting at its SPI. A keepalive returns no payload; the caller
// drops it. The payload aliases b.
func Classify(localPort uint16, b []byte) (Kind, []byte, error) {
	switch localPort {
	case IKEPort:
		if len(b) < ikeHeaderLen {
			return 0, nil, ErrShort
		}
		return KindIKE, b, nil
	case NATTPort:
		switch {
		case len(b) == 1 && b[0] == keepalive:
			return KindKeepalive, nil, nil
		case len(b) >= len(nonESPMarker) && [4]byte(b[:4]) == nonESPMarker:
			ike := b[len(nonESPMarker):]
			if len(ike) < ikeHeaderLen {
				return 0, nil, ErrShort
			}
			return KindIKE, ike, nil
		case len(b) < espHeaderLen:
			return 0, nil, ErrShort
		}
		return KindESP, b, nil
	}
	return 0, nil, ErrPort
}

// AppendIKE appends to dst the UDP payload that carries IKE message msg
// from localPort: behind the non-ESP marker on port 4500, bare on port 500.
func AppendIKE(dst []byte, localPort uint16, msg []byte) []byte {
	if localPort == NATTPort {
		dst = append(dst, nonESPMarker[:]...)
	}
	return append(dst, msg...)
}

// AppendKeepalive appends the one-byte NAT keepalive payload to dst.
func AppendKeepalive(dst []byte) []byte {
	return append(dst, keepalive)
}
