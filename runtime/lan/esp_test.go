package lan

import (
	"bytes"
	"encoding/binary"
	"net/netip"
	"testing"
)

// TestParseESP reads back what ESPPacket builds and refuses what is not a
// whole plain ESP packet.
func TestParseESP(t *testing.T) {
	src, dst := netip.MustParseAddr("192.0.2.10"), netip.MustParseAddr("201.2.10.11")
	esp := []byte{0, 0, 0x10, 0x01, 0, 0, 0, 1, 0xde, 0xad}
	pkt := ESPPacket(src, dst, esp)
	got, payload, ok := ParseESP(pkt)
	if !ok || got != src || !bytes.Equal(payload, esp) {
		t.Fatalf("ParseESP(ESPPacket) = %v % x %v", got, payload, ok)
	}
	if d, _ := Destination(pkt); d != dst {
		t.Errorf("destination %v, want %v", d, dst)
	}
	bad := map[string][]byte{
		"short ESP":       ESPPacket(src, dst, esp[:7]),
		"UDP":             UDPPacket(netip.AddrPortFrom(src, 4500), netip.AddrPortFrom(dst, 4500), esp),
		"truncated":       pkt[:len(pkt)-1],
		"empty":           nil,
		"IPv6":            append([]byte{0x60}, make([]byte, 60)...),
		"first fragment":  fragment(pkt, 0x2000),
		"later fragment":  fragment(pkt, 0x0001),
		"header too long": func() []byte { p := bytes.Clone(pkt); p[0] = 0x4f; return p }(),
	}
	for name, b := range bad {
		if _, _, ok := ParseESP(b); ok {
			t.Errorf("%s: accepted", name)
		}
	}
}

func fragment(pkt []byte, flagsOffset uint16) []byte {
	p := bytes.Clone(pkt)
	binary.BigEndian.PutUint16(p[6:8], flagsOffset)
	return p
}

// FuzzParseESP: ParseESP never panics, and what it accepts is an IPv4
// packet of protocol 50 whose payload is the packet's own ESP part, at
// least a header long, from the source the header names; building it
// again reads back the same.
func FuzzParseESP(f *testing.F) {
	src, dst := netip.MustParseAddr("192.0.2.10"), netip.MustParseAddr("201.2.10.11")
	f.Add(ESPPacket(src, dst, []byte{0, 0, 0x10, 0x01, 0, 0, 0, 1}))
	f.Fuzz(func(t *testing.T, pkt []byte) {
		got, payload, ok := ParseESP(pkt)
		if !ok {
			return
		}
		hl := int(pkt[0]&0x0f) * 4
		total := int(binary.BigEndian.Uint16(pkt[2:4]))
		if pkt[0]>>4 != 4 || pkt[9] != ProtoESP || len(payload) < espHeaderLen || hl+len(payload) != total || total > len(pkt) {
			t.Fatalf("accepted % x: payload % x", pkt, payload)
		}
		if !bytes.Equal(payload, pkt[hl:total]) || got != netip.AddrFrom4([4]byte(pkt[12:16])) {
			t.Fatalf("accepted % x: source %v payload % x", pkt, got, payload)
		}
		again, p2, ok := ParseESP(ESPPacket(got, dst, payload))
		if !ok || again != got || !bytes.Equal(p2, payload) {
			t.Fatalf("rebuilt packet reads back as %v % x %v", again, p2, ok)
		}
	})
}
