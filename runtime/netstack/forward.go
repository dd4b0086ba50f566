package netstack

import (
	"gvisor.dev/gvisor/pkg/buffer"
	"gvisor.dev/gvisor/pkg/tcpip"
	"gvisor.dev/gvisor/pkg/tcpip/header"
	"gvisor.dev/gvisor/pkg/tcpip/network/ipv4"
	"gvisor.dev/gvisor/pkg/tcpip/network/ipv6"
	"gvisor.dev/gvisor/pkg/tcpip/stack"
)

// Transit packets are forwarded here, not by gVisor: its IPv4 forwarding
// (forwardPacketWithRoute, at the pinned version) reads the TTL of the
// arriving packet through a header slice whose buffer chunk it has already
// given back to the pool while copying the packet, so another goroutine may
// be writing that memory (the race detector caught it). The plain case is
// done here from a private copy (RFC 1812 §5.3.1: TTL decremented, header
// checksum recomputed; RFC 8200 §3: hop limit decremented). Everything else
// (a hop count of one or less, IPv4 options or an IPv6 hop-by-hop header,
// trailing bytes, no route, too big for the next link, a malformed header)
// goes on to gVisor, which handles it as before.

// forwardingLink wraps a NIC's link endpoint so that the packets it
// delivers pass the stack's forwarder first.
type forwardingLink struct {
	stack.LinkEndpoint
	st *Stack
}

func (l *forwardingLink) Attach(d stack.NetworkDispatcher) {
	if d != nil {
		d = &forwarder{NetworkDispatcher: d, st: l.st}
	}
	l.LinkEndpoint.Attach(d)
}

// forwarder is the dispatcher gVisor's NIC sees through forwardingLink.
type forwarder struct {
	stack.NetworkDispatcher
	st *Stack
}

func (f *forwarder) DeliverNetworkPacket(proto tcpip.NetworkProtocolNumber, pkt *stack.PacketBuffer) {
	if f.st.forwarding.Load() && f.st.forward(proto, pkt) {
		return
	}
	f.NetworkDispatcher.DeliverNetworkPacket(proto, pkt)
}

// ForwardStats counts the transit packets forward.go took on.
type ForwardStats struct {
	// Forwarded went out on the route's NIC; Lost were refused by it
	// (the link closed or down).
	Forwarded, Lost uint64
}

// ForwardStats returns the stack's counts so far.
func (st *Stack) ForwardStats() ForwardStats {
	return ForwardStats{Forwarded: st.forwarded.Load(), Lost: st.forwardLost.Load()}
}

// forward sends pkt on towards its destination and reports true, or
// reports false when the packet is for this stack or needs gVisor.
func (st *Stack) forward(proto tcpip.NetworkProtocolNumber, pkt *stack.PacketBuffer) bool {
	size := pkt.Data().Size()
	var ip4 header.IPv4
	var ip6 header.IPv6
	var dst tcpip.Address
	var hdrLen int
	switch proto {
	case ipv4.ProtocolNumber:
		h, ok := pkt.Data().PullUp(header.IPv4MinimumSize)
		if !ok {
			return false
		}
		ip4, dst, hdrLen = header.IPv4(h), header.IPv4(h).DestinationAddress(), header.IPv4MinimumSize
	case ipv6.ProtocolNumber:
		h, ok := pkt.Data().PullUp(header.IPv6MinimumSize)
		if !ok {
			return false
		}
		ip6, dst, hdrLen = header.IPv6(h), header.IPv6(h).DestinationAddress(), header.IPv6MinimumSize
	default:
		return false
	}
	// Nearly every packet is for the stack itself: settle that first,
	// from the address snapshot, without a lock.
	if local := st.local.Load(); local != nil && (*local)[dst] {
		return false
	}
	if ip4 != nil {
		if !ip4.IsValid(size) || int(ip4.TotalLength()) != size || ip4.HeaderLength() != header.IPv4MinimumSize ||
			ip4.TTL() <= 1 || !ip4.IsChecksumValid() ||
			dst == header.IPv4Broadcast || dst.Unspecified() || header.IsV4MulticastAddress(dst) {
			return false
		}
	} else {
		// Hop-by-hop options are the one extension header a router reads.
		if !ip6.IsValid(size) || int(ip6.PayloadLength())+header.IPv6MinimumSize != size ||
			ip6.HopLimit() <= 1 || ip6.NextHeader() == uint8(header.IPv6HopByHopOptionsExtHdrIdentifier) ||
			dst.Unspecified() || header.IsV6MulticastAddress(dst) || header.IsV6LinkLocalUnicastAddress(dst) {
			return false
		}
	}
	if st.s.CheckLocalAddress(0, proto, dst) != 0 {
		return false // for this stack: an address the snapshot missed
	}
	r, err := st.s.FindRoute(0, tcpip.Address{}, dst, proto, false)
	if err != nil {
		return false
	}
	defer r.Release()
	if size-hdrLen > int(r.MTU()) {
		return false
	}

	// A private copy: the arriving packet stays untouched.
	v := pkt.ToView()
	b := v.AsSlice()
	if proto == ipv4.ProtocolNumber {
		ip := header.IPv4(b)
		ip.SetTTL(ip.TTL() - 1) // the checksum is recomputed on the way out
	} else {
		ip := header.IPv6(b)
		ip.SetHopLimit(ip.HopLimit() - 1)
	}
	out := stack.NewPacketBuffer(stack.PacketBufferOptions{
		ReserveHeaderBytes: int(r.MaxHeaderLength()),
		Payload:            buffer.MakeWithView(v),
		IsForwardedPacket:  true,
	})
	defer out.DecRef()
	if err := r.WriteHeaderIncludedPacket(out); err != nil {
		st.forwardLost.Add(1)
		return true
	}
	st.forwarded.Add(1)
	return true
}
