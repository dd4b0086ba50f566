package ikecrypto

import (
	"bytes"
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509/pkix"
	"encoding/asn1"
	"encoding/hex"
	"errors"
	"fmt"
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
			data, err := SignAuth(rand.Reader, key, m, Digital{Hash: hash}, signed)
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
		if _, err := SignAuth(rand.Reader, key, wire.AuthSharedKeyMIC, Digital{}, signed); err == nil {
			t.Errorf("%s: signed with SHARED_KEY_MIC", name)
		}
	}
}

// TestClassicMethodMismatch refuses a classic method that does not fit
// the key: an RSA_SIG AUTH checked against an ECDSA certificate.
func TestClassicMethodMismatch(t *testing.T) {
	data, err := SignAuth(rand.Reader, testKeys["rsa"], wire.AuthRSASig, Digital{}, []byte("x"))
	if err != nil {
		t.Fatal(err)
	}
	if VerifyAuth(testKeys["p256"].Public(), wire.AuthRSASig, data, []byte("x")) == nil {
		t.Error("RSA_SIG verified against an ECDSA key")
	}
	if _, err := SignAuth(rand.Reader, testKeys["p256"], wire.AuthRSASig, Digital{}, []byte("x")); err == nil {
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
		d, _ := SignAuth(rand.Reader, key, m, Digital{}, []byte("other octets"))
		f.Add(uint8(m), d)
		h, _ := HashFor(key.Public(), SupportedHashes)
		d, _ = SignAuth(rand.Reader, key, wire.AuthDigitalSig, Digital{Hash: h}, []byte("other octets"))
		f.Add(uint8(wire.AuthDigitalSig), d)
		if _, ok := key.(*rsa.PrivateKey); ok {
			d, _ = SignAuth(rand.Reader, key, wire.AuthDigitalSig, Digital{Hash: h, PSS: true}, []byte("other octets"))
			f.Add(uint8(wire.AuthDigitalSig), d)
		}
	}
	f.Fuzz(func(t *testing.T, method uint8, data []byte) {
		for name, key := range testKeys {
			if err := VerifyAuth(key.Public(), wire.AuthMethod(method), data, signed); err == nil {
				t.Fatalf("%s key: forged %s AUTH accepted", name, wire.AuthMethod(method))
			}
		}
	})
}

// pssSHA256 is the RSASSA-PSS AlgorithmIdentifier of RFC 7427 appendix A
// for SHA-256 (RFC 4055 section 3.1), written out by hand: the OID
// 1.2.840.113549.1.1.10, then RSASSA-PSS-params with SHA-256 (NULL
// parameters), MGF1 with SHA-256 and a 32-byte salt; the trailer field
// takes its default.
const pssSHA256 = "3041" + "06092a864886f70d01010a" + "3034" +
	"a00f" + "300d0609608648016503040201" + "0500" +
	"a11c" + "301a" + "06092a864886f70d010108" + "300d0609608648016503040201" + "0500" +
	"a203" + "020120"

// TestPSSAlgorithmIdentifier is a known answer: what we send before an
// RSASSA-PSS signature with SHA-256 is exactly the encoding above.
func TestPSSAlgorithmIdentifier(t *testing.T) {
	data, err := SignAuth(rand.Reader, testKeys["rsa"], wire.AuthDigitalSig, Digital{Hash: crypto.SHA256, PSS: true}, []byte("x"))
	if err != nil {
		t.Fatal(err)
	}
	want, _ := hex.DecodeString(pssSHA256)
	if int(data[0]) != len(want) || !bytes.Equal(data[1:1+len(want)], want) {
		t.Errorf("AlgorithmIdentifier %x, want %x", data[1:1+int(data[0])], want)
	}
	if got := len(data) - 1 - len(want); got != 256 {
		t.Errorf("signature of %d bytes, want 256 for a 2048-bit key", got)
	}
}

