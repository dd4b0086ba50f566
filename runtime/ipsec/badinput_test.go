package ipsec

import (
	"bytes"
	"crypto/aes"
	"crypto/cipher"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"net/netip"
	"strings"
	"testing"
)

// espKey finds the key of spi in an esp_sa key log: key and salt.
func espKey(t testing.TB, keylog []byte, spi uint32) []byte {
	t.Helper()
	espLines, _ := SplitKeyLog(keylog)
	for line := range strings.SplitSeq(string(espLines), "\n") {
		f := strings.Split(line, ",")
		if len(f) == 8 && f[3] == fmt.Sprintf(`"0x%08x"`, spi) {
			k, err := hex.DecodeString(strings.Trim(f[5], `"`)[2:])
			if err != nil {
				t.Fatal(err)
			}
			return k
		}
	}
	t.Fatalf("no esp_sa line for SPI %#x in\n%s", spi, espLines)
	return nil
}

// sealGCM builds an AES-GCM-16 ESP packet by hand (RFC 4106): header,
// IV = sequence number, then plaintext sealed with AAD = SPI | seq. The
// plaintext must already carry its padding and trailer, so tests can get
// them wrong on purpose.
func sealGCM(t testing.TB, keySalt []byte, spi, seq uint32, plaintext []byte) []byte {
	t.Helper()
	block, err := aes.NewCipher(keySalt[:len(keySalt)-4])
	if err != nil {
		t.Fatal(err)
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		t.Fatal(err)
	}
	pkt := binary.BigEndian.AppendUint32(nil, spi)
	pkt = binary.BigEndian.AppendUint32(pkt, seq)
	iv := binary.BigEndian.AppendUint64(nil, uint64(seq))
	pkt = append(pkt, iv...)
	nonce := append(bytes.Clone(keySalt[len(keySalt)-4:]), iv...)
	return aead.Seal(pkt, nonce, plaintext, pkt[:8])
}

// trailer appends default padding (to a multiple of 4), Pad Length and
// Next Header (RFC 4303 §2.4-2.6).
func trailer(payload []byte, next byte) []byte {
	out := bytes.Clone(payload)
	pad := (4 - (len(payload)+2)%4) % 4
	for i := range pad {
		out = append(out, byte(i+1))
	}
	return append(out, byte(pad), next)
}

// TestBadInput feeds the gateway every kind of bad datagram. Each is
// dropped and counted under its reason, nothing panics, and good traffic
// still flows afterwards.
func TestBadInput(t *testing.T) {
	tp := newTopo(t, withEcho())
	var cp capture
	cp.install(tp.net)
	tp.establish(t)
	recv(t, tp.client.got, "echo")

	gw := tp.gw.e
	dyn := gw.SAs().Dynamic[0]
	spi := dyn.InboundSPI
	key := espKey(t, tp.gw.keylog.Bytes(), spi)
	from := dyn.Remote
	inner := udp4(clientIn, appAddr, 40000, 7, []byte("forged"))

	var lastESP []byte
	for _, c := range cp.all() {
		if c.dst.Addr() == gwAddr && c.dst.Port() == nattPort && ikeExchange(nattPort, c.payload) == 0 {
			lastESP = c.payload
		}
	}
	if lastESP == nil {
		t.Fatal("no ESP captured")
	}
	wrongICV := sealGCM(t, key, spi, 1000, trailer(inner, 4))
	wrongICV[len(wrongICV)-1] ^= 1
	garbled := sealGCM(t, key, spi, 1001, trailer(inner, 4))
	garbled[20] ^= 0x80
	badPad := sealGCM(t, key, spi, 1002, append(bytes.Clone(inner), 9, 9, 2, 4))
	outside := udp4(netip.MustParseAddr("10.99.0.77"), appAddr, 40000, 7, []byte("spoofed"))

	for _, tc := range []struct {
		name    string
		port    uint16
		payload []byte
		reason  DropReason
	}{
		{"truncated datagram", nattPort, []byte{1, 2, 3}, DropTruncated},
		{"ESP header only", nattPort, binary.BigEndian.AppendUint64(nil, uint64(spi)<<32|5000), DropTruncated},
		{"short IKE on port 500", ikePort, make([]byte, 20), DropTruncated},
		{"replayed", nattPort, lastESP, DropReplay},
		{"wrong ICV", nattPort, wrongICV, DropICV},
		{"garbled ciphertext", nattPort, garbled, DropICV},
		{"unknown SPI", nattPort, sealGCM(t, key, 0x7e57beef, 1, trailer(inner, 4)), DropUnknownSPI},
		{"bad padding", nattPort, badPad, DropBadPadding},
		{"not an IP packet inside", nattPort, sealGCM(t, key, spi, 1003, trailer([]byte("not an IP packet"), 4)), DropMalformed},
		{"selector mismatch", nattPort, sealGCM(t, key, spi, 1004, trailer(outside, 4)), DropSelector},
		{"dummy packet", nattPort, sealGCM(t, key, spi, 1005, trailer([]byte{1, 2, 3, 4}, 59)), DropDummy},
		{"inner IPv4 longer than the payload", nattPort, sealGCM(t, key, spi, 1006, trailer(inner[:30], 4)), DropMalformed},
	} {
		t.Run(tc.name, func(t *testing.T) {
			before := gw.Stats().Drops[tc.reason]
			gw.HandleDatagram(tc.port, from, tc.payload)
			// ESP for an unknown SPI that arrives while an IKE message is
			// being handled (the client's liveness check, say) is held
			// until that handling ends (early.go), then dropped.
			eventually(t, fmt.Sprintf("one more %v drop", tc.reason), func() bool {
				return gw.Stats().Drops[tc.reason] >= before+1
			})
			if got := gw.Stats().Drops[tc.reason]; got != before+1 {
				t.Errorf("%v drops went from %d to %d", tc.reason, before, got)
			}
		})
	}

	// IKE garbage goes to the daemon, which counts it; keepalives are
	// counted and ignored.
	ikeBefore := gw.Stats().IKE.Malformed
	garbage := append([]byte{0, 0, 0, 0}, bytes.Repeat([]byte{0xA5}, 60)...)
	gw.HandleDatagram(nattPort, from, garbage)
	gw.HandleDatagram(ikePort, from, garbage[4:])
	gw.HandleDatagram(nattPort, from, []byte{0xff})
	s := gw.Stats()
	if s.IKE.Malformed != ikeBefore+2 || s.KeepalivesIn != 1 || s.Drops[DropPanic] != 0 || s.IKE.Panics != 0 {
		t.Errorf("after IKE garbage and a keepalive: %+v", s)
	}
	if n := s.Delivered; n != 1 {
		t.Errorf("%d packets delivered, want only the good one", n)
	}

	// A valid packet with a sequence number above the forged ones still
	// gets through: the forgeries moved nothing.
	good := sealGCM(t, key, spi, 2000, trailer(inner, 4))
	gw.HandleDatagram(nattPort, from, good)
	if got := recv(t, tp.gw.got, "the good packet"); !bytes.Equal(got, inner) {
		t.Fatal("wrong packet delivered")
	}
	recv(t, tp.client.got, "its echo")
}
