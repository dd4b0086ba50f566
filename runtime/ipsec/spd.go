package ipsec

import (
	"errors"
	"fmt"
	"net/netip"

	"github.com/tcpipc/tcpipc/internal/esp"
	"github.com/tcpipc/tcpipc/plan"
)

// Action is what a filter does with the packets it matches (RFC 4301
// §4.4.1: BYPASS, DISCARD, PROTECT; z/OS calls them permit, deny, ipsec).
type Action uint8

const (
	// ActionDeny discards the packet. It is the zero value, so a filter
	// that forgets its action denies.
	ActionDeny Action = iota
	// ActionPermit passes the packet in the clear.
	ActionPermit
	// ActionIPsec protects the packet with ESP in the filter's tunnel.
	ActionIPsec
)

func (a Action) String() string {
	switch a {
	case ActionDeny:
		return "DENY"
	case ActionPermit:
		return "PERMIT"
	case ActionIPsec:
		return "IPSEC"
	}
	return fmt.Sprintf("Action(%d)", uint8(a))
}

// Direction says which traffic a filter applies to.
type Direction uint8

const (
	// Outbound traffic leaves the stack; Inbound arrives. Both is the
	// zero value's meaning too: a filter without a direction applies to
	// both.
	Both Direction = iota
	Outbound
	Inbound
)

func (d Direction) String() string {
	switch d {
	case Both:
		return "BOTH"
	case Outbound:
		return "OUTBOUND"
	case Inbound:
		return "INBOUND"
	}
	return fmt.Sprintf("Direction(%d)", uint8(d))
}

// AddrRange is an inclusive range of addresses. The zero AddrRange matches
// every address.
type AddrRange struct{ First, Last netip.Addr }

// PrefixRange returns the range a prefix covers.
func PrefixRange(p netip.Prefix) AddrRange {
	s := selectors([]netip.Prefix{p})[0]
	return AddrRange{s.Start, s.End}
}

func (r AddrRange) any() bool { return !r.First.IsValid() && !r.Last.IsValid() }

// contains matches as every filter decision of tcpipc does, through
// plan.Selector.
func (r AddrRange) contains(a netip.Addr) bool {
	return r.any() || plan.Selector{Lo: r.First, Hi: r.Last}.Contains(a)
}

func (r AddrRange) String() string {
	if r.any() {
		return "any"
	}
	return r.First.String() + "-" + r.Last.String()
}

// PortRange is an inclusive range of ports. The zero PortRange matches
// every port, as does {0, 65535}.
type PortRange struct{ First, Last uint16 }

func (r PortRange) any() bool { return r.First == 0 && (r.Last == 0 || r.Last == 65535) }

func (r PortRange) contains(p uint16, opaque bool) bool {
	if r.any() {
		return true
	}
	return !opaque && p >= r.First && p <= r.Last
}

// ICMPRange is an inclusive range of ICMP types or codes (or OSPF packet
// types). The zero ICMPRange matches every one; Set makes it a range, so
// that type 0 (echo reply) alone is ICMPRange{Set: true}.
type ICMPRange struct {
	Set         bool
	First, Last uint8
}

// contains reports whether v, which known says the packet shows, is in
// the range. An unknown type or code (a later fragment, a message cut
// short) matches only the range of every one, as opaque ports do (RFC
// 4301 §7).
func (r ICMPRange) contains(v uint8, known bool) bool {
	return !r.Set || known && v >= r.First && v <= r.Last
}

// Tunnel is the template of an IPSEC filter's dynamic tunnel: the peer the
// SA is negotiated with and the lifetimes of its ESP SAs. The mode is
// always tunnel; the ESP suites are the endpoint's (Config.ESP).
type Tunnel struct {
	Peer     string
	Lifetime esp.Lifetime
}

// Filter is one SPD entry. Local and Remote are seen from this stack: for
// an outbound packet Local is its source, for an inbound one its
// destination.
type Filter struct {
	Name          string
	Local, Remote AddrRange
	// Protocol is the IP protocol; 0 matches any.
	Protocol                uint8
	LocalPorts, RemotePorts PortRange
	// ICMPType and ICMPCode restrict an ICMP or ICMPv6 filter to some
	// messages (z/OS IpService Protocol ICMP Type/Code); they take the
	// place of ports, which ICMP does not have.
	ICMPType, ICMPCode ICMPRange
	// OSPFType restricts an OSPF filter to one packet type (z/OS IPSECRULE
	// PROTOCOL OSPF TYPE); the zero value matches every one.
	OSPFType  ICMPRange
	Direction Direction
	Action    Action
	// Tunnel is required for ActionIPsec and ignored otherwise.
	Tunnel Tunnel
	// Connect limits who may open TCP connections through the filter
	// (z/OS INBOUNDCONNECT, OUTBOUNDCONNECT): Inbound, Outbound, or Both
	// (zero) for either side. A connection request the other way matches
	// the filter and is denied.
	Connect Direction
}

