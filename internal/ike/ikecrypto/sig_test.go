package ikecrypto

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"errors"
	"testing"

	"github.com/tcpipc/tcpipc/internal/ike/wire"
)

// testKeys are made once: RSA generation is slow.
var testKeys = func() map[string]crypto.Signer {
	r, _ := rsa.GenerateKey(rand.Reader, 2048)
	p256, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	p384, _ := ecdsa.GenerateKey(elliptic.P384(), rand.Reader)
	p521, _ := ecdsa.GenerateKey(elliptic.P521(), rand.Reader)
	return map[string]crypto.Signer{"rsa": r, "p256": p256, "p384": p384, "p521": p521}
}()

// TestSignVerifyAuth signs with every method a key allows and checks that
// the signature verifies, and that it fails for other octets, another
// method or another key.
func TestSignVerifyAuth(t *testing.T) {
	signed := []byte("IKE_SA_INIT | Nr | prf(SK_pi, IDi)")
	for name, key := range testKeys {
		classic, err := ClassicMethod(key.Public())
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range []wire.AuthMethod{classic, wire.AuthDigitalSig} {
			hash, _ := HashFor(key.Public(), SupportedHashes)
			data, err := SignAuth(rand.Reader, key, m, hash, signed)
			if err != nil {
				t.Fatalf("%s %s: %v", name, m, err)
			}
			if err := VerifyAuth(key.Public(), m, data, signed); err != nil {
				t.Errorf("%s %s: own signature refused: %v", name, m, err)
			}
			if err := VerifyAuth(key.Public(), m, data, append(signed, 0)); !errors.Is(err, ErrBadSignature) {
				t.Errorf("%s %s: signature over other octets accepted", name, m)
			}
			for other, k2 := range testKeys {
				if other != name && VerifyAuth(k2.Public(), m, data, signed) == nil {
					t.Errorf("%s %s: verifies with the %s key", name, m, other)
				}
			}
		}
		if _, err := SignAuth(rand.Reader, key, wire.AuthSharedKeyMIC, 0, signed); err == nil {
			t.Errorf("%s: signed with SHARED_KEY_MIC", name)
		}
	}
}

// TestClassicMethodMismatch refuses a classic method that does not fit
// the key: an RSA_SIG AUTH checked against an ECDSA certificate.
func TestClassicMethodMismatch(t *testing.T) {
	data, err := SignAuth(rand.Reader, testKeys["rsa"], wire.AuthRSASig, 0, []byte("x"))
	if err != nil {
		t.Fatal(err)
	}
	if VerifyAuth(testKeys["p256"].Public(), wire.AuthRSASig, data, []byte("x")) == nil {
		t.Error("RSA_SIG verified against an ECDSA key")
	}
	if _, err := SignAuth(rand.Reader, testKeys["p256"], wire.AuthRSASig, 0, []byte("x")); err == nil {
		t.Error("an ECDSA key signed RSA_SIG")
	}
}

// FuzzVerifyAuth feeds arbitrary AUTH data (the RFC 7427 AlgorithmIdentifier
// prefix, the signature) to VerifyAuth for every method and key type: it
// must never panic, and must never accept anything but a real signature —
// the oracle is that the fuzzer cannot forge one.
func FuzzVerifyAuth(f *testing.F) {
	signed := []byte("fuzzed signed octets")
	for _, key := range testKeys {
		m, _ := ClassicMethod(key.Public())
		d, _ := SignAuth(rand.Reader, key, m, 0, []byte("other octets"))
		f.Add(uint8(m), d)
		h, _ := HashFor(key.Public(), SupportedHashes)
		d, _ = SignAuth(rand.Reader, key, wire.AuthDigitalSig, h, []byte("other octets"))
		f.Add(uint8(wire.AuthDigitalSig), d)
	}
	f.Fuzz(func(t *testing.T, method uint8, data []byte) {
		for name, key := range testKeys {
			if err := VerifyAuth(key.Public(), wire.AuthMethod(method), data, signed); err == nil {
				t.Fatalf("%s key: forged %s AUTH accepted", name, wire.AuthMethod(method))
			}
		}
	})
}
