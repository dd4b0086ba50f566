package ipsec

import (
	"bytes"
	"net/netip"
	"testing"

	"github.com/tcpipc/tcpipc/internal/esp"
	"github.com/tcpipc/tcpipc/internal/ike/ikesa"
	"github.com/tcpipc/tcpipc/internal/ike/wire"
)

// TestNarrowedBelowTheTrigger: the client's policy protects everything to
// 10.1.1.0/24, the gateway's only UDP to port 7 of 10.1.1.1. A packet to
// port 9 triggers a negotiation; the gateway narrows it to port 7 (RFC
// 7296 §2.9), which does not cover the packet. That acquire is answered:
// the packet, and every later one of the filter the child does not cover,
// is dropped and counted (DropNarrowed) instead of starting a negotiation
// each, which would pile up one duplicate child SA per packet; traffic the
// child covers flows. Once the child is gone, a packet may ask again.
func TestNarrowedBelowTheTrigger(t *testing.T) {
	tp := newTopo(t, withGatewayPolicy(nil, []Filter{
		{Name: "echo", Local: PrefixRange(netip.MustParsePrefix("10.1.1.1/32")), Remote: PrefixRange(netip.MustParsePrefix("10.99.0.0/16")),
			Protocol: protoUDP, LocalPorts: PortRange{7, 7}, Action: ActionIPsec, Tunnel: Tunnel{Peer: "client"}},
		{Name: "deny-all", Action: ActionDeny},
	}))
	client := tp.client.e
	first := udp4(clientIn, appAddr, 40000, 9, []byte("to port 9"))
	if v := client.Outbound(first); v != Queued {
		t.Fatalf("first packet: %v, want queued", v)
	}
	eventually(t, "the narrowed child", func() bool { return len(client.SAs().Dynamic) == 1 })
	eventually(t, "the first packet dropped", func() bool { return client.Stats().Drops[DropNarrowed] == 1 })
	for i := range 5 {
		if v := client.Outbound(udp4(clientIn, appAddr, 40000+uint16(i), 9, []byte("again"))); v != Dropped {
			t.Fatalf("packet %d outside the narrowed child: %v, want dropped", i, v)
		}
	}
	covered := udp4(clientIn, appAddr, 40000, 7, []byte("to port 7"))
	if v := client.Outbound(covered); v != Protected {
		t.Fatalf("packet the child covers: %v, want protected", v)
	}
	recv(t, tp.gw.got, "the packet to port 7")
	if n := len(client.SAs().Dynamic); n != 1 {
		t.Errorf("%d child SAs, want 1: %+v", n, client.SAs().Dynamic)
	}
	// Each child installed writes two esp_sa lines, one per direction.
	espSA, _ := SplitKeyLog(tp.client.keylog.Bytes())
	if s, n := client.Stats(), bytes.Count(espSA, []byte("\n")); s.Drops[DropNarrowed] != 6 || n != 2 {
		t.Errorf("drops %v, %d ESP SAs installed; want 6 narrowed, 2 (one child)", s.Drops, n)
	}

	// The answer holds while its child lives: once it is gone, the next
	// packet may ask again.
	client.deleteChildSA("gw", client.SAs().Dynamic[0].InboundSPI)
	eventually(t, "the child deleted", func() bool { return len(client.SAs().Dynamic) == 0 })
	if v := client.Outbound(first); v != Queued {
		t.Errorf("packet to port 9 after the narrowed child went: %v, want queued for a new negotiation", v)
	}
}

// TestNarrowedPerRemoteOfARange: for a peer anywhere in a range (a z/OS
// rule naming a client network), each client is a party of its own; the
// answer one client gave to an acquire for a filter does not stop an
// acquire to another client.
func TestNarrowedPerRemoteOfARange(t *testing.T) {
	f := &Filter{Name: "clients", Action: ActionIPsec, Tunnel: Tunnel{Peer: "range"}}
	a, b := netip.MustParseAddr("192.0.2.10"), netip.MustParseAddr("192.0.2.11")
	gw := netip.MustParseAddr("201.2.10.11")
	out, err := esp.NewSA(esp.Config{SPI: 0x1000, Mode: esp.Tunnel, Cipher: esp.AESGCM16, EncKey: make(esp.Key, 20)})
	if err != nil {
		t.Fatal(err)
	}
	defer out.Close()
	// The child client A's peer gave: port 7 only, not the port 9 asked for.
	port7 := func(addr netip.Addr) wire.Selector {
		s := ikesa.Prefix(netip.PrefixFrom(addr, 32))
		s.IPProtocol, s.StartPort, s.EndPort = protoUDP, 7, 7
		return s
	}
	ch := &child{info: ikesa.ChildSA{LocalTS: []wire.Selector{ikesa.Prefix(netip.PrefixFrom(gw, 32))}, RemoteTS: []wire.Selector{port7(a)}}, out: out}
	ps := &peerState{cfg: &Peer{Name: "range"}, negotiating: true, trigger: f,
		queue: [][]byte{udp4(gw, a, 40000, 9, nil)}, children: []*child{ch}}
	e := &Endpoint{}
	if !e.noteAcquireAnswered(ps, ch) {
		t.Fatal("the child leaves out its trigger, but the acquire was not marked narrowed")
	}
	toA, _ := parseFlow(udp4(gw, a, 40001, 9, nil))
	toB, _ := parseFlow(udp4(gw, b, 40001, 9, nil))
	if !e.narrowedAway(ps, f, toA) {
		t.Error("another packet to client A would start a new acquire")
	}
	if e.narrowedAway(ps, f, toB) {
		t.Error("client A's answer keeps client B from getting an SA")
	}
}
