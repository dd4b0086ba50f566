package ikesa

import (
	"bytes"
	"errors"
	"fmt"
	"net/netip"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/tcpipc/tcpipc/internal/clock"
	"github.com/tcpipc/tcpipc/internal/ike/wire"
	"github.com/tcpipc/tcpipc/internal/testkit/memnet"
)

var cmpAddr = cmp.Comparer(func(a, b netip.Addr) bool { return a == b })

// establish runs a handshake and returns both sides' view of the child.
func establish(t testing.TB, initiator, responder *node) (*IKESA, ChildSA, ChildSA) {
	t.Helper()
	sa, err := initiator.d.Initiate("gw")
	if err != nil {
		t.Fatal(err)
	}
	for _, n := range []*node{initiator, responder} {
		if ev := wait(t, n.ike, "IKE SA up"); ev.err != nil || ev.info.State != StateEstablished {
			t.Fatalf("IKE SA event %+v, %v", ev.info, ev.err)
		}
	}
	return sa, wait(t, initiator.children, "initiator child"), wait(t, responder.children, "responder child")
}

// checkChildPair checks that two views of one child SA fit together.
func checkChildPair(t *testing.T, ic, rc ChildSA, esp Suite) {
	t.Helper()
	if ic.InboundSPI != rc.OutboundSPI || ic.OutboundSPI != rc.InboundSPI || ic.InboundSPI < 256 || rc.InboundSPI < 256 {
		t.Errorf("SPIs: initiator in %#x out %#x, responder in %#x out %#x", ic.InboundSPI, ic.OutboundSPI, rc.InboundSPI, rc.OutboundSPI)
	}
	if !bytes.Equal(ic.OutboundEncrKey, rc.InboundEncrKey) || !bytes.Equal(ic.InboundEncrKey, rc.OutboundEncrKey) ||
		!bytes.Equal(ic.OutboundIntegKey, rc.InboundIntegKey) || !bytes.Equal(ic.InboundIntegKey, rc.OutboundIntegKey) {
		t.Error("the two sides derived different child keys")
	}
	if bytes.Equal(ic.InboundEncrKey, ic.OutboundEncrKey) {
		t.Error("both directions share one key")
	}
	for _, c := range []ChildSA{ic, rc} {
		if c.Encr != esp.Encr || c.KeyBits != esp.KeyBits || c.Integ != esp.Integ || c.ESN != esp.ESN {
			t.Errorf("child of %s has %s_%d %s ESN=%v", c.Peer, c.Encr, c.KeyBits, c.Integ, c.ESN)
		}
	}
	wantI := []wire.Selector{Prefix(netip.MustParsePrefix("10.1.0.0/24"))}
	wantR := []wire.Selector{Prefix(netip.MustParsePrefix("10.99.0.0/16"))}
	if d := cmp.Diff(wantI, ic.LocalTS, cmpAddr) + cmp.Diff(wantR, ic.RemoteTS, cmpAddr) +
		cmp.Diff(wantI, rc.RemoteTS, cmpAddr) + cmp.Diff(wantR, rc.LocalTS, cmpAddr); d != "" {
		t.Errorf("narrowed selectors (-want +got):\n%s", d)
	}
	if ic.Peer != "gw" || rc.Peer != "peer" || ic.IKE != rc.IKE {
		t.Errorf("child owners %q %v and %q %v", ic.Peer, ic.IKE, rc.Peer, rc.IKE)
	}
}

