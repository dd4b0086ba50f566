package ipsec

import (
	"errors"
	"net/netip"
	"sync/atomic"
	"testing"
	"time"

	"github.com/tcpipc/tcpipc/internal/ike/ikesa"
	"github.com/tcpipc/tcpipc/internal/ike/wire"
	"github.com/tcpipc/tcpipc/plan"
	"github.com/tcpipc/tcpipc/runtime/swsa"
)

// TestRecordedProposals: a recovery offers the record's transforms only,
// the ESP one as the endpoint's own suite (with its PFS group) that has the
// recorded cipher, integrity and ESN.
func TestRecordedProposals(t *testing.T) {
	gcm := ikesa.Suite{Encr: wire.ENCR_AES_GCM_16, KeyBits: 128, DH: wire.ECP256}
	cbc := ikesa.Suite{Encr: wire.ENCR_AES_CBC, KeyBits: 256, Integ: wire.AUTH_HMAC_SHA2_256_128, DH: wire.ECP256}
	e := &Endpoint{cfg: Config{ESP: []ikesa.Suite{gcm, cbc}}}
	d := swsa.Decision{
		IKE: swsa.IKESA{Transforms: []plan.Transform{
			{Type: plan.TypeENCR, ID: plan.EncrAESCBC, KeyLength: 128}, {Type: plan.TypePRF, ID: plan.PRFHMACSHA2_256},
			{Type: plan.TypeINTEG, ID: plan.IntegHMACSHA2_256_128}, {Type: plan.TypeDH, ID: plan.DHECP256}}},
		Children: []swsa.ChildSA{{Transforms: []plan.Transform{
			{Type: plan.TypeENCR, ID: plan.EncrAESCBC, KeyLength: 256}, {Type: plan.TypeINTEG, ID: plan.IntegHMACSHA2_256_128},
			{Type: plan.TypeESN, ID: plan.ESNNo}}}},
	}
	p := e.recordedProposals(d)
	wantIKE := ikesa.Suite{Encr: wire.ENCR_AES_CBC, KeyBits: 128, Integ: wire.AUTH_HMAC_SHA2_256_128, PRF: wire.PRF_HMAC_SHA2_256, DH: wire.ECP256}
	if len(p.IKE) != 1 || p.IKE[0] != wantIKE || len(p.ESP) != 1 || p.ESP[0] != cbc {
		t.Fatalf("proposals %+v; want IKE %s and ESP %s", p, wantIKE, cbc)
	}
	// A recorded PFS group picks the suite with that group only; none has
	// it here, so the offer is one the policy refuses (the recovery fails
	// with ErrNoProposal rather than weaken the SA).
	d.Children[0].PFS = &plan.Transform{Type: plan.TypeDH, ID: plan.DHMODP2048}
	if p := e.recordedProposals(d); len(p.ESP) != 1 || p.ESP[0].DH != wire.MODP2048 {
		t.Fatalf("with PFS MODP-2048: %+v", p.ESP)
	}
}

// TestRecoveryTarget: a recovery starts on port 500 of the recorded
// address, or, for a peer behind a one-to-one NAT, on port 4500 of its
// recorded public address, whatever port the record kept.
func TestRecoveryTarget(t *testing.T) {
	peer := netip.MustParseAddr("192.0.2.7")
	for _, tc := range []struct {
		d    swsa.Decision
		want uint16
	}{
		{swsa.Decision{Peer: netip.AddrPortFrom(peer, 4500)}, 500},
		{swsa.Decision{Peer: netip.AddrPortFrom(peer, 500), UDPEncap: true}, 4500},
		{swsa.Decision{Peer: netip.AddrPortFrom(peer, 4500), UDPEncap: true}, 4500},
	} {
		if got := recoveryTarget(tc.d); got != netip.AddrPortFrom(peer, tc.want) {
			t.Errorf("decision %+v: initiates to %s, want port %d", tc.d, got, tc.want)
		}
	}
}

