package ipsec

import (
	"strings"
	"testing"
)

// dropFirstIKE has nftables in namespace ns drop the first datagram sent
// from UDP port 500 and the first from port 4500: the IKE_SA_INIT and
// IKE_AUTH messages of whoever answers there (each under 300 bytes, so
// the quota lets the second through).
func (s *interop) dropFirstIKE(ns string) {
	run(s.t, "ip", "netns", "exec", ns, "nft", "add table inet lost; add chain inet lost out { type filter hook output priority 0 ; } ; "+
		"add rule inet lost out udp sport 500 quota until 300 bytes drop ; add rule inet lost out udp sport 4500 quota until 300 bytes drop")
}

// TestStrongSwanLostIKEResponses: the first IKE_SA_INIT response and the
// first IKE_AUTH response are lost, both ways. When charon initiates, it
// retransmits each request and we answer again with the response we
// cached (RFC 7296 §2.1), not a second SA; when we initiate, we
// retransmit and charon answers again. The SAs come up and traffic
// passes both times.
func TestStrongSwanLostIKEResponses(t *testing.T) {
	needNFT(t)
	t.Run("charon initiates", func(t *testing.T) {
		s := setupInteropWith(t, interopOpts{})
		s.dropFirstIKE(s.gwNS)
		s.swanctl("--initiate", "--child", "net", "--timeout", "10")
		s.onlySA("the SAs charon initiated")
		s.udpThroughTunnel(2)
		log := s.charonLogText()
		if st := s.ep.Stats().IKE; st.ResentResponses != 2 || !strings.Contains(log, "retransmit 1 of request with message ID 0") ||
			!strings.Contains(log, "retransmit 1 of request with message ID 1") {
			t.Errorf("IKE stats %+v: want both responses sent again after charon's retransmissions", st)
		}
		noDropsExcept(t, s.ep)
	})
	t.Run("we initiate", func(t *testing.T) {
		s := setupInteropWith(t, interopOpts{})
		s.dropFirstIKE(s.cNS)
		s.weInitiate()
		log := s.charonLogText()
		if st := s.ep.Stats().IKE; st.Retransmissions != 2 || !strings.Contains(log, "received retransmit of request with ID 0") ||
			!strings.Contains(log, "received retransmit of request with ID 1") {
			t.Errorf("IKE stats %+v: want both requests retransmitted and answered again", st)
		}
		noDropsExcept(t, s.ep)
	})
}