// TestHandshakeEverySuite establishes an IKE SA and its child with every
// combination of IKE cipher, PRF and DH group we support; ESP suites take
// turns so each is used with every DH group.
func TestHandshakeEverySuite(t *testing.T) {
	ciphers := []Suite{
		{Encr: wire.ENCR_AES_GCM_16, KeyBits: 128},
		{Encr: wire.ENCR_AES_GCM_16, KeyBits: 256},
		{Encr: wire.ENCR_AES_CBC, KeyBits: 128, Integ: wire.AUTH_HMAC_SHA2_256_128},
		{Encr: wire.ENCR_AES_CBC, KeyBits: 256, Integ: wire.AUTH_HMAC_SHA1_96},
		{Encr: wire.ENCR_AES_CBC, KeyBits: 256, Integ: wire.AUTH_HMAC_SHA2_384_192},
		{Encr: wire.ENCR_AES_CBC, KeyBits: 128, Integ: wire.AUTH_HMAC_SHA2_512_256},
	}
	var esp []Suite
	for _, c := range ciphers {
		for _, esn := range []bool{false, true} {
			c.ESN = esn
			esp = append(esp, c)
		}
	}
	i := 0
	for _, c := range ciphers {
		for _, prf := range []wire.PRFID{wire.PRF_HMAC_SHA1, wire.PRF_HMAC_SHA2_256, wire.PRF_HMAC_SHA2_384, wire.PRF_HMAC_SHA2_512} {
			for _, dh := range []wire.DHGroup{wire.MODP2048, wire.ECP256, wire.ECP384, wire.ECP521, wire.Curve25519} {
				ike := c
				ike.PRF, ike.DH = prf, dh
				child := esp[i%len(esp)]
				i++
				t.Run(ike.String()+"/"+child.String(), func(t *testing.T) {
					_, initiator, responder := pair(t, setup{initIKE: []Suite{ike}, initESP: []Suite{child}})
					sa, ic, rc := establish(t, initiator, responder)
					checkChildPair(t, ic, rc, child)
					if info := sa.Info(); info.Suite != ike || info.State != StateEstablished || info.Children != 1 {
						t.Errorf("initiator sees %+v", info)
					}
					if ic.UDPEncap || rc.UDPEncap {
						t.Error("NAT detected without a NAT")
					}
					rekeyDeleteAll(t, sa, ic, initiator, responder, child)
				})
			}
		}
	}
}

// rekeyDeleteAll rekeys the child and then the IKE SA of an established
// pair, and deletes the new IKE SA: with every suite, as the acceptance
// asks, not only with the defaults.
func rekeyDeleteAll(t *testing.T, sa *IKESA, ic ChildSA, initiator, responder *node, child Suite) {
	t.Helper()
	done := make(chan error, 1)
	if err := sa.RekeyChild(ic.InboundSPI, func(err error) { done <- err }); err != nil {
		t.Fatal(err)
	}
	waitDone(t, done, "child rekey")
	checkChildPair(t, wait(t, initiator.children, "initiator's new child"), wait(t, responder.children, "responder's new child"), child)
	wait(t, initiator.deleted, "initiator's old child")
	wait(t, responder.deleted, "responder's old child")

	if err := sa.Rekey(func(err error) { done <- err }); err != nil {
		t.Fatal(err)
	}
	waitDone(t, done, "IKE rekey")
	for _, n := range []*node{initiator, responder} {
		if up := wait(t, n.ike, "new IKE SA"); up.err != nil || up.info.State != StateEstablished {
			t.Fatalf("new IKE SA %+v %v", up.info, up.err)
		}
		if down := wait(t, n.ike, "old IKE SA"); !errors.Is(down.err, ErrRekeyed) {
			t.Fatalf("old IKE SA %+v %v", down.info, down.err)
		}
	}
	handle(t, initiator).Delete()
	for _, n := range []*node{initiator, responder} {
		if ev := wait(t, n.ike, "IKE SA deletion"); !errors.Is(ev.err, ErrDeleted) {
			t.Fatalf("deletion event %+v %v", ev.info, ev.err)
		}
		if len(n.d.SAs()) != 0 {
			t.Fatal("a deleted SA is still listed")
		}
	}
}

// TestResponderPreference checks that the responder takes the first of
// the initiator's proposals it supports, and the initiator accepts it.
func TestResponderPreference(t *testing.T) {
	cbc := Suite{Encr: wire.ENCR_AES_CBC, KeyBits: 256, Integ: wire.AUTH_HMAC_SHA2_256_128, PRF: wire.PRF_HMAC_SHA2_384, DH: wire.Curve25519}
	_, initiator, responder := pair(t, setup{
		initIKE: []Suite{{Encr: wire.ENCR_AES_GCM_16, KeyBits: 256, PRF: wire.PRF_HMAC_SHA2_512, DH: wire.Curve25519}, cbc, gcm128},
		respIKE: []Suite{gcm128, cbc},
		initESP: []Suite{{Encr: wire.ENCR_AES_GCM_16, KeyBits: 256}, espGCM},
		respESP: []Suite{espGCM},
	})
	sa, ic, rc := establish(t, initiator, responder)
	if got := sa.Info().Suite; got != cbc {
		t.Errorf("IKE suite %s, want %s", got, cbc)
	}
	checkChildPair(t, ic, rc, espGCM)
}

