package ikecrypto

import (
	"bytes"
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"errors"
	"fmt"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/tcpipc/tcpipc/internal/ike/wire"
)

type skSuite struct {
	encr  wire.EncrID
	bits  int
	integ wire.IntegID
}

var skSuites = []skSuite{
	{wire.ENCR_AES_GCM_16, 128, wire.AUTH_NONE},
	{wire.ENCR_AES_GCM_16, 256, wire.AUTH_NONE},
	{wire.ENCR_AES_CBC, 128, wire.AUTH_HMAC_SHA2_256_128},
	{wire.ENCR_AES_CBC, 256, wire.AUTH_HMAC_SHA1_96},
}

func (s skSuite) String() string { return fmt.Sprintf("%s_%d/%s", s.encr, s.bits, s.integ) }

// newPair returns a sealing and an opening cipher with the same random keys.
func newPair(t *testing.T, s skSuite) (seal, open *SKCipher, ek, ak Key) {
	t.Helper()
	encr, err := LookupEncr(s.encr, s.bits)
	if err != nil {
		t.Fatal(err)
	}
	var integ *Integ
	if s.integ != wire.AUTH_NONE {
		if integ, err = LookupInteg(s.integ); err != nil {
			t.Fatal(err)
		}
		ak = make(Key, integ.KeyLen)
		rand.Read(ak)
	}
	ek = make(Key, encr.KeyLen())
	rand.Read(ek)
	seal, err1 := NewSKCipher(encr, integ, ek, ak)
	open, err2 := NewSKCipher(encr, integ, ek, ak)
	if err1 != nil || err2 != nil {
		t.Fatal(err1, err2)
	}
	return seal, open, ek, ak
}

func infoMessage() *wire.Message {
	return &wire.Message{SPIi: 0x1111, SPIr: 0x2222, Exchange: wire.INFORMATIONAL, Flags: wire.FlagInitiator, MessageID: 7}
}

func TestSKRoundTrip(t *testing.T) {
	for _, s := range skSuites {
		t.Run(s.String(), func(t *testing.T) {
			seal, open, _, _ := newPair(t, s)
			for _, inner := range [][]wire.Payload{
				nil, // liveness check: an empty SK payload
				{&wire.Delete{Protocol: wire.ProtoIKE}},
				{&wire.Notify{NotifyType: wire.INITIAL_CONTACT}, &wire.VendorID{Data: bytes.Repeat([]byte{1}, 100)}},
			} {
				msg, err := seal.EncodeMessage(infoMessage(), inner)
				if err != nil {
					t.Fatal(err)
				}
				m, err := wire.DecodeMessage(msg)
				if err != nil {
					t.Fatal(err)
				}
				got, err := open.DecodeInner(msg, m)
				if err != nil {
					t.Fatal(err)
				}
				if d := cmp.Diff(inner, got); d != "" {
					t.Errorf("inner payloads (-sealed +opened):\n%s", d)
				}
			}
		})
	}
}

// TestSKBodyLength checks the body layout: IV, padded ciphertext, ICV. CBC
// pads inner payloads plus the Pad Length byte up to whole blocks; GCM
// does not pad.
func TestSKBodyLength(t *testing.T) {
	for _, tc := range []struct {
		suite     skSuite
		inner     int
		body, pad int
	}{
		{skSuites[0], 0, 8 + 1 + 16, 0},
		{skSuites[0], 37, 8 + 38 + 16, 0},
		{skSuites[2], 0, 16 + 16 + 16, 15},
		{skSuites[2], 15, 16 + 16 + 16, 0},
		{skSuites[2], 16, 16 + 32 + 16, 15},
		{skSuites[3], 30, 16 + 32 + 12, 1},
	} {
		seal, _, ek, _ := newPair(t, tc.suite)
		if got := seal.BodyLen(tc.inner); got != tc.body {
			t.Errorf("%s: BodyLen(%d) = %d, want %d", tc.suite, tc.inner, got, tc.body)
		}
		if tc.suite.encr != wire.ENCR_AES_CBC {
			continue
		}
		// Decrypt by hand and look at the padding.
		msg := make([]byte, wire.HeaderLen+4+tc.body)
		inner := bytes.Repeat([]byte{0xab}, tc.inner)
		if err := seal.Seal(msg, inner); err != nil {
			t.Fatal(err)
		}
		_, icvLen, _ := seal.overhead()
		body := msg[wire.HeaderLen+4:]
		block, _ := aes.NewCipher(ek)
		plain := make([]byte, len(body)-16-icvLen)
		cipher.NewCBCDecrypter(block, body[:16]).CryptBlocks(plain, body[16:len(body)-icvLen])
		if !bytes.Equal(plain[:tc.inner], inner) || int(plain[len(plain)-1]) != tc.pad {
			t.Errorf("%s with %d bytes: plaintext %x, want pad length %d", tc.suite, tc.inner, plain, tc.pad)
		}
	}
}

