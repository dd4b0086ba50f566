package esp

import (
	"errors"
	"sync"
	"testing"
)

// sealRaw encrypts a hand-made plaintext (payload, padding and trailer) as
// packet seq of sa, so tests can produce authentic packets that break the
// rules Encap follows.
func sealRaw(sa *SA, seq uint64, plaintext []byte) []byte {
	pkt := make([]byte, HeaderLen+sa.ivLen+len(plaintext)+sa.icvLen)
	copy(pkt[HeaderLen+sa.ivLen:], plaintext)
	sa.seal(pkt, seq)
	return pkt
}

// trailer returns pad | Pad Length | Next Header for a given pad.
func trailer(pad []byte, next Protocol) []byte {
	return append(append([]byte{}, pad...), byte(len(pad)), byte(next))
}

// cat joins byte slices.
func cat(parts ...[]byte) []byte {
	var b []byte
	for _, p := range parts {
		b = append(b, p...)
	}
	return b
}

// dropCase is a packet a receiver must refuse, the error it must give and
// the counter that must count it.
type dropCase struct {
	name  string
	pkt   []byte
	want  error
	count func(Counters) uint64
}

// TestDropsAreCounted feeds each SA packets that must be refused and checks
// the error, the counter, that dst is untouched, and that the SA still
// accepts the genuine packet afterwards (a forgery must not move the replay
// window).
func TestDropsAreCounted(t *testing.T) {
	for _, s := range suites {
		t.Run(s.name, func(t *testing.T) {
			out, _ := pair(t, s.config(0x1000, Tunnel, false))
			inner := ipv4UDP(33)
			good, err := out.Encap(nil, inner, ProtoIPv4)
			if err != nil {
				t.Fatal(err)
			}
			flip := func(i int) []byte {
				b := append([]byte{}, good...)
				b[(i+len(b))%len(b)] ^= 0x20
				return b
			}
			// Plaintexts below are whole AES blocks, so CBC takes them
			// too: 28-byte IPv4/UDP + 2 pad + 2 trailer = 32 bytes.
			minimal := ipv4UDP(0)
			notIP := make([]byte, 28) // IP version 0
			cases := []dropCase{
				{"icv", flip(-1), ErrICV, func(c Counters) uint64 { return c.ICVFailures }},
				{"ciphertext", flip(HeaderLen + out.ivLen + 3), ErrICV, func(c Counters) uint64 { return c.ICVFailures }},
				{"iv", flip(HeaderLen + 1), ErrICV, func(c Counters) uint64 { return c.ICVFailures }},
				{"seq", flip(7), ErrICV, func(c Counters) uint64 { return c.ICVFailures }},
				{"seq zero", sealRaw(out, 0, cat(ipv4UDP(28), trailer([]byte{1, 2, 3, 4, 5, 6}, ProtoIPv4))), ErrReplay, func(c Counters) uint64 { return c.ReplayDrops }},
				{"empty", nil, ErrTooShort, func(c Counters) uint64 { return c.TooShort }},
				{"header only", good[:HeaderLen], ErrTooShort, func(c Counters) uint64 { return c.TooShort }},
				{"no ciphertext", good[:HeaderLen+out.ivLen+out.icvLen], ErrTooShort, func(c Counters) uint64 { return c.TooShort }},
				{"truncated", good[:len(good)-1], errAny, func(c Counters) uint64 { return c.TooShort + c.ICVFailures }},
				{"pad bytes", sealRaw(out, 9, cat(minimal, trailer([]byte{1, 3}, ProtoIPv4))), ErrBadPadding, func(c Counters) uint64 { return c.BadPadding }},
				{"pad zeros", sealRaw(out, 9, cat(minimal, trailer([]byte{0, 0}, ProtoIPv4))), ErrBadPadding, func(c Counters) uint64 { return c.BadPadding }},
				{"pad length too big", sealRaw(out, 9, cat(make([]byte, 14), []byte{200, 4})), ErrBadPadding, func(c Counters) uint64 { return c.BadPadding }},
				{"not IP", sealRaw(out, 9, cat(notIP, trailer([]byte{1, 2}, ProtoIPv4))), ErrBadPayload, func(c Counters) uint64 { return c.BadPayload }},
				{"transport protocol on tunnel SA", sealRaw(out, 9, cat(inner, trailer([]byte{1}, ProtoUDP))), ErrBadPayload, func(c Counters) uint64 { return c.BadPayload }},
			}
			if out.cipher == AESCBC {
				cases = append(cases, dropCase{"partial block", append(append([]byte{}, good[:len(good)-out.icvLen-1]...), good[len(good)-out.icvLen:]...), ErrTooShort, func(c Counters) uint64 { return c.TooShort }})
			}
			for _, tc := range cases {
				// A fresh receiver per case, so counters and the
				// window start clean.
				in, err := NewSA(s.config(0x1000, Tunnel, false))
				if err != nil {
					t.Fatal(err)
				}
				dst := []byte("dst")
				got, _, err := in.Decap(dst, tc.pkt)
				if tc.want == errAny && err == nil || tc.want != errAny && !errors.Is(err, tc.want) {
					t.Errorf("%s: Decap error %v, want %v", tc.name, err, tc.want)
				}
				if string(got) != "dst" {
					t.Errorf("%s: dst changed to %q", tc.name, got)
				}
				c := in.Counters()
				if tc.count(c) != 1 || c.PacketsIn != 0 {
					t.Errorf("%s: counters %+v, want the drop counted once", tc.name, c)
				}
				if _, _, err := in.Decap(nil, good); err != nil {
					t.Errorf("%s: genuine packet refused afterwards: %v", tc.name, err)
				}
			}
		})
	}
}

