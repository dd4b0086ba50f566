package ikesa

import (
	"net/netip"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tcpipc/tcpipc/internal/clock"
	"github.com/tcpipc/tcpipc/internal/ike/wire"
)

// TestErrorAnswerGoesWhereTheRequestCameFrom: an authentic request whose
// inside cannot be decoded (a critical payload we do not know) is answered
// with UNSUPPORTED_CRITICAL_PAYLOAD at the address and port it came from
// (RFC 7296 section 2.11), also after the peer's NAT mapping changed. The
// answer went to the port the IKE SA knew before, where nobody listens any
// more, so the peer timed out instead of hearing the error.
func TestErrorAnswerGoesWhereTheRequestCameFrom(t *testing.T) {
	n, initiator, responder := pair(t, setup{})
	n.SetNAT(initAddr.Addr(), natAddr.Addr())
	sa, _, _ := establish(t, initiator, responder)
	n.RebindNAT()
	var mu sync.Mutex
	var requestFrom netip.AddrPort
	var answersTo []netip.AddrPort
	n.SetTap(func(src, dst netip.AddrPort, _ []byte) {
		mu.Lock()
		defer mu.Unlock()
		switch {
		case src.Addr() == natAddr.Addr():
			requestFrom = src
		case src.Addr() == respAddr.Addr():
			answersTo = append(answersTo, dst)
		}
	})
	got := make(chan []wire.Payload, 1)
	initiator.d.mu.Lock()
	sa.startRequest(&request{
		exchange: wire.INFORMATIONAL,
		payloads: []wire.Payload{&wire.Raw{PT: 200, Critical: true}},
		onResponse: func(r *response) error {
			got <- r.payloads
			return nil
		},
	})
	initiator.d.mu.Unlock()
	ps := wait(t, got, "the answer")
	if wire.FindNotify(ps, wire.UNSUPPORTED_CRITICAL_PAYLOAD) == nil {
		t.Errorf("answer %v, want UNSUPPORTED_CRITICAL_PAYLOAD", ps)
	}
	mu.Lock()
	defer mu.Unlock()
	if len(answersTo) == 0 || answersTo[0] != requestFrom {
		t.Errorf("the request came from %v; the answers went to %v", requestFrom, answersTo)
	}
}

