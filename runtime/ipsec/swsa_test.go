package ipsec

import (
	"net/netip"
	"sync"
	"testing"
	"time"

	"github.com/tcpipc/tcpipc/internal/ike/ikesa"
	"github.com/tcpipc/tcpipc/internal/ike/wire"
	"github.com/tcpipc/tcpipc/runtime/swsa"
)

// eventLog is a swsa.Journal that keeps what it hears.
type eventLog struct {
	mu     sync.Mutex
	events []swsa.Event
}

func (l *eventLog) Report(ev swsa.Event) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.events = append(l.events, ev)
}

func (l *eventLog) kinds() []swsa.EventKind {
	l.mu.Lock()
	defer l.mu.Unlock()
	var out []swsa.EventKind
	for _, ev := range l.events {
		out = append(out, ev.Kind)
	}
	return out
}

// TestSWSAJournalAndHold: an endpoint journaling its tunnels starts no
// on-demand negotiation while its stack plans a recovery (the packet is
// dropped, TCP sends it again), then negotiates and reports the new
// tunnel, its record named after the stack, and its child SA.
func TestSWSAJournalAndHold(t *testing.T) {
	tp := newTopo(t)
	var log eventLog
	tp.client.e.SetSWSA(SWSA{Journal: &log, Stack: "MVS9"})
	pkt := udp4(clientIn, appAddr, 40000, 7, []byte("hello"))
	if v := tp.client.e.Outbound(pkt); v != Dropped {
		t.Fatalf("while planning a recovery: %v, want dropped", v)
	}
	if n := len(tp.client.e.Daemon().SAs()); n != 0 {
		t.Fatalf("%d IKE SAs started while planning", n)
	}
	tp.client.e.EndRecoveryPlanning()
	tp.establish(t)
	eventually(t, "the tunnel and its child journaled", func() bool { return len(log.kinds()) >= 2 })
	log.mu.Lock()
	first, second := log.events[0], log.events[1]
	log.mu.Unlock()
	if first.Kind != swsa.IKEEstablished || first.TunnelID != "MVS9.Y1" || first.Tunnel == nil ||
		first.Tunnel.Peer.Identity.Value != "gw.example" || first.Tunnel.IKE.Version != "IKEv2" {
		t.Fatalf("first event %+v", first)
	}
	if second.Kind != swsa.ChildInstalled || second.Child.InboundSPI < 256 || len(second.Child.Local) == 0 {
		t.Fatalf("second event %+v", second)
	}
}

// TestSWSAJournalsTwoClientsBehindOneNAPT: two clients behind one NAPT
// share the public address and differ by port: the gateway journals two
// tunnels, one record each, so the planner sees both (peer-behind-napt).
// Tunnels were found by the peer's address: the second client's IKE SA
// was journaled as a rekey of the first's tunnel, and its record replaced.
func TestSWSAJournalsTwoClientsBehindOneNAPT(t *testing.T) {
	second, secondIn := netip.MustParseAddr("10.0.0.3"), netip.MustParseAddr("10.99.0.3")
	apps := PrefixRange(netip.MustParsePrefix("10.1.1.0/24"))
	tp := newTopo(t, withGatewayPolicy(
		[]Peer{{Name: "client2", ID: ikesa.FQDN("peer2.example"), PSK: testPSK,
			LocalTS:  []netip.Prefix{netip.MustParsePrefix("10.1.1.0/24")},
			RemoteTS: []netip.Prefix{netip.PrefixFrom(secondIn, 32)}}},
		[]Filter{
			{Name: "client2", Local: apps, Remote: PrefixRange(netip.PrefixFrom(secondIn, 32)), Action: ActionIPsec, Tunnel: Tunnel{Peer: "client2"}},
			{Name: "clients", Local: apps, Remote: PrefixRange(netip.MustParsePrefix("10.99.0.0/16")), Action: ActionIPsec, Tunnel: Tunnel{Peer: "client"}},
		}))
	var log eventLog
	tp.gw.e.SetSWSA(SWSA{Journal: &log, Stack: "MVS9"})
	tp.gw.e.EndRecoveryPlanning()
	tp.establish(t)

	tp.net.SetNAT(second, natPublic)
	spd, err := NewSPD(Filter{Name: "to-apps", Local: PrefixRange(netip.PrefixFrom(secondIn, 32)),
		Remote: PrefixRange(netip.MustParsePrefix("10.1.1.0/24")), Action: ActionIPsec, Tunnel: Tunnel{Peer: "gw"}})
	if err != nil {
		t.Fatal(err)
	}
	other := tp.newNode(t, Config{Local: second, ID: ikesa.FQDN("peer2.example"), SPD: spd,
		Peers: []Peer{{Name: "gw", Addr: gwAddr, ID: ikesa.FQDN("gw.example"), PSK: testPSK,
			LocalTS:  []netip.Prefix{netip.PrefixFrom(secondIn, 32)},
			RemoteTS: []netip.Prefix{netip.MustParsePrefix("10.1.1.0/24")}}}}, false)
	pkt := udp4(secondIn, appAddr, 40000, 7, []byte("second"))
	other.e.Outbound(pkt)
	recv(t, tp.gw.got, "the second client's packet")

	eventually(t, "two tunnels journaled", func() bool {
		ids := map[string]bool{}
		log.mu.Lock()
		defer log.mu.Unlock()
		for _, ev := range log.events {
			if ev.Kind == swsa.IKEEstablished {
				ids[ev.TunnelID] = true
			}
		}
		return len(ids) == 2
	})
	for _, k := range log.kinds() {
		if k == swsa.IKERekeyed {
			t.Errorf("an IKE SA journaled as a rekey: %v", log.kinds())
		}
	}
}