// errAny marks a case where either of two errors is right.
var errAny = errors.New("any error")

func TestWrongKeyFailsICV(t *testing.T) {
	for _, s := range suites {
		out, _ := pair(t, s.config(0x1000, Tunnel, false))
		cfg := s.config(0x1000, Tunnel, false)
		k := append(Key{}, cfg.EncKey...)
		k[0] ^= 1
		cfg.EncKey = k
		in, err := NewSA(cfg)
		if err != nil {
			t.Fatal(err)
		}
		wire, _ := out.Encap(nil, ipv4UDP(20), ProtoIPv4)
		if _, _, err := in.Decap(nil, wire); s.cipher == AESGCM16 && !errors.Is(err, ErrICV) || s.cipher == AESCBC && err == nil {
			// With CBC the MAC key is unchanged, so the ICV passes
			// and the garbled plaintext must be caught after it.
			t.Errorf("%s: wrong key gave %v", s.name, err)
		}
	}
}

func TestSADDrops(t *testing.T) {
	sad := NewSAD()
	out, in := pair(t, suites[0].config(0x1000, Tunnel, false))
	if err := sad.Add(in); err != nil {
		t.Fatal(err)
	}
	if err := sad.Add(in); err == nil {
		t.Fatal("duplicate SPI accepted")
	}
	other, _ := pair(t, suites[0].config(0x2000, Tunnel, false))
	wire, _ := other.Encap(nil, ipv4UDP(1), ProtoIPv4)
	if _, _, sa, err := sad.Decap(nil, wire); !errors.Is(err, ErrUnknownSPI) || sa != nil {
		t.Fatalf("unknown SPI: %v, %v", sa, err)
	}
	if _, _, _, err := sad.Decap(nil, wire[:7]); !errors.Is(err, ErrTooShort) {
		t.Fatalf("7-byte packet: %v", err)
	}
	if c := sad.Counters(); c != (SADCounters{UnknownSPI: 1, TooShort: 1}) {
		t.Fatalf("SAD counters %+v", c)
	}
	wire, _ = out.Encap(nil, ipv4UDP(1), ProtoIPv4)
	if _, _, sa, err := sad.Decap(nil, wire); err != nil || sa != in {
		t.Fatalf("known SPI: %v, %v", sa, err)
	}
	if sad.Remove(0x1000) != in || sad.Len() != 0 {
		t.Fatal("Remove did not remove")
	}
	if _, _, _, err := sad.Decap(nil, wire); !errors.Is(err, ErrUnknownSPI) {
		t.Fatalf("after Remove: %v", err)
	}
}

// TestSADConcurrentUse adds and removes SAs while other goroutines decap
// through the SAD; run with -race.
func TestSADConcurrentUse(t *testing.T) {
	sad := NewSAD()
	out, in := pair(t, suites[0].config(0x1000, Tunnel, false))
	if err := sad.Add(in); err != nil {
		t.Fatal(err)
	}
	wire := make([][]byte, 300)
	for i := range wire {
		wire[i], _ = out.Encap(nil, ipv4UDP(16), ProtoIPv4)
	}
	var wg sync.WaitGroup
	wg.Go(func() {
		for i := range 300 {
			sa, err := NewSA(suites[0].config(0x2000+uint32(i), Tunnel, false))
			if err != nil {
				t.Error(err)
				return
			}
			if err := sad.Add(sa); err != nil {
				t.Error(err)
			}
			sad.Remove(sa.SPI())
		}
	})
	for range 2 {
		wg.Go(func() {
			var buf []byte
			for _, p := range wire {
				var err error
				if buf, _, _, err = sad.Decap(buf[:0], p); err != nil && !errors.Is(err, ErrReplay) {
					t.Error(err)
				}
			}
		})
	}
	wg.Wait()
	if c := in.Counters(); c.PacketsIn != uint64(len(wire)) || sad.Len() != 1 {
		t.Fatalf("counters %+v, SAD size %d", c, sad.Len())
	}
}
