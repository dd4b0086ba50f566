package ikecrypto

import (
	"bytes"
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rsa"
	"crypto/x509/pkix"
	"encoding/asn1"
	"errors"
	"fmt"
	"io"
	"math/big"

	"github.com/tcpipc/tcpipc/internal/ike/wire"
)

// ErrBadSignature is what every signature check fails with, whatever was
// wrong: the method, the encoding or the signature itself.
var ErrBadSignature = errors.New("ikecrypto: signature does not verify")

// ClassicMethod returns the AUTH method RFC 7296 section 3.8 and RFC 4754
// give a public key: RSA_SIG for RSA, ECDSA by curve. z/OS names these
// HowToAuthMe RsaSignature, ECDSA-256, ECDSA-384 and ECDSA-521.
func ClassicMethod(pub crypto.PublicKey) (wire.AuthMethod, error) {
	switch k := pub.(type) {
	case *rsa.PublicKey:
		return wire.AuthRSASig, nil
	case *ecdsa.PublicKey:
		switch k.Curve {
		case elliptic.P256():
			return wire.AuthECDSA256, nil
		case elliptic.P384():
			return wire.AuthECDSA384, nil
		case elliptic.P521():
			return wire.AuthECDSA521, nil
		}
	}
	return 0, fmt.Errorf("ikecrypto: no IKEv2 signature method for a %T key", pub)
}

// classicHash is the hash a classic method signs with: SHA-1 for RSA_SIG
// (the PKCS#1 v1.5 scheme of RFC 7296, which strongSwan also uses for
// method 1) and the curve's own hash for RFC 4754.
func classicHash(m wire.AuthMethod) (crypto.Hash, elliptic.Curve, bool) {
	switch m {
	case wire.AuthRSASig:
		return crypto.SHA1, nil, true
	case wire.AuthECDSA256:
		return crypto.SHA256, elliptic.P256(), true
	case wire.AuthECDSA384:
		return crypto.SHA384, elliptic.P384(), true
	case wire.AuthECDSA521:
		return crypto.SHA512, elliptic.P521(), true
	}
	return 0, nil, false
}

// Digital picks an RFC 7427 signature: the hash, and for an RSA key
// whether to pad with RSASSA-PSS rather than PKCS#1 v1.5. The classic
// methods ignore it.
type Digital struct {
	Hash crypto.Hash
	PSS  bool
}

// SignAuth returns the AUTH data for method over signed, the octets of
// SignedOctets. For AuthDigitalSig (RFC 7427) alg picks the signature; the
// classic methods fix their own.
func SignAuth(r io.Reader, key crypto.Signer, method wire.AuthMethod, alg Digital, signed []byte) ([]byte, error) {
	if method != wire.AuthDigitalSig {
		want, curve, ok := classicHash(method)
		if !ok {
			return nil, fmt.Errorf("ikecrypto: %s is not a signature method", method)
		}
		if got, err := ClassicMethod(key.Public()); err != nil || got != method {
			return nil, fmt.Errorf("ikecrypto: a %T key cannot sign %s", key.Public(), method)
		}
		sig, err := key.Sign(r, digest(want, signed), want)
		if err != nil || curve == nil {
			return sig, err
		}
		return ecdsaRaw(sig, curve)
	}
	a, ok := algorithmFor(key.Public(), alg)
	if !ok {
		return nil, fmt.Errorf("ikecrypto: no RFC 7427 algorithm for a %T key with %+v", key.Public(), alg)
	}
	sig, err := key.Sign(r, digest(a.hash, signed), a.signerOpts())
	if err != nil {
		return nil, err
	}
	return append(append([]byte{byte(len(a.der))}, a.der...), sig...), nil
}

// VerifyAuth checks AUTH data of a signature method against pub, the key
// of the peer's certificate.
func VerifyAuth(pub crypto.PublicKey, method wire.AuthMethod, data, signed []byte) error {
	var hash crypto.Hash
	var sig []byte
	var raw bool            // ECDSA as r|s, RFC 4754; otherwise ASN.1, RFC 7427
	var pss *rsa.PSSOptions // RSASSA-PSS; otherwise PKCS#1 v1.5 for RSA
	switch method {
	case wire.AuthDigitalSig:
		alg, rest, ok := parseDigitalSignature(data)
		if !ok || !alg.fits(pub) {
			return ErrBadSignature
		}
		hash, sig = alg.hash, rest
		if alg.kind == kindPSS {
			pss = &rsa.PSSOptions{SaltLength: alg.salt, Hash: alg.hash}
		}
	default:
		h, _, ok := classicHash(method)
		if m, err := ClassicMethod(pub); !ok || err != nil || m != method {
			return ErrBadSignature
		}
		hash, sig, raw = h, data, true
	}
	d := digest(hash, signed)
	switch k := pub.(type) {
	case *rsa.PublicKey:
		if pss != nil && rsa.VerifyPSS(k, hash, d, sig, pss) == nil {
			return nil
		}
		if pss == nil && rsa.VerifyPKCS1v15(k, hash, d, sig) == nil {
			return nil
		}
	case *ecdsa.PublicKey:
		if raw {
			n := (k.Curve.Params().BitSize + 7) / 8
			if len(sig) != 2*n {
				return ErrBadSignature
			}
			r, s := new(big.Int).SetBytes(sig[:n]), new(big.Int).SetBytes(sig[n:])
			if ecdsa.Verify(k, d, r, s) {
				return nil
			}
		} else if ecdsa.VerifyASN1(k, d, sig) {
			return nil
		}
	}
	return ErrBadSignature
}

func digest(h crypto.Hash, b []byte) []byte {
	w := h.New()
	w.Write(b)
	return w.Sum(nil)
}

