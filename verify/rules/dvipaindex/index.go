package dvipaindex

import (
	_ "embed"
	"net/netip"
	"sort"

	"github.com/tcpipc/tcpipc/model"
	"github.com/tcpipc/tcpipc/verify"
)

//go:embed doc.go
var doc string

// Rule computes the Index.
var Rule = &verify.Rule{
	ID:    "INDEX-DVIPA",
	Name:  "dvipa-index",
	Index: true,
	Doc:   verify.DocOf(doc),
	Run:   func(p *verify.Pass) (any, error) { return Build(p.Sysplex), nil },
}

// Index is the result of Rule.
type Index struct {
	// Filters is what each stack installs (nil: no IP filtering).
	Filters map[*model.Stack][]*model.FilterRule
	anchors map[*model.Stack]map[netip.Addr][]*model.FilterRule
}

// Anchors returns the installed filters of stack s whose local selector
// covers DVIPA a, in filter order.
func (ix *Index) Anchors(s *model.Stack, a netip.Addr) []*model.FilterRule {
	return ix.anchors[s][a]
}

// Protected reports whether stack s applies an IPSEC filter to traffic of
// DVIPA a, and returns the first such filter.
func (ix *Index) Protected(s *model.Stack, a netip.Addr) (*model.FilterRule, bool) {
	for _, r := range ix.Anchors(s, a) {
		if r.Action == "IPSEC" {
			return r, true
		}
	}
	return nil, false
}

// Installed returns the filters a stack installs, or the policy's as
// written when only errors keep Policy Agent from installing it (best
// effort: the errors and a POLICYFILE info say the policy is refused).
func Installed(s *model.Stack) []*model.FilterRule {
	switch {
	case s.Policy != nil && (s.Policy.Installed || s.Policy.Refused):
		return s.Policy.FilterRules
	case s.IPSec != nil && s.IPSecurity != nil:
		return s.IPSec.Rules
	}
	return nil
}

// Related lists the stacks a DVIPA concerns: owners, backups (by rank),
// distributors and their targets, each once, owners first.
func Related(sx *model.Sysplex, v *model.DVIPA) []*model.Stack {
	var out []*model.Stack
	seen := map[*model.Stack]bool{}
	add := func(s *model.Stack) {
		if s != nil && !seen[s] {
			seen[s] = true
			out = append(out, s)
		}
	}
	for _, d := range v.Defines {
		add(d.Stack)
	}
	for _, b := range v.Backups {
		add(b.Stack)
	}
	for _, d := range v.Distributes {
		add(d.Stack)
		if d.DestAll {
			for _, s := range sx.Stacks {
				if len(s.DynamicXCF) > 0 {
					add(s)
				}
			}
		}
		for _, dest := range d.Dests {
			add(dest.Stack)
		}
	}
	return out
}

// prefixIndex finds the rules whose local selector covers an address.
type prefixIndex struct {
	all      []int
	byPrefix map[netip.Prefix][]int
	ranges   []int
	rules    []*model.FilterRule
	lens     []int // prefix lengths present, to bound the walk
}

func newPrefixIndex(rules []*model.FilterRule) *prefixIndex {
	ix := &prefixIndex{byPrefix: map[netip.Prefix][]int{}, rules: rules}
	present := map[int]bool{}
	for i, r := range rules {
		switch local := r.Local(); {
		case local.All:
			ix.all = append(ix.all, i)
		case local.IsRange():
			ix.ranges = append(ix.ranges, i)
		case local.Prefix.IsValid():
			p := local.Prefix.Masked()
			ix.byPrefix[p] = append(ix.byPrefix[p], i)
			present[p.Bits()] = true
		}
	}
	for l := range present {
		ix.lens = append(ix.lens, l)
	}
	sort.Ints(ix.lens)
	return ix
}

func (ix *prefixIndex) covering(a netip.Addr) []*model.FilterRule {
	idx := append([]int(nil), ix.all...)
	for _, l := range ix.lens {
		if l > a.BitLen() {
			continue
		}
		p := netip.PrefixFrom(a, l).Masked()
		idx = append(idx, ix.byPrefix[p]...)
	}
	for _, i := range ix.ranges {
		if ix.rules[i].Local().Contains(a) {
			idx = append(idx, i)
		}
	}
	sort.Ints(idx)
	out := make([]*model.FilterRule, len(idx))
	for k, i := range idx {
		out[k] = ix.rules[i]
	}
	return out
}

// Build computes the index.
func Build(sx *model.Sysplex) *Index {
	ix := &Index{Filters: map[*model.Stack][]*model.FilterRule{}, anchors: map[*model.Stack]map[netip.Addr][]*model.FilterRule{}}
	prefixes := map[*model.Stack]*prefixIndex{}
	for _, s := range sx.Stacks {
		ix.Filters[s] = Installed(s)
		prefixes[s] = newPrefixIndex(ix.Filters[s])
		ix.anchors[s] = map[netip.Addr][]*model.FilterRule{}
	}
	for _, v := range sx.DVIPAs {
		for _, s := range Related(sx, v) {
			ix.anchors[s][v.Addr] = prefixes[s].covering(v.Addr)
		}
	}
	return ix
}
