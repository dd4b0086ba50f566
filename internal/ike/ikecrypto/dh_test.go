package ikecrypto

import (
	"bytes"
	"errors"
	"math/big"
	"testing"

	"github.com/tcpipc/tcpipc/internal/ike/wire"
)

func TestDHGroupsAgree(t *testing.T) {
	for _, id := range []wire.DHGroup{wire.MODP2048, wire.ECP256, wire.ECP384, wire.ECP521, wire.Curve25519} {
		t.Run(id.String(), func(t *testing.T) {
			g, err := LookupDH(id)
			if err != nil {
				t.Fatal(err)
			}
			a, err1 := g.GenerateKey(nil)
			b, err2 := g.GenerateKey(nil)
			if err1 != nil || err2 != nil {
				t.Fatal(err1, err2)
			}
			if len(a.Public()) != g.PublicLen || bytes.Equal(a.Public(), b.Public()) {
				t.Fatalf("public values %x and %x", a.Public(), b.Public())
			}
			ab, err1 := a.SharedSecret(b.Public())
			ba, err2 := b.SharedSecret(a.Public())
			if err1 != nil || err2 != nil {
				t.Fatal(err1, err2)
			}
			if !bytes.Equal(ab, ba) || len(ab) == 0 {
				t.Fatalf("sides disagree: %x vs %x", []byte(ab), []byte(ba))
			}
			if a.Group() != g {
				t.Errorf("key of group %s", a.Group())
			}
		})
	}
	if _, err := LookupDH(wire.DHGroup(2)); err == nil {
		t.Error("MODP-1024 looked up")
	}
}

func TestDHRejectsBadPublicValues(t *testing.T) {
	p := new(big.Int).Set(modp2048)
	modp := func(v *big.Int) []byte { return v.FillBytes(make([]byte, 256)) }
	// (1, 2) is not on either NIST curve; 0 on Curve25519 is a low-order point.
	offCurve := func(n int) []byte { b := make([]byte, n); b[n/2-1], b[n-1] = 1, 2; return b }
	for _, tc := range []struct {
		name  string
		group wire.DHGroup
		value []byte
	}{
		{"MODP short", wire.MODP2048, make([]byte, 255)},
		{"MODP 0", wire.MODP2048, modp(big.NewInt(0))},
		{"MODP 1", wire.MODP2048, modp(big.NewInt(1))},
		{"MODP p-1", wire.MODP2048, modp(new(big.Int).Sub(p, big.NewInt(1)))},
		{"MODP p", wire.MODP2048, modp(p)},
		{"ECP-256 with 0x04 prefix", wire.ECP256, make([]byte, 65)},
		{"ECP-256 off curve", wire.ECP256, offCurve(64)},
		{"ECP-256 point at infinity", wire.ECP256, make([]byte, 64)},
		{"ECP-384 off curve", wire.ECP384, offCurve(96)},
		{"ECP-384 short", wire.ECP384, make([]byte, 64)},
		{"ECP-521 off curve", wire.ECP521, offCurve(132)},
		{"ECP-521 point at infinity", wire.ECP521, make([]byte, 132)},
		{"ECP-521 with 0x04 prefix", wire.ECP521, make([]byte, 133)},
		{"Curve25519 low order", wire.Curve25519, make([]byte, 32)},
		{"Curve25519 long", wire.Curve25519, make([]byte, 33)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			g, _ := LookupDH(tc.group)
			k, err := g.GenerateKey(nil)
			if err != nil {
				t.Fatal(err)
			}
			s, err := k.SharedSecret(tc.value)
			if !errors.Is(err, ErrBadPublicValue) {
				t.Fatalf("shared secret %x, error %v", []byte(s), err)
			}
		})
	}
}

// TestMODP2048Prime guards the hand-typed RFC 3526 prime: a wrong digit
// would almost surely make p or (p-1)/2 composite.
func TestMODP2048Prime(t *testing.T) {
	if modp2048.BitLen() != 2048 || !modp2048.ProbablyPrime(10) {
		t.Fatal("p is not a 2048-bit prime")
	}
	q := new(big.Int).Rsh(modp2048, 1)
	if !q.ProbablyPrime(10) {
		t.Fatal("(p-1)/2 is not prime")
	}
}
