package dvipaindex

import (
	"math/rand"
	"net/netip"
	"testing"

	"github.com/tcpipc/tcpipc/model"
)

// TestCoveringMatchesBruteForce compares the prefix index with checking
// every rule, on random rules and addresses.
func TestCoveringMatchesBruteForce(t *testing.T) {
	rng := rand.New(rand.NewSource(1))
	addr := func() netip.Addr {
		return netip.AddrFrom4([4]byte{10, byte(rng.Intn(4)), byte(rng.Intn(4)), byte(rng.Intn(8))})
	}
	var rules []*model.FilterRule
	for i := 0; i < 300; i++ {
		var sel model.AddrSel
		switch rng.Intn(4) {
		case 0:
			sel.All = true
		case 1:
			a, b := addr(), addr()
			if b.Less(a) {
				a, b = b, a
			}
			sel.From, sel.To = a, b
		default:
			sel.Prefix = netip.PrefixFrom(addr(), 8+rng.Intn(25)).Masked()
		}
		rules = append(rules, &model.FilterRule{Src: sel})
	}
	ix := newPrefixIndex(rules)
	for i := 0; i < 200; i++ {
		a := addr()
		var want []*model.FilterRule
		for _, r := range rules {
			if r.Src.Contains(a) {
				want = append(want, r)
			}
		}
		got := ix.covering(a)
		if len(got) != len(want) {
			t.Fatalf("%s: %d rules, brute force %d", a, len(got), len(want))
		}
		for k := range got {
			if got[k] != want[k] {
				t.Fatalf("%s: rule %d differs", a, k)
			}
		}
	}
}
