package filtershadowing

import (
	"math/bits"
	"net/netip"

	"github.com/tcpipc/tcpipc/model"
)

// span is an address selector as the closed interval of addresses it
// selects. prefix is the prefix length when the interval is exactly one
// CIDR block (All is /0), -1 for other ranges.
type span struct {
	lo, hi netip.Addr
	prefix int
}

func (s span) contains(t span) bool { return s.lo.Compare(t.lo) <= 0 && t.hi.Compare(s.hi) <= 0 }

// spanOf normalises a selector of a rule of the given family; ok is false
// for a selector of the other family or an invalid one.
func spanOf(a model.AddrSel, v6 bool) (span, bool) {
	width := 32
	if v6 {
		width = 128
	}
	var p netip.Prefix
	switch {
	case a.All:
		zero := netip.IPv4Unspecified()
		if v6 {
			zero = netip.IPv6Unspecified()
		}
		p = netip.PrefixFrom(zero, 0)
	case a.IsRange():
		if a.From.BitLen() != width || a.To.BitLen() != width || a.To.Less(a.From) {
			return span{}, false
		}
		// A range that is exactly one CIDR block is indexed as a prefix.
		n := commonBits(a.From, a.To)
		if q := netip.PrefixFrom(a.From, n); q.Masked().Addr() == a.From && last(q) == a.To {
			return span{lo: a.From, hi: a.To, prefix: n}, true
		}
		return span{lo: a.From, hi: a.To, prefix: -1}, true
	default:
		p = a.Prefix
	}
	if !p.IsValid() || p.Addr().BitLen() != width {
		return span{}, false
	}
	p = p.Masked()
	return span{lo: p.Addr(), hi: last(p), prefix: p.Bits()}, true
}

// last returns the highest address of a masked prefix.
func last(p netip.Prefix) netip.Addr {
	b := p.Addr().AsSlice()
	for i := p.Bits(); i < len(b)*8; i++ {
		b[i/8] |= 1 << (7 - i%8)
	}
	a, _ := netip.AddrFromSlice(b)
	return a
}

// commonBits is the length of the longest prefix two addresses of one
// family share.
func commonBits(a, b netip.Addr) int {
	x, y := a.AsSlice(), b.AsSlice()
	for i := range x {
		if d := x[i] ^ y[i]; d != 0 {
			return i*8 + bits.LeadingZeros8(d)
		}
	}
	return len(x) * 8
}

// entry is a filter rule of one family normalised for comparison.
type entry struct {
	i        int
	r        *model.FilterRule
	v6       bool
	src, dst span
	routing  string
	dir      string
}

func newEntry(i int, r *model.FilterRule, v6 bool) (*entry, bool) {
	// Compared from the stack's side: a one-way INBOUND rule's source
	// is the remote sender (model.FilterRule.Local).
	src, ok1 := spanOf(r.Local(), v6)
	dst, ok2 := spanOf(r.Remote(), v6)
	if !ok1 || !ok2 {
		return nil, false
	}
	e := &entry{i: i, r: r, v6: v6, src: src, dst: dst, routing: r.Routing, dir: r.Direction}
	if e.routing == "" {
		e.routing = "LOCAL"
	}
	if e.dir == "" {
		e.dir = "BIDIRECTIONAL"
	}
	return e, true
}

