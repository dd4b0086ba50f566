package ikesa

import (
	"net/netip"
	"testing"

	"github.com/tcpipc/tcpipc/internal/ike/wire"
)

// TestWildcardIdentity: a peer's wildcard identity covers the names its
// pattern matches ('*' any run, ASCII case ignored) and the addresses of
// its range, of its own type only.
func TestWildcardIdentity(t *testing.T) {
	fqdn := Identity{Type: wire.ID_FQDN, Data: []byte("*.Branch.example.com"), Wildcard: true}
	user := Identity{Type: wire.ID_RFC822_ADDR, Data: []byte("ops*@*.example.com"), Wildcard: true}
	v4 := Identity{Type: wire.ID_IPV4_ADDR, Wildcard: true,
		First: netip.MustParseAddr("192.0.2.0"), Last: netip.MustParseAddr("192.0.2.127")}
	name := func(t wire.IDType, s string) *wire.ID { return &wire.ID{IDType: t, Data: []byte(s)} }
	addr := func(s string) *wire.ID {
		a := netip.MustParseAddr(s)
		if a.Is4() {
			return &wire.ID{IDType: wire.ID_IPV4_ADDR, Data: a.AsSlice()}
		}
		return &wire.ID{IDType: wire.ID_IPV6_ADDR, Data: a.AsSlice()}
	}
	for _, tc := range []struct {
		id   Identity
		p    *wire.ID
		want bool
	}{
		{fqdn, name(wire.ID_FQDN, "gw1.branch.example.com"), true},
		{fqdn, name(wire.ID_FQDN, "a.b.BRANCH.EXAMPLE.COM"), true},
		{fqdn, name(wire.ID_FQDN, ".branch.example.com"), true},
		{fqdn, name(wire.ID_FQDN, "branch.example.com"), false},
		{fqdn, name(wire.ID_FQDN, "gw1.branch.example.com.evil"), false},
		{fqdn, name(wire.ID_FQDN, "gw1.branch.exampl\u017f.com"), false},
		{fqdn, name(wire.ID_RFC822_ADDR, "gw1.branch.example.com"), false},
		{user, name(wire.ID_RFC822_ADDR, "ops@lab.example.com"), true},
		{user, name(wire.ID_RFC822_ADDR, "ops-night@lab.example.com"), true},
		{user, name(wire.ID_RFC822_ADDR, "dev@lab.example.com"), false},
		{user, name(wire.ID_RFC822_ADDR, "ops@example.com"), false},
		{v4, addr("192.0.2.0"), true},
		{v4, addr("192.0.2.127"), true},
		{v4, addr("192.0.2.128"), false},
		{v4, addr("::ffff:192.0.2.1"), false},
		{v4, name(wire.ID_FQDN, "192.0.2.1"), false},
	} {
		if got := tc.id.equal(tc.p); got != tc.want {
			t.Errorf("%s covers %s %q: %v, want %v", tc.id, tc.p.IDType, tc.p.Data, got, tc.want)
		}
	}
}

// TestWildcardPeerHandshake: a responder whose peer is known by a
// wildcard accepts an initiator whose identity it covers and refuses one
// it does not; an initiator with a wildcard for its peer sends no IDr and
// accepts the responder's identity when the wildcard covers it.
func TestWildcardPeerHandshake(t *testing.T) {
	for _, tc := range []struct {
		name            string
		respPeer, iPeer string // patterns; "" keeps the harness's identity
		ok              bool
	}{
		{"responder covers initiator", "*.EXAMPLE", "", true},
		{"responder does not cover initiator", "*.example.org", "", false},
		{"initiator covers responder", "", "gw*", true},
		{"initiator does not cover responder", "", "vpn.*", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, initiator, responder := pair(t, setup{})
			for n, pattern := range map[*node]string{responder: tc.respPeer, initiator: tc.iPeer} {
				if pattern != "" {
					n.d.mu.Lock()
					n.d.cfg.Peers[0].ID = Identity{Type: wire.ID_FQDN, Data: []byte(pattern), Wildcard: true}
					n.d.mu.Unlock()
				}
			}
			if _, err := initiator.d.Initiate("gw"); err != nil {
				t.Fatal(err)
			}
			ev := wait(t, initiator.ike, "initiator's IKE SA")
			if up := ev.err == nil && ev.info.State == StateEstablished; up != tc.ok {
				t.Errorf("IKE SA %+v %v, want up %v", ev.info, ev.err, tc.ok)
			}
		})
	}
}

// TestExactPeerBeforeWildcard: a responder that knows a peer by its exact
// identity uses that peer, with its key, even when a wildcard covering the
// identity is listed first; the wildcard is for the peers no exact
// identity names.
func TestExactPeerBeforeWildcard(t *testing.T) {
	_, initiator, responder := pair(t, setup{})
	responder.d.mu.Lock()
	wild := Peer{Name: "anyone", ID: Identity{Type: wire.ID_FQDN, Data: []byte("*.example"), Wildcard: true},
		PSK: []byte("another-key"), LocalTS: responder.d.cfg.Peers[0].LocalTS, RemoteTS: responder.d.cfg.Peers[0].RemoteTS}
	responder.d.cfg.Peers = append([]Peer{wild}, responder.d.cfg.Peers...)
	responder.d.mu.Unlock()
	if _, err := initiator.d.Initiate("gw"); err != nil {
		t.Fatal(err)
	}
	if ev := wait(t, responder.ike, "responder's IKE SA"); ev.err != nil || ev.info.Peer != "peer" {
		t.Errorf("IKE SA %+v %v, want one with peer \"peer\"", ev.info, ev.err)
	}
}

// TestInitialContactSpeaksForItsOwnIdentity: two remotes behind one NAT
// address authenticate with different identities that one wildcard peer
// covers. The second one's INITIAL_CONTACT says it lost its own earlier
// SAs (RFC 7296 §2.4: those between the two identities), not the first
// remote's, whose IKE SA stays.
func TestInitialContactSpeaksForItsOwnIdentity(t *testing.T) {
	n, initiator, responder := pair(t, setup{nat: true})
	responder.d.mu.Lock()
	responder.d.cfg.Peers[0].ID = Identity{Type: wire.ID_FQDN, Data: []byte("*.example"), Wildcard: true}
	responder.d.mu.Unlock()
	establish(t, initiator, responder)
	cfg := initiator.d.cfg
	cfg.Local = netip.MustParseAddrPort("10.1.0.3:500")
	cfg.ID = FQDN("other.example")
	n.MapPort(cfg.Local, netip.AddrPortFrom(natAddr.Addr(), natAddr.Port()+1))
	secondRemote(t, n, responder, cfg, responder.ike, "an IKE SA event")
}