// journalLeft replays IKE SA events into a journal and returns the
// tunnels whose records are left in the structure.
func journalLeft(t *testing.T, events []struct {
	info ikesa.IKESAInfo
	err  error
}) []string {
	t.Helper()
	var log eventLog
	e := &Endpoint{cfg: Config{Local: netip.MustParseAddr("201.2.10.11")}}
	e.SetSWSA(SWSA{Journal: &log, Stack: "MVS1"})
	for _, ev := range events {
		e.journalIKE(ev.info, ev.err)
	}
	live := map[string]bool{}
	for _, ev := range log.events {
		switch ev.Kind {
		case swsa.IKEEstablished:
			live[ev.TunnelID] = true
		case swsa.IKEDeleted:
			delete(live, ev.TunnelID)
		}
	}
	var out []string
	for id := range live {
		out = append(out, id)
	}
	return out
}

// TestSWSAJournalRekeyEndings: whatever order a rekey's two IKE SAs end
// in, once both are gone no record of the tunnel is left in the
// structure. When the new SA died before the old one's Delete completed
// (ErrRekeyed), the tunnel was never deleted: every later takeover would
// have tried to recover a dead tunnel.
func TestSWSAJournalRekeyEndings(t *testing.T) {
	remote := netip.MustParseAddrPort("192.0.2.10:500")
	old := ikesa.IKESAInfo{ID: ikesa.IKESAID{SPIi: 1, SPIr: 2}, Peer: "client", Remote: remote, State: ikesa.StateEstablished}
	next := ikesa.IKESAInfo{ID: ikesa.IKESAID{SPIi: 3, SPIr: 4}, Peer: "client", Remote: remote, State: ikesa.StateEstablished, Replaces: old.ID}
	type ev = struct {
		info ikesa.IKESAInfo
		err  error
	}
	for name, events := range map[string][]ev{
		"in order":         {{old, nil}, {next, nil}, {old, ikesa.ErrRekeyed}, {next, ikesa.ErrDeleted}},
		"new dies first":   {{old, nil}, {next, nil}, {next, ikesa.ErrTimeout}, {old, ikesa.ErrRekeyed}},
		"old ends earlier": {{old, nil}, {old, ikesa.ErrRekeyed}, {next, nil}, {next, ikesa.ErrDeleted}},
	} {
		if left := journalLeft(t, events); len(left) != 0 {
			t.Errorf("%s: records left %v", name, left)
		}
	}
}

// TestSWSAJournalFollowsReauthentication: a reauthenticated IKE SA carries
// on its tunnel's record (the new SA replaces the old one, like a rekey):
// the tunnel keeps its ID, its record is never deleted from the structure,
// and the new child is journaled under it, so a takeover after a
// reauthentication still recovers the tunnel.
func TestSWSAJournalFollowsReauthentication(t *testing.T) {
	tp := newTopo(t, withReauth(0, time.Hour))
	var log eventLog
	tp.gw.e.SetSWSA(SWSA{Journal: &log, Stack: "MVS9"})
	tp.gw.e.EndRecoveryPlanning()
	tp.establish(t)
	first := tp.gw.e.SAs().IKE[0]
	tp.clk.Advance(first.Reauth.Sub(tp.clk.Now()))
	reauthenticatedFrom(t, tp, first.ID)
	count := func(kind swsa.EventKind) (n int) {
		for _, k := range log.kinds() {
			if k == kind {
				n++
			}
		}
		return n
	}
	eventually(t, "the new child journaled and the old one gone", func() bool {
		return count(swsa.ChildInstalled) == 2 && count(swsa.ChildDeleted) == 1
	})
	log.mu.Lock()
	defer log.mu.Unlock()
	for _, ev := range log.events {
		if ev.TunnelID != "MVS9.Y1" || ev.Kind == swsa.IKEDeleted {
			t.Errorf("event %v of tunnel %s: want every event on MVS9.Y1 and no deletion", ev.Kind, ev.TunnelID)
		}
	}
}

