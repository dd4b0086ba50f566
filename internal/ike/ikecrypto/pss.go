package ikecrypto

import (
	"crypto"
	"crypto/x509/pkix"
	"encoding/asn1"
	"fmt"
)

// The object identifiers of RSASSA-PSS (RFC 4055 section 3.1 and RFC
// 8017 appendix A.2.3).
var (
	oidRSASSAPSS = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 1, 10}
	oidMGF1      = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 1, 8}
	oidSHA256    = asn1.ObjectIdentifier{2, 16, 840, 1, 101, 3, 4, 2, 1}
	oidSHA384    = asn1.ObjectIdentifier{2, 16, 840, 1, 101, 3, 4, 2, 2}
	oidSHA512    = asn1.ObjectIdentifier{2, 16, 840, 1, 101, 3, 4, 2, 3}
)

// pssParams is RSASSA-PSS-params (RFC 4055 section 3.1). The hash and
// mask generation fields default to SHA-1, which IKE signatures do not
// use (RFC 7427 section 3 pairs SHA-1 with nothing new), so both must be
// present. The salt length defaults to 20 and the trailer field to 1.
type pssParams struct {
	Hash         pkix.AlgorithmIdentifier `asn1:"explicit,tag:0"`
	MGF          pkix.AlgorithmIdentifier `asn1:"explicit,tag:1"`
	SaltLength   int                      `asn1:"optional,explicit,tag:2,default:20"`
	TrailerField int                      `asn1:"optional,explicit,tag:3,default:1"`
}

// maxPSSSalt bounds the salt length a peer may name: none of the hashes
// we accept with a key of up to 16384 bits leaves room for more, and the
// bound keeps an absurd value out of the verifier.
const maxPSSSalt = 2048

var pssHashes = []struct {
	oid  asn1.ObjectIdentifier
	hash crypto.Hash
}{{oidSHA256, crypto.SHA256}, {oidSHA384, crypto.SHA384}, {oidSHA512, crypto.SHA512}}

func hashOID(h crypto.Hash) (asn1.ObjectIdentifier, bool) {
	for _, e := range pssHashes {
		if e.hash == h {
			return e.oid, true
		}
	}
	return nil, false
}

// hashOf reads a hash AlgorithmIdentifier: one of ours, with NULL or
// absent parameters (RFC 4055 section 2.1 allows both).
func hashOf(id pkix.AlgorithmIdentifier) (crypto.Hash, bool) {
	p := id.Parameters.FullBytes
	if len(p) != 0 && !(len(p) == 2 && p[0] == 0x05 && p[1] == 0x00) {
		return 0, false
	}
	for _, e := range pssHashes {
		if id.Algorithm.Equal(e.oid) {
			return e.hash, true
		}
	}
	return 0, false
}

// pssAlgorithmIdentifier encodes the RSASSA-PSS AlgorithmIdentifier for
// hash h, MGF1 over mgf and the salt length, hash parameters NULL as
// RFC 7427 appendix A writes them.
func pssAlgorithmIdentifier(h, mgf crypto.Hash, salt int) ([]byte, error) {
	hOID, ok1 := hashOID(h)
	mOID, ok2 := hashOID(mgf)
	if !ok1 || !ok2 {
		return nil, fmt.Errorf("ikecrypto: no RSASSA-PSS with %s and MGF1 %s", h, mgf)
	}
	mgfHash, err := asn1.Marshal(pkix.AlgorithmIdentifier{Algorithm: mOID, Parameters: asn1.NullRawValue})
	if err != nil {
		return nil, err
	}
	params, err := asn1.Marshal(pssParams{
		Hash:       pkix.AlgorithmIdentifier{Algorithm: hOID, Parameters: asn1.NullRawValue},
		MGF:        pkix.AlgorithmIdentifier{Algorithm: oidMGF1, Parameters: asn1.RawValue{FullBytes: mgfHash}},
		SaltLength: salt, TrailerField: 1,
	})
	if err != nil {
		return nil, err
	}
	return asn1.Marshal(pkix.AlgorithmIdentifier{Algorithm: oidRSASSAPSS, Parameters: asn1.RawValue{FullBytes: params}})
}

// parsePSS reads an RSASSA-PSS AlgorithmIdentifier as a peer may send
// it: a hash we support, MGF1 over the same hash (RFC 4055 section 3.1
// recommends it; we accept nothing else), trailer field 1 and a salt
// length from 1 to maxPSSSalt. The verifier then checks the salt length
// exactly, so a signature made with another length is refused. A salt of
// 0 is refused: crypto/rsa reads 0 as "any length", which would not check
// what the peer named.
func parsePSS(der []byte) (sigAlg, bool) {
	var id pkix.AlgorithmIdentifier
	if rest, err := asn1.Unmarshal(der, &id); err != nil || len(rest) != 0 || !id.Algorithm.Equal(oidRSASSAPSS) {
		return sigAlg{}, false
	}
	var p pssParams
	if rest, err := asn1.Unmarshal(id.Parameters.FullBytes, &p); err != nil || len(rest) != 0 {
		return sigAlg{}, false
	}
	h, ok := hashOf(p.Hash)
	if !ok || !p.MGF.Algorithm.Equal(oidMGF1) || p.TrailerField != 1 || p.SaltLength < 1 || p.SaltLength > maxPSSSalt {
		return sigAlg{}, false
	}
	var mgf pkix.AlgorithmIdentifier
	if rest, err := asn1.Unmarshal(p.MGF.Parameters.FullBytes, &mgf); err != nil || len(rest) != 0 {
		return sigAlg{}, false
	}
	if mh, ok := hashOf(mgf); !ok || mh != h {
		return sigAlg{}, false
	}
	return sigAlg{der: der, hash: h, kind: kindPSS, salt: p.SaltLength}, true
}
