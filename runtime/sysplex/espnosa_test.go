package sysplex

import (
	"encoding/binary"
	"net/netip"
	"sync/atomic"
	"testing"

	"github.com/tcpipc/tcpipc/internal/testkit/leakcheck"
	"github.com/tcpipc/tcpipc/runtime/lan"
	"github.com/tcpipc/tcpipc/runtime/link"
)

// TestESPWithoutEndpointIsDroppedSilently: plain ESP for DVA1 reaches
// MVS1, which routes DVA1 but has no IPsec endpoint for it at that moment
// (as between activating DVA1 and starting its endpoint on a takeback). A
// stack with IPSECURITY discards ESP it has no SA for and counts it (RFC
// 4303 section 3.4.2); it never hands it to its netstack, whose "protocol
// unreachable" would quote the ESP on the LAN and tell the peer nothing
// useful.
func TestESPWithoutEndpointIsDroppedSilently(t *testing.T) {
	leakcheck.Check(t)
	var icmpOut atomic.Int64
	tap := func(d link.Direction, pkt []byte) {
		if src, ok := lan.Source(pkt); ok && src == dva1 && len(pkt) > 9 && pkt[9] == 1 {
			icmpOut.Add(1)
		}
	}
	sx, _ := startSysplex(t, figure9Plan(t), withIPsec, func(o *Options) { o.LANTap = tap })
	waitFor(t, "MVS1 to own DVA1", func() bool { return sx.Owner(dva1) == "MVS1" })
	s := sx.Stack("MVS1")
	// The owner starts the endpoint just after it takes the DVIPA: take
	// it only once it is there, or the restore below would orphan the
	// endpoint started meanwhile (a CI run under -race leaked one).
	waitFor(t, "MVS1's endpoint for DVA1", func() bool {
		s.mu.Lock()
		defer s.mu.Unlock()
		return s.roles.lookup(dva1).endpoint() != nil
	})
	s.mu.Lock()
	sec := s.roles.lookup(dva1).takeSec()
	s.mu.Unlock()
	defer func() {
		s.mu.Lock()
		s.roles.lookup(dva1).setSec(sec)
		s.mu.Unlock()
	}()

	esp := binary.BigEndian.AppendUint32(nil, 0x7e57beef) // SPI
	esp = binary.BigEndian.AppendUint32(esp, 1)           // sequence number
	esp = append(esp, make([]byte, 48)...)
	before := s.RouteDrops().NoSA
	if err := s.fromLAN(lan.ESPPacket(netip.MustParseAddr("192.0.2.10"), dva1, esp)); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the ESP counted", func() bool { return s.RouteDrops().NoSA == before+1 })
	if n := icmpOut.Load(); n != 0 {
		t.Errorf("%d ICMP messages from DVA1 on the LAN", n)
	}
}