// TestPSSRoundTrip signs with RSASSA-PSS for each hash and verifies; and
// refuses what a forger could try: a flipped bit, a PKCS#1 v1.5 signature
// labelled PSS, a PSS signature labelled PKCS#1 v1.5, a PSS label with
// another salt length or hash, an RSASSA-PSS label with an ECDSA key, and
// the signature over other octets.
func TestPSSRoundTrip(t *testing.T) {
	signed := []byte("IKE_SA_INIT | Nr | prf(SK_pi, IDi)")
	key := testKeys["rsa"]
	for _, h := range []crypto.Hash{crypto.SHA256, crypto.SHA384, crypto.SHA512} {
		pss, err := SignAuth(rand.Reader, key, wire.AuthDigitalSig, Digital{Hash: h, PSS: true}, signed)
		if err != nil {
			t.Fatal(err)
		}
		if err := VerifyAuth(key.Public(), wire.AuthDigitalSig, pss, signed); err != nil {
			t.Errorf("%s: own PSS signature refused: %v", h, err)
		}
		refuse := func(what string, data, octets []byte, pub crypto.PublicKey) {
			t.Helper()
			if err := VerifyAuth(pub, wire.AuthDigitalSig, data, octets); !errors.Is(err, ErrBadSignature) {
				t.Errorf("%s: %s accepted", h, what)
			}
		}
		refuse("other octets", pss, append(signed, 0), key.Public())
		flipped := append([]byte{}, pss...)
		flipped[len(flipped)-1] ^= 1
		refuse("a flipped bit", flipped, signed, key.Public())
		refuse("the p256 key", pss, signed, testKeys["p256"].Public())

		idLen := 1 + int(pss[0])
		pkcs1, _ := SignAuth(rand.Reader, key, wire.AuthDigitalSig, Digital{Hash: h}, signed)
		pkcs1IDLen := 1 + int(pkcs1[0])
		refuse("PKCS#1 v1.5 signature labelled PSS", append(append([]byte{}, pss[:idLen]...), pkcs1[pkcs1IDLen:]...), signed, key.Public())
		refuse("PSS signature labelled PKCS#1 v1.5", append(append([]byte{}, pkcs1[:pkcs1IDLen]...), pss[idLen:]...), signed, key.Public())

		for _, salt := range []int{0, h.Size() + 1} {
			refuse(fmt.Sprintf("salt length %d", salt), append(pssIdentifier(t, h, h, salt), pss[idLen:]...), signed, key.Public())
		}
		for _, h2 := range []crypto.Hash{crypto.SHA256, crypto.SHA384, crypto.SHA512} {
			if h2 != h {
				refuse("another hash", append(pssIdentifier(t, h2, h2, h.Size()), pss[idLen:]...), signed, key.Public())
				refuse("MGF1 with another hash", append(pssIdentifier(t, h, h2, h.Size()), pss[idLen:]...), signed, key.Public())
			}
		}
	}
}

// TestPSSHashParametersAbsent accepts an AlgorithmIdentifier whose hash
// algorithms leave out the NULL parameters, which RFC 4055 section 2.1
// allows and some implementations send.
func TestPSSHashParametersAbsent(t *testing.T) {
	signed := []byte("x")
	key := testKeys["rsa"]
	pss, err := SignAuth(rand.Reader, key, wire.AuthDigitalSig, Digital{Hash: crypto.SHA256, PSS: true}, signed)
	if err != nil {
		t.Fatal(err)
	}
	hashID, _ := asn1.Marshal(pkix.AlgorithmIdentifier{Algorithm: asn1.ObjectIdentifier{2, 16, 840, 1, 101, 3, 4, 2, 1}})
	params, _ := asn1.Marshal(pssParams{
		Hash:       pkix.AlgorithmIdentifier{Algorithm: asn1.ObjectIdentifier{2, 16, 840, 1, 101, 3, 4, 2, 1}},
		MGF:        pkix.AlgorithmIdentifier{Algorithm: oidMGF1, Parameters: asn1.RawValue{FullBytes: hashID}},
		SaltLength: 32, TrailerField: 1,
	})
	id, _ := asn1.Marshal(pkix.AlgorithmIdentifier{Algorithm: oidRSASSAPSS, Parameters: asn1.RawValue{FullBytes: params}})
	data := append(append([]byte{byte(len(id))}, id...), pss[1+int(pss[0]):]...)
	if err := VerifyAuth(key.Public(), wire.AuthDigitalSig, data, signed); err != nil {
		t.Errorf("PSS without NULL hash parameters refused: %v", err)
	}
}

// pssIdentifier is the one-byte length and RSASSA-PSS AlgorithmIdentifier
// for hash h, MGF1 with mgf and salt length salt.
func pssIdentifier(t *testing.T, h, mgf crypto.Hash, salt int) []byte {
	t.Helper()
	id, err := pssAlgorithmIdentifier(h, mgf, salt)
	if err != nil {
		t.Fatal(err)
	}
	return append([]byte{byte(len(id))}, id...)
}