func TestInvalidKERetry(t *testing.T) {
	x25519, ecp := gcm128, gcm128
	ecp.DH = wire.ECP256
	clk := clock.NewManual(epoch)
	n, initiator, responder := pair(t, setup{initIKE: []Suite{x25519, ecp}, respIKE: []Suite{ecp}, clock: clk})
	var tp tap
	tp.install(n, clk)
	sa, ic, rc := establish(t, initiator, responder)
	checkChildPair(t, ic, rc, espGCM)
	if sa.Info().Suite.DH != wire.ECP256 {
		t.Errorf("suite %s", sa.Info().Suite)
	}
	reqs, resps := tp.matching(wire.IKE_SA_INIT, false), tp.matching(wire.IKE_SA_INIT, true)
	if len(reqs) != 2 || len(resps) != 2 {
		t.Fatalf("%d IKE_SA_INIT requests and %d responses, want 2 and 2", len(reqs), len(resps))
	}
	m, _ := wire.DecodeMessage(resps[0].msg)
	if n := wire.FindNotify(m.Payloads, wire.INVALID_KE_PAYLOAD); n == nil || !bytes.Equal(n.Data, []byte{0, 19}) {
		t.Errorf("first response %v, want INVALID_KE_PAYLOAD naming group 19", m.Payloads)
	}
	retry, _ := wire.DecodeMessage(reqs[1].msg)
	if ke := wire.Find(retry.Payloads, wire.PayloadKE).(*wire.KE); ke.Group != wire.ECP256 || retry.MessageID != 0 {
		t.Errorf("retry has KE group %s, message ID %d", ke.Group, retry.MessageID)
	}
}

func TestNoProposalChosen(t *testing.T) {
	other := gcm128
	other.PRF = wire.PRF_HMAC_SHA1
	_, initiator, responder := pair(t, setup{initIKE: []Suite{gcm128}, respIKE: []Suite{other}})
	if _, err := initiator.d.Initiate("gw"); err != nil {
		t.Fatal(err)
	}
	if ev := wait(t, initiator.ike, "IKE SA failure"); !errors.Is(ev.err, ErrNoProposal) || ev.info.State != StateDead {
		t.Errorf("initiator event %+v %v", ev.info, ev.err)
	}
	quiet(t, responder.ike, "responder IKE event")
	if len(responder.d.SAs()) != 0 || len(initiator.d.SAs()) != 0 {
		t.Error("state left behind")
	}
}

func TestAuthenticationFailure(t *testing.T) {
	_, initiator, responder := pair(t, setup{initPSK: "right", respPSK: "wrong"})
	if _, err := initiator.d.Initiate("gw"); err != nil {
		t.Fatal(err)
	}
	if ev := wait(t, initiator.ike, "initiator failure"); !errors.Is(ev.err, ErrAuthFailed) {
		t.Errorf("initiator: %v", ev.err)
	}
	if ev := wait(t, responder.ike, "responder failure"); !errors.Is(ev.err, ErrAuthFailed) {
		t.Errorf("responder: %v", ev.err)
	}
	quiet(t, initiator.children, "child")
	quiet(t, responder.children, "child")
}

func TestTSUnacceptableKeepsIKESA(t *testing.T) {
	_, initiator, responder := pair(t, setup{
		respRemoteTS: []wire.Selector{Prefix(netip.MustParsePrefix("172.16.0.0/12"))},
	})
	sa, err := initiator.d.Initiate("gw")
	if err != nil {
		t.Fatal(err)
	}
	for _, n := range []*node{initiator, responder} {
		if ev := wait(t, n.ike, "IKE SA up"); ev.err != nil {
			t.Fatal(ev.err)
		}
	}
	// The initiator hears that its IKE_AUTH child was refused.
	if ev := wait(t, initiator.refused, "the child refused"); ev.info.ID != sa.Info().ID || !strings.Contains(fmt.Sprint(ev.err), "TS_UNACCEPTABLE") {
		t.Errorf("refusal %+v: %v", ev.info, ev.err)
	}
	quiet(t, initiator.children, "child")
	quiet(t, responder.children, "child")
	if info := sa.Info(); info.State != StateEstablished || info.Children != 0 {
		t.Errorf("initiator SA %+v", info)
	}
	done := make(chan error, 1)
	if err := sa.CheckLiveness(func(err error) { done <- err }); err != nil {
		t.Fatal(err)
	}
	if err := wait(t, done, "liveness answer"); err != nil {
		t.Errorf("liveness: %v", err)
	}
}

