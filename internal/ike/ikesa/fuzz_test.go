package ikesa

import (
	"encoding/hex"
	"encoding/json"
	"errors"
	"net/netip"
	"os"
	"testing"
	"time"

	"github.com/tcpipc/tcpipc/internal/clock"
	"github.com/tcpipc/tcpipc/internal/ike/wire"
	"github.com/tcpipc/tcpipc/internal/testkit/memnet"
)

// strongSwanInitRequest is the IKE_SA_INIT request of the strongSwan
// known-answer vector: peer.example offering AES-GCM-16-128, PRF-SHA256
// and Curve25519.
func strongSwanInitRequest(t testing.TB) []byte {
	t.Helper()
	raw, err := os.ReadFile("../testdata/ikev2-psk-x25519-aesgcm16-strongswan598.json")
	if err != nil {
		t.Fatal(err)
	}
	var v struct{ Msg1 string }
	if err := json.Unmarshal(raw, &v); err != nil {
		t.Fatal(err)
	}
	b, err := hex.DecodeString(v.Msg1)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestAnswersStrongSwanInit feeds strongSwan's own IKE_SA_INIT request to
// our responder and checks the answer's shape.
func TestAnswersStrongSwanInit(t *testing.T) {
	clk := clock.NewManual(epoch)
	n, _, responder := pair(t, setup{clock: clk})
	var tp tap
	tp.install(n, clk)
	from := netip.MustParseAddrPort("192.0.2.2:500")
	responder.d.HandleDatagram(from, strongSwanInitRequest(t))
	resps := tp.matching(wire.IKE_SA_INIT, true)
	if len(resps) != 1 || resps[0].dst != from {
		t.Fatalf("%d responses", len(resps))
	}
	m, err := wire.DecodeMessage(resps[0].msg)
	if err != nil {
		t.Fatal(err)
	}
	var types []wire.PayloadType
	for _, p := range m.Payloads {
		types = append(types, p.Type())
	}
	// SA, KE, Nr, the two NAT_DETECTION notifies and
	// CHILDLESS_IKEV2_SUPPORTED (RFC 6023).
	want := []wire.PayloadType{wire.PayloadSA, wire.PayloadKE, wire.PayloadNonce, wire.PayloadNotify, wire.PayloadNotify, wire.PayloadNotify}
	if len(types) != len(want) || m.SPIi != 0xb1e0c303c42f881b || m.SPIr == 0 || m.Flags != wire.FlagResponse {
		t.Fatalf("response %s %x/%x with %v", m.Flags, m.SPIi, m.SPIr, types)
	}
	if wire.FindNotify(m.Payloads, wire.CHILDLESS_IKEV2_SUPPORTED) == nil {
		t.Error("no CHILDLESS_IKEV2_SUPPORTED: a peer that insists on childless initiation gives up")
	}
	for i := range want {
		if types[i] != want[i] {
			t.Fatalf("payloads %v, want %v", types, want)
		}
	}
	if p := m.Payloads[0].(*wire.SA).Proposals[0]; p.String() != "#1 IKE[AES_GCM_16_128 PRF_HMAC_SHA2_256 CURVE25519]" {
		t.Errorf("chose %s", p)
	}
	// strongSwan's libipsec fakes its source hash, so we must see a NAT.
	if info := responder.d.SAs(); len(info) != 1 || !info[0].NATRemote || info[0].State != StateInitDone {
		t.Errorf("responder SA %+v", info)
	}
	clk.Advance(DefaultHalfOpenTimeout)
	if ev := wait(t, responder.ike, "half-open timeout"); !errors.Is(ev.err, ErrTimeout) || len(responder.d.SAs()) != 0 {
		t.Errorf("after the half-open timeout: %v, %d SAs", ev.err, len(responder.d.SAs()))
	}
}

// FuzzHandleDatagram feeds arbitrary datagrams to a fresh responder, and
// to one that demands cookies (whose COOKIE notify it then checks). The
// per-datagram recover must never be needed: a recovered panic is still a
// bug, so the test fails on one.
func FuzzHandleDatagram(f *testing.F) {
	f.Add(strongSwanInitRequest(f))
	f.Add([]byte{})
	f.Add(initReq{spii: 1, ni: []byte("a nonce of sixteen"), cookie: make([]byte, cookieLen)}.encode(f))
	f.Fuzz(func(t *testing.T, b []byte) {
		for _, limits := range []*InitLimits{nil, alwaysCookies} {
			n := memnet.New()
			defer n.Close()
			d, err := New(Config{
				Local: respAddr, ID: FQDN("gw.example"), IKE: []Suite{gcm128}, ESP: []Suite{espGCM},
				Transport: n.Endpoint(respAddr), Clock: clock.NewManual(time.Unix(0, 0)), InitLimits: limits,
			})
			if err != nil {
				t.Fatal(err)
			}
			defer d.Close()
			d.HandleDatagram(netip.MustParseAddrPort("192.0.2.2:500"), b)
			if s := d.Stats(); s.Panics != 0 || limits != nil && s.HalfOpen != 0 {
				t.Fatalf("handling panicked, or made an SA without a cookie: %+v", s)
			}
		}
	})
}