// TestSimultaneousInitiationKeepsOurOwnSA: both sides initiate at once and
// each IKE_AUTH carries INITIAL_CONTACT. The peer's INITIAL_CONTACT speaks
// of the SAs it has lost, not of the one we are still negotiating with it
// (RFC 7296 section 2.4), so our half-open SA survives it and completes:
// the two sides end up sharing an IKE SA. Dropping ours left each side
// with only the SA the other had dropped.
func TestSimultaneousInitiationKeepsOurOwnSA(t *testing.T) {
	clk := clock.NewManual(epoch)
	n, initiator, responder := pair(t, setup{clock: clk})
	// Lose the first IKE_AUTH answer each way, so each side reads the
	// other's IKE_AUTH request before the answer to its own.
	var mu sync.Mutex
	lost := map[netip.AddrPort]bool{}
	n.SetDrop(func(src, dst netip.AddrPort, p []byte) bool {
		const exchangeAt, flagsAt, response = 18, 19, 0x20
		if len(p) <= flagsAt || wire.ExchangeType(p[exchangeAt]) != wire.IKE_AUTH || p[flagsAt]&response == 0 {
			return false
		}
		mu.Lock()
		defer mu.Unlock()
		if lost[src] {
			return false
		}
		lost[src] = true
		return true
	})
	if _, err := initiator.d.Initiate("gw"); err != nil {
		t.Fatal(err)
	}
	if _, err := responder.d.InitiateTo("peer", initAddr); err != nil {
		t.Fatal(err)
	}
	shared := func() bool {
		ours := map[IKESAID]bool{}
		for _, i := range initiator.d.SAs() {
			if i.State == StateEstablished {
				ours[i.ID] = true
			}
		}
		for _, i := range responder.d.SAs() {
			if i.State == StateEstablished && ours[i.ID] {
				return true
			}
		}
		return false
	}
	deadline := time.Now().Add(8 * time.Second)
	for !shared() {
		// Each side retransmits its IKE_AUTH and hears the cached answer.
		clk.Advance(DefaultRetransmitTimeout)
		if time.Now().After(deadline) {
			t.Fatalf("no IKE SA established on both sides:\n initiator %+v %+v\n responder %+v %+v", initiator.d.SAs(), initiator.d.Stats(), responder.d.SAs(), responder.d.Stats())
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// TestInitiatorSendsTheCookie: a responder under load answers our
// IKE_SA_INIT with only a COOKIE; we send the request again with the
// cookie as its first payload and the rest unchanged (RFC 7296 section
// 2.6), and the IKE SA comes up. The cookie answer used to end the SA
// ("no SA payload").
func TestInitiatorSendsTheCookie(t *testing.T) {
	n, initiator, responder := pair(t, setup{})
	cookie := []byte("a cookie of the responder's")
	var mu sync.Mutex
	var requests []*wire.Message
	n.SetDrop(func(src, dst netip.AddrPort, p []byte) bool {
		m, err := wire.DecodeMessage(p)
		if err != nil || m.Exchange != wire.IKE_SA_INIT || m.Flags&wire.FlagResponse != 0 {
			return false
		}
		mu.Lock()
		defer mu.Unlock()
		requests = append(requests, m)
		if len(requests) > 1 {
			return false
		}
		// The first request does not reach the responder: a responder
		// asking for a cookie answers it instead.
		answer := &wire.Message{SPIi: m.SPIi, Exchange: wire.IKE_SA_INIT, Flags: wire.FlagResponse,
			Payloads: []wire.Payload{&wire.Notify{NotifyType: wire.COOKIE, Data: cookie}}}
		raw, err := answer.Encode()
		if err != nil {
			t.Error(err)
			return true
		}
		go n.Inject(respAddr, src, raw)
		return true
	})
	sa, ic, rc := establish(t, initiator, responder)
	checkChildPair(t, ic, rc, espGCM)
	if sa.Info().State != StateEstablished {
		t.Fatalf("IKE SA %+v", sa.Info())
	}
	mu.Lock()
	defer mu.Unlock()
	if len(requests) != 2 {
		t.Fatalf("%d IKE_SA_INIT requests, want the first and its retry with the cookie", len(requests))
	}
	first, retry := requests[0], requests[1]
	n0, _ := retry.Payloads[0].(*wire.Notify)
	if n0 == nil || n0.NotifyType != wire.COOKIE || string(n0.Data) != string(cookie) {
		t.Errorf("the retry starts with %v, want our COOKIE", retry.Payloads[0])
	}
	if retry.SPIi != first.SPIi || len(retry.Payloads) != len(first.Payloads)+1 {
		t.Errorf("the retry changed more than the cookie: SPIi %x→%x, %d→%d payloads", first.SPIi, retry.SPIi, len(first.Payloads), len(retry.Payloads))
	}
}

// TestNATDetectionOnPort4500: a peer may begin IKE on port 4500, and
// strongSwan re-authenticates there. Our NAT detection must hash the port
// the request was sent to, 4500, or it finds a NAT that is not there (RFC
// 7296 section 2.23), and plain ESP turned into ESP in UDP.
func TestNATDetectionOnPort4500(t *testing.T) {
	n, initiator, responder := pair(t, setup{})
	at4500 := netip.AddrPortFrom(respAddr.Addr(), 4500)
	n.SetDrop(func(src, dst netip.AddrPort, p []byte) bool {
		if dst == at4500 {
			// The responder's NAT-T socket: what its endpoint would do.
			go responder.d.HandleDatagramAt(4500, src, append([]byte(nil), p...))
			return true
		}
		return false
	})
	if _, err := initiator.d.InitiateTo("gw", at4500); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(5 * time.Second)
	for {
		sas := responder.d.SAs()
		if len(sas) == 1 {
			if sas[0].NATLocal || sas[0].NATRemote {
				t.Fatalf("the responder finds a NAT that is not there: %+v", sas[0])
			}
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("the responder has %d IKE SAs", len(sas))
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// TestPFSRekeyTakesThePeersGroup: we offer PFS with ECP-256 first and
// Curve25519 second; the peer takes only Curve25519 and answers our
// CREATE_CHILD_SA with INVALID_KE_PAYLOAD naming it. The rekey tries once
// more with a Curve25519 KE and succeeds (RFC 7296 section 1.3); it sent
// the refused ECP-256 KE again every time until the child expired.
func TestPFSRekeyTakesThePeersGroup(t *testing.T) {
	sa, ic, initiator := pfsGroupMismatch(t)
	done := make(chan error, 1)
	if err := sa.RekeyChild(ic.InboundSPI, func(err error) { done <- err }); err != nil {
		t.Fatal(err)
	}
	if err := waitErr(t, done); err != nil {
		t.Fatalf("the rekey: %v", err)
	}
	nc := wait(t, initiator.children, "the rekeyed child")
	if !nc.PFS {
		t.Errorf("the rekeyed child %+v has no PFS", nc)
	}
	select {
	case err := <-done:
		t.Errorf("the rekey reported twice (%v)", err)
	default:
	}
}

// pfsGroupMismatch establishes an IKE SA whose initiator offers PFS with
// ECP-256 first and Curve25519 second, and whose responder takes only
// Curve25519; it returns the initiator's SA, its first child and node.
func pfsGroupMismatch(t *testing.T) (*IKESA, ChildSA, *node) {
	pfs := func(g wire.DHGroup) Suite { s := espGCM; s.DH = g; return s }
	_, initiator, responder := pair(t, setup{initESP: []Suite{pfs(wire.ECP256), pfs(wire.Curve25519)},
		respESP: []Suite{pfs(wire.Curve25519)}})
	sa, ic, _ := establish(t, initiator, responder)
	return sa, ic, initiator
}

func waitErr(t *testing.T, c chan error) error {
	t.Helper()
	select {
	case err := <-c:
		return err
	case <-time.After(5 * time.Second):
		t.Fatal("no answer")
		return nil
	}
}

// TestRekeyOfAChildBeingDeleted: the peer rekeys a child whose Delete we
// sent and it has not answered yet. It gets TEMPORARY_FAILURE (RFC 7296
// section 2.25.1), not CHILD_SA_NOT_FOUND, on which strongSwan creates the
// child again from scratch and the child we deleted comes back.
func TestRekeyOfAChildBeingDeleted(t *testing.T) {
	n, initiator, responder := pair(t, setup{})
	sa, ic, rc := establish(t, initiator, responder)
	const exchangeAt, flagsAt, response = 18, 19, 0x20
	var once sync.Once
	n.SetDrop(func(src, dst netip.AddrPort, p []byte) bool {
		held := false
		if src.Addr() == initAddr.Addr() && len(p) > flagsAt && wire.ExchangeType(p[exchangeAt]) == wire.INFORMATIONAL && p[flagsAt]&response == 0 {
			once.Do(func() { held = true }) // our Delete: its answer is late
		}
		return held
	})
	if err := sa.DeleteChild(ic.InboundSPI); err != nil {
		t.Fatal(err)
	}
	peerSA := responder.d.Lookup(sa.Info().ID)
	done := make(chan error, 1)
	if err := peerSA.RekeyChild(rc.InboundSPI, func(err error) { done <- err }); err != nil {
		t.Fatal(err)
	}
	err := waitErr(t, done)
	if err == nil || !strings.Contains(err.Error(), "TEMPORARY_FAILURE") {
		t.Fatalf("the peer's rekey: %v, want TEMPORARY_FAILURE", err)
	}
}

// TestPFSCreateChildTakesThePeersGroup is TestPFSRekeyTakesThePeersGroup
// for a new child: CREATE_CHILD_SA refused with INVALID_KE_PAYLOAD is
// tried once more with the group the peer names, and the child comes up.
func TestPFSCreateChildTakesThePeersGroup(t *testing.T) {
	sa, _, initiator := pfsGroupMismatch(t)
	done := make(chan error, 1)
	if err := sa.CreateChild(func(err error) { done <- err }); err != nil {
		t.Fatal(err)
	}
	if err := waitErr(t, done); err != nil {
		t.Fatalf("the new child: %v", err)
	}
	if nc := wait(t, initiator.children, "the new child"); !nc.PFS {
		t.Errorf("the new child %+v has no PFS", nc)
	}
}
