package ikesa

import (
	"testing"
	"time"
)

// TestSimultaneousReauthentication: both ends reauthenticate one IKE SA
// with two children at the same moment (RFC 7296 §2.8.3 gives no
// tie-break), so each answers the other's new SA while making its own.
// Both new SAs come up with copies of the children; the one whose
// IKE_SA_INIT holds the lowest nonce is deleted by its initiator, with
// its children, and both ends are left with the same single IKE SA and
// two children. Before, both new SAs stayed.
func TestSimultaneousReauthentication(t *testing.T) {
	n, initiator, responder := pair(t, setup{})
	sa, _, _ := establish(t, initiator, responder)
	secondChild(t, sa, initiator, responder)
	old := sa.Info().ID
	release := n.Hold(nil)
	done := make(chan error, 2)
	for _, nd := range []*node{initiator, responder} {
		if err := handle(t, nd).Reauthenticate(func(err error) { done <- err }); err != nil {
			t.Fatal(err)
		}
	}
	release()
	waitDone(t, done, "one reauthentication")
	waitDone(t, done, "the other reauthentication")
	one := func() bool {
		a, b := initiator.d.SAs(), responder.d.SAs()
		return len(a) == 1 && len(b) == 1 && a[0].ID == b[0].ID && a[0].ID != old &&
			a[0].State == StateEstablished && b[0].State == StateEstablished && a[0].Children == 2 && b[0].Children == 2
	}
	for deadline := time.Now().Add(5 * time.Second); !one(); time.Sleep(2 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("after both reauthentications the ends hold %+v and %+v, want one and the same IKE SA with two children",
				initiator.d.SAs(), responder.d.SAs())
		}
	}
}
