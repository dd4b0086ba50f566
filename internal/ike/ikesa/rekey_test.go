package ikesa

import (
	"bytes"
	"errors"
	"sync"
	"testing"

	"github.com/tcpipc/tcpipc/internal/clock"
	"github.com/tcpipc/tcpipc/internal/ike/ikecrypto"
	"github.com/tcpipc/tcpipc/internal/ike/wire"
)

// handle returns the node's only IKE SA.
func handle(t testing.TB, n *node) *IKESA {
	t.Helper()
	infos := n.d.SAs()
	if len(infos) != 1 {
		t.Fatalf("node holds %d IKE SAs", len(infos))
	}
	sa := n.d.Lookup(infos[0].ID)
	if sa == nil {
		t.Fatal("Lookup does not find the SA SAs listed")
	}
	return sa
}

func waitDone(t testing.TB, done chan error, what string) {
	t.Helper()
	if err := wait(t, done, what); err != nil {
		t.Fatalf("%s: %v", what, err)
	}
}

// TestRekeyChild rekeys the child from either end, with and without PFS.
// The new pair must fit together and differ from the old one, which both
// ends then delete.
func TestRekeyChild(t *testing.T) {
	pfs := espGCM
	pfs.DH = wire.Curve25519
	modp := Suite{Encr: wire.ENCR_AES_CBC, KeyBits: 128, Integ: wire.AUTH_HMAC_SHA2_256_128, DH: wire.MODP2048}
	for _, tc := range []struct {
		name          string
		esp           Suite
		fromResponder bool
	}{
		{"initiator, no PFS", espGCM, false},
		{"responder, no PFS", espGCM, true},
		{"initiator, PFS X25519", pfs, false},
		{"responder, PFS MODP-2048", modp, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, initiator, responder := pair(t, setup{initESP: []Suite{tc.esp}})
			_, oldI, oldR := establish(t, initiator, responder)
			if oldI.PFS {
				t.Error("the first child claims PFS")
			}
			rekeyer, old := initiator, oldI
			if tc.fromResponder {
				rekeyer, old = responder, oldR
			}
			done := make(chan error, 1)
			if err := handle(t, rekeyer).RekeyChild(old.InboundSPI, func(err error) { done <- err }); err != nil {
				t.Fatal(err)
			}
			waitDone(t, done, "rekey")
			newI, newR := wait(t, initiator.children, "initiator's new child"), wait(t, responder.children, "responder's new child")
			checkChildPair(t, newI, newR, tc.esp)
			if newI.PFS != (tc.esp.DH != wire.DHNone) || newR.PFS != newI.PFS {
				t.Errorf("PFS flags %v %v", newI.PFS, newR.PFS)
			}
			if bytes.Equal(newI.InboundEncrKey, oldI.InboundEncrKey) || newI.InboundSPI == oldI.InboundSPI {
				t.Error("rekeyed child reuses the old key or SPI")
			}
			if gone := wait(t, initiator.deleted, "initiator's old child"); gone.InboundSPI != oldI.InboundSPI {
				t.Errorf("initiator deleted %#x, want %#x", gone.InboundSPI, oldI.InboundSPI)
			}
			if gone := wait(t, responder.deleted, "responder's old child"); gone.InboundSPI != oldR.InboundSPI {
				t.Errorf("responder deleted %#x, want %#x", gone.InboundSPI, oldR.InboundSPI)
			}
			for _, n := range []*node{initiator, responder} {
				if c := n.d.SAs()[0].Children; c != 1 {
					t.Errorf("%d children after the rekey", c)
				}
			}
		})
	}
}

// TestChildKeymatFollowsExchangeInitiator checks, against ikecrypto run by
// hand, that KEYMAT of a CREATE_CHILD_SA uses that exchange's nonces and
// gives its first half to the exchange's initiator (RFC 7296 section
// 2.17) — here the original responder, so the roles differ.
func TestChildKeymatFollowsExchangeInitiator(t *testing.T) {
	clk := clock.NewManual(epoch)
	n, initiator, responder := pair(t, setup{clock: clk})
	establish(t, initiator, responder)
	var tp tap
	tp.install(n, clk)
	rsa, isa := handle(t, responder), handle(t, initiator)
	var oldIn uint32
	rsa.d.mu.Lock()
	for spi := range rsa.children {
		oldIn = spi
	}
	rsa.d.mu.Unlock()
	done := make(chan error, 1)
	if err := rsa.RekeyChild(oldIn, func(err error) { done <- err }); err != nil {
		t.Fatal(err)
	}
	waitDone(t, done, "rekey")
	newR := wait(t, responder.children, "new child")

	open := func(sa *IKESA, raw []byte) []wire.Payload {
		sa.d.mu.Lock()
		defer sa.d.mu.Unlock()
		m, err := wire.DecodeMessage(raw)
		if err != nil {
			t.Fatal(err)
		}
		ps, err := sa.open.DecodeInner(raw, m)
		if err != nil {
			t.Fatal(err)
		}
		return ps
	}
	req := open(isa, tp.matching(wire.CREATE_CHILD_SA, false)[0].msg)
	resp := open(rsa, tp.matching(wire.CREATE_CHILD_SA, true)[0].msg)
	ni := wire.Find(req, wire.PayloadNonce).(*wire.Nonce).Data
	nr := wire.Find(resp, wire.PayloadNonce).(*wire.Nonce).Data
	prf, _ := ikecrypto.LookupPRF(gcm128.PRF)
	encr, _ := ikecrypto.LookupEncr(espGCM.Encr, espGCM.KeyBits)
	rsa.d.mu.Lock()
	skd := rsa.keys.D
	rsa.d.mu.Unlock()
	km, err := ikecrypto.DeriveChildKeys(prf, skd, nil, ni, nr, encr, nil)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(newR.OutboundEncrKey, km.EncrI) || !bytes.Equal(newR.InboundEncrKey, km.EncrR) {
		t.Error("the exchange initiator's outbound key is not the first half of KEYMAT")
	}
}

