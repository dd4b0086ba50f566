package plan

import (
	"fmt"
	"net/netip"
	"strings"
)

// Selector is a parsed address selector of the plan (Filter.Local and
// Remote, Identity locations): every address, or the addresses from Lo to
// Hi inclusive. A prefix and a single address are ranges too. Every filter
// decision of tcpipc (compile, whatif, the displays, the runtime's SPD)
// matches addresses through this one type.
type Selector struct {
	All    bool
	Lo, Hi netip.Addr
}

// ParseSelector reads "*", an address, a prefix or a range a-b (both ends
// of one family, in order).
func ParseSelector(s string) (Selector, error) {
	if s == "*" {
		return Selector{All: true}, nil
	}
	if from, to, ok := strings.Cut(s, "-"); ok {
		lo, err1 := netip.ParseAddr(from)
		hi, err2 := netip.ParseAddr(to)
		if err1 != nil || err2 != nil || lo.BitLen() != hi.BitLen() || hi.Less(lo) {
			return Selector{}, fmt.Errorf("bad address range %q", s)
		}
		return Selector{Lo: lo, Hi: hi}, nil
	}
	if p, err := netip.ParsePrefix(s); err == nil {
		return PrefixSelector(p), nil
	}
	a, err := netip.ParseAddr(s)
	if err != nil {
		return Selector{}, fmt.Errorf("bad selector %q", s)
	}
	return Selector{Lo: a, Hi: a}, nil
}

// Contains reports whether the selector holds the address; an IPv4
// selector never holds an IPv6 address, nor the other way round.
func (s Selector) Contains(a netip.Addr) bool {
	return s.All || a.BitLen() == s.Lo.BitLen() && s.Lo.Compare(a) <= 0 && a.Compare(s.Hi) <= 0
}

// PrefixSelector returns the selector of the addresses of a prefix.
func PrefixSelector(p netip.Prefix) Selector {
	p = p.Masked()
	hi := p.Addr().AsSlice()
	for i := p.Bits(); i < len(hi)*8; i++ {
		hi[i/8] |= 1 << (7 - i%8)
	}
	h, _ := netip.AddrFromSlice(hi)
	return Selector{Lo: p.Addr(), Hi: h}
}

// Includes reports whether every address o selects is also selected by
// s. Prefixes and ranges both select a contiguous block of addresses, so
// holding both ends of o means holding all of it.
func (s Selector) Includes(o Selector) bool {
	switch {
	case s.All:
		return true
	case o.All:
		return false
	}
	return o.Lo.IsValid() && s.Contains(o.Lo) && s.Contains(o.Hi)
}

// IsHost reports whether the selector is one address.
func (s Selector) IsHost() bool { return !s.All && s.Lo == s.Hi }

// Covers reports whether a selector string ("*", address, prefix, a-b)
// contains the address; malformed selectors contain nothing.
func Covers(sel, addr string) bool {
	s, err := ParseSelector(sel)
	a, err2 := netip.ParseAddr(addr)
	return err == nil && err2 == nil && s.Contains(a)
}

var protocolNames = map[int]string{1: "ICMP", 2: "IGMP", 4: "IPIP", 6: "TCP", 17: "UDP", 47: "GRE", 50: "ESP", 51: "AH", 58: "ICMPv6", 89: "OSPF", 135: "MH"}

// ProtocolName writes a filter's protocol as ipsec -f display does: its
// name and number, "All" for any protocol (-1).
func ProtocolName(n int) string {
	if n < 0 {
		return "All"
	}
	if name, ok := protocolNames[n]; ok {
		return fmt.Sprintf("%s(%d)", name, n)
	}
	return fmt.Sprint(n)
}

// Covers reports whether one of the identity's locations holds the
// address: the local endpoint of a key exchange rule covers the addresses
// it negotiates for.
func (id Identity) Covers(a netip.Addr) bool {
	for _, l := range id.Locations {
		if s, err := ParseSelector(l); err == nil && s.Contains(a) {
			return true
		}
	}
	return false
}
