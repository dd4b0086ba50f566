package model

import (
	"net/netip"
	"strings"

	"github.com/tcpipc/tcpipc/diag"
	"github.com/tcpipc/tcpipc/grammar/profile"
)

// Addresses a profile statement cannot take, from IBM's IP Messages Volume
// 4: the permanent loopback addresses, which the stack defines on its
// LOOPBACK interfaces itself (EZZ0344I for HOME, EZZ0638I for the
// VIPADYNAMIC statements, EZZ0708I for INTERFACE and SRCIP), and the
// IPv4-compatible IPv6 addresses ::a.b.c.d, which RFC 4291 deprecated
// (EZZ0714I). In each case the stack ignores the statement.
var loopback4 = netip.AddrFrom4([4]byte{127, 0, 0, 1})

// isPermanentLoopback reports 127.0.0.1 and ::1. Other 127.x.x.x addresses
// are not permanent: a HOME entry on the LOOPBACK link may add them.
func isPermanentLoopback(a netip.Addr) bool {
	return a == loopback4 || a == netip.IPv6Loopback()
}

// isV4Compatible reports an IPv4-compatible IPv6 address: 96 zero bits and
// an IPv4 address, not :: or ::1.
func isV4Compatible(a netip.Addr) bool {
	if !a.Is6() || a.Is4In6() || a.IsUnspecified() || a == netip.IPv6Loopback() {
		return false
	}
	b16 := a.As16()
	for _, x := range b16[:12] {
		if x != 0 {
			return false
		}
	}
	return true
}

// v4Compatible reports an IPv4-compatible IPv6 address on an IPv6
// statement, and whether it did.
func (b *stackBuilder) v4Compatible(a netip.Addr, r diag.Range, stmt string) bool {
	if !isV4Compatible(a) {
		return false
	}
	b16 := a.As16()
	d := b.errorf(r, "%s: ::%s is an IPv4-compatible IPv6 address", stmt, netip.AddrFrom4([4]byte(b16[12:])))
	d.Detail = "IPv4-compatible IPv6 addresses (::a.b.c.d, deprecated by RFC 4291) cannot be coded on the IPv6 configuration statements; the stack ignores the statement (EZZ0714I). Use a real IPv6 address."
	return true
}

// quietAddr is the address an operand stands for, with the stack's system
// symbols substituted, and no report when it is none: the statement's own
// processing reports that.
func (b *stackBuilder) quietAddr(a *profile.Addr) (netip.Addr, bool) {
	if a == nil {
		return netip.Addr{}, false
	}
	text := a.Text
	if strings.Contains(text, "&") {
		text, _ = profile.Substitute(text, b.syms)
	}
	ip, err := parseProfileAddr(text)
	return ip, err == nil
}

// vipaLoopback reports a VIPADEFINE, VIPABACKUP, VIPARANGE, VIPADELETE or
// VIPADISTRIBUTE that names 127.0.0.1, and whether it did: the stack
// ignores the statement (EZZ0638I).
func (b *stackBuilder) vipaLoopback(st profile.Statement) bool {
	var addrs []*profile.Addr
	switch s := st.(type) {
	case *profile.VIPADefine:
		addrs = s.Addrs
	case *profile.VIPABackup:
		addrs = s.Addrs
	case *profile.VIPADelete:
		addrs = s.Addrs
	case *profile.VIPARange:
		addrs = []*profile.Addr{s.Addr}
	case *profile.VIPADistribute:
		addrs = []*profile.Addr{s.DVIPA}
		if s.DestIP != nil {
			for _, d := range s.DestIP.Dests {
				addrs = append(addrs, d.Addr)
			}
		}
	}
	for _, a := range addrs {
		if ip, ok := b.quietAddr(a); ok && ip == loopback4 {
			d := b.errorf(b.prof.RangeOf(&a.Node), "%s: the permanent loopback address 127.0.0.1 cannot be used", st.Info().Keyword)
			d.Detail = "127.0.0.1 is no dynamic VIPA nor a target; the stack ignores the statement (EZZ0638I)."
			return true
		}
	}
	return false
}

// home adds a HOME statement's entries to the stack's home list, unless one
// of them is 127.0.0.1: the stack then ignores the whole statement
// (EZZ0344I).
func (b *stackBuilder) home(s *profile.Home) {
	var entries []*HomeAddr
	ignored := false
	for _, e := range s.Entries {
		a, ok := b.addr(e.Addr)
		if !ok {
			continue
		}
		if a.Addr == loopback4 {
			d := b.errorf(a.Range, "HOME: the permanent loopback address 127.0.0.1 cannot be added to the home list")
			d.Detail = "The stack defines 127.0.0.1 on its LOOPBACK interface itself and ignores a HOME statement that lists it (EZZ0344I): none of this statement's addresses become home addresses. Remove the entry."
			ignored = true
			continue
		}
		entries = append(entries, &HomeAddr{Addr: a, Link: e.Link.Text})
	}
	if !ignored {
		b.s.Home = append(b.s.Home, entries...)
	}
}

// srcIPRefused reports a SRCIP source the stack does not take, and whether
// it did: a permanent loopback address (EZZ0708I) or an IPv4-compatible
// IPv6 address (EZZ0714I). The entry is left out.
func (b *stackBuilder) srcIPRefused(a Addr) bool {
	if isPermanentLoopback(a.Addr) {
		d := b.errorf(a.Range, "SRCIP: the permanent loopback address %s cannot be a source address", a.Addr)
		d.Detail = "No connection leaves the stack from its permanent loopback address; the stack ignores the entry (EZZ0708I). Name a home address or a VIPA."
		return true
	}
	return b.v4Compatible(a.Addr, a.Range, "SRCIP")
}

// interfaceRefused reports an INTERFACE IPADDR the stack does not take,
// and whether it did: a permanent loopback address (EZZ0708I) or an
// IPv4-compatible IPv6 address (EZZ0714I). The stack ignores the
// statement.
func (b *stackBuilder) interfaceRefused(ip netip.Addr, r diag.Range) bool {
	if isPermanentLoopback(ip) {
		d := b.errorf(r, "INTERFACE: the permanent loopback address %s cannot be an interface address", ip)
		d.Detail = "The stack defines its permanent loopback addresses on its LOOPBACK interfaces itself; it ignores the INTERFACE statement (EZZ0708I)."
		return true
	}
	return b.v4Compatible(ip, r, "INTERFACE")
}
