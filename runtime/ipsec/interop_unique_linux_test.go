package ipsec

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/tcpipc/tcpipc/internal/ike/ikesa"
)

// TestStrongSwanUniqueReplaceSimultaneousReauthentication: both ends
// reauthenticate one IKE SA at once, charon make-before-break with
// `unique = replace`, charon holding our IKE_AUTH back 1 s. When its own
// new SA is up before it takes ours, its uniqueness rule deletes every
// other SA with our identities, its own new one included, 10 s later;
// else it keeps both new SAs. Our collision rule deletes whichever new
// SA has the lowest nonce, ours 12 s on, charon's 17 s on, and only if
// the other still stands. Either way one SA must be left: before, in
// most runs, none was (we deleted ours, charon its own) or both stayed.
func TestStrongSwanUniqueReplaceSimultaneousReauthentication(t *testing.T) {
	s := setupInteropWith(t, interopOpts{connection: "    unique = replace",
		charonConf: "  make_before_break = yes\n  receive_delay = 1000\n  receive_delay_type = 35\n" +
			"  receive_delay_request = yes\n  receive_delay_response = no\n"})
	s.swanctl("--initiate", "--child", "net", "--timeout", "10")
	first, _ := s.onlySA("the SAs charon initiated")
	done := make(chan error, 1)
	if err := s.ep.Daemon().Lookup(first.ID).Reauthenticate(func(err error) { done <- err }); err != nil {
		t.Fatal(err)
	}
	s.swanctl("--rekey", "--ike", "zos", "--reauth")
	select {
	case err := <-done:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("our reauthentication never ended")
	}
	// Past charon's 10 s and our rule's delays, 12 and 17 s.
	time.Sleep(17 * time.Second)
	eventually(t, "one IKE SA with its child, the same on both sides", func() bool {
		l := s.ep.SAs()
		if len(l.IKE) != 1 || l.IKE[0].State != ikesa.StateEstablished || len(l.Dynamic) != 1 {
			return false
		}
		sas, err := s.trySwanctl("--list-sas")
		return err == nil && strings.Count(string(sas), "ESTABLISHED") == 1 &&
			strings.Contains(string(sas), fmt.Sprintf("%016x", l.IKE[0].ID.SPIi))
	})
	s.udpThroughTunnel(3)
}
