package model

import (
	"fmt"
	"net/netip"
	"strconv"
	"strings"

	"github.com/tcpipc/tcpipc/diag"

	"github.com/tcpipc/tcpipc/grammar/profile"
)

// routeHops checks the first hops of the BEGINROUTES routes against what
// IBM documents for gateway_addr (V1R13 IP Configuration Reference
// update, technote swg21567161, "BEGINROUTES statement"): the equal sign,
// a direct route, is not supported for DEFAULT or DEFAULT6 entries, and the
// first hop cannot be a local IP address of the stack (one defined on HOME,
// INTERFACE or DYNAMICXCF). It runs once every statement is read, since a
// HOME may follow BEGINROUTES.
func (b *stackBuilder) routeHops() {
	b.duplicateHomes()
	local := map[string]bool{}
	for _, h := range b.s.Home {
		local[h.Addr.Addr.String()] = true
	}
	for _, x := range b.s.DynamicXCF {
		local[x.Addr.Addr.String()] = true
	}
	families := b.routeFamilies()
	b.interfaceUses(families)
	for _, st := range b.prof.Statements {
		rs, ok := st.(*profile.Routes)
		if !ok || rs.Info().Ignored != "" {
			continue
		}
		for _, r := range rs.Routes {
			m := r.Info()
			if m.Ignored != "" {
				continue
			}
			b.chain = m.IncludedFrom
			b.routeFamily(r, families)
			b.routeDest(r, m.Range)
			switch {
			case r.FirstHop == "=" && (r.Dest == "DEFAULT" || r.Dest == "DEFAULT6"):
				d := b.errorf(m.Range, "ROUTE %s: the first hop of a default route cannot be =", r.Dest)
				d.Detail = "A default route needs a router's address as its first hop; the stack rejects = (a direct route) for DEFAULT and DEFAULT6."
			case r.FirstHop != "=":
				b.firstHop(r, m.Range, local)
			}
		}
	}
}

// routeDest checks a route's destination, with the stack's system symbols
// substituted: DEFAULT, DEFAULTNET, DEFAULT6, or an IP address, alone or
// with a prefix length of its family (IP Configuration Reference,
// "BEGINROUTES statement": the destination is a host, network or subnet
// address). The lexer only knows its shape, so 300.1.1.0/24 passed.
func (b *stackBuilder) routeDest(r *profile.Route, at diag.Range) {
	switch r.Dest {
	case "DEFAULT", "DEFAULTNET", "DEFAULT6":
		return
	}
	dest, ok := b.substitute(r.Dest, at)
	if !ok {
		return
	}
	addr, bits, prefix := strings.Cut(dest, "/")
	ip, err := parseProfileAddr(addr)
	if err == nil && prefix {
		if n, e := strconv.Atoi(bits); e != nil || n < 0 || n > ip.BitLen() || strings.Trim(bits, "0123456789") != "" {
			err = fmt.Errorf("prefix length %s", bits)
		}
	}
	if err != nil {
		d := b.errorf(at, "ROUTE %s: the destination is not a valid IP address or prefix", r.Dest)
		d.Detail = "The destination is a host, network or subnet address (optionally with /length), or DEFAULT, DEFAULTNET or DEFAULT6; the stack rejects the route."
		if dest != r.Dest {
			d.Detail = fmt.Sprintf("With this stack's system symbols it reads %s. ", dest) + d.Detail
		}
	}
}

// firstHop checks a route's first hop, with the stack's system symbols
// substituted as the stack does before it reads the route: it must be an
// IP address, and not one of the stack's own (local).
func (b *stackBuilder) firstHop(r *profile.Route, at diag.Range, local map[string]bool) {
	hop, ok := b.substitute(r.FirstHop, at)
	if !ok {
		return
	}
	ip, err := parseProfileAddr(hop)
	switch {
	case err != nil:
		d := b.errorf(at, "ROUTE %s: first hop %s is not a valid IP address", r.Dest, r.FirstHop)
		d.Detail = "The first hop is a router's IP address (or = for a direct route); the stack rejects the route."
		if hop != r.FirstHop {
			d.Detail = fmt.Sprintf("With this stack's system symbols it reads %s. ", hop) + d.Detail
		}
	case local[ip.String()]:
		d := b.errorf(at, "ROUTE %s: first hop %s is an address of this stack", r.Dest, r.FirstHop)
		d.Detail = "The first hop must be a router the stack reaches directly, not one of its own HOME, INTERFACE or DYNAMICXCF addresses; the stack rejects the route."
	}
}

// linkFamily is what a route's link name stands for: an IPv4 LINK, an IPv4
// INTERFACE or an IPv6 INTERFACE.
type linkFamily struct {
	v6      bool
	what    string // "IPv4 link", "IPv4 interface", "IPv6 interface"
	virtual bool   // an INTERFACE of type VIRTUAL or VIRTUAL6
}