// TestRecoveryChildRefused: the peer accepts the recovery's IKE SA but
// refuses its first child SA (selectors outside its policy). The recovery
// ends as failed with the reason, and the peer's traffic is no longer held
// for it.
func TestRecoveryChildRefused(t *testing.T) {
	tp := newTopo(t, withoutNAT())
	var log eventLog
	e := tp.client.e
	e.SetSWSA(SWSA{Journal: &log, Stack: "MVS9"})
	e.EndRecoveryPlanning()
	d := recordedTunnel("172.16.0.1") // the gateway protects 10.1.1.0/24 only: it refuses this
	done := make(chan error, 1)
	e.Recover([]swsa.Decision{d}, func(_ swsa.Decision, err error) { done <- err })
	select {
	case err := <-done:
		if !errors.Is(err, ErrChildRefused) {
			t.Fatalf("recovery ended with %v, want %v", err, ErrChildRefused)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("the recovery never ended")
	}
	e.mu.Lock()
	held := e.holdsOnDemand(gwAddr)
	e.mu.Unlock()
	if held {
		t.Error("traffic to the peer is still held for the failed recovery")
	}
	s := e.swsaOf()
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.active != 0 || len(s.pending) != 0 {
		t.Errorf("window slots %d, pending %d after the recovery ended", s.active, len(s.pending))
	}
}

// recordedTunnel is a record's decision for a tunnel from the client's
// inner address to remote, through the gateway.
func recordedTunnel(remote string) swsa.Decision {
	r := netip.MustParseAddr(remote)
	return swsa.Decision{TunnelID: "MVS1.Y7", Writer: "MVS1", Peer: netip.AddrPortFrom(gwAddr, 500), Recover: true, Rule: "gw",
		IKE: swsa.IKESA{Version: "IKEv2", Transforms: []plan.Transform{{Type: plan.TypeENCR, ID: plan.EncrAESGCM16, KeyLength: 128},
			{Type: plan.TypePRF, ID: plan.PRFHMACSHA2_256}, {Type: plan.TypeDH, ID: plan.TransformID(wire.Curve25519)}}},
		Children: []swsa.ChildSA{{Protocol: "ESP", Mode: "TUNNEL",
			Transforms: []plan.Transform{{Type: plan.TypeENCR, ID: plan.EncrAESGCM16, KeyLength: 128}, {Type: plan.TypeESN, ID: plan.ESNNo}},
			Local:      []swsa.TrafficSelector{{Start: clientIn, End: clientIn, EndPort: 65535}},
			Remote:     []swsa.TrafficSelector{{Start: r, End: r, EndPort: 65535}}}},
	}
}

// TestCancelRecoveries: the stack gives the DVIPA up while a recovery
// waits for a silent peer and another waits for a window slot. Both end
// with the reason, traffic to the peer is no longer held, and no
// IKE_SA_INIT leaves after the cancel, however long the clock runs.
func TestCancelRecoveries(t *testing.T) {
	tp := newTopo(t, withoutNAT())
	var sent atomic.Int64
	tp.net.SetDrop(func(_, dst netip.AddrPort, payload []byte) bool {
		if dst == netip.AddrPortFrom(gwAddr, ikePort) {
			sent.Add(1)
			return true // the peer is silent
		}
		return false
	})
	var log eventLog
	e := tp.client.e
	e.SetSWSA(SWSA{Journal: &log, Stack: "MVS9"})
	e.EndRecoveryPlanning()
	done := make(chan error, 2)
	e.Recover([]swsa.Decision{recordedTunnel("10.1.1.7")}, func(_ swsa.Decision, err error) { done <- err })
	eventually(t, "the first IKE_SA_INIT", func() bool { return sent.Load() > 0 })
	gaveUp := errors.New("DVA1 given up")
	e.CancelRecoveries(gaveUp)
	if err := <-done; !errors.Is(err, gaveUp) {
		t.Fatalf("recovery ended with %v, want %v", err, gaveUp)
	}
	e.Recover([]swsa.Decision{recordedTunnel("10.1.1.8")}, func(_ swsa.Decision, err error) { done <- err })
	if err := <-done; !errors.Is(err, gaveUp) {
		t.Fatalf("a recovery after the cancel ended with %v, want %v", err, gaveUp)
	}
	before := sent.Load()
	for range 10 {
		tp.clk.Advance(10 * time.Second)
	}
	time.Sleep(50 * time.Millisecond) // let a wrongly scheduled retransmission reach the wire
	if n := sent.Load() - before; n != 0 {
		t.Errorf("%d IKE_SA_INIT sent after the recoveries were cancelled", n)
	}
	e.mu.Lock()
	held := e.holdsOnDemand(gwAddr)
	e.mu.Unlock()
	if held {
		t.Error("traffic to the peer is still held for a cancelled recovery")
	}
	if n := len(e.Daemon().SAs()); n != 0 {
		t.Errorf("%d IKE SAs left after the cancel", n)
	}
}
