package ipsec

import (
	"net/netip"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/tcpipc/tcpipc/internal/esp"
	"github.com/tcpipc/tcpipc/internal/ike/ikesa"
	"github.com/tcpipc/tcpipc/internal/ike/wire"
)

// withPFSMismatch gives the client PFS with X25519 and the gateway PFS
// with ECP-256 only: the first child (IKE_AUTH, no KE) is agreed, every
// CREATE_CHILD_SA of the client is refused with NO_PROPOSAL_CHOSEN.
func withPFSMismatch(t testing.TB) topoOption {
	_, client := parseSuites(t, "aes128gcm16-prfsha256-x25519", "aes128gcm16-x25519")
	_, gw := parseSuites(t, "aes128gcm16-prfsha256-x25519", "aes128gcm16-ecp256")
	return func(tp *topo) { tp.esp, tp.gwESP = client, gw }
}

// ikeSettler counts the IKE datagrams each end of a topo was sent, so a
// test that moves the clock can wait until both have handled all of
// them before moving it again.
type ikeSettler struct {
	mu             sync.Mutex
	toGW, toClient uint64
	// forged counts requests to the gateway a test dropped and answered
	// itself.
	forged atomic.Uint64
	// gw0 and client0 are what the two had received before.
	gw0, client0 uint64
}

func newIKESettler(tp *topo) *ikeSettler {
	s := &ikeSettler{gw0: tp.gw.e.Stats().IKEIn, client0: tp.client.e.Stats().IKEIn}
	tp.net.SetTap(func(src, dst netip.AddrPort, b []byte) {
		if !isIKE(src, dst, b) {
			return
		}
		s.mu.Lock()
		defer s.mu.Unlock()
		if dst.Addr() == gwAddr {
			s.toGW++
		} else {
			s.toClient++
		}
	})
	return s
}

// settle waits until both ends have handled, callbacks included, every
// IKE datagram sent to them.
func (s *ikeSettler) settle(t testing.TB, tp *topo) {
	t.Helper()
	handled := func(n *node, sent uint64) bool {
		x := &n.e.early
		x.mu.Lock()
		defer x.mu.Unlock()
		return len(x.active) == 0 && x.seq == n.e.Stats().IKEIn && x.seq == sent
	}
	eventually(t, "both ends done with their IKE messages", func() bool {
		s.mu.Lock()
		gw, client := s.toGW, s.toClient
		s.mu.Unlock()
		f := s.forged.Load() // each answers a request the gateway never got
		return handled(tp.gw, s.gw0+gw-f) && handled(tp.client, s.client0+client+f)
	})
}

// TestRefusedChildRekeyBacksOff: a peer that refuses every rekey of a
// child for want of a proposal (a PFS group mismatch) is asked again
// after longer and longer waits, the last time before the child's hard
// lifetime and never after it; then the child expires as any child does
// and the next packet starts a new negotiation. Before, the rekey was
// tried every 2 to 4 seconds until the hard lifetime: about 200 refusals
// in the ten minutes between soft and hard lifetime.
func TestRefusedChildRekeyBacksOff(t *testing.T) {
	tp := newTopo(t, withPFSMismatch(t), withClientLifetime(esp.Lifetime{SoftTime: 50 * time.Minute, HardTime: time.Hour}))
	settler := newIKESettler(tp)
	tp.establish(t)
	start := tp.clk.Now()
	refused := func() uint64 { return tp.gw.e.Stats().IKE.Refused[wire.NO_PROPOSAL_CHOSEN] }
	var tries []time.Duration // after start
	tp.clk.Advance(50*time.Minute - time.Second)
	for tp.clk.Now().Before(start.Add(62 * time.Minute)) {
		before := refused()
		tp.clk.Advance(time.Second)
		settler.settle(t, tp)
		if n := refused(); n > before {
			if n > before+1 {
				t.Fatalf("%d rekeys refused within one second", n-before)
			}
			tries = append(tries, tp.clk.Now().Sub(start))
		}
		if len(tries) > 20 {
			t.Fatalf("more than 20 rekeys refused by %v: %v", tp.clk.Now().Sub(start), tries)
		}
	}
	if len(tries) < 3 {
		t.Fatalf("rekeys refused at %v, want at least three tries", tries)
	}
	if last := tries[len(tries)-1]; last > time.Hour-time.Second {
		t.Errorf("last rekey at %v, want it before the hard lifetime (1h)", last)
	}
	// Each wait longer than the one before (the jitter stays within
	// each step's range), but the last, which the hard lifetime cuts.
	for i := 2; i < len(tries)-1; i++ {
		if prev, gap := tries[i-1]-tries[i-2], tries[i]-tries[i-1]; gap <= prev {
			t.Errorf("wait %d is %v after %v: tries at %v", i, gap, prev, tries)
		}
	}
	if s := tp.client.e.SAs(); len(s.Dynamic) != 0 {
		t.Fatalf("after the hard lifetime the client holds children %+v", s.Dynamic)
	}
	if v := tp.client.e.Outbound(udp4(clientIn, appAddr, 40000, 7, []byte("again"))); v != Queued {
		t.Errorf("a packet after the child expired: %v, want it queued for a new negotiation", v)
	}
}

