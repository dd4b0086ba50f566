package ipsec

import (
	"net/netip"
	"strings"
	"testing"
	"time"

	"github.com/tcpipc/tcpipc/internal/esp"
)

// TestStrongSwanChildLimitsUnderTraffic: the child SA's volume limits run
// out on both ends while traffic flows: ours after 8 packets (soft) of
// 30 (hard), charon's after 1500 bytes (rekey_bytes) of 6000, so both ends
// rekey over and over, sometimes at once (RFC 7296 §2.8.1). For three
// seconds every datagram is echoed, nothing is dropped but ESP on a
// child already deleted, and one child is left on each side.
func TestStrongSwanChildLimitsUnderTraffic(t *testing.T) {
	f := Filter{Name: "client", Local: PrefixRange(netip.MustParsePrefix("10.1.1.0/24")),
		Remote: PrefixRange(netip.MustParsePrefix("10.99.0.2/32")), Tunnel: Tunnel{Lifetime: esp.Lifetime{SoftPackets: 8, HardPackets: 30}}}
	s := setupInteropWith(t, interopOpts{filter: &f, child: "        rekey_bytes = 1500\n        life_bytes = 6000\n        rand_bytes = 0"})
	s.swanctl("--initiate", "--child", "net", "--timeout", "10")
	s.onlySA("the SAs charon initiated")
	for deadline := time.Now().Add(3 * time.Second); time.Now().Before(deadline); {
		s.udpThroughTunnel(4)
	}
	eventually(t, "one child left", func() bool { l := s.ep.SAs(); return len(l.IKE) == 1 && len(l.Dynamic) == 1 })
	if n := strings.Count(s.charonLogText(), "CREATE_CHILD_SA request"); n < 6 {
		t.Errorf("%d CREATE_CHILD_SA requests in charon's log, want both ends rekeying several times", n)
	}
	eventually(t, "one child on charon's side", func() bool {
		return strings.Count(s.swanctl("--list-sas"), "INSTALLED") == 1
	})
	noDropsExcept(t, s.ep)
}