// ecdsaRaw turns an ASN.1 ECDSA signature into the fixed-size r|s of
// RFC 4754 section 7.
func ecdsaRaw(der []byte, curve elliptic.Curve) ([]byte, error) {
	var v struct{ R, S *big.Int }
	if rest, err := asn1.Unmarshal(der, &v); err != nil || len(rest) != 0 {
		return nil, fmt.Errorf("ikecrypto: ECDSA signer returned no ASN.1 signature")
	}
	n := (curve.Params().BitSize + 7) / 8
	out := make([]byte, 2*n)
	v.R.FillBytes(out[:n])
	v.S.FillBytes(out[n:])
	return out, nil
}

// sigAlg is one RFC 7427 signature algorithm: the AlgorithmIdentifier sent
// before the signature, and what it means.
type sigAlg struct {
	der  []byte
	hash crypto.Hash
	kind sigKind
	salt int // RSASSA-PSS only
}

// sigKind is the signature scheme of a sigAlg.
type sigKind int

const (
	kindPKCS1 sigKind = iota // RSA, PKCS#1 v1.5
	kindPSS                  // RSA, RSASSA-PSS (RFC 8017 section 8.1)
	kindECDSA
)

func (a sigAlg) fits(pub crypto.PublicKey) bool {
	_, isRSA := pub.(*rsa.PublicKey)
	_, isEC := pub.(*ecdsa.PublicKey)
	return (a.kind != kindECDSA && isRSA) || (a.kind == kindECDSA && isEC)
}

func (a sigAlg) signerOpts() crypto.SignerOpts {
	if a.kind == kindPSS {
		return &rsa.PSSOptions{SaltLength: a.salt, Hash: a.hash}
	}
	return a.hash
}

// sigAlgs are the RFC 7427 algorithms tcpipc signs and verifies, with the
// AlgorithmIdentifiers of RFC 7427 appendix A (NULL parameters for RSA,
// none for ECDSA, RSASSA-PSS-params of RFC 4055 with MGF1 over the same
// hash and a salt as long as the hash). A peer may send RSASSA-PSS with
// other parameters; parsePSS reads those.
var sigAlgs = []sigAlg{
	rsaAlg(crypto.SHA256, 11), rsaAlg(crypto.SHA384, 12), rsaAlg(crypto.SHA512, 13),
	pssAlg(crypto.SHA256), pssAlg(crypto.SHA384), pssAlg(crypto.SHA512),
	ecAlg(crypto.SHA256, 2), ecAlg(crypto.SHA384, 3), ecAlg(crypto.SHA512, 4),
}

func rsaAlg(h crypto.Hash, last int) sigAlg {
	der, _ := asn1.Marshal(pkix.AlgorithmIdentifier{Algorithm: asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 1, last}, Parameters: asn1.NullRawValue})
	return sigAlg{der: der, hash: h, kind: kindPKCS1}
}

func ecAlg(h crypto.Hash, last int) sigAlg {
	der, _ := asn1.Marshal(pkix.AlgorithmIdentifier{Algorithm: asn1.ObjectIdentifier{1, 2, 840, 10045, 4, 3, last}})
	return sigAlg{der: der, hash: h, kind: kindECDSA}
}

func pssAlg(h crypto.Hash) sigAlg {
	der, err := pssAlgorithmIdentifier(h, h, h.Size())
	if err != nil {
		panic(err) // fixed inputs: cannot happen
	}
	return sigAlg{der: der, hash: h, kind: kindPSS, salt: h.Size()}
}

func algorithmFor(pub crypto.PublicKey, d Digital) (sigAlg, bool) {
	_, isRSA := pub.(*rsa.PublicKey)
	for _, a := range sigAlgs {
		if a.hash == d.Hash && a.fits(pub) && (a.kind == kindPSS) == (d.PSS && isRSA) {
			return a, true
		}
	}
	return sigAlg{}, false
}

// parseDigitalSignature splits RFC 7427 AUTH data (section 3): a one-byte
// length, that many bytes of AlgorithmIdentifier, then the signature. The
// exact encodings of sigAlgs are accepted, and RSASSA-PSS with any salt
// length over a hash we support; anything else is refused, never guessed
// at.
func parseDigitalSignature(data []byte) (sigAlg, []byte, bool) {
	if len(data) < 2 || int(data[0])+1 >= len(data) {
		return sigAlg{}, nil, false
	}
	id, rest := data[1:1+int(data[0])], data[1+int(data[0]):]
	for _, a := range sigAlgs {
		if bytes.Equal(a.der, id) {
			return a, rest, true
		}
	}
	if a, ok := parsePSS(id); ok {
		return a, rest, true
	}
	return sigAlg{}, nil, false
}

// HashFor returns the RFC 7427 hash tcpipc signs with for a key, given the
// hashes the peer announced: SHA2-256 for RSA and P-256, the curve's own
// hash for P-384 and P-521. ok is false when the peer did not announce it,
// and the caller falls back to the classic method.
func HashFor(pub crypto.PublicKey, peer []wire.HashAlgorithm) (crypto.Hash, bool) {
	want, wireID := crypto.SHA256, wire.HashSHA2_256
	if k, ok := pub.(*ecdsa.PublicKey); ok {
		switch k.Curve {
		case elliptic.P384():
			want, wireID = crypto.SHA384, wire.HashSHA2_384
		case elliptic.P521():
			want, wireID = crypto.SHA512, wire.HashSHA2_512
		}
	}
	for _, h := range peer {
		if h == wireID {
			return want, true
		}
	}
	return 0, false
}

// SupportedHashes are the hashes tcpipc announces in
// SIGNATURE_HASH_ALGORITHMS.
var SupportedHashes = []wire.HashAlgorithm{wire.HashSHA2_256, wire.HashSHA2_384, wire.HashSHA2_512}