// TestRetransmission loses the first response of IKE_SA_INIT and of
// IKE_AUTH. The initiator must retransmit after the timeout, and the
// responder must answer each retransmission with its cached response,
// byte for byte, without processing the request again.
func TestRetransmission(t *testing.T) {
	clk := clock.NewManual(epoch)
	n, initiator, responder := pair(t, setup{clock: clk})
	var tp tap
	lost := make(chan wire.ExchangeType, 2)
	seen := map[wire.ExchangeType]int{}
	tp.drop = func(h wire.Header, _ int) bool {
		if !h.IsResponse() {
			return false
		}
		seen[h.Exchange()]++
		if seen[h.Exchange()] == 1 {
			lost <- h.Exchange()
			return true
		}
		return false
	}
	tp.install(n, clk)
	if _, err := initiator.d.Initiate("gw"); err != nil {
		t.Fatal(err)
	}
	for _, x := range []wire.ExchangeType{wire.IKE_SA_INIT, wire.IKE_AUTH} {
		if got := wait(t, lost, "a lost response"); got != x {
			t.Fatalf("lost %s, want %s", got, x)
		}
		quiet(t, initiator.ike, "IKE event before the retransmission")
		clk.Advance(DefaultRetransmitTimeout)
	}
	ic, rc := wait(t, initiator.children, "initiator child"), wait(t, responder.children, "responder child")
	checkChildPair(t, ic, rc, espGCM)
	quiet(t, responder.children, "a second responder child")

	for _, x := range []wire.ExchangeType{wire.IKE_SA_INIT, wire.IKE_AUTH} {
		reqs, resps := tp.matching(x, false), tp.matching(x, true)
		if len(reqs) != 2 || len(resps) != 2 {
			t.Fatalf("%s: %d requests, %d responses; want 2 and 2", x, len(reqs), len(resps))
		}
		if !bytes.Equal(reqs[0].msg, reqs[1].msg) {
			t.Errorf("%s request retransmitted with different bytes", x)
		}
		if !bytes.Equal(resps[0].msg, resps[1].msg) {
			t.Errorf("%s response re-sent with different bytes", x)
		}
	}
	if s := initiator.d.Stats(); s.Retransmissions != 2 {
		t.Errorf("initiator stats %+v", s)
	}
	if s := responder.d.Stats(); s.ResentResponses != 2 {
		t.Errorf("responder stats %+v", s)
	}
}

// TestLivenessTimeout cuts the network after establishment. The liveness
// check must be retransmitted with doubling waits, then the IKE SA and its
// child declared dead.
func TestLivenessTimeout(t *testing.T) {
	clk := clock.NewManual(epoch)
	n, initiator, responder := pair(t, setup{clock: clk})
	sa, ic, _ := establish(t, initiator, responder)
	var tp tap
	tp.drop = func(wire.Header, int) bool { return true }
	tp.install(n, clk)
	start := clk.Now()
	done := make(chan error, 1)
	if err := sa.CheckLiveness(func(err error) { done <- err }); err != nil {
		t.Fatal(err)
	}
	clk.Advance(time.Hour)
	if err := wait(t, done, "liveness outcome"); !errors.Is(err, ErrTimeout) {
		t.Errorf("liveness: %v", err)
	}
	if ev := wait(t, initiator.ike, "IKE SA death"); !errors.Is(ev.err, ErrTimeout) || ev.info.State != StateDead {
		t.Errorf("event %+v %v", ev.info, ev.err)
	}
	if gone := wait(t, initiator.deleted, "child deletion"); gone.InboundSPI != ic.InboundSPI {
		t.Errorf("deleted child %#x, want %#x", gone.InboundSPI, ic.InboundSPI)
	}
	var offsets []time.Duration
	for _, m := range tp.matching(wire.INFORMATIONAL, false) {
		offsets = append(offsets, m.at.Sub(start))
	}
	want := []time.Duration{0, 2 * time.Second, 6 * time.Second, 14 * time.Second, 30 * time.Second, 62 * time.Second}
	if d := cmp.Diff(want, offsets); d != "" {
		t.Errorf("send times of the liveness check (-want +got):\n%s", d)
	}
	if len(initiator.d.SAs()) != 0 {
		t.Error("dead SA still listed")
	}
}