// TestSWSARecordsTheWildcardPeersIdentity: a peer known by a wildcard
// identity (IBM lets a RemoteSecurityEndpoint's identity stand for many
// peers) is recorded with the identity it authenticated with, which the
// new holder can name, not the pattern. The pattern of an IpAddr range is
// no address: the record failed validation, the journal dropped it
// without a word, and no takeover recovered such a tunnel.
func TestSWSARecordsTheWildcardPeersIdentity(t *testing.T) {
	fqdn := ikesa.FQDN("peer.example")
	for _, tc := range []struct {
		name       string
		id, expect ikesa.Identity
		want       swsa.Identity
	}{
		{"fqdn", fqdn, ikesa.Identity{Type: wire.ID_FQDN, Data: []byte("*.example"), Wildcard: true},
			swsa.Identity{Type: "FQDN", Value: "peer.example"}},
		{"any fqdn", fqdn, ikesa.Identity{Type: wire.ID_FQDN, Data: []byte("*"), Wildcard: true},
			swsa.Identity{Type: "FQDN", Value: "peer.example"}},
		{"ipaddr subnet", AddrIdentity(natPublic), ikesa.Identity{Type: wire.ID_IPV4_ADDR, Wildcard: true,
			First: netip.MustParseAddr("198.51.100.0"), Last: netip.MustParseAddr("198.51.100.255")},
			swsa.Identity{Type: "IPADDR", Value: natPublic.String()}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tp := newTopo(t, withClientIdentity(tc.id, tc.expect))
			var log eventLog
			tp.gw.e.SetSWSA(SWSA{Journal: &log, Stack: "MVS1", VPNAction: func(netip.Addr) string { return "dvipa-esp" }})
			tp.gw.e.EndRecoveryPlanning()
			tp.establish(t)
			eventually(t, "the tunnel journaled", func() bool { return len(log.kinds()) >= 1 })
			log.mu.Lock()
			first := log.events[0]
			log.mu.Unlock()
			if first.Kind != swsa.IKEEstablished || first.Tunnel == nil {
				t.Fatalf("first event %+v", first)
			}
			if got := first.Tunnel.Peer.Identity; got != tc.want {
				t.Errorf("recorded peer identity %+v, want %+v", got, tc.want)
			}
			r := first.Tunnel
			r.Version, r.Writer, r.Written = swsa.Version, "MVS1", epoch
			if err := r.Validate(); err != nil {
				t.Errorf("the record is not one the journal keeps: %v", err)
			}
		})
	}
}

// TestSWSAJournalFollowsANATRebinding: when the NAT in front of a client
// maps it to another address and port, the gateway follows its authentic
// ESP there, and its tunnel's record must follow too: a takeover
// renegotiates with the client where the record says it is. The record
// kept the old mapping until the next rekey, so a takeover in between
// initiated to a mapping that no longer existed.
func TestSWSAJournalFollowsANATRebinding(t *testing.T) {
	tp := newTopo(t, withEcho())
	var log eventLog
	tp.gw.e.SetSWSA(SWSA{Journal: &log, Stack: "MVS9"})
	tp.gw.e.EndRecoveryPlanning()
	tp.establish(t)
	recv(t, tp.client.got, "echo")
	before := tp.gw.e.SAs().Dynamic[0].Remote
	tp.net.RebindNAT()
	pkt := udp4(clientIn, appAddr, 40000, 7, []byte("rebound"))
	tp.client.e.Outbound(pkt)
	recv(t, tp.gw.got, "packet from the new mapping")
	moved := tp.gw.e.SAs().Dynamic[0].Remote
	if moved == before {
		t.Fatalf("the gateway did not follow the new mapping (still %v)", moved)
	}
	eventually(t, "the move journaled", func() bool {
		log.mu.Lock()
		defer log.mu.Unlock()
		for _, ev := range log.events {
			if ev.Kind == swsa.PeerMoved && ev.Peer == moved && ev.TunnelID == "MVS9.Y1" && ev.BehindNAT {
				return true
			}
		}
		return false
	})
}
