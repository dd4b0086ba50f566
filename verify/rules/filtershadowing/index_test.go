package filtershadowing

import (
	"math/rand/v2"
	"net/netip"
	"testing"

	"github.com/tcpipc/tcpipc/model"
)

// bruteFirstCovers is the reference: every rule against every earlier one.
func bruteFirstCovers(rules []*model.FilterRule) []int {
	out := make([]int, len(rules))
	entries := make([]*entry, len(rules))
	for i, r := range rules {
		out[i] = -1
		e, ok := newEntry(i, r, r.V6)
		if !ok {
			continue
		}
		entries[i] = e
		for j := 0; j < i; j++ {
			if entries[j] != nil && covers(entries[j], e) {
				out[i] = j
				break
			}
		}
	}
	return out
}

// randomRules draws rules from a small universe so that covering is
// frequent: addresses in 10.0.0.0/22 (and 2001:db8::/118), few protocols,
// ports and classes.
func randomRules(rng *rand.Rand, n int) []*model.FilterRule {
	addr := func(v6 bool) model.AddrSel {
		base4 := netip.MustParseAddr("10.0.0.0").As4()
		base6 := netip.MustParseAddr("2001:db8::").As16()
		at := func(off int) netip.Addr {
			if v6 {
				b := base6
				b[14], b[15] = byte(off>>8), byte(off)
				return netip.AddrFrom16(b)
			}
			b := base4
			b[2], b[3] = byte(off>>8), byte(off)
			return netip.AddrFrom4(b)
		}
		width := 32
		if v6 {
			width = 128
		}
		switch rng.IntN(6) {
		case 0:
			return model.AddrSel{All: true}
		case 1: // a prefix 22-32 bits long (/118-/128), or a short one
			bits := width - rng.IntN(11)
			if rng.IntN(8) == 0 {
				bits = rng.IntN(width / 2)
			}
			return model.AddrSel{Prefix: netip.PrefixFrom(at(rng.IntN(1024)), bits)}
		case 2: // a range, sometimes exactly a CIDR block
			lo := rng.IntN(1024)
			hi := lo + rng.IntN(1024-lo)
			if rng.IntN(3) == 0 {
				lo &^= 63
				hi = lo + 63
			}
			return model.AddrSel{From: at(lo), To: at(hi)}
		default:
			return model.AddrSel{Prefix: netip.PrefixFrom(at(rng.IntN(1024)), width)}
		}
	}
	ports := func() model.PortSel {
		if rng.IntN(2) == 0 {
			return model.PortSel{}
		}
		lo := []int{21, 53, 80, 443, 1024}[rng.IntN(5)]
		return model.PortSel{From: lo, To: lo + []int{0, 0, 10, 64511}[rng.IntN(4)]}
	}
	pick := func(s ...string) string { return s[rng.IntN(len(s))] }
	rules := make([]*model.FilterRule, n)
	for i := range rules {
		v6 := rng.IntN(5) == 0
		r := &model.FilterRule{Name: "R", V6: v6, Src: addr(v6), Dst: addr(v6),
			Protocol: []model.Protocol{model.AnyProtocol, 6, 17, 1}[rng.IntN(4)],
			Routing:  pick("LOCAL", "ROUTED", "EITHER"), Direction: pick("BIDIRECTIONAL", "INBOUND", "OUTBOUND"),
			SecClass: []int{0, 0, 5}[rng.IntN(3)], Action: pick("PERMIT", "DENY", "IPSEC")}
		if r.Protocol != model.AnyProtocol || rng.IntN(10) == 0 {
			r.SrcPorts, r.DstPorts = ports(), ports()
		}
		if r.Direction == "BIDIRECTIONAL" && rng.IntN(4) == 0 {
			r.Connect = pick("INBCONNECT", "OUTBCONNECT")
		}
		r.FragmentsOnly = r.Routing == "ROUTED" && rng.IntN(4) == 0
		if rng.IntN(50) == 0 {
			r.Src = addr(!v6) // the wrong family: neither checked nor used
		}
		rules[i] = r
	}
	return rules
}