// covers reports whether every packet b matches is matched by a too.
func covers(a, b *entry) bool {
	ra, rb := a.r, b.r
	if a.v6 != b.v6 || !a.src.contains(b.src) || !a.dst.contains(b.dst) {
		return false
	}
	// Protocol: any covers every protocol, but a rule for any protocol
	// that still selects ports is only compared with
	// another such rule, since the numbers mean different things for
	// different protocols.
	switch {
	case ra.Protocol == model.AnyProtocol && rb.Protocol != model.AnyProtocol:
		if !ra.LocalPorts().Any() || !ra.RemotePorts().Any() {
			return false
		}
	case ra.Protocol != rb.Protocol:
		return false
	}
	if !ra.LocalPorts().Covers(rb.LocalPorts()) || !ra.RemotePorts().Covers(rb.RemotePorts()) || !ra.TypesCover(rb) {
		return false
	}
	// Routing: EITHER covers LOCAL and ROUTED; FRAGMENTSONLY narrows ROUTED.
	if (a.routing != b.routing && a.routing != "EITHER") || (ra.FragmentsOnly && !rb.FragmentsOnly) {
		return false
	}
	// Direction: BIDIRECTIONAL covers INBOUND and OUTBOUND. A connect
	// restriction (INBCONNECT, OUTBCONNECT) makes a rule match less, so a
	// rule that has one covers only rules with the same restriction.
	if (a.dir != b.dir && a.dir != "BIDIRECTIONAL") || (ra.Connect != "" && ra.Connect != rb.Connect) {
		return false
	}
	// Security class 0 is every class.
	return ra.SecClass == 0 || ra.SecClass == rb.SecClass
}

// The index finds, for a rule, the earlier rules whose address selectors
// contain its own, without looking at the others. Rules are filed by
// destination selector, then by source selector, then by protocol. A
// selector that is a CIDR block (a host, a prefix, All) is filed in a map
// under its masked prefix; for a later selector only the prefixes that can
// contain it are looked up: its address masked to each prefix length in
// use no longer than the bits both ends of the selector share. Ranges that
// are not CIDR blocks are kept in a list and tested one by one.

type prefixKey struct {
	bits int
	addr netip.Addr
}

// lenSet holds the prefix lengths 0-128 in use at one level.
type lenSet [3]uint64

func (s *lenSet) add(n int) { s[n/64] |= 1 << (n % 64) }
func (s *lenSet) next(from int) int { // smallest length >= from in the set, or -1
	for w := from / 64; w < len(s); w++ {
		m := s[w]
		if w == from/64 {
			m &^= 1<<(from%64) - 1
		}
		if m != 0 {
			return w*64 + bits.TrailingZeros64(m)
		}
	}
	return -1
}

// level files nodes of type T by one address selector. Most levels hold
// a single prefix (a host's rules all name one partner), so the first
// prefix is kept in one and the map is made for the second.
type level[T any] struct {
	one    prefixKey
	oneN   *T
	lens   lenSet
	byPfx  map[prefixKey]*T
	ranges []ranged[T]
}

type ranged[T any] struct {
	s span
	n *T
}

// node returns the node for exactly the selector s, creating it.
func (l *level[T]) node(s span) *T {
	if s.prefix < 0 {
		for _, r := range l.ranges {
			if r.s.lo == s.lo && r.s.hi == s.hi {
				return r.n
			}
		}
		n := new(T)
		l.ranges = append(l.ranges, ranged[T]{s, n})
		return n
	}
	k := prefixKey{s.prefix, s.lo}
	switch {
	case l.oneN == nil:
		l.one, l.oneN = k, new(T)
		return l.oneN
	case l.one == k:
		return l.oneN
	case l.byPfx == nil:
		l.byPfx = map[prefixKey]*T{l.one: l.oneN}
		l.lens.add(l.one.bits)
	}
	n := l.byPfx[k]
	if n == nil {
		n = new(T)
		l.byPfx[k] = n
		l.lens.add(s.prefix)
	}
	return n
}

// each calls fn for every node whose selector contains s.
func (l *level[T]) each(s span, fn func(*T)) {
	switch {
	case l.byPfx == nil && l.oneN != nil:
		if l.one.bits <= commonBits(s.lo, s.hi) && netip.PrefixFrom(s.lo, l.one.bits).Masked().Addr() == l.one.addr {
			fn(l.oneN)
		}
	case l.byPfx != nil:
		limit := commonBits(s.lo, s.hi)
		for n := l.lens.next(0); n >= 0 && n <= limit; n = l.lens.next(n + 1) {
			if t := l.byPfx[prefixKey{n, netip.PrefixFrom(s.lo, n).Masked().Addr()}]; t != nil {
				fn(t)
			}
		}
	}
	for _, r := range l.ranges {
		if r.s.contains(s) {
			fn(r.n)
		}
	}
}

