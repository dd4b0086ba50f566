package ipsec

import (
	"net/netip"
	"regexp"
	"strings"
	"testing"

	"github.com/tcpipc/tcpipc/internal/ike/wire"
)

// TestStrongSwanPortSelectors: traffic selectors with a protocol and
// ports. charon asking for UDP to port 7 only gets exactly that; our
// filter for UDP from port 7 narrows charon's any-protocol proposal to
// it, and charon installs the narrowed child; we initiate for UDP to
// charon's port 7 and charon, configured for just that, accepts; and
// charon's TCP to port 80 against our UDP-only filter is refused with
// TS_UNACCEPTABLE, counted. Traffic passes on every child made.
func TestStrongSwanPortSelectors(t *testing.T) {
	udpFilter := func(local, remote PortRange) *Filter {
		return &Filter{Name: "client", Local: PrefixRange(netip.MustParsePrefix("10.1.1.0/24")),
			Remote: PrefixRange(netip.MustParsePrefix("10.99.0.2/32")), Protocol: protoUDP, LocalPorts: local, RemotePorts: remote}
	}
	installed := func(t *testing.T, s *interop, local, remote string) {
		t.Helper()
		re := regexp.MustCompile(`INSTALLED(?s:.*)local  ` + regexp.QuoteMeta(local) + `\s+remote ` + regexp.QuoteMeta(remote))
		if sas := s.swanctl("--list-sas"); !re.MatchString(sas) {
			t.Errorf("charon's child is not %s === %s:\n%s", local, remote, sas)
		}
	}
	t.Run("charon narrow", func(t *testing.T) {
		s := setupInteropWith(t, interopOpts{child: "        local_ts = 10.99.0.2/32[udp]\n        remote_ts = 10.1.1.0/24[udp/7]"})
		s.swanctl("--initiate", "--child", "net", "--timeout", "10")
		_, child := s.onlySA("the SAs charon initiated")
		if sel := child.LocalTS[0]; len(child.LocalTS) != 1 || sel.IPProtocol != protoUDP || sel.StartPort != 7 || sel.EndPort != 7 {
			t.Errorf("our side of the child: %v", child.LocalTS)
		}
		s.udpThroughTunnel(2)
	})
	t.Run("we narrow", func(t *testing.T) {
		s := setupInteropWith(t, interopOpts{filter: udpFilter(PortRange{7, 7}, PortRange{})})
		s.swanctl("--initiate", "--child", "net", "--timeout", "10")
		s.onlySA("the SAs charon initiated")
		installed(t, s, "10.99.0.2/32[udp]", "10.1.1.0/24[udp/echo]")
		s.udpThroughTunnel(2)
	})
	t.Run("we initiate", func(t *testing.T) {
		s := setupInteropWith(t, interopOpts{filter: udpFilter(PortRange{}, PortRange{7, 7}),
			child: "        local_ts = 10.99.0.2/32[udp/7]\n        remote_ts = 10.1.1.0/24[udp]"})
		s.weInitiate()
		installed(t, s, "10.99.0.2/32[udp/echo]", "10.1.1.0/24[udp]")
	})
	t.Run("refused", func(t *testing.T) {
		s := setupInteropWith(t, interopOpts{filter: udpFilter(PortRange{}, PortRange{}), child: "        local_ts = 10.99.0.0/24[tcp/80]"})
		if out, err := s.trySwanctl("--initiate", "--child", "net", "--timeout", "10"); err == nil {
			t.Fatalf("charon got a child for TCP:\n%s", out)
		}
		if n := s.ep.Stats().IKE.Refused[wire.TS_UNACCEPTABLE]; n != 1 || !strings.Contains(s.charonLogText(), "TS_UNACCEPTABLE") {
			t.Errorf("%d TS_UNACCEPTABLE counted, want 1 (and in charon's log)", n)
		}
	})
}
