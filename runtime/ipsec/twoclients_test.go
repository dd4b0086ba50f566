package ipsec

import (
	"bytes"
	"net/netip"
	"testing"

	"github.com/tcpipc/tcpipc/internal/ike/ikesa"
)

// TestTwoClientsOfOneRangePeer: the gateway's "client" peer covers a range
// (10.99.0.0/16, no fixed address), as a z/OS key exchange rule for a
// range of clients does. Two clients at different outer addresses, one
// behind the NAT and one not, talk at once: each gets its own SAs and its
// own answers, ESP to each goes to that client's address.
func TestTwoClientsOfOneRangePeer(t *testing.T) {
	tp := newTopo(t, withEcho())
	second := netip.MustParseAddr("203.0.113.9") // not behind the NAT
	secondIn := netip.MustParseAddr("10.99.0.3") // its inner address
	spd, err := NewSPD(Filter{Name: "to-apps", Local: PrefixRange(netip.PrefixFrom(secondIn, 32)),
		Remote: PrefixRange(netip.MustParsePrefix("10.1.1.0/24")), Action: ActionIPsec, Tunnel: Tunnel{Peer: "gw"}})
	if err != nil {
		t.Fatal(err)
	}
	client2 := tp.newNode(t, Config{
		Local: second, ID: ikesa.FQDN("peer.example"), SPD: spd,
		Peers: []Peer{{Name: "gw", Addr: gwAddr, ID: ikesa.FQDN("gw.example"), PSK: testPSK,
			LocalTS:  []netip.Prefix{netip.PrefixFrom(secondIn, 32)},
			RemoteTS: []netip.Prefix{netip.MustParsePrefix("10.1.1.0/24")}}},
	}, false)

	tp.establish(t)
	recv(t, tp.client.got, "the echo to the first client")
	pkt2 := udp4(secondIn, appAddr, 40001, 7, []byte("second"))
	if v := client2.e.Outbound(pkt2); v != Queued {
		t.Fatalf("second client's first packet: %v, want queued", v)
	}
	recv(t, tp.gw.got, "the second client's packet at the gateway")
	if got := recv(t, client2.got, "the echo to the second client"); !bytes.Equal(got, reply(pkt2)) {
		t.Fatalf("second client got % x", got)
	}
	// Both keep working, interleaved.
	for i := range 3 {
		p1 := udp4(clientIn, appAddr, 40000, 7, []byte{'a', byte(i)})
		p2 := udp4(secondIn, appAddr, 40001, 7, []byte{'b', byte(i)})
		tp.client.e.Outbound(p1)
		client2.e.Outbound(p2)
		if got := recv(t, tp.client.got, "echo to the first client"); !bytes.Equal(got, reply(p1)) {
			t.Fatalf("first client got % x, want its own echo", got)
		}
		if got := recv(t, client2.got, "echo to the second client"); !bytes.Equal(got, reply(p2)) {
			t.Fatalf("second client got % x, want its own echo", got)
		}
	}
	sas := tp.gw.e.SAs()
	if len(sas.IKE) != 2 || len(sas.Dynamic) != 2 {
		t.Fatalf("gateway SAs: %d IKE, %d child, want 2 and 2", len(sas.IKE), len(sas.Dynamic))
	}
	remotes := map[netip.Addr]bool{}
	for _, d := range sas.Dynamic {
		remotes[d.Remote.Addr()] = true
	}
	if !remotes[natPublic] || !remotes[second] {
		t.Errorf("ESP goes to %v, want the NAT's address and %v", remotes, second)
	}
}
