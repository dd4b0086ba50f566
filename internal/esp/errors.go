package esp

import "errors"

// Reasons a packet is refused. Each inbound one is also counted on the SA
// (see Counters) or, for ErrUnknownSPI, on the SAD.
var (
	// ErrTooShort: the packet cannot hold header, IV, one cipher block or
	// trailer, and ICV; or the ciphertext is not a whole number of blocks.
	ErrTooShort = errors.New("esp: packet too short")
	// ErrReplay: sequence number zero, already seen, or left of the
	// anti-replay window (RFC 4303 §3.4.3).
	ErrReplay = errors.New("esp: replayed or stale sequence number")
	// ErrICV: the integrity check value did not verify (RFC 4303 §3.4.4).
	ErrICV = errors.New("esp: integrity check failed")
	// ErrBadPadding: Pad Length points outside the plaintext or the padding
	// is not 1, 2, 3, … (RFC 4303 §2.4).
	ErrBadPadding = errors.New("esp: bad padding")
	// ErrBadPayload: Next Header does not fit the SA's mode, or a tunnel
	// mode payload is not a well-formed IP packet.
	ErrBadPayload = errors.New("esp: payload does not match next header")
	// ErrDummy: a Next Header 59 packet (RFC 4303 §2.6); it was authentic
	// and is to be discarded without comment.
	ErrDummy = errors.New("esp: dummy packet")
	// ErrUnknownSPI: no inbound SA has the packet's SPI.
	ErrUnknownSPI = errors.New("esp: unknown SPI")
	// ErrSeqExhausted: the SA has sent its last sequence number and must be
	// replaced (RFC 4303 §3.3.3: the counter never wraps).
	ErrSeqExhausted = errors.New("esp: sequence numbers exhausted, rekey needed")
	// ErrExpired: the SA reached a hard lifetime or was closed.
	ErrExpired = errors.New("esp: SA expired")
	// ErrPayloadInvalid: Encap was given a Next Header that does not fit
	// the SA's mode, or a tunnel mode payload that is not an IP packet of
	// that version.
	ErrPayloadInvalid = errors.New("esp: payload invalid for this SA")
)