// TestRekeyIKE rekeys the IKE SA from either end. Afterwards each side
// holds one new IKE SA with the child, message IDs start again, and the
// new SK_d keys further children.
func TestRekeyIKE(t *testing.T) {
	for _, fromResponder := range []bool{false, true} {
		name := map[bool]string{false: "initiator", true: "responder"}[fromResponder]
		t.Run(name, func(t *testing.T) {
			cbc := Suite{Encr: wire.ENCR_AES_CBC, KeyBits: 256, Integ: wire.AUTH_HMAC_SHA1_96, PRF: wire.PRF_HMAC_SHA2_384, DH: wire.ECP384}
			_, initiator, responder := pair(t, setup{initIKE: []Suite{gcm128, cbc}, respIKE: []Suite{gcm128}})
			_, ic, _ := establish(t, initiator, responder)
			oldI, oldR := initiator.d.SAs()[0], responder.d.SAs()[0]
			rekeyer := initiator
			if fromResponder {
				rekeyer = responder
			}
			done := make(chan error, 1)
			if err := handle(t, rekeyer).Rekey(func(err error) { done <- err }); err != nil {
				t.Fatal(err)
			}
			waitDone(t, done, "IKE rekey")
			for _, n := range []*node{initiator, responder} {
				up := wait(t, n.ike, "new IKE SA")
				if up.err != nil || up.info.State != StateEstablished || up.info.Initiator != (n == rekeyer) || up.info.Replaces != oldI.ID {
					t.Errorf("new SA event %+v %v, want it to replace %v", up.info, up.err, oldI.ID)
				}
				down := wait(t, n.ike, "old IKE SA")
				if !errors.Is(down.err, ErrRekeyed) || (down.info.ID != oldI.ID) {
					t.Errorf("old SA event %+v %v", down.info, down.err)
				}
				quiet(t, n.deleted, "child deletion")
			}
			newI, newR := handle(t, initiator), handle(t, responder)
			if id := newI.Info().ID; id == oldI.ID || id != newR.Info().ID || oldR.ID != oldI.ID {
				t.Errorf("new SA %v, old %v", id, oldI.ID)
			}
			if c := newI.Info().Children; c != 1 {
				t.Errorf("initiator's new SA has %d children", c)
			}

			// The new SA works: a liveness check from the original
			// responder starts at message ID 0, and a child rekey uses the
			// new SK_d.
			live := make(chan error, 1)
			if err := newR.CheckLiveness(func(err error) { live <- err }); err != nil {
				t.Fatal(err)
			}
			waitDone(t, live, "liveness on the new SA")
			if err := newI.RekeyChild(ic.InboundSPI, func(err error) { done <- err }); err != nil {
				t.Fatal(err)
			}
			waitDone(t, done, "child rekey on the new SA")
			checkChildPair(t, wait(t, initiator.children, "child"), wait(t, responder.children, "child"), espGCM)
		})
	}
}

