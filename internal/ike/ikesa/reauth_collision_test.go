package ikesa

import (
	"net/netip"
	"testing"
	"time"

	"github.com/tcpipc/tcpipc/internal/clock"
	"github.com/tcpipc/tcpipc/internal/ike/wire"
	"github.com/tcpipc/tcpipc/internal/testkit/memnet"
)

// TestSimultaneousReauthentication: both ends reauthenticate one IKE SA
// with two children at the same moment (RFC 7296 §2.8.3 gives no
// tie-break), so each answers the other's new SA while making its own.
// Both new SAs come up with copies of the children; the one whose
// IKE_SA_INIT holds the lowest nonce is deleted by its initiator, with
// its children, and both ends are left with the same single IKE SA and
// two children. Before, both new SAs stayed.
func TestSimultaneousReauthentication(t *testing.T) {
	clk := clock.NewManual(epoch)
	n, initiator, responder := pair(t, setup{clock: clk})
	sa, _, _ := establish(t, initiator, responder)
	secondChild(t, sa, initiator, responder)
	old := sa.Info().ID
	reauthenticateAtOnce(t, n, initiator, responder)
	// The redundant SA goes a little later, once the peer has taken in
	// the other's children.
	clk.Advance(RedundantSADelay)
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

// TestReauthenticationCrossingTheOldSAsDelete: the initiator's
// reauthentication is through, and its Delete of the old SA is on its way
// when the responder starts reauthenticating that SA too: the
// responder's IKE_SA_INIT reaches the initiator while it waits for the
// Delete's answer. The old SA still stands there, so both ends see the
// collision and agree on the one SA to keep.
func TestReauthenticationCrossingTheOldSAsDelete(t *testing.T) {
	clk := clock.NewManual(epoch)
	n, initiator, responder := pair(t, setup{clock: clk})
	sa, _, _ := establish(t, initiator, responder)
	old := sa.Info().ID
	// The Delete of the old SA waits.
	release := n.Hold(func(src, _ netip.AddrPort, b []byte) bool {
		h, err := wire.ParseHeader(b)
		return err == nil && src == initAddr && h.SPIi() == old.SPIi && h.Exchange() == wire.INFORMATIONAL
	})
	done := make(chan error, 2)
	if err := sa.Reauthenticate(func(err error) { done <- err }); err != nil {
		t.Fatal(err)
	}
	waitDone(t, done, "the initiator's reauthentication")
	if st := sa.Info().State; st != StateDeleting {
		t.Fatalf("the old SA is %v on the initiator, want it waiting for its Delete's answer", st)
	}
	if err := responder.d.Lookup(old).Reauthenticate(func(err error) { done <- err }); err != nil {
		t.Fatal(err)
	}
	// The responder's Delete of the old SA waits for the answer too.
	waitDone(t, done, "the responder's reauthentication")
	release()
	clk.Advance(RedundantSADelay)
	one := func() bool {
		a, b := initiator.d.SAs(), responder.d.SAs()
		return len(a) == 1 && len(b) == 1 && a[0].ID == b[0].ID && a[0].ID != old && a[0].Children == 1 && b[0].Children == 1
	}
	for deadline := time.Now().Add(5 * time.Second); !one(); time.Sleep(2 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("the ends hold %+v and %+v, want one and the same IKE SA with its child", initiator.d.SAs(), responder.d.SAs())
		}
	}
}

// TestRedundantSAStaysWhenTheKeptOneIsGone: after a simultaneous
// reauthentication the SA to keep dies before the redundant one is due
// to be deleted (here its initiator lets it expire). The redundant SA is
// then the only one left with the peer, so its initiator keeps it rather
// than leave the traffic without any SA. Before, it was deleted all the
// same.
func TestRedundantSAStaysWhenTheKeptOneIsGone(t *testing.T) {
	clk := clock.NewManual(epoch)
	n, initiator, responder := pair(t, setup{clock: clk})
	sa, _, _ := establish(t, initiator, responder)
	old := sa.Info().ID
	reauthenticateAtOnce(t, n, initiator, responder)
	var red, kept *IKESA
	var deleter, keeper *node
	for deadline := time.Now().Add(5 * time.Second); red == nil; time.Sleep(2 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("no end marked a redundant SA")
		}
		for _, nd := range []*node{initiator, responder} {
			nd.d.mu.Lock()
			for _, s := range nd.d.sas {
				if s.redundant != nil {
					red, deleter = s, nd
				}
			}
			nd.d.mu.Unlock()
		}
	}
	keeper = initiator
	if deleter == initiator {
		keeper = responder
	}
	for _, s := range deleter.d.SAs() {
		if s.ID != red.Info().ID && s.ID != old && s.State == StateEstablished {
			kept = keeper.d.Lookup(s.ID)
		}
	}
	if kept == nil {
		t.Fatalf("no SA to keep beside the redundant one: %+v", deleter.d.SAs())
	}
	kept.Expire()
	gone := func() bool { return deleter.d.Lookup(kept.Info().ID) == nil }
	for deadline := time.Now().Add(5 * time.Second); !gone(); time.Sleep(2 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("the expired SA is still on the other end: %+v", deleter.d.SAs())
		}
	}
	clk.Advance(RedundantSADelay)
	if st := red.Info().State; st != StateEstablished {
		t.Fatalf("the redundant SA, the only one left, is %v once its delay is over; want it kept", st)
	}
}

