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
	src, dst, opaque := fl.tsPorts()
	ts.Local = append([]wire.Selector{packetSelector(fl.src, fl.proto, src, opaque)}, ts.Local...)
	ts.Remote = append([]wire.Selector{packetSelector(fl.dst, fl.proto, dst, opaque)}, ts.Remote...)
	return ts
}

// packetSelector is the selector of one side of a packet: its address,
// protocol and port, or ICMP type and code (see flow.tsPorts); every port
// when the packet's are unknown or it has none.
func packetSelector(a netip.Addr, proto uint8, port uint16, opaque bool) wire.Selector {
	s := ikesa.Prefix(netip.PrefixFrom(a, a.BitLen()))
	s.IPProtocol = proto
	switch proto {
	case protoTCP, protoUDP, protoSCTP, protoICMP, protoICMPv6:
		if !opaque {
			s.StartPort, s.EndPort = port, port
		}
	}
	return s
}

// filterSelectors is filter f as traffic selectors inside the peer's
// locations: ours (local) and the peer's side (remote).
func filterSelectors(f *Filter, local, remote []netip.Prefix) ikesa.Selectors {
	localPorts, remotePorts := []PortRange{f.LocalPorts}, []PortRange{f.RemotePorts}
	if f.Protocol == protoICMP || f.Protocol == protoICMPv6 {
		localPorts = icmpPorts(f.ICMPType, f.ICMPCode)
		remotePorts = localPorts
	}
	return ikesa.Selectors{
		Local:  sideSelectors(f.Local, f.Protocol, localPorts, local),
		Remote: sideSelectors(f.Remote, f.Protocol, remotePorts, remote),
	}
}

// maxICMPSelectors bounds how many selectors icmpPorts spends on one
// rule's ICMP types before it settles for one range that covers them.
const maxICMPSelectors = 16

// icmpPorts encodes an ICMP rule's types and codes as selector port
// ranges: type in the high byte, code in the low (RFC 7296 §3.13.1, RFC
// 4301 §4.4.1.1), on both sides of the SA, since the rule's type and code
// hold for its packets in either direction. One range is exact for one
// type, or for a range of types with every code; a range of types with
// some codes takes one range per type, up to maxICMPSelectors, beyond
// which one range from the first type's first code to the last type's
// last code covers them all. That one is wider than the rule: the inbound
// SPD check (RFC 4301 §5.2) still drops what the rule does not allow. An
// empty type or code range matches no message and gives no range.
func icmpPorts(types, codes ICMPRange) []PortRange {
	if !types.Set {
		types = ICMPRange{Set: true, First: 0, Last: 255}
	}
	if !codes.Set {
		codes = ICMPRange{Set: true, First: 0, Last: 255}
	}
	if types.First > types.Last || codes.First > codes.Last {
		return nil
	}
	port := func(t, c uint8) uint16 { return uint16(t)<<8 | uint16(c) }
	whole := PortRange{port(types.First, codes.First), port(types.Last, codes.Last)}
	n := int(types.Last) - int(types.First) + 1
	if n == 1 || codes.First == 0 && codes.Last == 255 || n > maxICMPSelectors {
		return []PortRange{whole}
	}
	out := make([]PortRange, 0, n)
	for t := int(types.First); t <= int(types.Last); t++ {
		out = append(out, PortRange{port(uint8(t), codes.First), port(uint8(t), codes.Last)})
	}
	return out
}

// sideSelectors cuts one side of a filter (addresses, protocol, port
// ranges) to each location; a location the side does not overlap gives
// nothing.
func sideSelectors(r AddrRange, proto uint8, portRanges []PortRange, locations []netip.Prefix) []wire.Selector {
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
		icmp := proto == protoICMP || proto == protoICMPv6
		for _, ports := range portRanges {
			// An ICMP range is exact: 0-0 is echo reply code 0, not any.
			if icmp || !ports.any() {
				s.StartPort, s.EndPort = ports.First, ports.Last
			}
			out = append(out, s)
		}
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