func TestSKRejectsTampering(t *testing.T) {
	for _, s := range skSuites {
		t.Run(s.String(), func(t *testing.T) {
			seal, open, _, _ := newPair(t, s)
			msg, err := seal.EncodeMessage(infoMessage(), []wire.Payload{&wire.Delete{Protocol: wire.ProtoIKE}})
			if err != nil {
				t.Fatal(err)
			}
			bodyLen := len(msg) - wire.HeaderLen - 4
			ivLen, icvLen, _ := seal.overhead()
			for name, at := range map[string]int{
				"header (message ID)": 20,
				"SK generic header":   wire.HeaderLen + 1,
				"IV":                  wire.HeaderLen + 4,
				"ciphertext":          wire.HeaderLen + 4 + ivLen,
				"ICV":                 len(msg) - icvLen,
				"last byte":           len(msg) - 1,
			} {
				bad := bytes.Clone(msg)
				bad[at] ^= 0x01
				if _, err := open.Open(bad, bodyLen); !errors.Is(err, ErrIntegrity) {
					t.Errorf("flipped a bit in the %s: error %v, want ErrIntegrity", name, err)
				}
			}
			other, _, _, _ := newPair(t, s)
			if _, err := other.Open(msg, bodyLen); !errors.Is(err, ErrIntegrity) {
				t.Errorf("opened with another key: %v", err)
			}
			if _, err := open.Open(msg, bodyLen); err != nil {
				t.Errorf("untouched message: %v", err)
			}
			for _, n := range []int{0, ivLen + icvLen, len(msg)} {
				if _, err := open.Open(msg, n); err == nil || errors.Is(err, ErrIntegrity) {
					t.Errorf("SK body length %d: error %v, want a length error", n, err)
				}
			}
		})
	}
}

// TestCBCPadLengthChecked feeds a correctly authenticated message whose
// Pad Length byte claims more padding than there is plaintext.
func TestCBCPadLengthChecked(t *testing.T) {
	_, open, ek, ak := newPair(t, skSuites[2])
	msg := make([]byte, wire.HeaderLen+4+16+16+16)
	plain := make([]byte, 16)
	plain[15] = 200
	block, _ := aes.NewCipher(ek)
	iv := msg[wire.HeaderLen+4 : wire.HeaderLen+20]
	cipher.NewCBCEncrypter(block, iv).CryptBlocks(msg[wire.HeaderLen+20:wire.HeaderLen+36], plain)
	integ, _ := LookupInteg(wire.AUTH_HMAC_SHA2_256_128)
	copy(msg[len(msg)-16:], integ.MAC(ak, msg[:len(msg)-16]))
	if _, err := open.Open(msg, 48); err == nil || errors.Is(err, ErrIntegrity) {
		t.Fatalf("pad length 200 in 16 bytes: error %v", err)
	}
}

func TestSKIVsNeverRepeat(t *testing.T) {
	for _, s := range skSuites {
		seal, _, _, _ := newPair(t, s)
		ivLen, _, _ := seal.overhead()
		seen := map[string]bool{}
		for range 200 {
			msg, err := seal.EncodeMessage(infoMessage(), nil)
			if err != nil {
				t.Fatal(err)
			}
			iv := string(msg[wire.HeaderLen+4 : wire.HeaderLen+4+ivLen])
			if seen[iv] {
				t.Fatalf("%s: IV %x repeated", s, iv)
			}
			seen[iv] = true
		}
	}
}

func TestNewSKCipherChecksKeys(t *testing.T) {
	gcm, _ := LookupEncr(wire.ENCR_AES_GCM_16, 128)
	cbc, _ := LookupEncr(wire.ENCR_AES_CBC, 128)
	sha, _ := LookupInteg(wire.AUTH_HMAC_SHA2_256_128)
	for name, f := range map[string]func() (*SKCipher, error){
		"GCM key without salt": func() (*SKCipher, error) { return NewSKCipher(gcm, nil, make(Key, 16), nil) },
		"GCM with INTEG":       func() (*SKCipher, error) { return NewSKCipher(gcm, sha, make(Key, 20), make(Key, 32)) },
		"CBC without INTEG":    func() (*SKCipher, error) { return NewSKCipher(cbc, nil, make(Key, 16), nil) },
		"CBC short INTEG key":  func() (*SKCipher, error) { return NewSKCipher(cbc, sha, make(Key, 16), make(Key, 20)) },
	} {
		if _, err := f(); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
	if _, err := LookupEncr(wire.ENCR_AES_GCM_16, 192); err == nil {
		t.Error("AES-GCM-192 looked up")
	}
	if _, err := LookupEncr(wire.ENCR_AES_GCM_8, 128); err == nil {
		t.Error("AES-GCM-8 looked up")
	}
}
