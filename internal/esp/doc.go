// Package esp is tcpipc's userspace IPsec data plane: the Encapsulating
// Security Payload of RFC 4303 (§2 packet format, §2.4 padding, §3.3 outbound
// and §3.4 inbound processing, Appendix A anti-replay window and extended
// sequence numbers) with AES-GCM-16 from RFC 4106 and AES-CBC (RFC 3602)
// authenticated by HMAC-SHA2-256-128, -384-192 or -512-256 (RFC 4868) or
// HMAC-SHA1-96 (RFC 2404).
//
// An SA holds the state of one direction of one security association: its
// SPI, the cipher, the outbound sequence counter, the inbound replay window,
// counters and lifetimes. SA.Encap turns a payload into an ESP packet and
// SA.Decap turns an ESP packet back into its payload; both append to a
// buffer the caller owns, so a loop that reuses its buffers does not allocate.
// A SAD maps inbound SPIs to SAs and counts packets whose SPI it does not know.
//
// The packets are what goes inside IP (protocol 50) or inside UDP port 4500
// (RFC 3948); the outer headers belong to the caller, see package natt.
//
// Reading order for a newcomer: packet.go (the wire format), sa.go
// (Encap and Decap, in the order of RFC 4303 §3.3 and §3.4), replay.go (the
// window and the ESN guess of Appendix A), sad.go (SPI lookup).
//
// Every drop is counted on the SA (or on the SAD, for unknown SPIs) and
// reported as one of the Err* values, so a receive loop can discard the
// packet without logging per packet.
package esp
