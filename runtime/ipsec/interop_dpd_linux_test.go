package ipsec

import (
	"testing"
	"time"

	"github.com/tcpipc/tcpipc/internal/ike/ikesa"
)

// TestStrongSwanDPDRestartAfterOurRestart: our endpoint stops, without
// a Delete, and starts again with no SAs; charon (dpd_action = restart)
// finds us dead by its liveness checks and negotiates the IKE SA and
// child afresh, which we answer, and traffic passes again.
func TestStrongSwanDPDRestartAfterOurRestart(t *testing.T) {
	s := setupInteropWith(t, interopOpts{dpdAction: "restart"})
	s.swanctl("--initiate", "--child", "net", "--timeout", "10")
	first, _ := s.onlySA("the SAs charon initiated")
	s.udpThroughTunnel(1)
	s.ep.Close()
	s.startEndpoint()
	// charon's liveness check (2 s) gives up after about 6 s.
	deadline := time.Now().Add(15 * time.Second)
	for {
		l := s.ep.SAs()
		if len(l.IKE) == 1 && l.IKE[0].ID != first.ID && l.IKE[0].State == ikesa.StateEstablished && !l.IKE[0].Initiator &&
			len(l.Dynamic) == 1 && s.ep.sad.Len() == 1 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("charon did not renegotiate with our restarted endpoint: we hold %+v", l)
		}
		time.Sleep(10 * time.Millisecond)
	}
	s.udpThroughTunnel(3)
	noDropsExcept(t, s.ep)
}