// TestRekeyCollision makes both ends rekey the same child at once. The
// test carries the CREATE_CHILD_SA messages by hand so that both requests
// cross for certain. Each end answers the other's request as usual (RFC
// 7296 section 2.25.1) and both rekeys succeed; then the new child whose
// exchange holds the lowest of the four nonces is redundant and its
// initiator deletes it, and the other exchange's initiator deletes the old
// child (section 2.8.1). One child is left, the same pair on both ends.
// Before, each end refused the other with TEMPORARY_FAILURE, and
// strongSwan, which answers a collision as the RFC says, sometimes lost
// its outbound SA in the retries that followed.
func TestRekeyCollision(t *testing.T) {
	clk := clock.NewManual(epoch)
	n, initiator, responder := pair(t, setup{clock: clk})
	_, ic, rc := establish(t, initiator, responder)
	var tp tap
	var mu sync.Mutex
	hold := true
	tp.drop = func(h wire.Header, _ int) bool {
		mu.Lock()
		defer mu.Unlock()
		return hold && h.Exchange() == wire.CREATE_CHILD_SA
	}
	tp.install(n, clk)
	results := make(chan error, 2)
	report := func(err error) { results <- err }
	isa, rsa := handle(t, initiator), handle(t, responder)
	if err := isa.RekeyChild(ic.InboundSPI, report); err != nil {
		t.Fatal(err)
	}
	if err := rsa.RekeyChild(rc.InboundSPI, report); err != nil {
		t.Fatal(err)
	}
	carry := func(response bool, what string) {
		msgs := tp.matching(wire.CREATE_CHILD_SA, response)
		if len(msgs) != 2 {
			t.Fatalf("%d %s", len(msgs), what)
		}
		for _, r := range msgs {
			to := responder
			if r.src == respAddr {
				to = initiator
			}
			to.d.HandleDatagram(r.src, r.msg)
		}
	}
	carry(false, "requests")
	carry(true, "responses")
	for range 2 {
		if err := wait(t, results, "rekey outcome"); err != nil {
			t.Errorf("rekey outcome %v, want both to succeed", err)
		}
	}
	mu.Lock()
	hold = false
	mu.Unlock()
	var left [2]ChildSA
	for i, nd := range []*node{initiator, responder} {
		for range 2 { // the old child and the redundant new one
			wait(t, nd.deleted, "child deletion")
		}
		left[i] = onlyChild(t, nd)
	}
	if left[0].InboundSPI == ic.InboundSPI || left[1].InboundSPI == rc.InboundSPI {
		t.Fatalf("the old child survived: %v / %v", left[0], left[1])
	}
	checkChildPair(t, left[0], left[1], espGCM)
}

// TestPeerRekeyWhileOursQueued: our rekey of a child still waits behind
// another exchange when the peer rekeys the same child. The peer never
// sees ours, so the two do not collide (RFC 7296 section 2.8.1): the
// peer's new child replaces the old one and ours is withdrawn unsent, not
// sent later for a child on its way out (the peer refuses it, or makes a
// third child that no one deletes).
func TestPeerRekeyWhileOursQueued(t *testing.T) {
	clk := clock.NewManual(epoch)
	n, initiator, responder := pair(t, setup{clock: clk})
	_, ic, rc := establish(t, initiator, responder)
	var tp tap
	var mu sync.Mutex
	hold := true
	tp.drop = func(h wire.Header, _ int) bool { // our liveness check
		mu.Lock()
		defer mu.Unlock()
		return hold && h.Exchange() == wire.INFORMATIONAL && !h.IsResponse() && h.FromInitiator()
	}
	tp.install(n, clk)
	isa, rsa := handle(t, initiator), handle(t, responder)
	live, ours, theirs := make(chan error, 1), make(chan error, 1), make(chan error, 1)
	if err := isa.CheckLiveness(func(err error) { live <- err }); err != nil {
		t.Fatal(err)
	}
	if err := isa.RekeyChild(ic.InboundSPI, func(err error) { ours <- err }); err != nil {
		t.Fatal(err)
	}
	if err := rsa.RekeyChild(rc.InboundSPI, func(err error) { theirs <- err }); err != nil {
		t.Fatal(err)
	}
	waitDone(t, theirs, "the peer's rekey")
	for _, nd := range []*node{initiator, responder} {
		wait(t, nd.deleted, "the old child's deletion")
	}
	mu.Lock()
	hold = false
	mu.Unlock()
	clk.Advance(initiator.d.cfg.RetransmitTimeout)
	waitDone(t, live, "our liveness check")
	waitDone(t, ours, "our rekey")
	if sent := tp.matching(wire.CREATE_CHILD_SA, false); len(sent) != 1 {
		t.Errorf("%d CREATE_CHILD_SA requests, want the peer's only", len(sent))
	}
	checkChildPair(t, onlyChild(t, initiator), onlyChild(t, responder), espGCM)
}

// onlyChild returns the one child SA nd's IKE SA holds.
func onlyChild(t *testing.T, nd *node) ChildSA {
	t.Helper()
	sa := handle(t, nd)
	nd.d.mu.Lock()
	defer nd.d.mu.Unlock()
	if len(sa.children) != 1 {
		t.Fatalf("%d children left, want 1", len(sa.children))
	}
	for _, c := range sa.children {
		return *c
	}
	return ChildSA{}
}

func TestCreateChild(t *testing.T) {
	_, initiator, responder := pair(t, setup{})
	sa, _, _ := establish(t, initiator, responder)
	done := make(chan error, 1)
	if err := sa.CreateChild(func(err error) { done <- err }); err != nil {
		t.Fatal(err)
	}
	waitDone(t, done, "new child")
	checkChildPair(t, wait(t, initiator.children, "child"), wait(t, responder.children, "child"), espGCM)
	if c := sa.Info().Children; c != 2 {
		t.Errorf("%d children", c)
	}
}
