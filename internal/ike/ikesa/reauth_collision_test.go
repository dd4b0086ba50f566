package ikesa

import (
	"bytes"
	"net/netip"
	"sync"
	"testing"
	"time"

	"github.com/tcpipc/tcpipc/internal/testkit/memnet"
)

// holdAll makes n keep every datagram until release delivers them, in
// the order they were sent.
func holdAll(n *memnet.Network) (release func()) {
	type datagram struct {
		src, dst netip.AddrPort
		b        []byte
	}
	var mu sync.Mutex
	var held []datagram
	holding := true
	n.SetDrop(func(src, dst netip.AddrPort, b []byte) bool {
		mu.Lock()
		defer mu.Unlock()
		if holding {
			held = append(held, datagram{src, dst, bytes.Clone(b)})
		}
		return holding
	})
	return func() {
		mu.Lock()
		holding = false
		all := held
		mu.Unlock()
		for _, d := range all {
			n.Inject(d.src, d.dst, d.b)
		}
	}
}

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
	release := holdAll(n)
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
