package ipsec

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/tcpipc/tcpipc/internal/ike/ikesa"
)

// TestStrongSwanReauthentication: our endpoint, charon's responder until
// now, reauthenticates at its ReauthInterval (RFC 7296 §2.8.3): charon
// takes the new IKE SA and its child, drops the old pair on our Delete,
// and traffic passes before and after.
func TestStrongSwanReauthentication(t *testing.T) {
	const every = 6 * time.Second
	s := setupInteropWith(t, interopOpts{reauth: every})
	s.swanctl("--initiate", "--child", "net", "--timeout", "10")
	first, _ := s.onlySA("the SAs charon initiated")
	s.udpThroughTunnel(3)
	var next IKETunnel
	eventually(t, "our reauthentication, alone on our side", func() bool {
		l := s.ep.SAs()
		if len(l.IKE) != 1 || l.IKE[0].ID == first.ID || len(l.Dynamic) != 1 || s.ep.sad.Len() != 1 {
			return false
		}
		next = l.IKE[0]
		return true
	})
	if !next.Reauthenticated || !next.Initiator || next.Replaces != first.ID {
		t.Errorf("new IKE SA %+v, want our reauthentication of %v", next.IKESAInfo, first.ID)
	}
	sas := s.swanctl("--list-sas")
	if !strings.Contains(sas, fmt.Sprintf("%016x_i", next.ID.SPIi)) || strings.Contains(sas, fmt.Sprintf("%016x_i", first.ID.SPIi)) {
		t.Errorf("charon does not hold only the reauthenticated IKE SA %v:\n%s", next.ID, sas)
	}
	s.udpThroughTunnel(3)
	noDropsExcept(t, s.ep)
}

// TestStrongSwanReauthenticatesUs: charon reauthenticates the IKE SA it
// initiated (reauth_time; break-before-make, strongSwan 5.9's default):
// our endpoint drops the old IKE SA on charon's Delete, answers the new
// one, and ends with one IKE SA and one child, through which traffic
// passes.
func TestStrongSwanReauthenticatesUs(t *testing.T) {
	s := setupInteropWith(t, interopOpts{connection: "    reauth_time = 6s\n    rand_time = 0s\n    over_time = 2s"})
	s.swanctl("--initiate", "--child", "net", "--timeout", "10")
	first, _ := s.onlySA("the SAs charon initiated")
	s.udpThroughTunnel(3)
	eventually(t, "charon's reauthentication, alone on our side", func() bool {
		l := s.ep.SAs()
		return len(l.IKE) == 1 && l.IKE[0].ID != first.ID && l.IKE[0].State == ikesa.StateEstablished &&
			!l.IKE[0].Initiator && len(l.Dynamic) == 1 && s.ep.sad.Len() == 1
	})
	s.udpThroughTunnel(3)
	noDropsExcept(t, s.ep)
}
