package ipsec

import (
	"net/netip"
	"slices"

	"github.com/tcpipc/tcpipc/internal/ike/ikesa"
	"github.com/tcpipc/tcpipc/internal/ike/wire"
)

// A child SA carries the traffic of one filter rule, not everything
// between the key exchange rule's locations (issue 14): its traffic
// selectors are the rule's addresses, protocol and ports, cut to the
// peer's locations. IBM documents that a phase 2 SA covers the data
// endpoints, protocols and ports agreed for it (z/OS Communications Server
// IP Configuration Guide, "Local dynamic VPN policy"). z/OS can take some
// of them from the packet instead of the rule (IpLocalStartAction); that
// choice is not modelled: tcpipc proposes the rule, led by the packet.

// ruleSelectors returns the selector pairs of the SPD's IPSEC filters
// whose tunnel is peer p, in search order and without repeats: what the
// IKE daemon narrows a peer's proposal to when it responds.
func ruleSelectors(spd *SPD, p Peer) []ikesa.Selectors {
	if spd == nil {
		return nil
	}
	var out []ikesa.Selectors
	for i := range spd.filters {
		f := &spd.filters[i]
		if f.Action != ActionIPsec || f.Tunnel.Peer != p.Name {
			continue
		}
		ts := filterSelectors(f, p.LocalTS, p.RemoteTS)
		if len(ts.Local) == 0 || len(ts.Remote) == 0 || containsSelectors(out, ts) {
			continue
		}
		out = append(out, ts)
	}
	return out
}

// proposal is what we ask a peer for when packet fl, which matched the
// IPSEC filter f, needs a child SA: f's selectors inside the peer's
// locations, each list led by the packet's own selector, so that a
// responder with several rules picks the one for this packet (RFC 7296
// §2.9). When f does not overlap the locations, the result is empty and
// the IKE daemon proposes the locations.
func proposal(f *Filter, fl flow, p *Peer) ikesa.Selectors {
	ts := filterSelectors(f, p.LocalTS, p.RemoteTS)
	if len(ts.Local) == 0 || len(ts.Remote) == 0 {
		return ikesa.Selectors{}
	}
	ts.Local = append([]wire.Selector{packetSelector(fl.src, fl.proto, fl.srcPort, fl.opaquePorts)}, ts.Local...)
	ts.Remote = append([]wire.Selector{packetSelector(fl.dst, fl.proto, fl.dstPort, fl.opaquePorts)}, ts.Remote...)
	return ts
}

// packetSelector is the selector of one side of a packet: its address,
// protocol and port (every port when the packet's are unknown or it has
// none).
func packetSelector(a netip.Addr, proto uint8, port uint16, opaque bool) wire.Selector {
	s := ikesa.Prefix(netip.PrefixFrom(a, a.BitLen()))
	s.IPProtocol = proto
	if proto == protoTCP || proto == protoUDP || proto == protoSCTP {
		if !opaque {
			s.StartPort, s.EndPort = port, port
		}
	}
	return s
}

// filterSelectors is filter f as traffic selectors inside the peer's
// locations: ours (local) and the peer's side (remote).
func filterSelectors(f *Filter, local, remote []netip.Prefix) ikesa.Selectors {
	return ikesa.Selectors{
		Local:  sideSelectors(f.Local, f.Protocol, f.LocalPorts, local),
		Remote: sideSelectors(f.Remote, f.Protocol, f.RemotePorts, remote),
	}
}

// sideSelectors cuts one side of a filter (addresses, protocol, ports) to
// each location; a location the side does not overlap gives nothing.
func sideSelectors(r AddrRange, proto uint8, ports PortRange, locations []netip.Prefix) []wire.Selector {
	var out []wire.Selector
	for _, loc := range locations {
		s := ikesa.Prefix(loc)
		if !r.any() {
			if r.First.Is4() != s.Start.Is4() {
				continue
			}
			if r.First.Compare(s.Start) > 0 {
				s.Start = r.First
			}
			if r.Last.Compare(s.End) < 0 {
				s.End = r.Last
			}
			if s.Start.Compare(s.End) > 0 {
				continue
			}
		}
		s.IPProtocol = proto
		if !ports.any() {
			s.StartPort, s.EndPort = ports.First, ports.Last
		}
		out = append(out, s)
	}
	return out
}

func containsSelectors(list []ikesa.Selectors, ts ikesa.Selectors) bool {
	for _, have := range list {
		if eqSelectors(have.Local, ts.Local) && eqSelectors(have.Remote, ts.Remote) {
			return true
		}
	}
	return false
}

func eqSelectors(a, b []wire.Selector) bool {
	return slices.EqualFunc(a, b, wire.Selector.Same)
}
