package lan

import (
	"net/netip"

	"gvisor.dev/gvisor/pkg/tcpip"
	"gvisor.dev/gvisor/pkg/tcpip/header"
)

// ProtoESP is the IP protocol number of ESP (RFC 4303).
const ProtoESP = 50

// espHeaderLen is an ESP packet's SPI and sequence number; nothing
// shorter is ESP.
const espHeaderLen = 8

// ESPPacket builds an IPv4 packet of protocol 50 carrying the ESP packet
// payload (plain ESP, RFC 4303 §2), with its header checksum.
func ESPPacket(src, dst netip.Addr, payload []byte) []byte {
	pkt := make([]byte, header.IPv4MinimumSize+len(payload))
	ip := header.IPv4(pkt)
	ip.Encode(&header.IPv4Fields{TotalLength: uint16(len(pkt)), TTL: 64, Protocol: ProtoESP,
		SrcAddr: tcpip.AddrFrom4(src.As4()), DstAddr: tcpip.AddrFrom4(dst.As4())})
	ip.SetChecksum(^ip.CalculateChecksum())
	copy(pkt[header.IPv4MinimumSize:], payload)
	return pkt
}

// ParseESP reads an IPv4 packet of protocol 50: its source and the ESP
// packet it carries, from the SPI on. It refuses a fragment (the fabric
// never fragments, and a piece of ESP cannot be decrypted alone), a header
// whose lengths do not fit the packet, and a payload too short for an SPI
// and a sequence number. The payload aliases pkt.
func ParseESP(pkt []byte) (netip.Addr, []byte, bool) {
	if header.IPVersion(pkt) != header.IPv4Version {
		return netip.Addr{}, nil, false
	}
	ip := header.IPv4(pkt)
	if !ip.IsValid(len(pkt)) || ip.Protocol() != ProtoESP || ip.More() || ip.FragmentOffset() != 0 {
		return netip.Addr{}, nil, false
	}
	body := ip.Payload()
	if len(body) < espHeaderLen {
		return netip.Addr{}, nil, false
	}
	return netip.AddrFrom4(ip.SourceAddress().As4()), body, true
}
