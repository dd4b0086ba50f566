package model

import (
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
	local := map[string]bool{}
	for _, h := range b.s.Home {
		local[h.Addr.Addr.String()] = true
	}
	for _, x := range b.s.DynamicXCF {
		local[x.Addr.Addr.String()] = true
	}
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
			switch {
			case r.FirstHop == "=" && (r.Dest == "DEFAULT" || r.Dest == "DEFAULT6"):
				d := b.errorf(m.Range, "ROUTE %s: the first hop of a default route cannot be =", r.Dest)
				d.Detail = "A default route needs a router's address as its first hop; the stack rejects = (a direct route) for DEFAULT and DEFAULT6."
			case r.FirstHop != "=":
				if ip, err := parseProfileAddr(r.FirstHop); err == nil && local[ip.String()] {
					d := b.errorf(m.Range, "ROUTE %s: first hop %s is an address of this stack", r.Dest, r.FirstHop)
					d.Detail = "The first hop must be a router the stack reaches directly, not one of its own HOME, INTERFACE or DYNAMICXCF addresses; the stack rejects the route."
				}
			}
		}
	}
}