func TestDelete(t *testing.T) {
	_, initiator, responder := pair(t, setup{})
	sa, ic, rc := establish(t, initiator, responder)

	if err := sa.DeleteChild(ic.InboundSPI); err != nil {
		t.Fatal(err)
	}
	if got := wait(t, initiator.deleted, "initiator child deletion"); got.InboundSPI != ic.InboundSPI {
		t.Errorf("initiator deleted %#x", got.InboundSPI)
	}
	if got := wait(t, responder.deleted, "responder child deletion"); got.InboundSPI != rc.InboundSPI {
		t.Errorf("responder deleted %#x", got.InboundSPI)
	}

	sa.Delete()
	for _, n := range []*node{initiator, responder} {
		if ev := wait(t, n.ike, "IKE SA deletion"); !errors.Is(ev.err, ErrDeleted) || ev.info.State != StateDead {
			t.Errorf("event %+v %v", ev.info, ev.err)
		}
		if len(n.d.SAs()) != 0 {
			t.Error("deleted SA still listed")
		}
	}
}

func TestDeleteByResponderRemovesChildren(t *testing.T) {
	_, initiator, responder := pair(t, setup{})
	_, ic, _ := establish(t, initiator, responder)
	infos := responder.d.SAs()
	if len(infos) != 1 {
		t.Fatalf("responder holds %d SAs", len(infos))
	}
	responder.d.Lookup(infos[0].ID).Delete()
	if got := wait(t, initiator.deleted, "initiator child deletion"); got.InboundSPI != ic.InboundSPI {
		t.Errorf("deleted %#x", got.InboundSPI)
	}
	if ev := wait(t, initiator.ike, "IKE SA deletion"); !errors.Is(ev.err, ErrDeleted) {
		t.Errorf("initiator: %v", ev.err)
	}
}

func TestNATDetection(t *testing.T) {
	_, initiator, responder := pair(t, setup{nat: true})
	sa, ic, rc := establish(t, initiator, responder)
	if !ic.UDPEncap || !rc.UDPEncap {
		t.Errorf("UDPEncap initiator %v responder %v", ic.UDPEncap, rc.UDPEncap)
	}
	if info := sa.Info(); !info.NATLocal || info.NATRemote {
		t.Errorf("initiator sees NATLocal %v NATRemote %v", info.NATLocal, info.NATRemote)
	}
	r := responder.d.SAs()[0]
	if r.NATLocal || !r.NATRemote || r.Remote != natAddr || rc.Remote != natAddr {
		t.Errorf("responder sees %+v, child remote %s", r, rc.Remote)
	}
}

// TestInitialContact restarts the initiator: the new instance's
// INITIAL_CONTACT must make the responder drop the old IKE SA.
func TestInitialContact(t *testing.T) {
	n, initiator, responder := pair(t, setup{})
	_, _, oldChild := establish(t, initiator, responder)
	initiator.d.Close()
	initiator.ep.Close()
	restarted := newNode(t, n, initiator.d.cfg)

	if _, err := restarted.d.Initiate("gw"); err != nil {
		t.Fatal(err)
	}
	if ev := wait(t, responder.ike, "old SA replaced"); !errors.Is(ev.err, ErrReplaced) {
		t.Errorf("first responder event: %+v %v", ev.info, ev.err)
	}
	if got := wait(t, responder.deleted, "old child deletion"); got.InboundSPI != oldChild.InboundSPI {
		t.Errorf("deleted %#x, want %#x", got.InboundSPI, oldChild.InboundSPI)
	}
	if ev := wait(t, responder.ike, "new SA"); ev.err != nil {
		t.Errorf("new SA: %v", ev.err)
	}
	wait(t, responder.children, "new responder child")
	if got := len(responder.d.SAs()); got != 1 {
		t.Errorf("responder holds %d SAs", got)
	}
}

