package ikecrypto

import (
	"crypto/hmac"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/sha512"
	"fmt"
	"hash"

	"github.com/tcpipc/tcpipc/internal/ike/wire"
)

// PRF is a pseudorandom function transform (RFC 7296 section 3.3.2).
// Every supported PRF is an HMAC, whose preferred key length is its output
// length.
type PRF struct {
	ID   wire.PRFID
	hash func() hash.Hash
	size int
}

var prfs = map[wire.PRFID]*PRF{
	wire.PRF_HMAC_SHA1:     {wire.PRF_HMAC_SHA1, sha1.New, sha1.Size},
	wire.PRF_HMAC_SHA2_256: {wire.PRF_HMAC_SHA2_256, sha256.New, sha256.Size},
	wire.PRF_HMAC_SHA2_384: {wire.PRF_HMAC_SHA2_384, sha512.New384, sha512.Size384},
	wire.PRF_HMAC_SHA2_512: {wire.PRF_HMAC_SHA2_512, sha512.New, sha512.Size},
}

// LookupPRF returns the PRF with transform ID id.
func LookupPRF(id wire.PRFID) (*PRF, error) {
	if p, ok := prfs[id]; ok {
		return p, nil
	}
	return nil, fmt.Errorf("ikecrypto: unsupported %s", id)
}

func (p *PRF) String() string { return p.ID.String() }

// Size is the output length, and the length of SK_d, SK_pi and SK_pr.
func (p *PRF) Size() int { return p.size }

// Sum returns prf(key, data[0] | data[1] | ...).
func (p *PRF) Sum(key []byte, data ...[]byte) []byte {
	m := hmac.New(p.hash, key)
	for _, d := range data {
		m.Write(d)
	}
	return m.Sum(nil)
}

// Plus returns the first n bytes of prf+(key, seed) (RFC 7296 section 2.13):
//
//	T1 = prf(K, S | 0x01), Tk = prf(K, Tk-1 | S | k), output T1 | T2 | ...
//
// The counter is one byte, so at most 255 blocks can be produced.
func (p *PRF) Plus(key, seed []byte, n int) (Key, error) {
	if n > 255*p.size {
		return nil, fmt.Errorf("ikecrypto: prf+ asked for %d bytes, %s gives at most %d", n, p, 255*p.size)
	}
	out := make([]byte, 0, n+p.size)
	var t []byte
	for i := 1; len(out) < n; i++ {
		t = p.Sum(key, t, seed, []byte{byte(i)})
		out = append(out, t...)
	}
	return Key(out[:n]), nil
}

// Integ is an integrity transform: an HMAC truncated to ICVLen bytes.
type Integ struct {
	ID     wire.IntegID
	hash   func() hash.Hash
	KeyLen int
	ICVLen int
}

var integs = map[wire.IntegID]*Integ{
	wire.AUTH_HMAC_SHA1_96:      {wire.AUTH_HMAC_SHA1_96, sha1.New, sha1.Size, 12},
	wire.AUTH_HMAC_SHA2_256_128: {wire.AUTH_HMAC_SHA2_256_128, sha256.New, sha256.Size, 16},
	wire.AUTH_HMAC_SHA2_384_192: {wire.AUTH_HMAC_SHA2_384_192, sha512.New384, sha512.Size384, 24},
	wire.AUTH_HMAC_SHA2_512_256: {wire.AUTH_HMAC_SHA2_512_256, sha512.New, sha512.Size, 32},
}

// LookupInteg returns the integrity transform with ID id. AUTH_NONE is not
// a transform of its own; callers treat it as "no INTEG".
func LookupInteg(id wire.IntegID) (*Integ, error) {
	if i, ok := integs[id]; ok {
		return i, nil
	}
	return nil, fmt.Errorf("ikecrypto: unsupported %s", id)
}

func (i *Integ) String() string { return i.ID.String() }

// MAC returns the truncated HMAC of data under key.
func (i *Integ) MAC(key []byte, data ...[]byte) []byte {
	m := hmac.New(i.hash, key)
	for _, d := range data {
		m.Write(d)
	}
	return m.Sum(nil)[:i.ICVLen]
}

// Encr is an encryption transform with its negotiated key size.
type Encr struct {
	ID      wire.EncrID
	KeyBits int
}

// Properties of the supported ciphers. RFC 5282 fixes the GCM IV at 8
// bytes and the salt at 4; CBC uses a full-block random IV.
const (
	gcmSaltLen = 4
	gcmIVLen   = 8
	gcmICVLen  = 16
	cbcIVLen   = 16
	aesBlock   = 16
)

// LookupEncr returns the cipher with transform ID id and a Key Length
// attribute of keyBits. AES needs the attribute (RFC 7296 section 3.3.5).
func LookupEncr(id wire.EncrID, keyBits int) (*Encr, error) {
	switch id {
	case wire.ENCR_AES_CBC, wire.ENCR_AES_GCM_16:
		if keyBits == 128 || keyBits == 256 {
			return &Encr{ID: id, KeyBits: keyBits}, nil
		}
		return nil, fmt.Errorf("ikecrypto: unsupported %s key length %d", id, keyBits)
	}
	return nil, fmt.Errorf("ikecrypto: unsupported %s", id)
}

func (e *Encr) String() string { return fmt.Sprintf("%s_%d", e.ID, e.KeyBits) }

// IsAEAD reports whether the cipher protects integrity itself, in which
// case an IKE or ESP proposal has no INTEG transform.
func (e *Encr) IsAEAD() bool { return e.ID == wire.ENCR_AES_GCM_16 }

// KeyLen is the length of SK_e and of each encryption key in child key
// material: the AES key, plus the salt for GCM (RFC 5282 section 7.1).
func (e *Encr) KeyLen() int {
	if e.IsAEAD() {
		return e.KeyBits/8 + gcmSaltLen
	}
	return e.KeyBits / 8
}

// ESNSupported reports whether id is an ESN transform tcpipc accepts.
func ESNSupported(id wire.ESNID) bool { return id == wire.ESNNo || id == wire.ESNYes }
