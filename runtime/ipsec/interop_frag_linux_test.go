package ipsec

import (
	"strings"
	"testing"
)

// TestStrongSwanFragmentationForce: charon with fragmentation = force
// splits an IKE message larger than its fragment_size into RFC 7383
// Encrypted Fragment payloads even though we never announced
// IKEV2_FRAGMENTATION_SUPPORTED (z/OS IKED does not do RFC 7383, and
// neither do we when sending). A small fragment_size makes charon's
// IKE_AUTH request, and its IKE_AUTH response when we initiate, arrive
// in fragments: we reassemble them, both ways the SAs come up and
// traffic passes. Before, the fragments were dropped as undecodable and
// charon gave up with "peer not responding".
func TestStrongSwanFragmentationForce(t *testing.T) {
	s := setupInteropWith(t, interopOpts{connection: "    fragmentation = force", charonConf: "  fragment_size = 200\n"})
	s.swanctl("--initiate", "--child", "net", "--timeout", "10")
	s.onlySA("the SAs charon initiated in fragments")
	s.udpThroughTunnel(2)
	s.swanctl("--terminate", "--ike", "zos", "--timeout", "10")
	eventually(t, "our SAs deleted", func() bool { l := s.ep.SAs(); return len(l.IKE) == 0 && len(l.Dynamic) == 0 })
	s.weInitiate()
	if log := s.charonLogText(); strings.Count(log, "into 2 fragments") < 2 {
		t.Errorf("charon fragmented fewer than two messages, so the test shows nothing:\n%s", log)
	}
	if st := s.ep.Stats().IKE; st.Reassembled < 2 {
		t.Errorf("IKE stats %+v: want at least 2 messages reassembled", st)
	}
	noDropsExcept(t, s.ep)
}