// TestInitialContactFromAnotherRemote: the responder's peer has no fixed
// address, so it stands for many remotes sharing one identity. A second
// remote's INITIAL_CONTACT speaks for itself only: the first remote's IKE
// SA stays.
func TestInitialContactFromAnotherRemote(t *testing.T) {
	n, initiator, responder := pair(t, setup{})
	establish(t, initiator, responder)
	cfg := initiator.d.cfg
	cfg.Local = netip.AddrPortFrom(netip.MustParseAddr("203.0.113.77"), cfg.Local.Port())
	secondRemote(t, n, responder, cfg, responder.deleted, "a child deletion")
}

// secondRemote starts a daemon with cfg on n, has it initiate to the
// responder, and checks that the responder brings the new SA up and keeps
// the first remote's too: nothing arrives on the responder's channel
// quietCh (what) meanwhile, and it holds two IKE SAs.
func secondRemote[T any](t *testing.T, n *memnet.Network, responder *node, cfg Config, quietCh <-chan T, what string) {
	t.Helper()
	other := newNode(t, n, cfg)
	if _, err := other.d.Initiate("gw"); err != nil {
		t.Fatal(err)
	}
	if ev := wait(t, responder.ike, "the second remote's SA"); ev.err != nil {
		t.Fatalf("first responder event: %+v %v", ev.info, ev.err)
	}
	wait(t, responder.children, "the second remote's child")
	quiet(t, quietCh, what)
	if got := len(responder.d.SAs()); got != 2 {
		t.Errorf("responder holds %d SAs, want both remotes'", got)
	}
}

// TestBadInputIsCountedAndSurvived feeds the responder garbage, then a
// callback that panics, and checks it still completes a handshake.
func TestBadInputIsCountedAndSurvived(t *testing.T) {
	clk := clock.NewManual(epoch)
	n, initiator, responder := pair(t, setup{clock: clk})
	var tp tap
	tp.install(n, clk)
	from := netip.MustParseAddrPort("203.0.113.9:500")

	garbage := [][]byte{
		nil,
		{0xff},
		bytes.Repeat([]byte{0xa5}, 100),
	}
	for _, b := range garbage {
		responder.d.HandleDatagram(from, b)
	}
	unknown, _ := (&wire.Message{SPIi: 7, SPIr: 8, Exchange: wire.INFORMATIONAL, Flags: wire.FlagInitiator, MessageID: 3,
		Payloads: []wire.Payload{&wire.SK{NextInner: wire.NoNextPayload, Body: make([]byte, 40)}}}).Encode()
	responder.d.HandleDatagram(from, unknown)
	critical := []byte{
		0, 0, 0, 0, 0, 0, 0, 9, 0, 0, 0, 0, 0, 0, 0, 0, 200, 0x20, 34, 0x08, 0, 0, 0, 0, 0, 0, 0, 33,
		0, 0x80, 0, 5, 1,
	}
	responder.d.HandleDatagram(from, critical)
	s := responder.d.Stats()
	if s.Malformed != 4 || s.UnknownSPI != 1 || s.Received != 5 {
		t.Errorf("stats %+v", s)
	}
	answers := tp.matching(wire.IKE_SA_INIT, true)
	if len(answers) != 1 || answers[0].dst != from {
		t.Fatalf("answers to the critical payload: %d", len(answers))
	}
	m, _ := wire.DecodeMessage(answers[0].msg)
	if n := wire.FindNotify(m.Payloads, wire.UNSUPPORTED_CRITICAL_PAYLOAD); n == nil || !bytes.Equal(n.Data, []byte{200}) {
		t.Errorf("answer %v", m.Payloads)
	}

	// A callback that panics is recovered per datagram.
	var once sync.Once
	responder.d.mu.Lock()
	responder.d.cfg.OnChildSA = func(ChildSA) { once.Do(func() { panic("callback bug") }) }
	responder.d.mu.Unlock()
	if _, err := initiator.d.Initiate("gw"); err != nil {
		t.Fatal(err)
	}
	wait(t, initiator.children, "first child")
	deadline := time.Now().Add(5 * time.Second)
	for responder.d.Stats().Panics != 1 && time.Now().Before(deadline) {
		time.Sleep(time.Millisecond)
	}
	if p := responder.d.Stats().Panics; p != 1 {
		t.Fatalf("panics counted: %d", p)
	}
	responder.d.mu.Lock()
	responder.d.cfg.OnChildSA = func(c ChildSA) { responder.children <- c }
	responder.d.mu.Unlock()
	_, ic, rc := establish(t, initiator, responder)
	checkChildPair(t, ic, rc, espGCM)
}

