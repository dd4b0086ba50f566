package ikesa

import (
	"net/netip"
	"slices"

	"github.com/tcpipc/tcpipc/internal/ike/wire"
)

// narrow intersects the selectors a peer proposed with the ones we allow
// (RFC 7296 section 2.9): each non-empty pairwise intersection is kept.
// The result is never wider than either side; it is empty when nothing
// overlaps.
func narrow(proposed, allowed []wire.Selector) []wire.Selector {
	var out []wire.Selector
	for _, p := range proposed {
		for _, a := range allowed {
			if s, ok := intersect(p, a); ok && !slices.ContainsFunc(out, func(o wire.Selector) bool { return o.Same(s) }) {
				out = append(out, s)
			}
		}
	}
	return out
}

// chooseSelectors is the responder's choice of what a new child SA
// carries (RFC 7296 §2.9): the initiator proposed tsi (its side) and tsr
// (ours), and rules are the selector pairs our policy allows. The rule
// chosen is the first that wholly holds the first selector of each list,
// which an initiator sets to the packet that triggered the negotiation;
// failing that, the first rule both lists overlap. The result is the
// proposal narrowed to that one rule, so the SA never combines one rule's
// local side with another's remote side. ok is false when no rule
// overlaps (TS_UNACCEPTABLE).
func chooseSelectors(tsi, tsr []wire.Selector, rules []Selectors) (Selectors, bool) {
	if len(tsi) == 0 || len(tsr) == 0 {
		return Selectors{}, false
	}
	for _, r := range rules {
		if within(tsi[:1], r.Remote) && within(tsr[:1], r.Local) {
			return narrowTo(tsi, tsr, r), true
		}
	}
	for _, r := range rules {
		if ts := narrowTo(tsi, tsr, r); !ts.empty() {
			return ts, true
		}
	}
	return Selectors{}, false
}

// narrowTo narrows a proposal to rule r, leaving out selectors another
// one of the result holds (the triggering packet's, once the rule's own
// range is there too).
func narrowTo(tsi, tsr []wire.Selector, r Selectors) Selectors {
	return Selectors{Local: outermost(narrow(tsr, r.Local)), Remote: outermost(narrow(tsi, r.Remote))}
}

// outermost drops every selector of list that another one holds.
func outermost(list []wire.Selector) []wire.Selector {
	var out []wire.Selector
	for i, s := range list {
		held := slices.ContainsFunc(list, func(o wire.Selector) bool {
			return !o.Same(s) && within([]wire.Selector{s}, []wire.Selector{o})
		})
		if !held && !slices.ContainsFunc(list[:i], func(o wire.Selector) bool { return o.Same(s) }) {
			out = append(out, s)
		}
	}
	return out
}

func knownType(t wire.TSType) bool {
	return t == wire.TS_IPV4_ADDR_RANGE || t == wire.TS_IPV6_ADDR_RANGE
}

// intersect returns the overlap of two selectors of the same address
// family: protocol 0 means any, so a specific protocol wins.
func intersect(a, b wire.Selector) (wire.Selector, bool) {
	if a.TSType != b.TSType || !knownType(a.TSType) {
		return wire.Selector{}, false
	}
	proto := a.IPProtocol
	switch {
	case a.IPProtocol == 0:
		proto = b.IPProtocol
	case b.IPProtocol != 0 && b.IPProtocol != a.IPProtocol:
		return wire.Selector{}, false
	}
	s := wire.Selector{
		TSType:     a.TSType,
		IPProtocol: proto,
		StartPort:  max(a.StartPort, b.StartPort),
		EndPort:    min(a.EndPort, b.EndPort),
		Start:      maxAddr(a.Start, b.Start),
		End:        minAddr(a.End, b.End),
	}
	if s.StartPort > s.EndPort || s.Start.Compare(s.End) > 0 {
		return wire.Selector{}, false
	}
	return s, true
}

// within reports whether every selector of got lies inside some selector
// of offered: an initiator's check that the responder only narrowed.
func within(got, offered []wire.Selector) bool {
	if len(got) == 0 {
		return false
	}
	for _, g := range got {
		if !slices.ContainsFunc(offered, func(o wire.Selector) bool {
			s, ok := intersect(g, o)
			return ok && s.Same(g)
		}) {
			return false
		}
	}
	return true
}

func maxAddr(a, b netip.Addr) netip.Addr {
	if a.Compare(b) >= 0 {
		return a
	}
	return b
}

func minAddr(a, b netip.Addr) netip.Addr {
	if a.Compare(b) <= 0 {
		return a
	}
	return b
}

// Prefix returns the selector covering all of prefix, any protocol and
// port: the usual shape of a configured traffic selector.
func Prefix(prefix netip.Prefix) wire.Selector {
	prefix = prefix.Masked()
	start := prefix.Addr()
	end := start.AsSlice()
	for i := prefix.Bits(); i < len(end)*8; i++ {
		end[i/8] |= 0x80 >> (i % 8)
	}
	last, _ := netip.AddrFromSlice(end)
	t := wire.TS_IPV4_ADDR_RANGE
	if start.Is6() {
		t = wire.TS_IPV6_ADDR_RANGE
	}
	return wire.Selector{TSType: t, StartPort: 0, EndPort: 65535, Start: start, End: last}
}
