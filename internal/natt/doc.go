// Package natt frames IKE and ESP on the UDP sockets they share when a NAT
// may sit between the peers: RFC 3948 §2 (ESP in UDP, the non-ESP marker,
// NAT keepalives) and the port and address rules of RFC 7296 §2.23.
//
// One UDP socket on port 4500 carries three kinds of datagram, told apart by
// their first bytes (RFC 3948 §2.2, §2.3):
//
//	0xFF                      NAT keepalive: one byte, discarded
//	0x00000000 | IKE message  non-ESP marker, then IKE
//	SPI (never 0) | …         an ESP packet
//
// Port 500 carries IKE messages with no marker. Classify sorts incoming
// datagrams; AppendIKE and AppendKeepalive build outgoing ones (an ESP
// packet needs no framing: it is the UDP payload as it is). Mapping keeps
// the address a peer is reached at and moves it only when the caller has
// authenticated a message from the new address.
package natt