// routeFamilies maps each LINK and INTERFACE DEFINE name to its family.
// LINK statements define IPv4 links only; an INTERFACE whose type ends in
// 6 (IPAQENET6, IPAQIDIO6, VIRTUAL6, MPCPTP6) is an IPv6 interface.
func (b *stackBuilder) routeFamilies() map[string]linkFamily {
	out := map[string]linkFamily{}
	for _, st := range b.prof.Statements {
		switch s := st.(type) {
		case *profile.Link:
			out[s.Name.Text] = linkFamily{what: "IPv4 link"}
		case *profile.Interface:
			if s.Action != "DEFINE" || len(s.Operands) == 0 {
				continue
			}
			typ := s.Operands[0].Text
			f := linkFamily{what: "IPv4 interface", virtual: typ == "VIRTUAL" || typ == "VIRTUAL6"}
			if strings.HasSuffix(typ, "6") {
				f.v6, f.what = true, "IPv6 interface"
			}
			out[s.Name.Text] = f
		}
	}
	return out
}

// routeFamily reports a route whose link or first hop is of the other
// address family than its destination: an IPv4 route goes over an IPv4
// link or interface to an IPv4 router, an IPv6 route over an IPv6
// interface to an IPv6 router (IP Configuration Guide, "Static route
// statements for z/OS TCPCS4": IPv4 routes name links, IPv6 routes an
// IPv6 interface). The stack rejects the route otherwise. A destination
// or first hop written with a system symbol is not checked.
func (b *stackBuilder) routeFamily(r *profile.Route, families map[string]linkFamily) {
	if strings.Contains(r.Dest, "&") {
		return
	}
	v6 := r.Dest == "DEFAULT6" || strings.Contains(r.Dest, ":")
	family := map[bool]string{false: "IPv4", true: "IPv6"}[v6]
	m := r.Info()
	if f, ok := families[r.Link.Text]; ok && f.virtual {
		d := b.errorf(b.prof.RangeOf(&r.Link.Node), "ROUTE %s: %s is a VIRTUAL interface", r.Dest, r.Link.Text)
		d.Detail = "A VIRTUAL interface name cannot be coded in the BEGINROUTES block (IP Configuration Reference, \"INTERFACE - VIRTUAL interfaces statement\"); the stack rejects the route. Route over a real link or interface."
		return
	}
	if f, ok := families[r.Link.Text]; ok && f.v6 != v6 {
		d := b.errorf(b.prof.RangeOf(&r.Link.Node), "ROUTE %s: %s is an %s, the route an %s route", r.Dest, r.Link.Text, f.what, family)
		d.Detail = "An IPv4 route goes over an IPv4 link or interface, an IPv6 route over an IPv6 interface; the stack rejects the route. Name " + map[bool]string{false: "an IPv4 link or interface", true: "an IPv6 interface"}[v6] + "."
		return
	}
	if r.FirstHop == "=" || strings.Contains(r.FirstHop, "&") {
		return
	}
	if strings.Contains(r.FirstHop, ":") != v6 {
		d := b.errorf(m.Range, "ROUTE %s: first hop %s is not an %s address", r.Dest, r.FirstHop, family)
		d.Detail = "The first hop of an " + family + " route is an " + family + " router on the link; the stack rejects the route."
	}
}

// duplicateHomes reports a home address given twice: the stack's home
// list (every HOME statement's entries and every INTERFACE's IPADDR) may
// hold an address once (IP Messages Volume 4, EZZ0619I "uses duplicate
// home address"). The second use is reported, with the first.
func (b *stackBuilder) duplicateHomes() {
	first := map[netip.Addr]*HomeAddr{}
	for _, h := range b.s.Home {
		if !h.Addr.Addr.IsValid() {
			continue
		}
		prev, seen := first[h.Addr.Addr]
		if !seen {
			first[h.Addr.Addr] = h
			continue
		}
		d := b.ds.Errorf(RuleValue, h.Addr.Range, "HOME address %s of %s is already the home address of %s", h.Addr.Addr, h.Link, prev.Link)
		d.Detail = "An address can be the home address of one link or interface only; the stack rejects the second one (EZZ0619I)."
		d.Related = []diag.Related{{Range: prev.Addr.Range, Message: prev.Link + " has it here"}}
	}
}

// interfaceUses reports the names HOME and PRIMARYINTERFACE may not take:
// HOME gives LINKs their addresses (an INTERFACE has its IPADDR, and the
// IP Configuration Guide's conversion from DEVICE, LINK and HOME to
// INTERFACE drops the HOME entry), and PRIMARYINTERFACE applies to IPv4
// only (IP Configuration Reference, "PRIMARYINTERFACE statement").
func (b *stackBuilder) interfaceUses(families map[string]linkFamily) {
	for _, st := range b.prof.Statements {
		if st.Info().Ignored != "" {
			continue
		}
		b.chain = st.Info().IncludedFrom
		switch s := st.(type) {
		case *profile.Home:
			for _, e := range s.Entries {
				if f, ok := families[e.Link.Text]; ok && f.what != "IPv4 link" {
					d := b.errorf(b.prof.RangeOf(&e.Link.Node), "HOME: %s is an INTERFACE; HOME names links", e.Link.Text)
					d.Detail = "An interface's home address is the IPADDR of its INTERFACE statement (or INTERFACE … ADDADDR); the stack rejects the HOME entry."
				}
			}
		case *profile.PrimaryInterface:
			if s.Link == nil {
				continue
			}
			if f, ok := families[s.Link.Text]; ok && f.v6 {
				d := b.errorf(b.prof.RangeOf(&s.Link.Node), "PRIMARYINTERFACE: %s is an IPv6 interface", s.Link.Text)
				d.Detail = "PRIMARYINTERFACE applies to IPv4 only: name an IPv4 link or interface."
			}
		}
	}
}