// TestBackoffWaits: transient refusals are tried again within seconds,
// definitive ones after growing waits, both capped; no try is left past
// the deadline but one lastTryLead before it; and a new SA's backoff (a
// success replaced the old SA) starts from the first wait again.
func TestBackoffWaits(t *testing.T) {
	now := epoch
	temporary := &ikesa.PeerError{Notify: wire.TEMPORARY_FAILURE}
	noProposal := &ikesa.PeerError{Notify: wire.NO_PROPOSAL_CHOSEN}
	within := func(d, lo, hi time.Duration) bool { return d >= lo && d < hi }

	var b backoff
	for i, lo := range []time.Duration{2, 4, 8, 16, 30, 30} {
		d, ok := b.next(temporary, now, time.Time{})
		if lo *= time.Second; !ok || !within(d, lo, 2*lo) {
			t.Errorf("transient failure %d: wait %v %v, want [%v, %v)", i+1, d, ok, lo, 2*lo)
		}
	}
	b = backoff{}
	for i, lo := range []time.Duration{8 * time.Second, 32 * time.Second, 128 * time.Second, 512 * time.Second, 10 * time.Minute} {
		d, ok := b.next(noProposal, now, time.Time{})
		if !ok || !within(d, lo, 2*lo) {
			t.Errorf("definitive failure %d: wait %v %v, want [%v, %v)", i+1, d, ok, lo, 2*lo)
		}
	}
	// Ten minutes before the deadline: the fourth wait (at least 512s)
	// would pass it, so the last try comes lastTryLead before it.
	deadline := now.Add(10 * time.Minute)
	b = backoff{}
	at := now
	for range 3 {
		d, ok := b.next(noProposal, at, deadline)
		if !ok {
			t.Fatal("no try left early on")
		}
		at = at.Add(d)
	}
	if d, ok := b.next(noProposal, at, deadline); !ok || !at.Add(d).Equal(deadline.Add(-lastTryLead)) {
		t.Errorf("last try at %v %v, want %v before the deadline", at.Add(d).Sub(now), ok, lastTryLead)
	}
	if d, ok := b.next(noProposal, deadline.Add(-lastTryLead), deadline); ok {
		t.Errorf("a try %v after the last one", d)
	}
	if d, ok := (&backoff{}).next(noProposal, now, deadline); !ok || !within(d, 8*time.Second, 16*time.Second) {
		t.Errorf("a new SA's first wait %v, want it back at 8 to 16 seconds", d)
	}
	for _, err := range []error{temporary, ikesa.ErrTimeout, &ikesa.PeerError{Notify: wire.INVALID_KE_PAYLOAD}, ikesa.ErrAuthFailed} {
		want := err != temporary && err != ikesa.ErrTimeout
		if got := definitiveRefusal(err); got != want {
			t.Errorf("definitiveRefusal(%v) = %v, want %v", err, got, want)
		}
	}
}

