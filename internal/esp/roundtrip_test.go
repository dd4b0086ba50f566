package esp

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"fmt"
	"testing"
)

// TestRoundTrip sends payloads of many sizes through every algorithm, mode
// and sequence number width, and checks the wire layout on the way.
func TestRoundTrip(t *testing.T) {
	type payloadKind struct {
		name string
		mode Mode
		next Protocol
		make func(n int) []byte
	}
	kinds := []payloadKind{
		{"tunnel-v4", Tunnel, ProtoIPv4, ipv4UDP},
		{"tunnel-v6", Tunnel, ProtoIPv6, ipv6UDP},
		{"transport-udp", Transport, ProtoUDP, func(n int) []byte { return ipv4UDP(n)[20:] }},
	}
	sizes := []int{0, 1, 2, 3, 4, 5, 13, 14, 15, 16, 17, 100, 1372}
	for _, s := range suites {
		for _, k := range kinds {
			for _, esn := range []bool{false, true} {
				t.Run(fmt.Sprintf("%s/%s/esn=%v", s.name, k.name, esn), func(t *testing.T) {
					out, in := pair(t, s.config(0x1000, k.mode, esn))
					var wire, got []byte
					for i, n := range sizes {
						payload := k.make(n)
						var err error
						wire, err = out.Encap(wire[:0], payload, k.next)
						if err != nil {
							t.Fatalf("Encap(%d bytes): %v", len(payload), err)
						}
						checkLayout(t, out, wire, payload, uint32(i+1))
						var next Protocol
						got, next, err = in.Decap(got[:0], wire)
						if err != nil {
							t.Fatalf("Decap of %d-byte payload: %v", len(payload), err)
						}
						if next != k.next || !bytes.Equal(got, payload) {
							t.Fatalf("Decap = %v % x, want %v % x", next, got, k.next, payload)
						}
					}
					c := in.Counters()
					if c.PacketsIn != uint64(len(sizes)) || c.BytesIn == 0 || in.Counters().ICVFailures != 0 {
						t.Errorf("receiver counters %+v", c)
					}
					if o := out.Counters(); o.PacketsOut != c.PacketsIn || o.BytesOut != c.BytesIn {
						t.Errorf("sender counters %+v do not match receiver %+v", o, c)
					}
				})
			}
		}
	}
}

// checkLayout checks what an on-path observer sees of one packet.
func checkLayout(t *testing.T, sa *SA, wire, payload []byte, seq uint32) {
	t.Helper()
	if len(wire) != sa.EncapLen(len(payload)) {
		t.Fatalf("packet is %d bytes, EncapLen says %d", len(wire), sa.EncapLen(len(payload)))
	}
	p := Packet(wire)
	if p.SPI() != sa.SPI() || p.Seq() != seq {
		t.Fatalf("header SPI %#x seq %d, want %#x %d", p.SPI(), p.Seq(), sa.SPI(), seq)
	}
	ct := len(wire) - HeaderLen - sa.ivLen - sa.icvLen
	if ct%sa.align != 0 || ct-len(payload)-trailerLen > sa.align-1 {
		t.Fatalf("ciphertext of %d bytes for a %d-byte payload, alignment %d", ct, len(payload), sa.align)
	}
	if sa.cipher == AESGCM16 && binary.BigEndian.Uint64(wire[8:16]) != uint64(seq) {
		t.Fatalf("GCM IV % x, want the sequence number %d", wire[8:16], seq)
	}
	if len(payload) >= 16 && bytes.Contains(wire, payload[len(payload)-16:]) {
		t.Fatal("payload visible in the ESP packet")
	}
}

// TestTFCPaddingRemoved checks that bytes after the inner IP packet, which a
// sender may add to hide the length (RFC 4303 §2.7), are cut off.
func TestTFCPaddingRemoved(t *testing.T) {
	out, in := pair(t, suites[0].config(0x1000, Tunnel, false))
	inner := ipv4UDP(10)
	padded := append(append([]byte{}, inner...), make([]byte, 50)...)
	wire, err := out.Encap(nil, padded, ProtoIPv4)
	if err != nil {
		t.Fatal(err)
	}
	got, _, err := in.Decap(nil, wire)
	if err != nil || !bytes.Equal(got, inner) {
		t.Fatalf("Decap = % x, %v; want % x", got, err, inner)
	}
}

func TestDummyPacketsDroppedAndCounted(t *testing.T) {
	for _, s := range suites {
		t.Run(s.name, func(t *testing.T) {
			out, in := pair(t, s.config(0x1000, Tunnel, false))
			wire, err := out.Encap(nil, []byte("chaff"), ProtoNone)
			if err != nil {
				t.Fatal(err)
			}
			got, _, err := in.Decap([]byte("prefix"), wire)
			if !errors.Is(err, ErrDummy) || string(got) != "prefix" {
				t.Fatalf("Decap = %q, %v; want dst unchanged, ErrDummy", got, err)
			}
			if c := in.Counters(); c.Dummy != 1 || c.PacketsIn != 0 {
				t.Fatalf("counters %+v, want one dummy and no packets in", c)
			}
		})
	}
}