// TestIndexMatchesBruteForce checks the index against comparing every
// pair, on random rule sets.
func TestIndexMatchesBruteForce(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	shadowed := 0
	for round := range 200 {
		rules := randomRules(rng, 1+rng.IntN(300))
		got, want := firstCovers(rules), bruteFirstCovers(rules)
		for i := range rules {
			if want[i] >= 0 {
				shadowed++
			}
			if got[i] != want[i] {
				t.Fatalf("round %d rule %d (%+v): index says first cover %d, brute force %d", round, i, *rules[i], got[i], want[i])
			}
		}
	}
	// The universe is small on purpose: the comparison means something
	// only if many rules are shadowed.
	if shadowed < 1000 {
		t.Errorf("only %d shadowed rules in the random sets; the test compares too little", shadowed)
	}
}

func TestCovers(t *testing.T) {
	base := func() *model.FilterRule {
		return &model.FilterRule{Src: model.AddrSel{Prefix: netip.MustParsePrefix("10.1.1.0/24")}, Dst: model.AddrSel{All: true},
			Protocol: 6, DstPorts: model.PortSel{From: 80, To: 80}, Routing: "LOCAL", Direction: "BIDIRECTIONAL"}
	}
	tests := []struct {
		name string
		a, b func(*model.FilterRule)
		want bool
	}{
		{"identical", nil, nil, true},
		{"host in subnet", nil, func(r *model.FilterRule) { r.Src = model.AddrSel{Prefix: netip.MustParsePrefix("10.1.1.7/32")} }, true},
		{"subnet not in host", func(r *model.FilterRule) { r.Src = model.AddrSel{Prefix: netip.MustParsePrefix("10.1.1.7/32")} }, nil, false},
		{"range in subnet", nil, func(r *model.FilterRule) {
			r.Src = model.AddrSel{From: netip.MustParseAddr("10.1.1.10"), To: netip.MustParseAddr("10.1.1.20")}
		}, true},
		{"range past subnet", nil, func(r *model.FilterRule) {
			r.Src = model.AddrSel{From: netip.MustParseAddr("10.1.1.10"), To: netip.MustParseAddr("10.1.2.1")}
		}, false},
		{"any protocol covers tcp", func(r *model.FilterRule) { r.Protocol, r.DstPorts = model.AnyProtocol, model.PortSel{} }, nil, true},
		{"udp does not cover tcp", func(r *model.FilterRule) { r.Protocol = 17 }, nil, false},
		{"all ports cover 80", func(r *model.FilterRule) { r.DstPorts = model.PortSel{} }, nil, true},
		{"80 does not cover all ports", nil, func(r *model.FilterRule) { r.DstPorts = model.PortSel{} }, false},
		{"either covers routed", func(r *model.FilterRule) { r.Routing = "EITHER" }, func(r *model.FilterRule) { r.Routing = "ROUTED" }, true},
		{"local does not cover routed", nil, func(r *model.FilterRule) { r.Routing = "ROUTED" }, false},
		{"fragments only does not cover routed", func(r *model.FilterRule) { r.Routing, r.FragmentsOnly = "ROUTED", true },
			func(r *model.FilterRule) { r.Routing = "ROUTED" }, false},
		{"routed covers fragments only", func(r *model.FilterRule) { r.Routing = "ROUTED" },
			func(r *model.FilterRule) { r.Routing, r.FragmentsOnly = "ROUTED", true }, true},
		// A one-way INBOUND rule names the packet's source, the remote
		// sender, first: the inbound half of a bidirectional rule is
		// written with its sides and ports swapped.
		{"bidirectional covers inbound", nil, func(r *model.FilterRule) {
			r.Direction, r.Src, r.Dst, r.SrcPorts, r.DstPorts = "INBOUND", r.Dst, r.Src, r.DstPorts, r.SrcPorts
		}, true},
		{"bidirectional does not cover inbound from its local side", nil, func(r *model.FilterRule) { r.Direction = "INBOUND" }, false},
		{"inbound does not cover outbound", func(r *model.FilterRule) { r.Direction = "INBOUND" }, func(r *model.FilterRule) { r.Direction = "OUTBOUND" }, false},
		{"outbound does not cover bidirectional", func(r *model.FilterRule) { r.Direction = "OUTBOUND" }, nil, false},
		{"inbconnect does not cover plain", func(r *model.FilterRule) { r.Connect = "INBCONNECT" }, nil, false},
		{"plain covers inbconnect", nil, func(r *model.FilterRule) { r.Connect = "INBCONNECT" }, true},
		{"class 0 covers class 5", nil, func(r *model.FilterRule) { r.SecClass = 5 }, true},
		{"class 5 does not cover class 0", func(r *model.FilterRule) { r.SecClass = 5 }, nil, false},
		{"v4 does not cover v6", nil, func(r *model.FilterRule) {
			r.V6, r.Src = true, model.AddrSel{Prefix: netip.MustParsePrefix("2001:db8::/64")}
		}, false},
	}
	for _, tt := range tests {
		a, b := base(), base()
		if tt.a != nil {
			tt.a(a)
		}
		if tt.b != nil {
			tt.b(b)
		}
		ea, ok1 := newEntry(0, a, a.V6)
		eb, ok2 := newEntry(1, b, b.V6)
		if !ok1 || !ok2 {
			t.Fatalf("%s: rule does not normalise", tt.name)
		}
		if got := covers(ea, eb); got != tt.want {
			t.Errorf("%s: covers = %v, want %v", tt.name, got, tt.want)
		}
	}
}

