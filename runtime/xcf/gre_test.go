package xcf

import (
	"bytes"
	"encoding/binary"
	"errors"
	"net/netip"
	"testing"
)

var (
	xcf1 = netip.MustParseAddr("10.0.0.1")
	xcf2 = netip.MustParseAddr("10.0.0.2")
	xcf3 = netip.MustParseAddr("10.0.0.3")
)

// innerV4 is a 28-byte IPv4 datagram shape (only the version nibble is
// looked at by the frame code).
func innerV4() []byte {
	b := make([]byte, 28)
	b[0] = 0x45
	binary.BigEndian.PutUint16(b[2:4], 28)
	copy(b[20:], "payload!")
	return b
}

func innerV6() []byte {
	b := make([]byte, 48)
	b[0] = 0x60
	return b
}

func TestFrameRoundTrip(t *testing.T) {
	for _, inner := range [][]byte{innerV4(), innerV6()} {
		buf, err := AppendFrame([]byte("prefix"), xcf1, xcf2, 0x1234, inner)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.HasPrefix(buf, []byte("prefix")) {
			t.Fatal("AppendFrame overwrote the buffer's contents")
		}
		f, err := ParseFrame(buf[len("prefix"):])
		if err != nil {
			t.Fatal(err)
		}
		if f.Src() != xcf1 || f.Dst() != xcf2 || f.ID() != 0x1234 || f.TTL() != outerTTL {
			t.Errorf("outer header: src %s dst %s id %#x ttl %d", f.Src(), f.Dst(), f.ID(), f.TTL())
		}
		g := f.GRE()
		wantProto := uint16(EtherTypeIPv4)
		if inner[0]>>4 == 6 {
			wantProto = EtherTypeIPv6
		}
		if g.Protocol() != wantProto || g.Version() != 0 || g.ChecksumPresent() || g.Len() != 4 {
			t.Errorf("GRE header %x: proto %#x", []byte(g), g.Protocol())
		}
		if !bytes.Equal(f.Inner(), inner) {
			t.Errorf("inner = %x, want %x", f.Inner(), inner)
		}
		if len(f) != Overhead+len(inner) {
			t.Errorf("frame length %d, want %d", len(f), Overhead+len(inner))
		}
	}
}

// withGREChecksum rebuilds a frame with the optional checksum (C bit).
func withGREChecksum(t *testing.T, inner []byte) []byte {
	t.Helper()
	b, err := AppendFrame(nil, xcf1, xcf2, 1, inner)
	if err != nil {
		t.Fatal(err)
	}
	out := append([]byte{}, b[:IPv4HeaderLen]...)
	out = append(out, 0x80, 0, 0x08, 0x00, 0, 0, 0, 0)
	out = append(out, inner...)
	binary.BigEndian.PutUint16(out[2:4], uint16(len(out)))
	fixIPChecksum(out)
	ck := ^checksum(out[IPv4HeaderLen:], 0)
	binary.BigEndian.PutUint16(out[IPv4HeaderLen+4:], ck)
	return out
}

func fixIPChecksum(b []byte) {
	b[10], b[11] = 0, 0
	binary.BigEndian.PutUint16(b[10:12], ^checksum(b[:IPv4HeaderLen], 0))
}

func TestParseFrameAcceptsGREChecksum(t *testing.T) {
	b := withGREChecksum(t, innerV4())
	f, err := ParseFrame(b)
	if err != nil {
		t.Fatal(err)
	}
	if !f.GRE().ChecksumPresent() || f.GRE().Len() != 8 || !bytes.Equal(f.Inner(), innerV4()) {
		t.Fatalf("GRE %x inner %x", []byte(f.GRE()), f.Inner())
	}
	b[len(b)-1] ^= 1
	if _, err := ParseFrame(b); !errors.Is(err, ErrGREChecksum) {
		t.Fatalf("corrupted payload under a GRE checksum: err %v", err)
	}
}

