package esp

import (
	"crypto/aes"
	"crypto/cipher"
	"encoding/binary"
	"testing"
	"time"
)

// BenchmarkESPRoundTrip1400 measures Encap+Decap of a 1400-byte inner
// packet. The raw-aes128gcm case is the floor: one AES-128-GCM Seal and
// Open of the same size with nothing else. The ratio case runs both loops
// and reports raw time / ESP time, the share of the crypto's speed that
// ESP keeps (1 would be free framing).
func BenchmarkESPRoundTrip1400(b *testing.B) {
	for _, s := range []suite{suites[0], suites[2]} {
		b.Run(s.name, func(b *testing.B) {
			rt := newRoundTrip(b, s)
			b.ReportAllocs()
			b.SetBytes(int64(len(rt.inner)))
			for b.Loop() {
				rt.once(b)
			}
		})
	}
	b.Run("raw-aes128gcm", func(b *testing.B) {
		raw := newRawGCM(b)
		b.ReportAllocs()
		b.SetBytes(int64(len(raw.plain)))
		for b.Loop() {
			raw.once(b)
		}
	})
	b.Run("ratio", func(b *testing.B) {
		rt := newRoundTrip(b, suites[0])
		raw := newRawGCM(b)
		b.ReportAllocs()
		var espTime, rawTime time.Duration
		for b.Loop() {
			t0 := time.Now()
			rt.once(b)
			t1 := time.Now()
			raw.once(b)
			espTime += t1.Sub(t0)
			rawTime += time.Since(t1)
		}
		b.ReportMetric(float64(espTime.Nanoseconds())/float64(b.N), "esp-ns/op")
		b.ReportMetric(float64(rawTime.Nanoseconds())/float64(b.N), "raw-ns/op")
		b.ReportMetric(float64(rawTime)/float64(espTime), "ratio")
	})
}

// roundTrip is one Encap+Decap with reused buffers.
type roundTrip struct {
	out, in    *SA
	inner      []byte
	wire, back []byte
}

func newRoundTrip(b *testing.B, s suite) *roundTrip {
	out, in := pair(b, s.config(0x1000, Tunnel, false))
	inner := ipv4UDP(1400 - 28)
	return &roundTrip{out: out, in: in, inner: inner,
		wire: make([]byte, 0, 2048), back: make([]byte, 0, 2048)}
}

func (r *roundTrip) once(b *testing.B) {
	var err error
	r.wire, err = r.out.Encap(r.wire[:0], r.inner, ProtoIPv4)
	if err != nil {
		b.Fatal(err)
	}
	r.back, _, err = r.in.Decap(r.back[:0], r.wire)
	if err != nil || len(r.back) != len(r.inner) {
		b.Fatal(err)
	}
}

// rawGCM is AES-128-GCM Seal then Open of 1400 bytes with the ESP header
// as AAD, the same work ESP's cipher does.
type rawGCM struct {
	aead              cipher.AEAD
	nonce, aad, plain []byte
	sealed, opened    []byte
	n                 uint64
}

func newRawGCM(b *testing.B) *rawGCM {
	block, err := aes.NewCipher(gcm128Key[:16])
	if err != nil {
		b.Fatal(err)
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		b.Fatal(err)
	}
	return &rawGCM{aead: aead, nonce: make([]byte, 12), aad: make([]byte, 8),
		plain: ipv4UDP(1400 - 28), sealed: make([]byte, 0, 2048), opened: make([]byte, 0, 2048)}
}

func (r *rawGCM) once(b *testing.B) {
	r.n++
	binary.BigEndian.PutUint64(r.nonce[4:], r.n)
	r.sealed = r.aead.Seal(r.sealed[:0], r.nonce, r.plain, r.aad)
	var err error
	r.opened, err = r.aead.Open(r.opened[:0], r.nonce, r.sealed, r.aad)
	if err != nil {
		b.Fatal(err)
	}
}