type dstNode struct{ src level[srcNode] }

// srcNode holds rules by protocol (AnyProtocol for any), each list in rule
// order; a source rarely has more than a few protocols.
type srcNode struct{ byProto []protoRules }

type protoRules struct {
	proto model.Protocol
	rules []*entry
}

func (n *srcNode) rules(p model.Protocol) []*entry {
	for _, pr := range n.byProto {
		if pr.proto == p {
			return pr.rules
		}
	}
	return nil
}

// index holds the earlier rules of one family; checks counts the rule
// pairs compared, for the test that the index is not quadratic.
type index struct {
	dst    level[dstNode]
	checks int
}

func (x *index) add(e *entry) {
	sn := x.dst.node(e.dst).src.node(e.src)
	for i := range sn.byProto {
		if sn.byProto[i].proto == e.r.Protocol {
			sn.byProto[i].rules = append(sn.byProto[i].rules, e)
			return
		}
	}
	sn.byProto = append(sn.byProto, protoRules{e.r.Protocol, []*entry{e}})
}

// first returns the earliest rule in the index that covers e, or nil.
func (x *index) first(e *entry) *entry {
	var best *entry
	scan := func(list []*entry) {
		for _, a := range list {
			if best != nil && a.i >= best.i {
				return // the rest come later than what was found
			}
			x.checks++
			if covers(a, e) {
				best = a
				return
			}
		}
	}
	x.dst.each(e.dst, func(dn *dstNode) {
		dn.src.each(e.src, func(sn *srcNode) {
			scan(sn.rules(model.AnyProtocol))
			if e.r.Protocol != model.AnyProtocol {
				scan(sn.rules(e.r.Protocol))
			}
		})
	})
	return best
}

// firstCovers returns, for each rule, the position of the first earlier
// rule that covers it, or -1. Rules whose selectors do not fit their
// family are neither checked nor used.
func firstCovers(rules []*model.FilterRule) []int {
	out, _ := firstCoversCounted(rules)
	return out
}

// firstCoversCounted is firstCovers that also returns how many rule pairs
// it compared.
func firstCoversCounted(rules []*model.FilterRule) ([]int, int) {
	out := make([]int, len(rules))
	var v4, v6 index
	for i, r := range rules {
		out[i] = -1
		if r.Unread != "" {
			continue // its addresses are unknown: it neither covers nor is covered
		}
		families, n := ruleFamilies(r)
		// The rule is covered when every family it applies to is; the
		// cover named is the one found last.
		covered, cover := true, -1
		for _, fam := range families[:n] {
			x := &v4
			if fam {
				x = &v6
			}
			e, ok := newEntry(i, r, fam)
			if !ok {
				covered = false
				continue
			}
			if a := x.first(e); a != nil {
				cover = max(cover, a.i)
			} else {
				covered = false
			}
			x.add(e)
		}
		if covered {
			out[i] = cover
		}
	}
	return out, v4.checks + v6.checks
}

// ruleFamilies lists the families a rule filters (false IPv4, true
// IPv6), and how many. A policy rule whose sides are both All applies to
// IPv4 and IPv6 alike (All4 and All6 name one family, and an address on
// one side sets the family of the other side's All), unless its protocol
// has one: ICMP is IPv4's, ICMPv6 IPv6's. A profile IPSECRULE or
// IPSEC6RULE is of its family only.
func ruleFamilies(r *model.FilterRule) ([2]bool, int) {
	if !r.Policy || !r.Src.All || !r.Dst.All {
		return [2]bool{r.V6}, 1
	}
	switch r.Protocol {
	case 1:
		return [2]bool{false}, 1
	case 58:
		return [2]bool{true}, 1
	}
	return [2]bool{false, true}, 2
}
