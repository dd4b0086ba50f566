package ikecrypto

import (
	"crypto/ecdh"
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"math/big"

	"github.com/tcpipc/tcpipc/internal/ike/wire"
)

// DH is a Diffie-Hellman group transform.
type DH struct {
	ID wire.DHGroup
	// PublicLen is the exact length of a KE payload's public value.
	PublicLen int
	curve     ecdh.Curve // nil for MODP
	// stripPrefix is set for the NIST curves, whose KE value is x | y
	// without the 0x04 uncompressed-point byte (RFC 5903 section 7).
	stripPrefix bool
}

// modp2048 is the 2048-bit MODP prime of RFC 3526 section 3; its generator is 2.
var modp2048, _ = new(big.Int).SetString(
	"FFFFFFFFFFFFFFFFC90FDAA22168C234C4C6628B80DC1CD129024E088A67CC74020BBEA63B139B22514A08798E3404DD"+
		"EF9519B3CD3A431B302B0A6DF25F14374FE1356D6D51C245E485B576625E7EC6F44C42E9A637ED6B0BFF5CB6F406B7ED"+
		"EE386BFB5A899FA5AE9F24117C4B1FE649286651ECE45B3DC2007CB8A163BF0598DA48361C55D39A69163FA8FD24CF5F"+
		"83655D23DCA3AD961C62F356208552BB9ED529077096966D670C354E4ABC9804F1746C08CA18217C32905E462E36CE3B"+
		"E39E772C180E86039B2783A2EC07A28FB5C55DF06F4C52C9DE2BCBF6955817183995497CEA956AE515D2261898FA0510"+
		"15728E5A8AACAA68FFFFFFFFFFFFFFFF", 16)

// modpExponentBits is the size of our private exponent in the MODP group.
const modpExponentBits = 256

var dhGroups = map[wire.DHGroup]*DH{
	wire.MODP2048:   {ID: wire.MODP2048, PublicLen: 256},
	wire.ECP256:     {ID: wire.ECP256, PublicLen: 64, curve: ecdh.P256(), stripPrefix: true},
	wire.ECP384:     {ID: wire.ECP384, PublicLen: 96, curve: ecdh.P384(), stripPrefix: true},
	wire.ECP521:     {ID: wire.ECP521, PublicLen: 132, curve: ecdh.P521(), stripPrefix: true},
	wire.Curve25519: {ID: wire.Curve25519, PublicLen: 32, curve: ecdh.X25519()},
}

// LookupDH returns the group with transform ID id.
func LookupDH(id wire.DHGroup) (*DH, error) {
	if g, ok := dhGroups[id]; ok {
		return g, nil
	}
	return nil, fmt.Errorf("ikecrypto: unsupported %s", id)
}

func (g *DH) String() string { return g.ID.String() }

// ErrBadPublicValue reports a peer's KE value that is not a valid element
// of the group; RFC 7296 section 2.8.4 asks for such messages to be refused.
var ErrBadPublicValue = errors.New("ikecrypto: invalid Diffie-Hellman public value")

// DHKey is one side's ephemeral Diffie-Hellman key pair.
type DHKey struct {
	group  *DH
	public []byte
	ec     *ecdh.PrivateKey
	x      *big.Int // MODP private exponent
}

// GenerateKey makes a fresh key pair, reading randomness from r
// (crypto/rand.Reader when nil).
func (g *DH) GenerateKey(r io.Reader) (*DHKey, error) {
	if r == nil {
		r = rand.Reader
	}
	k := &DHKey{group: g}
	if g.curve != nil {
		priv, err := g.curve.GenerateKey(r)
		if err != nil {
			return nil, err
		}
		k.ec, k.public = priv, priv.PublicKey().Bytes()
		if g.stripPrefix {
			k.public = k.public[1:]
		}
		return k, nil
	}
	// x in [2, 2^256): drawing 256 bits and rejecting 0 and 1 keeps it uniform.
	buf := make([]byte, modpExponentBits/8)
	for {
		if _, err := io.ReadFull(r, buf); err != nil {
			return nil, err
		}
		k.x = new(big.Int).SetBytes(buf)
		if k.x.Cmp(big.NewInt(1)) > 0 {
			break
		}
	}
	y := new(big.Int).Exp(big.NewInt(2), k.x, modp2048)
	k.public = y.FillBytes(make([]byte, g.PublicLen))
	return k, nil
}

// Group is the group the key belongs to.
func (k *DHKey) Group() *DH { return k.group }

// Public is the value for the KE payload.
func (k *DHKey) Public() []byte { return k.public }

// SharedSecret returns g^ir for the peer's KE value, after checking that
// the value has the group's exact length and lies in the group: on the
// curve for ECP (crypto/ecdh checks), not a low-order point for Curve25519
// (an all-zero result), and strictly between 1 and p-1 for MODP.
func (k *DHKey) SharedSecret(peer []byte) (Key, error) {
	g := k.group
	if len(peer) != g.PublicLen {
		return nil, fmt.Errorf("%w: %s value of %d bytes, want %d", ErrBadPublicValue, g, len(peer), g.PublicLen)
	}
	if g.curve != nil {
		if g.stripPrefix {
			peer = append([]byte{4}, peer...)
		}
		pub, err := g.curve.NewPublicKey(peer)
		if err != nil {
			return nil, fmt.Errorf("%w: %v", ErrBadPublicValue, err)
		}
		s, err := k.ec.ECDH(pub)
		if err != nil {
			return nil, fmt.Errorf("%w: %v", ErrBadPublicValue, err)
		}
		return Key(s), nil
	}
	y := new(big.Int).SetBytes(peer)
	pMinus1 := new(big.Int).Sub(modp2048, big.NewInt(1))
	if y.Cmp(big.NewInt(1)) <= 0 || y.Cmp(pMinus1) >= 0 {
		return nil, fmt.Errorf("%w: %s value outside (1, p-1)", ErrBadPublicValue, g)
	}
	s := new(big.Int).Exp(y, k.x, modp2048)
	return Key(s.FillBytes(make([]byte, g.PublicLen))), nil
}

// Format keeps the private key out of formatted output.
func (k DHKey) Format(f fmt.State, _ rune) { formatRedacted(f, "DHKey") }