// refuseReauthentication answers every IKE_SA_INIT the client sends while
// refusing is set with a forged NO_PROPOSAL_CHOSEN (IKE_SA_INIT is not
// encrypted, and its error answers are taken unauthenticated, RFC 7296
// §2.21.1) and returns the clock times at which it did. The network has
// no NAT.
func refuseReauthentication(t *testing.T, tp *topo, s *ikeSettler, refusing *atomic.Bool) func() []time.Duration {
	var mu sync.Mutex
	var at []time.Duration
	start := tp.clk.Now()
	tp.net.SetDrop(func(src, dst netip.AddrPort, b []byte) bool {
		h, err := wire.ParseHeader(b)
		if dst != netip.AddrPortFrom(gwAddr, ikePort) || err != nil || h.Exchange() != wire.IKE_SA_INIT || h.IsResponse() || !refusing.Load() {
			return false
		}
		m := &wire.Message{SPIi: h.SPIi(), Exchange: wire.IKE_SA_INIT, Flags: wire.FlagResponse,
			Payloads: []wire.Payload{&wire.Notify{NotifyType: wire.NO_PROPOSAL_CHOSEN}}}
		answer, err := m.Encode()
		if err != nil {
			t.Error(err)
			return true
		}
		mu.Lock()
		at = append(at, tp.clk.Now().Sub(start))
		mu.Unlock()
		s.forged.Add(1)
		tp.net.Inject(dst, src, answer)
		return true
	})
	return func() []time.Duration {
		mu.Lock()
		defer mu.Unlock()
		return slices.Clone(at)
	}
}

// TestRefusedReauthenticationBacksOff: a reauthentication the peer
// refuses for want of a proposal is tried again after growing waits, up
// to ten minutes and more, not every one to two minutes as before (over
// 60 tries in the two hours here); once one succeeds, the new SA's
// back-off starts from the first wait again.
func TestRefusedReauthenticationBacksOff(t *testing.T) {
	tp := newTopo(t, withoutNAT(), withReauth(time.Hour, 0))
	settler := newIKESettler(tp)
	tp.establish(t)
	var refusing atomic.Bool
	refusing.Store(true)
	tries := refuseReauthentication(t, tp, settler, &refusing)
	run := func(d time.Duration) {
		for end := tp.clk.Now().Add(d); tp.clk.Now().Before(end); {
			tp.clk.Advance(time.Second)
			settler.settle(t, tp)
		}
	}
	run(3 * time.Hour)
	first := tries()
	if len(first) < 6 || len(first) > 16 {
		t.Fatalf("reauthentication refused %d times in the two hours and more after it was due, want 6 to 16: %v", len(first), first)
	}
	for i := 2; i < 5; i++ {
		if prev, gap := first[i-1]-first[i-2], first[i]-first[i-1]; gap <= prev {
			t.Errorf("wait %d is %v after %v: tries at %v", i, gap, prev, first)
		}
	}
	if last := first[len(first)-1] - first[len(first)-2]; last < 10*time.Minute || last >= 20*time.Minute {
		t.Errorf("last wait %v, want the cap: 10 to 20 minutes", last)
	}
	old := tp.client.e.SAs().IKE[0].ID
	refusing.Store(false)
	run(20 * time.Minute)
	next := reauthenticatedFrom(t, tp, old)
	refusing.Store(true)
	run(next.Reauth.Sub(tp.clk.Now()) + 20*time.Second)
	again := tries()[len(first):]
	if len(again) != 2 || again[1]-again[0] < 8*time.Second || again[1]-again[0] > 17*time.Second {
		t.Errorf("after a success, refusals at %v, want the first wait (8 to 16 s) again", again)
	}
}