// TestDuplicateAndStaleRequests checks the responder's window: an old
// message ID is dropped, a replay of the last one gets the cached answer,
// and IKE_SA_INIT replayed after establishment is ignored.
func TestDuplicateAndStaleRequests(t *testing.T) {
	clk := clock.NewManual(epoch)
	n, initiator, responder := pair(t, setup{clock: clk})
	var tp tap
	tp.install(n, clk)
	sa, _, _ := establish(t, initiator, responder)
	done := make(chan error, 1)
	if err := sa.CheckLiveness(func(err error) { done <- err }); err != nil {
		t.Fatal(err)
	}
	if err := wait(t, done, "liveness answer"); err != nil {
		t.Fatal(err)
	}
	init := tp.matching(wire.IKE_SA_INIT, false)[0]
	auth := tp.matching(wire.IKE_AUTH, false)[0]
	info := tp.matching(wire.INFORMATIONAL, false)[0]
	before := responder.d.Stats()
	responder.d.HandleDatagram(initAddr, init.msg) // a late IKE_SA_INIT must not start a second SA
	responder.d.HandleDatagram(initAddr, auth.msg) // message ID 1, window is at 3
	responder.d.HandleDatagram(initAddr, info.msg) // message ID 2: resend
	after := responder.d.Stats()
	if len(responder.d.SAs()) != 1 {
		t.Errorf("responder holds %d SAs", len(responder.d.SAs()))
	}
	if after.Dropped != before.Dropped+2 || after.ResentResponses != before.ResentResponses+1 {
		t.Errorf("stats before %+v after %+v", before, after)
	}
	resps := tp.matching(wire.INFORMATIONAL, true)
	if len(resps) != 2 || !bytes.Equal(resps[0].msg, resps[1].msg) {
		t.Errorf("%d INFORMATIONAL responses, or they differ", len(resps))
	}
}

// TestCreateChildMalformed sends CREATE_CHILD_SA without an SA payload:
// the answer is INVALID_SYNTAX and the IKE SA stays up.
func TestCreateChildMalformed(t *testing.T) {
	_, initiator, responder := pair(t, setup{})
	sa, _, _ := establish(t, initiator, responder)
	got := make(chan []wire.Payload, 1)
	initiator.d.mu.Lock()
	sa.startRequest(&request{
		exchange: wire.CREATE_CHILD_SA,
		payloads: []wire.Payload{&wire.Nonce{Data: make([]byte, 32)}},
		onResponse: func(r *response) error {
			got <- r.payloads
			return nil
		},
	})
	initiator.d.mu.Unlock()
	ps := wait(t, got, "CREATE_CHILD_SA answer")
	if wire.FindNotify(ps, wire.INVALID_SYNTAX) == nil {
		t.Errorf("answer %v", ps)
	}
	if sa.Info().State != StateEstablished {
		t.Error("IKE SA gone")
	}
}

func TestNothingPrintsKeys(t *testing.T) {
	_, initiator, responder := pair(t, setup{})
	sa, ic, _ := establish(t, initiator, responder)
	key := fmt.Sprintf("%x", []byte(ic.InboundEncrKey))
	for _, v := range []any{ic, &ic, sa, sa.Info()} {
		for _, verb := range []string{"%v", "%+v", "%#v", "%x", "%d"} {
			if out := fmt.Sprintf(verb, v); strings.Contains(out, key[:8]) {
				t.Errorf("%T printed key material with %s: %s", v, verb, out)
			}
		}
	}
}

