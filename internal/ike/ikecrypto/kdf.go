package ikecrypto

import (
	"encoding/binary"
	"fmt"
)

// SKEYSEED returns prf(Ni | Nr, g^ir) (RFC 7296 section 2.14). The nonces
// are the Nonce payload bodies. None of the supported PRFs has a fixed key
// size, so the nonces are used whole.
func SKEYSEED(prf *PRF, ni, nr, gir []byte) Key {
	return Key(prf.Sum(append(append([]byte{}, ni...), nr...), gir))
}

// RekeySKEYSEED returns the SKEYSEED of an IKE SA made by rekeying one
// whose SK_d is oldSKd: prf(SK_d (old), g^ir (new) | Ni | Nr) (RFC 7296
// section 2.18). prf is the old SA's PRF.
func RekeySKEYSEED(prf *PRF, oldSKd, gir, ni, nr []byte) Key {
	return Key(prf.Sum(oldSKd, gir, ni, nr))
}

// IKEKeys are the seven keys of an IKE SA. The "i" keys protect what the
// original initiator sends, the "r" keys what the responder sends.
type IKEKeys struct {
	D, Ai, Ar, Ei, Er, Pi, Pr Key
}

// Format keeps the keys out of formatted output.
func (k IKEKeys) Format(f fmt.State, _ rune) { formatRedacted(f, "IKEKeys") }

// DeriveIKEKeys cuts the seven keys, in the order of RFC 7296 section 2.14,
// from prf+(SKEYSEED, Ni | Nr | SPIi | SPIr). integ is nil with an AEAD
// cipher, which makes SK_ai and SK_ar empty.
func DeriveIKEKeys(prf *PRF, encr *Encr, integ *Integ, skeyseed, ni, nr []byte, spii, spir uint64) (*IKEKeys, error) {
	aLen := 0
	if integ != nil {
		aLen = integ.KeyLen
	}
	eLen, pLen := encr.KeyLen(), prf.Size()
	seed := append(append([]byte{}, ni...), nr...)
	seed = binary.BigEndian.AppendUint64(seed, spii)
	seed = binary.BigEndian.AppendUint64(seed, spir)
	km, err := prf.Plus(skeyseed, seed, 3*pLen+2*aLen+2*eLen)
	if err != nil {
		return nil, err
	}
	next := func(n int) Key {
		k := km[:n:n]
		km = km[n:]
		return k
	}
	k := &IKEKeys{}
	k.D = next(pLen)
	k.Ai, k.Ar = next(aLen), next(aLen)
	k.Ei, k.Er = next(eLen), next(eLen)
	k.Pi, k.Pr = next(pLen), next(pLen)
	return k, nil
}

// ChildKeys is the key material of one child SA pair. I keys protect
// traffic from the IKE exchange's initiator to its responder, R keys the
// other way. For AES-GCM each encryption key includes its 4-byte salt.
type ChildKeys struct {
	EncrI, IntegI, EncrR, IntegR Key
}

// Format keeps the keys out of formatted output.
func (k ChildKeys) Format(f fmt.State, _ rune) { formatRedacted(f, "ChildKeys") }

// DeriveChildKeys returns KEYMAT = prf+(SK_d, [g^ir (new) |] Ni | Nr) cut
// in the order of RFC 7296 section 2.17: encryption then integrity for
// initiator to responder, then the same for responder to initiator. gir is
// nil for the child SA of IKE_AUTH and for CREATE_CHILD_SA without PFS;
// integ is nil with an AEAD cipher.
func DeriveChildKeys(prf *PRF, skd, gir, ni, nr []byte, encr *Encr, integ *Integ) (*ChildKeys, error) {
	aLen := 0
	if integ != nil {
		aLen = integ.KeyLen
	}
	eLen := encr.KeyLen()
	seed := append(append(append([]byte{}, gir...), ni...), nr...)
	km, err := prf.Plus(skd, seed, 2*(eLen+aLen))
	if err != nil {
		return nil, err
	}
	return &ChildKeys{
		EncrI:  km[0:eLen:eLen],
		IntegI: km[eLen : eLen+aLen : eLen+aLen],
		EncrR:  km[eLen+aLen : 2*eLen+aLen : 2*eLen+aLen],
		IntegR: km[2*eLen+aLen:],
	}, nil
}
