package ikesa

import (
	"errors"
	"fmt"
	"net/netip"
	"slices"
	"testing"
	"time"

	"github.com/tcpipc/tcpipc/internal/clock"
	"github.com/tcpipc/tcpipc/internal/ike/wire"
)

// selectorKey names a child's selectors, for comparing sets of children.
func selectorKey(c ChildSA) string { return fmt.Sprint(c.LocalTS, c.RemoteTS) }

// secondChild adds a child with narrower selectors to sa and returns
// both ends' view of it.
func secondChild(t *testing.T, sa *IKESA, initiator, responder *node) (ChildSA, ChildSA) {
	t.Helper()
	narrow := Selectors{Local: []wire.Selector{Prefix(netip.MustParsePrefix("10.1.0.5/32"))},
		Remote: []wire.Selector{Prefix(netip.MustParsePrefix("10.99.0.7/32"))}}
	done := make(chan error, 1)
	if err := sa.CreateChildWith(narrow, func(err error) { done <- err }); err != nil {
		t.Fatal(err)
	}
	waitDone(t, done, "second child")
	return wait(t, initiator.children, "second child"), wait(t, responder.children, "second child")
}

// TestReauthenticate replaces an IKE SA with two children by one
// negotiated from scratch, from either end (RFC 7296 §2.8.3): a new IKE
// SA with new SPIs and both children's selectors comes up before the old
// SA and its children are deleted, and the peer drops the old one by its
// Delete, not by INITIAL_CONTACT.
func TestReauthenticate(t *testing.T) {
	for _, fromResponder := range []bool{false, true} {
		t.Run(map[bool]string{false: "initiator", true: "responder"}[fromResponder], func(t *testing.T) {
			_, initiator, responder := pair(t, setup{})
			sa, ic, rc := establish(t, initiator, responder)
			ic2, rc2 := secondChild(t, sa, initiator, responder)
			done := make(chan error, 1)
			old := sa.Info().ID
			oldChildren := map[*node][]ChildSA{initiator: {ic, ic2}, responder: {rc, rc2}}

			reauther := initiator
			if fromResponder {
				reauther = responder
			}
			if err := handle(t, reauther).Reauthenticate(func(err error) { done <- err }); err != nil {
				t.Fatal(err)
			}
			waitDone(t, done, "reauthentication")
			for _, n := range []*node{initiator, responder} {
				up := wait(t, n.ike, "new IKE SA")
				if up.err != nil || up.info.ID == old || up.info.ID.SPIi == old.SPIi {
					t.Fatalf("new SA event %+v %v", up.info, up.err)
				}
				if n == reauther && (up.info.Replaces != old || !up.info.Reauthenticated || !up.info.Initiator) {
					t.Errorf("reauthenticating end reports %+v, want it to replace %v", up.info, old)
				}
				if n != reauther && (up.info.Replaces != (IKESAID{}) || up.info.Initiator) {
					t.Errorf("peer reports %+v, want an SA it answered afresh", up.info)
				}
				var got, want, gone []string
				for range 2 {
					c := wait(t, n.children, "new child")
					if c.IKE != up.info.ID {
						t.Errorf("new child belongs to %v", c.IKE)
					}
					got = append(got, selectorKey(c))
				}
				for _, c := range oldChildren[n] {
					want = append(want, selectorKey(c))
					gone = append(gone, fmt.Sprint(wait(t, n.deleted, "old child").InboundSPI))
				}
				slices.Sort(got)
				slices.Sort(want)
				if !slices.Equal(got, want) {
					t.Errorf("new children %v, want the old ones' selectors %v", got, want)
				}
				if down := wait(t, n.ike, "old IKE SA"); down.info.ID != old || !errors.Is(down.err, ErrDeleted) {
					t.Errorf("old SA event %+v %v, want it deleted", down.info, down.err)
				}
				if infos := n.d.SAs(); len(infos) != 1 || infos[0].ID != up.info.ID || infos[0].Children != 2 {
					t.Errorf("after reauthentication %+v, gone children %v", infos, gone)
				}
			}
		})
	}
}

// TestReauthenticationFailureKeepsTheOldSA: a new SA the peer refuses
// leaves the old one and its child in place, and done learns why.
func TestReauthenticationFailureKeepsTheOldSA(t *testing.T) {
	_, initiator, responder := pair(t, setup{})
	sa, ic, _ := establish(t, initiator, responder)
	responder.d.mu.Lock()
	responder.d.cfg.IKE = []Suite{{Encr: wire.ENCR_AES_CBC, KeyBits: 256, Integ: wire.AUTH_HMAC_SHA2_256_128,
		PRF: wire.PRF_HMAC_SHA2_256, DH: wire.MODP2048}}
	responder.d.mu.Unlock()
	done := make(chan error, 1)
	if err := sa.Reauthenticate(func(err error) { done <- err }); err != nil {
		t.Fatal(err)
	}
	if err := wait(t, done, "reauthentication"); err == nil {
		t.Fatal("reauthentication refused by the peer reported success")
	}
	if err := sa.Reauthenticate(nil); err != nil {
		t.Errorf("the old SA cannot try again: %v", err)
	}
	if info := sa.Info(); info.State != StateEstablished || info.Children != 1 {
		t.Errorf("old SA after a failed reauthentication: %+v", info)
	}
	quiet(t, initiator.deleted, "deletion of child "+fmt.Sprint(ic.InboundSPI))
}

