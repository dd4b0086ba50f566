package ipsec

import (
	"net/netip"
	"strings"
	"testing"
	"time"

	"github.com/tcpipc/tcpipc/internal/esp"
)

// TestStrongSwanChildLimitsUnderTraffic: the child SA's packet limits run
// out while traffic flows: charon's after 8 packets (rekey_packets) of
// 100, ours after 8 (soft) of 100, and both at once, where the two ends'
// rekeys of one child collide and the redundant child goes by the nonces
// (RFC 7296 §2.8.1). The child is rekeyed over and over; every datagram
// is echoed, nothing is dropped but ESP on a child already deleted, and
// one child is left on each side. When we answered a colliding rekey
// with TEMPORARY_FAILURE, strongSwan 5.9.8 at times rekeyed the child
// again while our Delete of it was on its way and was left without an
// outbound SA, so its traffic stopped (about one run in five).
func TestStrongSwanChildLimitsUnderTraffic(t *testing.T) {
	for _, c := range []struct {
		name, charon string
		ours         esp.Lifetime
	}{
		{name: "charon's", charon: "        rekey_packets = 8\n        rand_packets = 0\n        life_packets = 100"},
		{name: "ours", ours: esp.Lifetime{SoftPackets: 8, HardPackets: 100}},
		{name: "both", charon: "        rekey_packets = 8\n        rand_packets = 0\n        life_packets = 100",
			ours: esp.Lifetime{SoftPackets: 8, HardPackets: 100}},
	} {
		t.Run(c.name, func(t *testing.T) {
			f := Filter{Name: "client", Local: PrefixRange(netip.MustParsePrefix("10.1.1.0/24")),
				Remote: PrefixRange(netip.MustParsePrefix("10.99.0.2/32")), Tunnel: Tunnel{Lifetime: c.ours}}
			s := setupInteropWith(t, interopOpts{filter: &f, child: c.charon})
			s.swanctl("--initiate", "--child", "net", "--timeout", "10")
			s.onlySA("the SAs charon initiated")
			rekeys := func() int {
				log := s.charonLogText()
				return strings.Count(log, "generating CREATE_CHILD_SA request") + strings.Count(log, "parsed CREATE_CHILD_SA request")
			}
			for deadline := time.Now().Add(20 * time.Second); rekeys() < 4; {
				if time.Now().After(deadline) {
					t.Fatalf("after 20s of traffic the child was rekeyed %d times, want 4", rekeys())
				}
				s.udpThroughTunnel(20)
			}
			eventually(t, "one child left", func() bool { l := s.ep.SAs(); return len(l.IKE) == 1 && len(l.Dynamic) == 1 })
			eventually(t, "one child on charon's side", func() bool {
				return strings.Count(s.swanctl("--list-sas"), "INSTALLED") == 1
			})
			noDropsExcept(t, s.ep)
		})
	}
}
