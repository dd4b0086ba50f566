// Package wire is a strict encoder and decoder for IKEv2 messages as defined
// in RFC 7296 section 3 (header, generic payload header and every payload the
// tcpipc IKE daemon exchanges), with the AES-GCM encrypted payload layout of
// RFC 5282 treated as an opaque body.
//
// Decoding checks every length field against the bytes that contain it: the
// header length against the datagram, each payload length against what is
// left of the message, each proposal against its SPI size and transform
// count, each transform and traffic selector against its own length field,
// and Delete and Notify SPIs against their declared sizes. A failure is a
// *DecodeError carrying the Notify type (RFC 7296 section 3.10.1) a
// responder would answer with, usually INVALID_SYNTAX.
//
// Payloads this package does not understand are skipped and kept as *Raw
// when their critical bit is clear, and refused with
// UNSUPPORTED_CRITICAL_PAYLOAD when it is set (RFC 7296 section 2.5).
//
// The header is also available as Header, a byte-slice view with accessors,
// so a receiver can route a datagram by SPI and message ID without decoding
// its payloads.
package wire