// TestNoRekeyWhileReauthenticating: the SA being replaced refuses to be
// rekeyed or reauthenticated a second time meanwhile, and the peer's
// rekey of it gets TEMPORARY_FAILURE, so no second successor appears.
func TestNoRekeyWhileReauthenticating(t *testing.T) {
	_, initiator, responder := pair(t, setup{})
	sa, _, _ := establish(t, initiator, responder)
	initiator.d.mu.Lock()
	sa.reauthBy = &IKESA{} // as while the new SA comes up
	initiator.d.mu.Unlock()
	if err := sa.Rekey(nil); err == nil {
		t.Error("Rekey started during a reauthentication")
	}
	if err := sa.Reauthenticate(nil); err == nil {
		t.Error("a second reauthentication started")
	}
	done := make(chan error, 1)
	if err := handle(t, responder).Rekey(func(err error) { done <- err }); err != nil {
		t.Fatal(err)
	}
	if err := wait(t, done, "peer's rekey"); err == nil {
		t.Error("the peer rekeyed an SA being reauthenticated")
	}
}

// TestOldSAStaysLockedUntilReauthenticationEnds: between the new SA coming
// up and the old one's Delete the new SA still asks for the old SA's other
// children. Meanwhile the old SA must refuse a rekey, ours or the peer's:
// a rekey then would move the old children to a successor that the
// reauthentication's Delete never reaches, leaving two IKE SAs.
func TestOldSAStaysLockedUntilReauthenticationEnds(t *testing.T) {
	clk := clock.NewManual(epoch)
	n, initiator, responder := pair(t, setup{clock: clk})
	sa, _, _ := establish(t, initiator, responder)
	secondChild(t, sa, initiator, responder)
	old := sa.Info().ID
	// Hold back the new SA's CREATE_CHILD_SA for the second child.
	tp := &tap{}
	tp.drop = func(h wire.Header, _ int) bool {
		return h.Exchange() == wire.CREATE_CHILD_SA && !h.IsResponse() && h.SPIi() != old.SPIi
	}
	tp.install(n, clk)
	reauthed := make(chan error, 1)
	if err := sa.Reauthenticate(func(err error) { reauthed <- err }); err != nil {
		t.Fatal(err)
	}
	for _, nd := range []*node{initiator, responder} {
		if ev := wait(t, nd.ike, "new IKE SA"); ev.err != nil || ev.info.ID == old {
			t.Fatalf("new SA event %+v %v", ev.info, ev.err)
		}
	}
	peerOld := responder.d.Lookup(old)
	if peerOld == nil {
		t.Fatal("the responder lost the old SA")
	}
	rekeyed := make(chan error, 1)
	if err := peerOld.Rekey(func(err error) { rekeyed <- err }); err != nil {
		t.Fatal(err)
	}
	if err := wait(t, rekeyed, "peer's rekey"); err == nil {
		t.Error("the peer rekeyed the old SA while its reauthentication still asks for children")
	}
	if err := sa.Rekey(nil); err == nil {
		t.Error("the old SA started a rekey while its reauthentication still asks for children")
	}
	tp.mu.Lock()
	tp.drop = nil
	tp.mu.Unlock()
	clk.Advance(DefaultRetransmitTimeout)
	waitDone(t, reauthed, "reauthentication")
	for _, nd := range []*node{initiator, responder} {
		deadline := time.Now().Add(5 * time.Second)
		for len(nd.d.SAs()) != 1 && time.Now().Before(deadline) {
			time.Sleep(10 * time.Millisecond)
		}
		if infos := nd.d.SAs(); len(infos) != 1 || infos[0].ID == old {
			t.Errorf("after reauthentication the node holds %+v", infos)
		}
	}
}

// TestAuthenticatedTime: an IKE SA reports when its peer last proved its
// identity: at IKE_AUTH, carried over by a rekey (which has no AUTH), new
// again after a reauthentication. The endpoint times ReauthInterval from
// it; it had read it from its own records, which an IKE SA's end can
// reach before its successor's start when events run on two goroutines.
func TestAuthenticatedTime(t *testing.T) {
	clk := clock.NewManual(epoch)
	_, initiator, responder := pair(t, setup{clock: clk})
	sa, _, _ := establish(t, initiator, responder)
	if got := sa.Info().Authenticated; !got.Equal(epoch) {
		t.Fatalf("authenticated at %v, want %v", got, epoch)
	}
	clk.Advance(10 * time.Minute)
	done := make(chan error, 1)
	if err := sa.Rekey(func(err error) { done <- err }); err != nil {
		t.Fatal(err)
	}
	waitDone(t, done, "rekey")
	for _, n := range []*node{initiator, responder} {
		if up := wait(t, n.ike, "rekeyed SA"); !up.info.Authenticated.Equal(epoch) {
			t.Errorf("rekeyed SA authenticated at %v, want %v (the rekey carries it over)", up.info.Authenticated, epoch)
		}
		wait(t, n.ike, "old SA gone")
	}
	clk.Advance(10 * time.Minute)
	if err := handle(t, initiator).Reauthenticate(func(err error) { done <- err }); err != nil {
		t.Fatal(err)
	}
	waitDone(t, done, "reauthentication")
	if up := wait(t, initiator.ike, "reauthenticated SA"); !up.info.Authenticated.Equal(epoch.Add(20 * time.Minute)) {
		t.Errorf("reauthenticated SA authenticated at %v, want now", up.info.Authenticated)
	}
}
