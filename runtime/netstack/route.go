package netstack

import (
	"fmt"
	"net/netip"

	"gvisor.dev/gvisor/pkg/tcpip"
)

// Route sends packets for Dst out of NIC, to Gateway if it is valid or
// straight to the destination on a point-to-point link otherwise.
type Route struct {
	Dst     netip.Prefix
	Gateway netip.Addr
	NIC     string
}

func (r Route) String() string {
	if r.Gateway.IsValid() {
		return fmt.Sprintf("%s via %s dev %s", r.Dst, r.Gateway, r.NIC)
	}
	return fmt.Sprintf("%s dev %s", r.Dst, r.NIC)
}

func (st *Stack) toRoute(r Route) (tcpip.Route, error) {
	if !r.Dst.IsValid() {
		return tcpip.Route{}, fmt.Errorf("netstack %s: route with no destination", st.name)
	}
	id, err := st.nicID(r.NIC)
	if err != nil {
		return tcpip.Route{}, err
	}
	dst := r.Dst.Masked()
	sub, serr := tcpip.NewSubnet(toTCPIPAlways(dst.Addr()), tcpip.MaskFromBytes(prefixMask(dst)))
	if serr != nil {
		return tcpip.Route{}, fmt.Errorf("netstack %s: route %s: %v", st.name, r, serr)
	}
	tr := tcpip.Route{Destination: sub, NIC: id}
	if r.Gateway.IsValid() {
		tr.Gateway = toTCPIP(r.Gateway)
	}
	return tr, nil
}

// AddRoute adds one route. gVisor keeps the table ordered longest prefix
// first, so a DVIPA /32 wins over the subnet it lives in.
func (st *Stack) AddRoute(r Route) error {
	tr, err := st.toRoute(r)
	if err != nil {
		return err
	}
	st.s.AddRoute(tr)
	return nil
}

// RemoveRoutes removes every route for exactly dst and returns how many it
// removed.
func (st *Stack) RemoveRoutes(dst netip.Prefix) int {
	dst = dst.Masked()
	return st.s.RemoveRoutes(func(tr tcpip.Route) bool {
		return st.fromRoute(tr).Dst == dst
	})
}

// SetRoutes replaces the whole table in one step: packets see either the
// old table or the new one, never a table with the route missing.
func (st *Stack) SetRoutes(rs []Route) error {
	table := make([]tcpip.Route, 0, len(rs))
	for _, r := range rs {
		tr, err := st.toRoute(r)
		if err != nil {
			return err
		}
		table = append(table, tr)
	}
	st.s.SetRouteTable(table)
	return nil
}

// Routes returns the table, longest prefix first.
func (st *Stack) Routes() []Route {
	var out []Route
	for _, tr := range st.s.GetRouteTable() {
		out = append(out, st.fromRoute(tr))
	}
	return out
}

func (st *Stack) fromRoute(tr tcpip.Route) Route {
	r := Route{
		Dst: netip.PrefixFrom(fromTCPIP(tr.Destination.ID()), tr.Destination.Prefix()),
	}
	if tr.Gateway.Len() > 0 {
		r.Gateway = fromTCPIP(tr.Gateway)
	}
	st.mu.Lock()
	r.NIC = st.names[tr.NIC]
	st.mu.Unlock()
	return r
}

// toTCPIPAlways converts even the unspecified address, which a default
// route's subnet needs as its network address.
func toTCPIPAlways(a netip.Addr) tcpip.Address {
	return tcpip.AddrFromSlice(a.Unmap().AsSlice())
}

// prefixMask returns the netmask bytes of p.
func prefixMask(p netip.Prefix) []byte {
	n := p.Addr().BitLen() / 8
	mask := make([]byte, n)
	bits := p.Bits()
	for i := range mask {
		switch {
		case bits >= 8:
			mask[i] = 0xff
			bits -= 8
		case bits > 0:
			mask[i] = byte(0xff << (8 - bits))
			bits = 0
		}
	}
	return mask
}