func TestEncapRefusesPayloadThatDoesNotFitMode(t *testing.T) {
	sa, _ := pair(t, suites[0].config(0x1000, Tunnel, false))
	for _, tc := range []struct {
		payload []byte
		next    Protocol
	}{
		{ipv4UDP(4), ProtoIPv6},
		{ipv6UDP(4), ProtoIPv4},
		{ipv4UDP(4)[:19], ProtoIPv4},
		{ipv4UDP(4), ProtoTCP},
	} {
		if _, err := sa.Encap(nil, tc.payload, tc.next); !errors.Is(err, ErrPayloadInvalid) {
			t.Errorf("Encap(%d bytes, %v) = %v, want ErrPayloadInvalid", len(tc.payload), tc.next, err)
		}
	}
}

func TestConfigErrors(t *testing.T) {
	good := suites[0].config(0x1000, Tunnel, false)
	for name, mutate := range map[string]func(*Config){
		"reserved SPI":       func(c *Config) { c.SPI = 255 },
		"GCM key length":     func(c *Config) { c.EncKey = c.EncKey[:16] },
		"GCM with integrity": func(c *Config) { c.Integrity, c.AuthKey = HMACSHA2_256_128, sha256Key },
		"CBC without MAC":    func(c *Config) { c.Cipher, c.EncKey = AESCBC, cbc128Key },
		"CBC short MAC key": func(c *Config) {
			c.Cipher, c.EncKey, c.Integrity, c.AuthKey = AESCBC, cbc128Key, HMACSHA2_256_128, sha1Key
		},
		"unknown cipher":       func(c *Config) { c.Cipher = 3 },
		"unknown mode":         func(c *Config) { c.Mode = 7 },
		"window too small":     func(c *Config) { c.ReplayWindow = 32 },
		"soft after hard time": func(c *Config) { c.Lifetime.SoftTime, c.Lifetime.HardTime = 2, 1 },
		"soft = hard packets":  func(c *Config) { c.Lifetime.SoftPackets, c.Lifetime.HardPackets = 5, 5 },
	} {
		c := good
		mutate(&c)
		if sa, err := NewSA(c); err == nil {
			t.Errorf("%s: NewSA accepted %v", name, sa)
		}
	}
	if _, err := NewSA(good); err != nil {
		t.Fatalf("baseline config refused: %v", err)
	}
}

// TestSecretsNotPrinted formats configs and SAs every way a log line might
// and looks for the key bytes.
func TestSecretsNotPrinted(t *testing.T) {
	for _, s := range suites {
		cfg := s.config(0x1000, Tunnel, true)
		sa, err := NewSA(cfg)
		if err != nil {
			t.Fatal(err)
		}
		for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%x", "%X", "%q", "%d"} {
			for _, v := range []any{cfg, &cfg, sa, cfg.EncKey} {
				out := fmt.Sprintf(verb, v)
				for _, k := range []Key{s.encKey, s.authKey} {
					if len(k) == 0 {
						continue
					}
					if bytes.Contains([]byte(out), k) ||
						bytes.Contains(bytes.ToLower([]byte(out)), []byte(fmt.Sprintf("%x", []byte(k))[:8])) ||
						bytes.Contains([]byte(out), []byte(fmt.Sprint([]byte(k))[1:12])) {
						t.Errorf("%s: Sprintf(%q, %T) leaks key: %s", s.name, verb, v, out)
					}
				}
			}
		}
	}
}

// TestCBCICVInput recomputes the HMAC of an AES-CBC packet by hand: it
// covers SPI through the end of the ciphertext and, with ESN, the high half
// of the sequence number appended after it (RFC 4303 §2.2.1, §3.3.2.2).
func TestCBCICVInput(t *testing.T) {
	for _, esn := range []bool{false, true} {
		sa, _ := pair(t, suites[2].config(0x1000, Tunnel, esn))
		seq := uint64(7)
		if esn {
			seq = 5<<32 | 7
		}
		sa.outSeq.Store(seq - 1)
		wire, err := sa.Encap(nil, ipv4UDP(40), ProtoIPv4)
		if err != nil {
			t.Fatal(err)
		}
		covered := wire[:len(wire)-16]
		mac := hmac.New(sha256.New, sha256Key)
		mac.Write(covered)
		if esn {
			mac.Write([]byte{0, 0, 0, 5})
		}
		if want := mac.Sum(nil)[:16]; !bytes.Equal(wire[len(covered):], want) {
			t.Errorf("esn=%v: ICV % x, want % x", esn, wire[len(covered):], want)
		}
	}
}
