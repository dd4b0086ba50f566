package ikesa

import (
	"net/netip"
	"sync"
	"testing"
	"time"

	"github.com/tcpipc/tcpipc/internal/clock"
	"github.com/tcpipc/tcpipc/internal/ike/wire"
	"github.com/tcpipc/tcpipc/internal/testkit/memnet"
)

var (
	initAddr = netip.MustParseAddrPort("10.1.0.2:500")
	respAddr = netip.MustParseAddrPort("192.0.2.1:500")
	natAddr  = netip.MustParseAddrPort("198.51.100.7:40001")
	epoch    = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
)

var (
	gcm128 = Suite{Encr: wire.ENCR_AES_GCM_16, KeyBits: 128, PRF: wire.PRF_HMAC_SHA2_256, DH: wire.Curve25519}
	espGCM = Suite{Encr: wire.ENCR_AES_GCM_16, KeyBits: 128}
)

// ikeEvent is one OnIKESA call.
type ikeEvent struct {
	info IKESAInfo
	err  error
}

// node is a daemon on a memnet.Network with its callbacks turned into channels.
type node struct {
	d        *Daemon
	ep       *memnet.Endpoint
	children chan ChildSA
	deleted  chan ChildSA
	ike      chan ikeEvent
	refused  chan ikeEvent // OnChildRefused
}

// setup describes a test topology; zero fields get working defaults.
type setup struct {
	initIKE, initESP, respIKE, respESP []Suite
	initPSK, respPSK                   string
	// respRemoteTS is what the responder allows on the initiator's side.
	respRemoteTS []wire.Selector
	nat          bool
	clock        clock.Clock
	// onKeysI and onKeysR become the two daemons' OnKeys hooks.
	onKeysI, onKeysR func(IKESAKeys)
	// respLimits are the responder's InitLimits (nil: the defaults).
	respLimits *InitLimits
}

func (s *setup) defaults() {
	if s.initIKE == nil {
		s.initIKE = []Suite{gcm128}
	}
	if s.respIKE == nil {
		s.respIKE = s.initIKE
	}
	if s.initESP == nil {
		s.initESP = []Suite{espGCM}
	}
	if s.respESP == nil {
		s.respESP = s.initESP
	}
	if s.initPSK == "" {
		s.initPSK = "sysplex-test-psk"
	}
	if s.respPSK == "" {
		s.respPSK = s.initPSK
	}
	if s.respRemoteTS == nil {
		s.respRemoteTS = []wire.Selector{Prefix(netip.MustParsePrefix("10.1.0.0/24"))}
	}
	if s.clock == nil {
		s.clock = clock.NewManual(epoch)
	}
}

// pair builds an initiator ("peer.example" at initAddr) and a responder
// ("gw.example" at respAddr) that know each other.
func pair(t testing.TB, s setup) (*memnet.Network, *node, *node) {
	t.Helper()
	s.defaults()
	n := memnet.New()
	t.Cleanup(n.Close)
	if s.nat {
		n.MapPort(initAddr, natAddr)
	}
	initiator := newNode(t, n, Config{
		Local: initAddr, ID: FQDN("peer.example"), IKE: s.initIKE, ESP: s.initESP, Clock: s.clock, OnKeys: s.onKeysI,
		Peers: []Peer{{
			Name: "gw", Addr: respAddr, ID: FQDN("gw.example"), PSK: []byte(s.initPSK),
			LocalTS:  []wire.Selector{Prefix(netip.MustParsePrefix("10.1.0.0/16"))},
			RemoteTS: []wire.Selector{Prefix(netip.MustParsePrefix("0.0.0.0/0"))},
		}},
	})
	responder := newNode(t, n, Config{
		Local: respAddr, ID: FQDN("gw.example"), IKE: s.respIKE, ESP: s.respESP, Clock: s.clock, OnKeys: s.onKeysR,
		InitLimits: s.respLimits,
		Peers: []Peer{{
			Name: "peer", ID: FQDN("peer.example"), PSK: []byte(s.respPSK),
			LocalTS:  []wire.Selector{Prefix(netip.MustParsePrefix("10.99.0.0/16"))},
			RemoteTS: s.respRemoteTS,
		}},
	})
	return n, initiator, responder
}

func newNode(t testing.TB, n *memnet.Network, cfg Config) *node {
	t.Helper()
	nd := &node{children: make(chan ChildSA, 1000), deleted: make(chan ChildSA, 1000), ike: make(chan ikeEvent, 1000), refused: make(chan ikeEvent, 1000)}
	nd.ep = n.Endpoint(cfg.Local)
	cfg.Transport = nd.ep
	cfg.OnChildSA = func(c ChildSA) { nd.children <- c }
	cfg.OnChildSADeleted = func(c ChildSA) { nd.deleted <- c }
	cfg.OnIKESA = func(info IKESAInfo, err error) { nd.ike <- ikeEvent{info, err} }
	cfg.OnChildRefused = func(info IKESAInfo, err error) { nd.refused <- ikeEvent{info, err} }
	d, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	nd.d = d
	nd.ep.Serve(d.HandleDatagram)
	t.Cleanup(d.Close)
	return nd
}

// wait returns the next value from ch, failing the test after a while. The
// wait is in real time: only message delivery runs on goroutines.
func wait[T any](t testing.TB, ch <-chan T, what string) T {
	t.Helper()
	select {
	case v := <-ch:
		return v
	case <-time.After(10 * time.Second):
		t.Fatalf("timed out waiting for %s", what)
		panic("unreachable")
	}
}

// quiet checks that nothing arrives on ch for a short real-time moment.
func quiet[T any](t testing.TB, ch <-chan T, what string) {
	t.Helper()
	select {
	case v := <-ch:
		t.Fatalf("unexpected %s: %+v", what, v)
	case <-time.After(50 * time.Millisecond):
	}
}

// tap records every message the network carries and can drop some.
type tap struct {
	mu   sync.Mutex
	msgs []tapped
	drop func(h wire.Header, nth int) bool
}

type tapped struct {
	src, dst netip.AddrPort
	msg      []byte
	at       time.Time
}

func (tp *tap) install(n *memnet.Network, clk clock.Clock) {
	n.SetDrop(func(src, dst netip.AddrPort, msg []byte) bool {
		tp.mu.Lock()
		defer tp.mu.Unlock()
		tp.msgs = append(tp.msgs, tapped{src, dst, append([]byte(nil), msg...), clk.Now()})
		h, err := wire.ParseHeader(msg)
		return err == nil && tp.drop != nil && tp.drop(h, len(tp.msgs))
	})
}

// matching returns the recorded messages of exchange x that are responses
// or requests as asked.
func (tp *tap) matching(x wire.ExchangeType, response bool) []tapped {
	tp.mu.Lock()
	defer tp.mu.Unlock()
	var out []tapped
	for _, m := range tp.msgs {
		h, err := wire.ParseHeader(m.msg)
		if err == nil && h.Exchange() == x && h.IsResponse() == response {
			out = append(out, m)
		}
	}
	return out
}
