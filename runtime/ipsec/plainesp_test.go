package ipsec

import (
	"bytes"
	"fmt"
	"net/netip"
	"testing"
)

// TestPlainESPWithoutNAT: when NAT detection finds no NAT, both ends carry
// ESP as IP protocol 50 (memnet's port 0, see memESPPort), never in UDP on
// port 4500 (RFC 7296 §2.23, RFC 3948), and the traffic passes both ways.
func TestPlainESPWithoutNAT(t *testing.T) {
	tp := newTopo(t, withEcho(), withoutNAT())
	var cp capture
	cp.install(tp.net)
	tp.establish(t)
	recv(t, tp.client.got, "echo of the first packet")
	for i := range 20 {
		pkt := udp4(clientIn, appAddr, 40000, 7, fmt.Appendf(nil, "packet %d", i))
		if v := tp.client.e.Outbound(pkt); v != Protected {
			t.Fatalf("packet %d: %v, want protected", i, v)
		}
		recv(t, tp.gw.got, "packet at the gateway")
		if got := recv(t, tp.client.got, "echo"); !bytes.Equal(got, reply(pkt)) {
			t.Fatalf("client got % x, want % x", got, reply(pkt))
		}
	}
	var plain, inUDP int
	for _, c := range cp.all() {
		switch {
		case c.src.Port() == memESPPort && c.dst.Port() == memESPPort:
			plain++
		case c.dst.Port() == nattPort && ikeExchange(nattPort, c.payload) == 0:
			inUDP++
		}
	}
	if plain < 42 || inUDP != 0 {
		t.Errorf("saw %d plain ESP packets and %d ESP in UDP; want >= 42 and none", plain, inUDP)
	}
	for _, n := range []*node{tp.client, tp.gw} {
		l := n.e.SAs()
		if len(l.IKE) != 1 || l.IKE[0].NATLocal || l.IKE[0].NATRemote {
			t.Errorf("IKE SAs %+v: want one, no NAT detected", l.IKE)
		}
		if len(l.Dynamic) != 1 || l.Dynamic[0].UDPEncap || l.Dynamic[0].Local.Port() != 0 || l.Dynamic[0].Remote.Port() != 0 {
			t.Errorf("child SAs %+v: want one, plain ESP (no UDP port on either end)", l.Dynamic)
		}
		noDropsExcept(t, n.e)
	}
}

// TestESPOnTheWrongEncapsulation: an authentic ESP packet that arrives
// plain for an SA that carries ESP in UDP (behind the NAT), or in UDP for
// an SA that carries plain ESP, is dropped and counted before decryption,
// not delivered (see espconn.go).
func TestESPOnTheWrongEncapsulation(t *testing.T) {
	for _, nat := range []bool{true, false} {
		t.Run(fmt.Sprintf("nat=%v", nat), func(t *testing.T) {
			opts := []topoOption{}
			if !nat {
				opts = append(opts, withoutNAT())
			}
			tp := newTopo(t, opts...)
			var cp capture
			cp.install(tp.net)
			tp.establish(t)
			var espPkt []byte
			var from netip.AddrPort
			for _, c := range cp.all() {
				if c.dst.Addr() == gwAddr && (c.dst.Port() == memESPPort || ikeExchange(c.dst.Port(), c.payload) == 0 && c.dst.Port() == nattPort) {
					espPkt, from = c.payload, c.src
				}
			}
			if espPkt == nil {
				t.Fatal("no ESP from the client captured")
			}
			before := tp.gw.e.Stats()
			// The same bytes, the other way: a replay through the wrong
			// door must not even reach the replay check.
			if nat {
				tp.gw.e.HandleESP(from.Addr(), espPkt)
			} else {
				tp.gw.e.HandleDatagram(nattPort, netip.AddrPortFrom(from.Addr(), nattPort), espPkt)
			}
			after := tp.gw.e.Stats()
			if got := after.Drops[DropEncapMismatch] - before.Drops[DropEncapMismatch]; got != 1 {
				t.Errorf("encapsulation mismatches counted: %d, want 1 (drops %v)", got, after.Drops)
			}
			if after.Delivered != before.Delivered || after.Drops[DropReplay] != before.Drops[DropReplay] {
				t.Errorf("the packet went on to the SA: %+v", after)
			}
		})
	}
}

// FuzzHandleESP throws arbitrary plain ESP packets (IP protocol 50
// payloads) at a gateway that holds a plain ESP child SA with the client.
// Whatever arrives is dropped and counted or decrypted and delivered;
// nothing panics, and nothing delivered is traffic the gateway's SPD does
// not protect with the client. The seeds include the session's real ESP.
func FuzzHandleESP(f *testing.F) {
	tp := newTopo(f, withEcho(), withoutNAT())
	var cp capture
	cp.install(tp.net)
	tp.establish(f)
	recv(f, tp.client.got, "echo")
	for _, c := range cp.all() {
		if c.dst.Addr() == gwAddr && c.dst.Port() == memESPPort {
			f.Add(c.payload)
		}
	}
	for len(tp.gw.got) > 0 {
		<-tp.gw.got
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		tp.gw.e.HandleESP(clientAddr, b)
		if s := tp.gw.e.Stats(); s.Drops[DropPanic] != 0 {
			t.Fatalf("a packet panicked: %+v", s)
		}
		for len(tp.gw.got) > 0 {
			pkt := <-tp.gw.got
			fl, err := parseFlow(pkt)
			if err != nil {
				t.Fatalf("delivered a malformed packet % x", pkt)
			}
			if rule := tp.gw.e.spd.lookup(Inbound, fl); rule == nil || rule.Action != ActionIPsec || rule.Tunnel.Peer != "client" {
				t.Fatalf("delivered % x, which the SPD does not protect with the client (%v)", pkt, rule)
			}
		}
	})
}
