package ipsec

import (
	"encoding/binary"
	"errors"
	"net"
	"net/netip"
)

// ESP travels in one of two ways (RFC 7296 §2.23, RFC 3948): as plain
// ESP, IP protocol 50, when NAT detection found no NAT between the IKE
// peers; or inside UDP on port 4500 when it found one, on either side. A
// peer that wants UDP encapsulation without a NAT (strongSwan's
// `encap = yes`) fakes its NAT detection hash, which is how IKEv2 forces
// it: there is no separate negotiation. The choice is fixed per child SA
// (ikesa.ChildSA.UDPEncap) when it is installed.
//
// On the way in, an ESP packet must come the way its SA says: a plain ESP
// packet for a UDP-encapsulated SA, or ESP in UDP for a plain one, did not
// follow the path both peers agreed and is dropped and counted
// (DropEncapMismatch) before it is decrypted, as Linux does for an SA
// whose encapsulation differs (XfrmInStateMismatch). Accepting it would
// let a sender bypass the NAT mapping the endpoint keeps for the SA.

// ESPConn is implemented by a PacketConn that also carries plain ESP, IP
// protocol 50, on Config.Local. The endpoint reads it from a goroutine of
// its own; Close on the PacketConn must make ReadESP return an error. A
// PacketConn without it carries only UDP-encapsulated ESP: a child SA
// that needs plain ESP then drops its outbound packets (DropNoPlainESP).
type ESPConn interface {
	// ReadESP blocks until an ESP packet (the IP payload, starting at
	// the SPI) arrives and copies it into b.
	ReadESP(b []byte) (n int, src netip.Addr, err error)
	// WriteESP sends the ESP packet b to dst as the payload of an IP
	// packet with protocol 50. Like WriteTo it may lose it.
	WriteESP(b []byte, dst netip.Addr) error
}

// ProtoESP is ESP's IP protocol number.
const ProtoESP = 50

// espLoop reads plain ESP until the conn is closed; other read errors
// are counted (DropReadError) and the loop goes on, as the UDP loops do.
func (e *Endpoint) espLoop(c ESPConn) {
	defer e.wg.Done()
	buf := make([]byte, maxDatagram)
	for {
		n, src, err := c.ReadESP(buf)
		switch {
		case err == nil:
		case e.isClosed() || errors.Is(err, net.ErrClosed) || errors.Is(err, ErrNoPlainESP):
			return // closed, or no plain ESP at all
		default:
			// A raw socket fails transiently too (ENOBUFS, a pending
			// ICMP error): count it, as a lost packet, and read on.
			e.stats.drop(DropReadError)
			continue
		}
		e.HandleESP(src, buf[:n])
	}
}

// HandleESP processes one plain ESP packet (the payload of an IP packet
// with protocol 50) from src. The ESP loop calls it; it is exported for
// callers that run their own loops and for fuzzing. It never panics, and
// it does not keep b.
func (e *Endpoint) HandleESP(src netip.Addr, b []byte) {
	defer func() {
		if r := recover(); r != nil {
			e.stats.drop(DropPanic)
		}
	}()
	if len(b) < 8 { // SPI and sequence number (RFC 4303 §2)
		e.stats.drop(DropTruncated)
		return
	}
	e.stats.espIn.Add(1)
	e.receiveESP(netip.AddrPortFrom(src, 0), b, false)
}

// encapMismatch reports whether the ESP packet pkt, which arrived in UDP
// (udp) or plain, came another way than its SA carries ESP. An unknown SPI
// is not a mismatch: the SAD counts it.
func (e *Endpoint) encapMismatch(pkt []byte, udp bool) bool {
	spi := binary.BigEndian.Uint32(pkt[:4])
	e.mu.Lock()
	c := e.children[spi]
	e.mu.Unlock()
	return c != nil && c.info.UDPEncap != udp
}

// writeESP sends the ESP packet b for child ch to dst: in UDP from port
// 4500 when ch is UDP-encapsulated, else as IP protocol 50. It reports
// whether the packet left; a conn that cannot send plain ESP counts
// DropNoPlainESP.
func (e *Endpoint) writeESP(ch *child, b []byte, dst netip.AddrPort) bool {
	if ch.info.UDPEncap {
		return e.conn.WriteTo(nattPort, b, dst) == nil
	}
	raw, ok := e.conn.(ESPConn)
	if !ok {
		e.stats.drop(DropNoPlainESP)
		return false
	}
	err := raw.WriteESP(b, dst.Addr())
	if errors.Is(err, ErrNoPlainESP) {
		e.stats.drop(DropNoPlainESP)
	}
	return err == nil
}
