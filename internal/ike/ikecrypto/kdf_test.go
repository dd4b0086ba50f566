package ikecrypto

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"testing"

	"github.com/tcpipc/tcpipc/internal/ike/wire"
)

// TestPRFPlusBlocks checks prf+ against HMAC computed directly, including
// the chaining of T2 on T1 and the one-byte counter limit.
func TestPRFPlusBlocks(t *testing.T) {
	prf, _ := LookupPRF(wire.PRF_HMAC_SHA2_256)
	key, seed := []byte("key"), []byte("seed")
	mac := func(parts ...[]byte) []byte {
		h := hmac.New(sha256.New, key)
		for _, p := range parts {
			h.Write(p)
		}
		return h.Sum(nil)
	}
	t1 := mac(seed, []byte{1})
	t2 := mac(t1, seed, []byte{2})
	got, err := prf.Plus(key, seed, 50)
	if err != nil {
		t.Fatal(err)
	}
	if want := append(t1, t2[:18]...); !bytes.Equal(got, want) {
		t.Errorf("prf+ = %x, want %x", []byte(got), want)
	}
	if _, err := prf.Plus(key, seed, 255*32); err != nil {
		t.Errorf("255 blocks: %v", err)
	}
	if _, err := prf.Plus(key, seed, 255*32+1); err == nil {
		t.Error("256 blocks produced")
	}
}

func TestPRFSizes(t *testing.T) {
	for id, size := range map[wire.PRFID]int{
		wire.PRF_HMAC_SHA1: 20, wire.PRF_HMAC_SHA2_256: 32, wire.PRF_HMAC_SHA2_384: 48, wire.PRF_HMAC_SHA2_512: 64,
	} {
		p, err := LookupPRF(id)
		if err != nil {
			t.Fatal(err)
		}
		if p.Size() != size || len(p.Sum([]byte("k"), []byte("d"))) != size {
			t.Errorf("%s: size %d", p, p.Size())
		}
	}
	if _, err := LookupPRF(wire.PRF_AES128_XCBC); err == nil {
		t.Error("AES-XCBC PRF looked up")
	}
}

// TestKeyLengths checks the SK_* and KEYMAT cuts for a CBC suite, where
// every key has a different length, against one prf+ stream.
func TestKeyLengths(t *testing.T) {
	prf, _ := LookupPRF(wire.PRF_HMAC_SHA2_384)
	encr, _ := LookupEncr(wire.ENCR_AES_CBC, 256)
	integ, _ := LookupInteg(wire.AUTH_HMAC_SHA1_96)
	ni, nr := bytes.Repeat([]byte{1}, 32), bytes.Repeat([]byte{2}, 32)
	k, err := DeriveIKEKeys(prf, encr, integ, []byte("skeyseed"), ni, nr, 1, 2)
	if err != nil {
		t.Fatal(err)
	}
	var concat []byte
	for i, want := range []struct {
		k Key
		n int
	}{{k.D, 48}, {k.Ai, 20}, {k.Ar, 20}, {k.Ei, 32}, {k.Er, 32}, {k.Pi, 48}, {k.Pr, 48}} {
		if len(want.k) != want.n {
			t.Errorf("key %d has %d bytes, want %d", i, len(want.k), want.n)
		}
		concat = append(concat, want.k...)
	}
	seed := append(append(append([]byte{}, ni...), nr...), 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 2)
	stream, _ := prf.Plus([]byte("skeyseed"), seed, len(concat))
	if !bytes.Equal(concat, stream) {
		t.Error("SK_* are not consecutive cuts of prf+(SKEYSEED, Ni|Nr|SPIi|SPIr)")
	}

	c, err := DeriveChildKeys(prf, k.D, nil, ni, nr, encr, integ)
	if err != nil {
		t.Fatal(err)
	}
	stream, _ = prf.Plus(k.D, append(append([]byte{}, ni...), nr...), 2*(32+20))
	if got := append(append(append(append([]byte{}, c.EncrI...), c.IntegI...), c.EncrR...), c.IntegR...); !bytes.Equal(got, stream) {
		t.Error("child keys are not encr_i|integ_i|encr_r|integ_r of prf+(SK_d, Ni|Nr)")
	}
}

// TestPFSAndRekeyUseNewSecret checks that the new DH secret goes in front
// of the nonces, as RFC 7296 sections 2.17 and 2.18 order it.
func TestPFSAndRekeyUseNewSecret(t *testing.T) {
	prf, _ := LookupPRF(wire.PRF_HMAC_SHA2_256)
	encr, _ := LookupEncr(wire.ENCR_AES_GCM_16, 256)
	skd, gir, ni, nr := []byte("old SK_d"), []byte("g^ir new"), bytes.Repeat([]byte{3}, 16), bytes.Repeat([]byte{4}, 16)

	pfs, _ := DeriveChildKeys(prf, skd, gir, ni, nr, encr, nil)
	plain, _ := DeriveChildKeys(prf, skd, nil, ni, nr, encr, nil)
	stream, _ := prf.Plus(skd, append(append(append([]byte{}, gir...), ni...), nr...), 2*36)
	if !bytes.Equal(pfs.EncrI, stream[:36]) || !bytes.Equal(pfs.EncrR, stream[36:]) {
		t.Error("PFS KEYMAT is not prf+(SK_d, g^ir | Ni | Nr)")
	}
	if bytes.Equal(pfs.EncrI, plain.EncrI) {
		t.Error("PFS made no difference")
	}

	mac := hmac.New(sha256.New, skd)
	mac.Write(gir)
	mac.Write(ni)
	mac.Write(nr)
	if got := RekeySKEYSEED(prf, skd, gir, ni, nr); !bytes.Equal(got, mac.Sum(nil)) {
		t.Error("rekey SKEYSEED is not prf(SK_d, g^ir | Ni | Nr)")
	}
}

func TestVerifyPSKAuth(t *testing.T) {
	prf, _ := LookupPRF(wire.PRF_HMAC_SHA2_256)
	signed := []byte("signed octets")
	auth := PSKAuth(prf, []byte("psk"), signed)
	if !VerifyPSKAuth(prf, []byte("psk"), signed, auth) {
		t.Error("own AUTH refused")
	}
	if VerifyPSKAuth(prf, []byte("other"), signed, auth) || VerifyPSKAuth(prf, []byte("psk"), signed, auth[:16]) {
		t.Error("wrong PSK or truncated AUTH accepted")
	}
}