// reauthenticateAtOnce has both ends reauthenticate their one IKE SA with
// their requests crossing, and waits until both are through.
func reauthenticateAtOnce(t *testing.T, n *memnet.Network, initiator, responder *node) {
	t.Helper()
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
}

// TestRedundantSAKeptWhenThePeerDeletesTheOther: after a simultaneous
// reauthentication the peer deletes the SA it initiated, the one our
// rule keeps, as strongSwan's unique = replace does (10 s on, whatever
// the nonces). The end whose own SA the rule made redundant keeps it:
// before, it deleted it RedundantSADelay later and no SA was left.
func TestRedundantSAKeptWhenThePeerDeletesTheOther(t *testing.T) {
	clk := clock.NewManual(epoch)
	n, initiator, responder := pair(t, setup{clock: clk})
	establish(t, initiator, responder)
	old := handle(t, initiator).Info().ID
	reauthenticateAtOnce(t, n, initiator, responder)
	// The redundant SA's initiator, and on the other end the SA it
	// initiated, which the rule keeps.
	var kept *IKESA
	var redundant IKESAID
	for _, pair := range [][2]*node{{initiator, responder}, {responder, initiator}} {
		pair[0].d.mu.Lock()
		for _, sa := range pair[0].d.sas {
			if sa.redundant != nil {
				redundant = sa.id()
			}
		}
		pair[0].d.mu.Unlock()
		if redundant != (IKESAID{}) {
			for _, i := range pair[1].d.SAs() {
				if i.ID != redundant && i.ID != old {
					kept = pair[1].d.Lookup(i.ID)
				}
			}
			break
		}
	}
	if kept == nil {
		t.Fatalf("no redundant SA scheduled, or no other: %+v and %+v", initiator.d.SAs(), responder.d.SAs())
	}
	kept.Delete()
	only := func() bool {
		a, b := initiator.d.SAs(), responder.d.SAs()
		return len(a) == 1 && len(b) == 1 && a[0].ID == redundant && b[0].ID == redundant &&
			a[0].State == StateEstablished && b[0].State == StateEstablished && a[0].Children == 1 && b[0].Children == 1
	}
	for deadline := time.Now().Add(5 * time.Second); !only(); time.Sleep(2 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("after the peer's Delete the ends hold %+v and %+v, want only the redundant SA", initiator.d.SAs(), responder.d.SAs())
		}
	}
	clk.Advance(peerRuleWait)
	time.Sleep(50 * time.Millisecond)
	if !only() {
		t.Fatalf("peerRuleWait on the ends hold %+v and %+v, want the redundant SA, the last one, kept",
			initiator.d.SAs(), responder.d.SAs())
	}
}

// TestPeerRedundantSADeletedWhenThePeerKeepsIt: after a simultaneous
// reauthentication the peer does not delete its redundant SA, as a peer
// that is not tcpipc never does. We delete it ourselves, later than the
// peer would have: before, both SAs and their children stayed for good.
func TestPeerRedundantSADeletedWhenThePeerKeepsIt(t *testing.T) {
	clk := clock.NewManual(epoch)
	n, initiator, responder := pair(t, setup{clock: clk})
	establish(t, initiator, responder)
	reauthenticateAtOnce(t, n, initiator, responder)
	// The redundant SA's initiator forgets the rule.
	var redundant IKESAID
	for _, nd := range []*node{initiator, responder} {
		nd.d.mu.Lock()
		for _, sa := range nd.d.sas {
			if sa.redundant != nil && sa.initiator {
				sa.redundant.Stop()
				redundant = sa.id()
			}
		}
		nd.d.mu.Unlock()
	}
	if redundant == (IKESAID{}) {
		t.Fatalf("no redundant SA scheduled: %+v and %+v", initiator.d.SAs(), responder.d.SAs())
	}
	clk.Advance(peerRuleWait)
	one := func() bool {
		a, b := initiator.d.SAs(), responder.d.SAs()
		return len(a) == 1 && len(b) == 1 && a[0].ID == b[0].ID && a[0].ID != redundant && a[0].Children == 1 && b[0].Children == 1
	}
	for deadline := time.Now().Add(5 * time.Second); !one(); time.Sleep(2 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("the ends hold %+v and %+v, want one and the same IKE SA, not %v", initiator.d.SAs(), responder.d.SAs(), redundant)
		}
	}
}