// TestIndexIsNotQuadratic counts the rule pairs the index compares on
// large rule sets of common shapes: hosts behind All, hosts in shared
// subnets, a few services each. A pairwise check would compare about
// n*n/2 pairs.
func TestIndexIsNotQuadratic(t *testing.T) {
	const n = 20000
	shapes := map[string]func(i int) *model.FilterRule{
		"distinct hosts to All": func(i int) *model.FilterRule {
			return &model.FilterRule{Src: host(i), Dst: model.AddrSel{All: true}, Protocol: 6,
				DstPorts: model.PortSel{From: 1000 + i%7, To: 1000 + i%7}}
		},
		"subnets to hosts": func(i int) *model.FilterRule {
			return &model.FilterRule{Src: model.AddrSel{Prefix: netip.PrefixFrom(host(i).Prefix.Addr(), 24).Masked()}, Dst: host(n - i),
				Protocol: model.Protocol([]int{6, 17}[i%2])}
		},
	}
	for name, mk := range shapes {
		rules := make([]*model.FilterRule, n)
		for i := range rules {
			rules[i] = mk(i)
			rules[i].Routing, rules[i].Direction = "LOCAL", "BIDIRECTIONAL"
		}
		_, checks := firstCoversCounted(rules)
		if checks > 20*n {
			t.Errorf("%s: %d rules took %d comparisons", name, n, checks)
		}
	}
}

func host(i int) model.AddrSel {
	return model.AddrSel{Prefix: netip.PrefixFrom(netip.AddrFrom4([4]byte{10, byte(i >> 16), byte(i >> 8), byte(i)}), 32)}
}

// BenchmarkFirstCovers20000 checks one set of 20,000 rules: hosts of 80
// subnets to partner hosts, a service each, subnet rules in between.
func BenchmarkFirstCovers20000(b *testing.B) {
	rules := make([]*model.FilterRule, 20000)
	for i := range rules {
		r := &model.FilterRule{Src: host(i), Dst: host(1<<20 + i), Protocol: 6,
			DstPorts: model.PortSel{From: 1 + i%50, To: 1 + i%50}, Routing: "LOCAL", Direction: "BIDIRECTIONAL"}
		if i%250 == 0 {
			r.Src = model.AddrSel{Prefix: netip.PrefixFrom(host(i).Prefix.Addr(), 24).Masked()}
		}
		rules[i] = r
	}
	for b.Loop() {
		firstCovers(rules)
	}
	b.ReportMetric(float64(len(rules)), "rules/op")
}