// refusesConnect reports whether the filter denies this packet as a TCP
// connection request in a direction its Connect does not allow.
func (f *Filter) refusesConnect(dir Direction, fl flow) bool {
	return fl.connect && f.Connect != Both && f.Connect != dir
}

func (f *Filter) matches(dir Direction, fl flow) bool {
	if f.Direction != Both && f.Direction != dir {
		return false
	}
	local, remote, lport, rport := fl.src, fl.dst, fl.srcPort, fl.dstPort
	if dir == Inbound {
		local, remote, lport, rport = fl.dst, fl.src, fl.dstPort, fl.srcPort
	}
	return f.Local.contains(local) && f.Remote.contains(remote) &&
		(f.Protocol == 0 || f.Protocol == fl.proto) &&
		f.LocalPorts.contains(lport, fl.opaquePorts) && f.RemotePorts.contains(rport, fl.opaquePorts) &&
		f.matchesICMP(fl) && f.matchesOSPF(fl)
}

// matchesOSPF checks the packet type of an OSPF filter.
func (f *Filter) matchesOSPF(fl flow) bool {
	return f.Protocol != protoOSPF || f.OSPFType.contains(fl.ospfType, fl.ospfKnown)
}

// matchesICMP checks the type and code of an ICMP filter. A filter
// without them, or for another protocol, has nothing to check.
func (f *Filter) matchesICMP(fl flow) bool {
	if f.Protocol != protoICMP && f.Protocol != protoICMPv6 {
		return true
	}
	return f.ICMPType.contains(fl.icmpType, fl.icmpKnown) && f.ICMPCode.contains(fl.icmpCode, fl.icmpKnown)
}

// SPD is an ordered list of filters, searched first match first (RFC 4301
// §4.4.1). A packet no filter matches is denied, as z/OS does.
type SPD struct {
	filters []Filter
}

// NewSPD checks the filters and returns them as an SPD, in order.
func NewSPD(filters ...Filter) (*SPD, error) {
	var errs []error
	for i, f := range filters {
		if f.Action == ActionIPsec && f.Tunnel.Peer == "" {
			errs = append(errs, fmt.Errorf("filter %d (%q): IPSEC without a tunnel peer", i, f.Name))
		}
		if f.Action > ActionIPsec || f.Direction > Inbound {
			errs = append(errs, fmt.Errorf("filter %d (%q): unknown action or direction", i, f.Name))
		}
	}
	if err := errors.Join(errs...); err != nil {
		return nil, fmt.Errorf("ipsec: invalid SPD: %w", err)
	}
	return &SPD{filters: append([]Filter(nil), filters...)}, nil
}

// Lookup returns the first filter matching the IP packet pkt travelling in
// direction dir (Outbound or Inbound), or nil when none does (the packet
// is then denied).
func (s *SPD) Lookup(dir Direction, pkt []byte) (*Filter, error) {
	fl, err := parseFlow(pkt)
	if err != nil {
		return nil, err
	}
	return s.lookup(dir, fl), nil
}

// admitsClear reports whether the SPD lets fl pass in the clear in
// direction dir (a PERMIT filter whose Connect allows a connection
// request that way), with the filter that decided (nil: none matched).
func (s *SPD) admitsClear(dir Direction, fl flow) (*Filter, bool) {
	f := s.lookup(dir, fl)
	return f, f != nil && f.Action == ActionPermit && !f.refusesConnect(dir, fl)
}

// AdmitsClear is InboundClear's check without an endpoint: whether the
// SPD lets a packet pass in the clear in direction dir. A packet that
// cannot be read is refused.
func (s *SPD) AdmitsClear(dir Direction, pkt []byte) bool {
	fl, err := parseFlow(pkt)
	if err != nil {
		return false
	}
	_, ok := s.admitsClear(dir, fl)
	return ok
}

// AdmitsClearConnect is AdmitsClear for a TCP connection request (a SYN)
// from client to local arriving from the network: what a scenario's
// cleartext client meets first. The filter that decided comes with it.
func (s *SPD) AdmitsClearConnect(client netip.AddrPort, local netip.AddrPort) (*Filter, bool) {
	return s.admitsClear(Inbound, flow{src: client.Addr(), dst: local.Addr(), proto: 6,
		srcPort: client.Port(), dstPort: local.Port(), connect: true})
}

func (s *SPD) lookup(dir Direction, fl flow) *Filter {
	for i := range s.filters {
		if s.filters[i].matches(dir, fl) {
			return &s.filters[i]
		}
	}
	return nil
}

// tunnelFor returns the template of the first IPSEC filter for peer.
func (s *SPD) tunnelFor(peer string) Tunnel {
	for _, f := range s.filters {
		if f.Action == ActionIPsec && f.Tunnel.Peer == peer {
			return f.Tunnel
		}
	}
	return Tunnel{Peer: peer}
}
