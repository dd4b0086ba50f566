package natt

import (
	"bytes"
	"errors"
	"net/netip"
	"testing"
)

// ikeMsg is an IKE header (RFC 7296 §3.1) of an IKE_SA_INIT request:
// SPIi, SPIr 0, next payload SA, version 2.0, exchange 34, flags I, ID 0,
// length 28.
var ikeMsg = []byte{
	0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88,
	0, 0, 0, 0, 0, 0, 0, 0,
	33, 0x20, 34, 0x08, 0, 0, 0, 0, 0, 0, 0, 28,
}

// espPkt is an ESP header and a few bytes of ciphertext.
var espPkt = []byte{0x30, 0x9f, 0x6b, 0x20, 0, 0, 0, 1, 0xaa, 0xbb}

func cat(parts ...[]byte) []byte {
	var b []byte
	for _, p := range parts {
		b = append(b, p...)
	}
	return b
}

func TestClassify(t *testing.T) {
	for _, tc := range []struct {
		name    string
		port    uint16
		in      []byte
		kind    Kind
		payload []byte
		err     error
	}{
		{"keepalive", 4500, []byte{0xff}, KindKeepalive, nil, nil},
		{"IKE behind marker", 4500, cat([]byte{0, 0, 0, 0}, ikeMsg), KindIKE, ikeMsg, nil},
		{"ESP", 4500, espPkt, KindESP, espPkt, nil},
		{"ESP header only", 4500, espPkt[:8], KindESP, espPkt[:8], nil},
		{"ESP SPI starting 0xff", 4500, []byte{0xff, 0, 1, 0, 0, 0, 0, 1}, KindESP, []byte{0xff, 0, 1, 0, 0, 0, 0, 1}, nil},
		{"IKE on 500", 500, ikeMsg, KindIKE, ikeMsg, nil},
		{"empty on 4500", 4500, nil, 0, nil, ErrShort},
		{"one other byte", 4500, []byte{0xfe}, 0, nil, ErrShort},
		{"two 0xff bytes", 4500, []byte{0xff, 0xff}, 0, nil, ErrShort},
		{"marker alone", 4500, []byte{0, 0, 0, 0}, 0, nil, ErrShort},
		{"marker and short IKE", 4500, cat([]byte{0, 0, 0, 0}, ikeMsg[:27]), 0, nil, ErrShort},
		{"short ESP", 4500, espPkt[:7], 0, nil, ErrShort},
		{"short IKE on 500", 500, ikeMsg[:27], 0, nil, ErrShort},
		{"keepalive on 500 is not one", 500, []byte{0xff}, 0, nil, ErrShort},
		{"other port", 4501, espPkt, 0, nil, ErrPort},
	} {
		t.Run(tc.name, func(t *testing.T) {
			kind, payload, err := Classify(tc.port, tc.in)
			if kind != tc.kind || !bytes.Equal(payload, tc.payload) || !errors.Is(err, tc.err) {
				t.Fatalf("Classify(%d, % x) = %v, % x, %v; want %v, % x, %v",
					tc.port, tc.in, kind, payload, err, tc.kind, tc.payload, tc.err)
			}
		})
	}
}

func TestBuild(t *testing.T) {
	if got, want := AppendIKE(nil, 4500, ikeMsg), cat([]byte{0, 0, 0, 0}, ikeMsg); !bytes.Equal(got, want) {
		t.Errorf("AppendIKE on 4500 = % x, want % x", got, want)
	}
	if got := AppendIKE([]byte{9}, 500, ikeMsg); !bytes.Equal(got, cat([]byte{9}, ikeMsg)) {
		t.Errorf("AppendIKE on 500 = % x", got)
	}
	if got := AppendKeepalive([]byte{1}); !bytes.Equal(got, []byte{1, 0xff}) {
		t.Errorf("AppendKeepalive = % x", got)
	}
	// What we build, we classify back.
	for _, port := range []uint16{IKEPort, NATTPort} {
		kind, msg, err := Classify(port, AppendIKE(nil, port, ikeMsg))
		if kind != KindIKE || !bytes.Equal(msg, ikeMsg) || err != nil {
			t.Errorf("port %d: IKE round trip gave %v % x %v", port, kind, msg, err)
		}
	}
	if kind, _, err := Classify(NATTPort, AppendKeepalive(nil)); kind != KindKeepalive || err != nil {
		t.Errorf("keepalive round trip gave %v %v", kind, err)
	}
}

func TestMappingMovesOnlyWhenAuthenticated(t *testing.T) {
	first := netip.MustParseAddrPort("198.51.100.7:4500")
	rebound := netip.MustParseAddrPort("198.51.100.7:61000")
	spoofed := netip.MustParseAddrPort("203.0.113.66:4500")
	m := NewMapping(first)

	steps := []struct {
		src    netip.AddrPort
		auth   bool
		moved  bool
		remote netip.AddrPort
	}{
		{first, true, false, first},
		{spoofed, false, false, first},
		{rebound, false, false, first},
		{rebound, true, true, rebound},
		// Same peer reported by a dual-stack socket: not a move.
		{netip.MustParseAddrPort("[::ffff:198.51.100.7]:61000"), true, false, rebound},
		{netip.AddrPort{}, true, false, rebound},
		{first, true, true, first},
	}
	for i, s := range steps {
		if moved := m.Observe(s.src, s.auth); moved != s.moved || m.Remote() != s.remote {
			t.Fatalf("step %d: Observe(%v, %v) moved=%v remote=%v; want %v %v",
				i, s.src, s.auth, moved, m.Remote(), s.moved, s.remote)
		}
	}
	if st := m.Stats(); st != (MappingStats{Moves: 2, Ignored: 2}) {
		t.Fatalf("Stats = %+v", st)
	}
}