func TestParseFrameRejects(t *testing.T) {
	good := func() []byte {
		b, err := AppendFrame(nil, xcf1, xcf2, 7, innerV4())
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	for _, tc := range []struct {
		name  string
		edit  func(b []byte) []byte
		fixIP bool
		want  error
	}{
		{"empty", func(b []byte) []byte { return nil }, false, ErrShort},
		{"ipv6 outer", func(b []byte) []byte { b[0] = 0x65; return b }, false, ErrNotIPv4},
		{"header length 16", func(b []byte) []byte { b[0] = 0x44; return b }, false, ErrBadHeaderLen},
		{"total beyond buffer", func(b []byte) []byte { return b[:len(b)-1] }, false, ErrBadTotalLen},
		{"bad header checksum", func(b []byte) []byte { b[8]--; return b }, false, ErrBadChecksum},
		{"more fragments", func(b []byte) []byte { b[6] = 0x20; return b }, true, ErrFragment},
		{"fragment offset", func(b []byte) []byte { b[7] = 1; return b }, true, ErrFragment},
		{"not GRE", func(b []byte) []byte { b[9] = 4; return b }, true, ErrNotGRE},
		{"routing bit (RFC 1701)", func(b []byte) []byte { b[20] = 0x40; return b }, false, ErrGREReserved},
		{"version 1", func(b []byte) []byte { b[21] = 1; return b }, false, ErrGREVersion},
		{"protocol ARP", func(b []byte) []byte { b[22], b[23] = 0x08, 0x06; return b }, false, ErrGREProtocol},
		{"IPv6 type, IPv4 inside", func(b []byte) []byte { b[22], b[23] = 0x86, 0xdd; return b }, false, ErrInnerMismatch},
		{"checksum bit without room", func(b []byte) []byte {
			b = b[:Overhead+2]
			b[20] = 0x80
			binary.BigEndian.PutUint16(b[2:4], uint16(len(b)))
			return b
		}, true, ErrShort},
	} {
		t.Run(tc.name, func(t *testing.T) {
			b := tc.edit(good())
			if tc.fixIP {
				fixIPChecksum(b)
			}
			if _, err := ParseFrame(b); !errors.Is(err, tc.want) {
				t.Fatalf("err = %v, want %v", err, tc.want)
			}
		})
	}
}

func TestParseFrameIgnoresReservedBits6To12AndTrailer(t *testing.T) {
	b, _ := AppendFrame(nil, xcf1, xcf2, 7, innerV4())
	b[21] |= 0x08 // bit 12: reserved, "MUST be ignored on receipt"
	b = append(b, 0xde, 0xad)
	f, err := ParseFrame(b)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(f.Inner(), innerV4()) {
		t.Fatal("trailing bytes leaked into the inner datagram")
	}
}

func TestAppendFrameRejects(t *testing.T) {
	if _, err := AppendFrame(nil, netip.MustParseAddr("fd00::1"), xcf2, 0, innerV4()); !errors.Is(err, ErrAddressFamily) {
		t.Errorf("IPv6 XCF source: %v", err)
	}
	if _, err := AppendFrame(nil, xcf1, xcf2, 0, []byte{0x20}); !errors.Is(err, ErrInnerMismatch) {
		t.Errorf("inner version 2: %v", err)
	}
	if _, err := AppendFrame(nil, xcf1, xcf2, 0, append([]byte{0x45}, make([]byte, 0xffff)...)); !errors.Is(err, ErrInnerTooLarge) {
		t.Errorf("64 KiB inner: %v", err)
	}
}

// FuzzParseFrame: no input panics the decoder, every accepted frame's views
// stay inside it, and re-encoding what was accepted gives an equal frame.
func FuzzParseFrame(f *testing.F) {
	for _, inner := range [][]byte{innerV4(), innerV6()} {
		b, _ := AppendFrame(nil, xcf1, xcf2, 9, inner)
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		fr, err := ParseFrame(b)
		if err != nil {
			return
		}
		if len(fr) > len(b) {
			t.Fatalf("frame view (%d) longer than input (%d)", len(fr), len(b))
		}
		inner := fr.Inner()
		_ = fr.GRE().Protocol()
		again, err := AppendFrame(nil, fr.Src(), fr.Dst(), fr.ID(), inner)
		if err != nil {
			t.Fatalf("accepted frame does not re-encode: %v", err)
		}
		fr2, err := ParseFrame(again)
		if err != nil {
			t.Fatalf("re-encoded frame rejected: %v", err)
		}
		if fr2.Src() != fr.Src() || fr2.Dst() != fr.Dst() || !bytes.Equal(fr2.Inner(), inner) {
			t.Fatal("re-encoded frame differs")
		}
	})
}