func TestConfigValidation(t *testing.T) {
	base := Config{
		Local: respAddr, ID: FQDN("gw"), IKE: []Suite{gcm128}, ESP: []Suite{espGCM}, Transport: memnet.New().Endpoint(respAddr),
	}
	for name, mutate := range map[string]func(*Config){
		"no local address": func(c *Config) { c.Local = netip.AddrPort{} },
		"no identity":      func(c *Config) { c.ID = Identity{} },
		"no transport":     func(c *Config) { c.Transport = nil },
		"GCM with integrity": func(c *Config) {
			c.ESP = []Suite{{Encr: wire.ENCR_AES_GCM_16, KeyBits: 128, Integ: wire.AUTH_HMAC_SHA1_96}}
		},
		"CBC without integrity": func(c *Config) {
			c.IKE = []Suite{{Encr: wire.ENCR_AES_CBC, KeyBits: 128, PRF: wire.PRF_HMAC_SHA1, DH: wire.ECP256}}
		},
		"unknown DH group": func(c *Config) {
			c.IKE = []Suite{{Encr: wire.ENCR_AES_GCM_16, KeyBits: 128, PRF: wire.PRF_HMAC_SHA1, DH: 2}}
		},
		"peer without PSK": func(c *Config) {
			c.Peers = []Peer{{Name: "x", LocalTS: []wire.Selector{{}}, RemoteTS: []wire.Selector{{}}}}
		},
	} {
		c := base
		mutate(&c)
		if _, err := New(c); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
	if _, err := New(base); err != nil {
		t.Errorf("valid config refused: %v", err)
	}
}

func TestStateStrings(t *testing.T) {
	for s, want := range map[State]string{StateInitSent: "INIT_SENT", StateEstablished: "ESTABLISHED", StateDead: "DEAD", State(42): "State(42)"} {
		if s.String() != want {
			t.Errorf("%d: %q, want %q", int(s), s.String(), want)
		}
	}
}

// BenchmarkIKEHandshake measures complete IKE_SA_INIT plus IKE_AUTH
// exchanges, with the first child SA, between two in-process daemons
// using X25519, AES-GCM-128 and HMAC-SHA2-256. Each iteration also
// deletes the SA again, so the tables stay small.
func BenchmarkIKEHandshake(b *testing.B) {
	_, initiator, responder := pair(b, setup{clock: clock.Real{}})
	b.ReportAllocs()
	for b.Loop() {
		sa, _, _ := establish(b, initiator, responder)
		sa.Delete()
		wait(b, initiator.ike, "deletion")
		wait(b, responder.ike, "deletion")
		wait(b, initiator.deleted, "child deletion")
		wait(b, responder.deleted, "child deletion")
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "handshakes/s")
}

// TestInitialContactToAnotherRemote: a daemon whose peer has no fixed
// address (many remotes, one identity) initiates to a remote it holds no
// IKE SA with, as a new holder of a DVIPA renegotiating a recorded tunnel
// does. Its IKE SA with another remote of the same peer does not count:
// INITIAL_CONTACT goes, and the remote drops the IKE SA it still had with
// the daemon's earlier life.
func TestInitialContactToAnotherRemote(t *testing.T) {
	n, initiator, responder := pair(t, setup{})
	cfg := initiator.d.cfg
	cfg.Local = netip.AddrPortFrom(netip.MustParseAddr("203.0.113.77"), cfg.Local.Port())
	other := newNode(t, n, cfg)
	establish(t, other, responder)

	// The gateway restarts; the first remote comes back to it.
	responder.d.Close()
	responder.ep.Close()
	gw := newNode(t, n, responder.d.cfg)
	if _, err := initiator.d.Initiate("gw"); err != nil {
		t.Fatal(err)
	}
	wait(t, gw.children, "the first remote's child")

	if _, err := gw.d.InitiateTo("peer", cfg.Local); err != nil {
		t.Fatal(err)
	}
	if ev := wait(t, other.ike, "other's old SA replaced"); !errors.Is(ev.err, ErrReplaced) {
		t.Fatalf("other's next IKE event: %+v %v", ev.info, ev.err)
	}
}

// TestExpireEndsAtOnceAndTellsThePeer: Expire ends the SA and its child at
// once (ErrExpired) and, with no exchange under way, sends the peer a
// Delete, which ends the peer's SA too.
func TestExpireEndsAtOnceAndTellsThePeer(t *testing.T) {
	_, initiator, responder := pair(t, setup{})
	sa, ic, _ := establish(t, initiator, responder)
	sa.Expire()
	if got := wait(t, initiator.deleted, "initiator child deletion"); got.InboundSPI != ic.InboundSPI {
		t.Errorf("deleted %#x", got.InboundSPI)
	}
	if ev := wait(t, initiator.ike, "initiator IKE SA end"); !errors.Is(ev.err, ErrExpired) || len(initiator.d.SAs()) != 0 {
		t.Errorf("initiator: %v, %d SAs left", ev.err, len(initiator.d.SAs()))
	}
	if ev := wait(t, responder.ike, "responder IKE SA deletion"); !errors.Is(ev.err, ErrDeleted) {
		t.Errorf("responder: %v", ev.err)
	}
}
