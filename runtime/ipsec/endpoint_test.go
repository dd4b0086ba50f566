package ipsec

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"net/netip"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/tcpipc/tcpipc/internal/esp"
	"github.com/tcpipc/tcpipc/internal/ike/ikesa"
	"github.com/tcpipc/tcpipc/internal/ike/wire"
)

// TestOnDemandNATTraversal brings the tunnel up from an outbound packet and
// checks the NAT-T mechanics on the wire: IKE_SA_INIT on port 500, then
// everything on 4500 (IKE behind the marker, ESP in UDP), the gateway
// sending ESP to the NAT's mapping, and keepalives from the NATed side.
func TestOnDemandNATTraversal(t *testing.T) {
	tp := newTopo(t, withEcho())
	var cp capture
	cp.install(tp.net)
	tp.establish(t)
	recv(t, tp.client.got, "echo of the first packet")

	for i := range 100 {
		pkt := udp4(clientIn, appAddr, 40000, 7, fmt.Appendf(nil, "packet %d", i))
		if v := tp.client.e.Outbound(pkt); v != Protected {
			t.Fatalf("packet %d: %v, want protected", i, v)
		}
		if got := recv(t, tp.gw.got, "packet at the gateway"); !bytes.Equal(got, pkt) {
			t.Fatalf("gateway got % x, want % x", got, pkt)
		}
		if got := recv(t, tp.client.got, "echo"); !bytes.Equal(got, reply(pkt)) {
			t.Fatalf("client got % x, want % x", got, reply(pkt))
		}
	}

	var inits, natt, esps int
	var clientNATT netip.AddrPort
	for _, c := range cp.all() {
		gwSide, other := c.dst, c.src
		if c.src.Addr() == gwAddr {
			gwSide, other = c.src, c.dst
		}
		if other.Addr() != natPublic || gwSide.Addr() != gwAddr {
			t.Fatalf("datagram %v -> %v does not cross the NAT", c.src, c.dst)
		}
		switch x := ikeExchange(gwSide.Port(), c.payload); {
		case x == wire.IKE_SA_INIT:
			inits++
			if gwSide.Port() != ikePort {
				t.Errorf("IKE_SA_INIT on port %d", gwSide.Port())
			}
		case gwSide.Port() != nattPort:
			t.Errorf("%v -> %v after IKE_SA_INIT is not on port 4500 (exchange %v)", c.src, c.dst, x)
		case x != 0:
			natt++
			clientNATT = other
		default:
			esps++
		}
	}
	if inits != 2 || natt < 2 || esps < 202 {
		t.Errorf("saw %d IKE_SA_INIT, %d IKE on 4500, %d ESP; want 2, >=2, >=202", inits, natt, esps)
	}

	cs, gs := tp.client.e.SAs(), tp.gw.e.SAs()
	if len(cs.IKE) != 1 || !cs.IKE[0].NATLocal || len(gs.IKE) != 1 || !gs.IKE[0].NATRemote || !gs.IKE[0].Established.Equal(epoch) {
		t.Fatalf("NAT not detected: client %+v, gateway %+v", cs.IKE, gs.IKE)
	}
	if len(gs.Dynamic) != 1 || gs.Dynamic[0].Remote != clientNATT || clientNATT.Port() == nattPort {
		t.Fatalf("gateway sends ESP to %v, want the NAT mapping %v", gs.Dynamic[0].Remote, clientNATT)
	}
	if len(cs.Dynamic) != 1 || cs.Dynamic[0].Remote != netip.AddrPortFrom(gwAddr, nattPort) ||
		cs.Dynamic[0].InboundSPI != gs.Dynamic[0].OutboundSPI || cs.Dynamic[0].Out.PacketsOut != 101 {
		t.Fatalf("client dynamic tunnel %+v vs gateway %+v", cs.Dynamic, gs.Dynamic)
	}

	// Keepalives: only the client is behind the NAT.
	tp.clk.Advance(20 * time.Second)
	eventually(t, "a keepalive at the gateway", func() bool { return tp.gw.e.Stats().KeepalivesIn >= 1 })
	if s := tp.gw.e.Stats(); s.KeepalivesOut != 0 {
		t.Errorf("the gateway, not behind a NAT, sent %d keepalives", s.KeepalivesOut)
	}

	// Policy: PERMIT goes back in the clear, unmatched traffic is denied.
	if v := tp.client.e.Outbound(udp4(clientIn, netip.MustParseAddr("203.0.113.53"), 5000, 53, nil)); v != Clear {
		t.Errorf("DNS packet: %v, want clear", v)
	}
	if v := tp.client.e.Outbound(udp4(clientIn, netip.MustParseAddr("203.0.113.80"), 5000, 80, nil)); v != Dropped {
		t.Errorf("unmatched packet: %v, want dropped", v)
	}
	if v := tp.client.e.Outbound([]byte{0x45, 0}); v != Dropped {
		t.Errorf("garbage: %v, want dropped", v)
	}
	s := tp.client.e.Stats()
	if s.ClearOut != 1 || s.Drops[DropPolicy] != 1 || s.Drops[DropMalformed] != 1 {
		t.Errorf("client stats %+v", s)
	}
	// Cleartext arrivals: protected traffic must not come in the clear.
	if tp.gw.e.InboundClear(udp4(clientIn, appAddr, 40000, 7, nil)) {
		t.Error("gateway accepted cleartext traffic its SPD protects")
	}
	noDrops(t, tp.gw.e, DropPolicy)
}

// noDrops fails if e dropped anything for a reason other than allowed.
func noDrops(t testing.TB, e *Endpoint, allowed ...DropReason) {
	t.Helper()
	s := e.Stats()
	for r, n := range s.Drops {
		ok := false
		for _, a := range allowed {
			ok = ok || a == r
		}
		if !ok {
			t.Errorf("%d packets dropped for %v", n, r)
		}
	}
	if s.IKE.Panics != 0 || s.IKE.Malformed != 0 {
		t.Errorf("IKE stats %+v", s.IKE)
	}
}

// traffic sends numbered packets from the client until stopped, and
// counts what comes back.
type traffic struct {
	stop chan struct{}
	done sync.WaitGroup
	sent atomic.Int64
}

func startTraffic(t *testing.T, tp *topo) *traffic {
	tr := &traffic{stop: make(chan struct{})}
	tr.done.Add(1)
	go func() {
		defer tr.done.Done()
		for i := 0; ; i++ {
			select {
			case <-tr.stop:
				return
			case <-time.After(500 * time.Microsecond):
			}
			pkt := udp4(clientIn, appAddr, 40000, 7, fmt.Appendf(nil, "seq %d", i))
			if v := tp.client.e.Outbound(pkt); v != Protected {
				t.Errorf("packet %d under rekey: %v", i, v)
				return
			}
			tr.sent.Add(1)
		}
	}()
	return tr
}

// flowPackets is how many packets each phase of a traffic test sends
// before the test goes on, so that every phase runs under traffic however
// slow the machine is (a wall-clock sleep sent too few on a loaded one).
const flowPackets = 16

// flow waits until flowPackets more packets have been sent.
func (tr *traffic) flow(t *testing.T) {
	t.Helper()
	from := tr.sent.Load()
	eventually(t, fmt.Sprintf("%d more packets sent", flowPackets), func() bool {
		return tr.sent.Load() >= from+flowPackets
	})
}

// finish stops the traffic and checks every packet arrived once, and
// every echo came back.
func (tr *traffic) finish(t *testing.T, tp *topo) {
	t.Helper()
	close(tr.stop)
	tr.done.Wait()
	n := int(tr.sent.Load())
	check := func(ch chan []byte, what string) {
		seen := map[string]bool{}
		for i := range n {
			var p []byte
			select {
			case p = <-ch:
			case <-time.After(10 * time.Second):
				t.Fatalf("%s: %d of %d arrived; client %+v; gateway %+v", what, i, n, tp.client.e.Stats(), tp.gw.e.Stats())
			}
			k := string(p[28:])
			if seen[k] {
				t.Fatalf("%s: %q twice", what, k)
			}
			seen[k] = true
		}
	}
	check(tp.gw.got, "packets at the gateway")
	check(tp.client.got, "echoes at the client")
	if n < 3*flowPackets {
		t.Errorf("only %d packets sent during the test", n)
	}
}

// TestRekeyUnderTraffic rekeys the child (from the soft lifetime) and then
// the IKE SA while packets flow both ways, and checks none is lost.
func TestRekeyUnderTraffic(t *testing.T) {
	tp := newTopo(t, withEcho(), withClientLifetime(esp.Lifetime{SoftTime: 50 * time.Minute, HardTime: 60 * time.Minute}))
	tp.establish(t)
	recv(t, tp.client.got, "echo")
	old := tp.client.e.SAs().Dynamic[0]

	tr := startTraffic(t, tp)
	tr.flow(t)
	tp.clk.Advance(50 * time.Minute) // soft lifetime: the client rekeys the child
	eventually(t, "the child rekeyed and the old one deleted on both ends", func() bool {
		c, g := tp.client.e.SAs().Dynamic, tp.gw.e.SAs().Dynamic
		return len(c) == 1 && len(g) == 1 && c[0].InboundSPI != old.InboundSPI && g[0].InboundSPI == c[0].OutboundSPI
	})
	tr.flow(t)

	oldIKE := tp.client.e.SAs().IKE[0].ID
	done := make(chan error, 1)
	if err := tp.client.e.Daemon().Lookup(oldIKE).Rekey(func(err error) { done <- err }); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("IKE rekey: %v", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("IKE rekey timed out")
	}
	eventually(t, "one new IKE SA on both ends", func() bool {
		c, g := tp.client.e.SAs().IKE, tp.gw.e.SAs().IKE
		return len(c) == 1 && len(g) == 1 && c[0].ID != oldIKE && c[0].ID == g[0].ID
	})
	tr.flow(t)
	tr.finish(t, tp)

	c := tp.client.e.SAs()
	if c.Dynamic[0].IKE != c.IKE[0].ID || !c.Dynamic[0].Active {
		t.Errorf("dynamic tunnel %+v not shown under the new IKE SA %v", c.Dynamic[0], c.IKE[0].ID)
	}
	// The replaced child's inbound SA lingers for packets in flight, then
	// goes.
	for _, n := range []*node{tp.client, tp.gw} {
		if l := n.e.sad.Len(); l != 2 {
			t.Errorf("%d inbound SAs right after the rekey, want the new and the old", l)
		}
	}
	tp.clk.Advance(DefaultRekeyedGrace)
	for _, n := range []*node{tp.client, tp.gw} {
		if l := n.e.sad.Len(); l != 1 {
			t.Errorf("%d inbound SAs after the grace period, want 1", l)
		}
	}
	noDrops(t, tp.client.e)
	noDrops(t, tp.gw.e)
	// Two IKE SAs and two children: two ikev2 lines, four esp_sa lines.
	espLines, ikeLines := SplitKeyLog(tp.client.keylog.Bytes())
	if n, m := bytes.Count(espLines, []byte("\n")), bytes.Count(ikeLines, []byte("\n")); n != 4 || m != 2 {
		t.Errorf("client key log has %d esp_sa and %d ikev2 lines, want 4 and 2", n, m)
	}
}

// TestHardLifetime lets a child reach its hard lifetime without a rekey
// (the network is cut): the child is deleted, and packets for it start a
// new negotiation.
func TestHardLifetime(t *testing.T) {
	tp := newTopo(t, withClientLifetime(esp.Lifetime{HardTime: time.Hour}))
	tp.establish(t)
	tp.clk.Advance(time.Hour)
	eventually(t, "the expired child gone on both ends", func() bool {
		return len(tp.client.e.SAs().Dynamic) == 0 && len(tp.gw.e.SAs().Dynamic) == 0
	})
	// The IKE SA is still up: the next packet makes a new child on it.
	pkt := udp4(clientIn, appAddr, 40000, 7, []byte("again"))
	if v := tp.client.e.Outbound(pkt); v != Queued {
		t.Fatalf("packet after expiry: %v, want queued", v)
	}
	if got := recv(t, tp.gw.got, "packet over the new child"); !bytes.Equal(got, pkt) {
		t.Fatal("wrong packet")
	}
	if s := tp.client.e.SAs(); len(s.IKE) != 1 || len(s.Dynamic) != 1 {
		t.Errorf("after re-negotiation: %d IKE SAs, %d children", len(s.IKE), len(s.Dynamic))
	}
}

// TestDelete deletes the IKE SA from the client; both ends drop every SA,
// and the next packet negotiates afresh.
func TestDelete(t *testing.T) {
	tp := newTopo(t)
	tp.establish(t)
	id := tp.client.e.SAs().IKE[0].ID
	tp.client.e.Daemon().Lookup(id).Delete()
	for _, n := range []*node{tp.client, tp.gw} {
		eventually(t, "all SAs gone", func() bool {
			s := n.e.SAs()
			return len(s.IKE) == 0 && len(s.Dynamic) == 0 && n.e.sad.Len() == 0
		})
	}
	pkt := udp4(clientIn, appAddr, 40001, 7, []byte("after delete"))
	if v := tp.client.e.Outbound(pkt); v != Queued {
		t.Fatalf("packet after delete: %v, want queued", v)
	}
	recv(t, tp.gw.got, "packet over the new SA")
	if s := tp.gw.e.SAs(); len(s.IKE) != 1 || s.IKE[0].ID == id {
		t.Errorf("gateway IKE SAs after re-negotiation: %+v", s.IKE)
	}
}

// TestQueueLimit holds packets while the network is down: only
// QueueLimit wait, and they go out once IKE gets through.
func TestQueueLimit(t *testing.T) {
	tp := newTopo(t, withQueue(2))
	var cut atomic.Bool
	cut.Store(true)
	tp.net.SetDrop(func(_, _ netip.AddrPort, _ []byte) bool { return cut.Load() })
	var pkts [][]byte
	for i := range 3 {
		pkts = append(pkts, udp4(clientIn, appAddr, 40000, 7, fmt.Appendf(nil, "%d", i)))
	}
	want := []Verdict{Queued, Queued, Dropped}
	for i, p := range pkts {
		if v := tp.client.e.Outbound(p); v != want[i] {
			t.Errorf("packet %d: %v, want %v", i, v, want[i])
		}
	}
	if n := tp.client.e.Stats().Drops[DropQueueFull]; n != 1 {
		t.Errorf("%d queue-full drops, want 1", n)
	}
	cut.Store(false)
	tp.clk.Advance(ikesa.DefaultRetransmitTimeout) // IKE_SA_INIT is sent again
	for i := range 2 {
		if got := recv(t, tp.gw.got, "queued packet"); !bytes.Equal(got, pkts[i]) {
			t.Errorf("queued packet %d arrived as % x", i, got)
		}
	}
}

// TestLiveness checks liveness both ways: a live peer answers, a dead one
// has its SAs torn down.
func TestLiveness(t *testing.T) {
	tp := newTopo(t, withLiveness(0, 30*time.Second))
	tp.establish(t)
	tp.clk.Advance(30 * time.Second)
	eventually(t, "a liveness answer", func() bool { return tp.gw.e.Stats().LivenessOK == 1 })

	tp.client.e.Close() // the client dies without a word
	for range 200 {     // retransmissions: 2+4+8+16+32+64 s
		tp.clk.Advance(time.Second)
	}
	eventually(t, "the dead peer's SAs gone", func() bool {
		s := tp.gw.e.SAs()
		return len(s.IKE) == 0 && len(s.Dynamic) == 0 && tp.gw.e.sad.Len() == 0
	})
}

// TestNATRebinding moves the client's NAT mapping. A forged IKE message
// from elsewhere moves nothing; the client's next ESP packet, authentic
// and new, moves the gateway's SAs to the new mapping at once (RFC 7296
// §2.23: a host not behind a NAT sends everything to where such a
// validated packet came from), so the echo gets through without waiting
// for an IKE message. A replay of that packet from yet another address,
// and ESP that fails its ICV, move nothing. The gateway used to follow
// only authenticated IKE, so with a peer that checks no liveness its
// replies went on to the dead mapping (TestStrongSwanNATRebinding).
func TestNATRebinding(t *testing.T) {
	tp := newTopo(t, withEcho(), withLiveness(30*time.Second, 0))
	tp.establish(t)
	recv(t, tp.client.got, "echo")
	before := tp.gw.e.SAs().Dynamic[0].Remote

	// A forged IKE message from elsewhere, with the SA's SPIs, must not
	// move anything.
	h := tp.gw.e.SAs().IKE[0].ID
	forged := make([]byte, 4+wire.HeaderLen+40) // marker, header, SK payload
	msg := wire.Header(forged[4 : 4+wire.HeaderLen])
	binary.BigEndian.PutUint64(msg[0:8], h.SPIi)
	msg.SetSPIr(h.SPIr)
	msg.SetNextPayload(wire.PayloadSK)
	msg[17], msg[18], msg[19] = wire.Version, byte(wire.INFORMATIONAL), byte(wire.FlagInitiator)
	msg.SetMessageID(2)
	msg.SetLength(uint32(len(forged) - 4))
	binary.BigEndian.PutUint16(forged[4+wire.HeaderLen+2:], 40) // SK length; contents garbage
	forger := netip.AddrPortFrom(netip.MustParseAddr("203.0.113.66"), 4500)
	gw4500 := netip.AddrPortFrom(gwAddr, nattPort)
	tp.net.Inject(forger, gw4500, forged)
	eventually(t, "the forged message handled", func() bool { return tp.gw.e.Stats().IKE.Dropped >= 1 })
	if got := tp.gw.e.SAs().Dynamic[0].Remote; got != before {
		t.Fatalf("a forged IKE message moved the mapping to %v", got)
	}

	// Record the ESP the client sends from its new mapping.
	var mu sync.Mutex
	var sent [][]byte
	tp.net.SetTap(func(_, dst netip.AddrPort, b []byte) {
		if dst == gw4500 && len(b) > 8 && binary.BigEndian.Uint32(b) != 0 {
			mu.Lock()
			sent = append(sent, bytes.Clone(b))
			mu.Unlock()
		}
	})
	tp.net.RebindNAT()
	for len(tp.client.got) > 0 {
		<-tp.client.got
	}
	pkt := udp4(clientIn, appAddr, 40000, 7, []byte("rebound"))
	tp.client.e.Outbound(pkt)
	recv(t, tp.gw.got, "packet from the new mapping")
	if got := recv(t, tp.client.got, "echo through the new mapping"); !bytes.Equal(got, reply(pkt)) {
		t.Fatal("wrong echo")
	}
	moved := tp.gw.e.SAs().Dynamic[0].Remote
	if moved == before || moved.Addr() != natPublic {
		t.Fatalf("the mapping is %v after authentic ESP from the new mapping, was %v", moved, before)
	}
	if ike := tp.gw.e.SAs().IKE[0]; ike.Remote != moved {
		t.Errorf("the IKE SA talks to %v, its child to %v", ike.Remote, moved)
	}

	// A replay of that packet, and garbage with the SA's SPI, from
	// elsewhere: dropped, nothing moves.
	mu.Lock()
	replayed := sent[len(sent)-1]
	mu.Unlock()
	garbage := bytes.Clone(replayed)
	binary.BigEndian.PutUint32(garbage[4:], 1<<20) // a sequence number far ahead
	garbage[len(garbage)-1] ^= 0xff
	drops := tp.gw.e.Stats().Drops
	tp.net.Inject(forger, gw4500, replayed)
	tp.net.Inject(forger, gw4500, garbage)
	eventually(t, "the replay and the garbage dropped", func() bool {
		d := tp.gw.e.Stats().Drops
		return d[DropReplay] > drops[DropReplay] && d[DropICV] > drops[DropICV]
	})
	if got := tp.gw.e.SAs().Dynamic[0].Remote; got != moved {
		t.Errorf("a replayed or forged ESP packet moved the mapping to %v", got)
	}
}

// TestCloseLeavesNothingRunning closes two endpoints with SAs up: their
// goroutines end, and a closed endpoint refuses traffic.
func TestCloseLeavesNothingRunning(t *testing.T) {
	before := runtime.NumGoroutine()
	tp := newTopo(t, withEcho(), withLiveness(30*time.Second, 30*time.Second))
	tp.establish(t)
	recv(t, tp.client.got, "echo")
	for _, n := range []*node{tp.client, tp.gw} {
		if err := n.e.Close(); err != nil {
			t.Fatal(err)
		}
	}
	eventually(t, "the endpoints' goroutines gone", func() bool { return runtime.NumGoroutine() <= before })
	if v := tp.client.e.Outbound(udp4(clientIn, appAddr, 40000, 7, nil)); v != Dropped {
		t.Errorf("Outbound after Close: %v", v)
	}
	if n := tp.gw.e.sad.Len(); n != 0 {
		t.Errorf("%d SAs left in the closed gateway's SAD", n)
	}
	tp.clk.Advance(time.Hour) // stopped timers must not fire into closed endpoints
}

// TestOtherSAFailureKeepsTheQueue: packets wait for the IKE SA their
// negotiation started; another IKE SA with the same peer failing (one the
// peer initiated whose authentication failed, a reauthentication that
// timed out) is not their answer. A strongSwan run caught the queue
// dropped by the late report of an earlier, refused SA, and the SA that
// was still on its way left behind in INIT_SENT.
func TestOtherSAFailureKeepsTheQueue(t *testing.T) {
	tp := newTopo(t)
	var cut atomic.Bool
	cut.Store(true)
	tp.net.SetDrop(func(_, _ netip.AddrPort, _ []byte) bool { return cut.Load() })
	pkt := udp4(clientIn, appAddr, 40000, 7, []byte("waiting"))
	if v := tp.client.e.Outbound(pkt); v != Queued {
		t.Fatalf("first packet: %v, want queued", v)
	}
	other := ikesa.IKESAInfo{ID: ikesa.IKESAID{SPIi: 1, SPIr: 2}, Peer: "gw", State: ikesa.StateDead}
	tp.client.e.ikeEvent(other, ikesa.ErrAuthFailed)
	if n := tp.client.e.Stats().Drops[DropNoSA]; n != 0 {
		t.Fatalf("%d packets dropped for another SA's failure", n)
	}
	cut.Store(false)
	tp.clk.Advance(ikesa.DefaultRetransmitTimeout) // IKE_SA_INIT is sent again
	if got := recv(t, tp.gw.got, "queued packet"); !bytes.Equal(got, pkt) {
		t.Errorf("queued packet arrived as % x", got)
	}
}

// TestOwnSAFailureDropsTheQueue: when the IKE SA a negotiation started
// fails (here the gateway expects another identity and refuses ours), the
// packets that waited for it are dropped at once, not at the
// negotiation's timeout: the clock never moves.
func TestOwnSAFailureDropsTheQueue(t *testing.T) {
	tp := newTopo(t, withClientIdentity(ikesa.FQDN("peer.example"), ikesa.FQDN("other.example")))
	if v := tp.client.e.Outbound(udp4(clientIn, appAddr, 40000, 7, []byte("refused"))); v != Queued {
		t.Fatalf("first packet: %v, want queued", v)
	}
	eventually(t, "the waiting packet dropped", func() bool { return tp.client.e.Stats().Drops[DropNoSA] == 1 })
}

// TestOwnSAFailureWhileNotedDropsTheQueue: the IKE SA a negotiation
// started may fail between the endpoint reading its SPI and noting it as
// the negotiation's; its report then finds no negotiation of its own, and
// the endpoint must see the failure in the SA's state, read after noting
// it. It read the state before, and the packets waited for the
// negotiation's timeout (the clock never moves here).
func TestOwnSAFailureWhileNotedDropsTheQueue(t *testing.T) {
	tp := newTopo(t)
	tp.net.SetDrop(func(_, _ netip.AddrPort, _ []byte) bool { return true }) // the gateway never hears us
	tp.client.e.initiatedHook = func(sa *ikesa.IKESA) {
		// The gateway refuses our proposal, and the report comes now.
		m := &wire.Message{SPIi: sa.Info().ID.SPIi, Exchange: wire.IKE_SA_INIT, Flags: wire.FlagResponse,
			Payloads: []wire.Payload{&wire.Notify{NotifyType: wire.NO_PROPOSAL_CHOSEN}}}
		b, err := m.Encode()
		if err != nil {
			t.Error(err)
			return
		}
		tp.client.e.daemon.HandleDatagram(netip.AddrPortFrom(gwAddr, ikePort), b)
		if st := sa.Info().State; st != ikesa.StateDead {
			t.Errorf("the refused SA is %v, want dead", st)
		}
	}
	if v := tp.client.e.Outbound(udp4(clientIn, appAddr, 40000, 7, []byte("refused"))); v != Queued {
		t.Fatalf("first packet: %v, want queued", v)
	}
	eventually(t, "the waiting packet dropped", func() bool { return tp.client.e.Stats().Drops[DropNoSA] == 1 })
}

// TestAnsweredNegotiationForgetsItsSA: once the child SA a negotiation
// waited for is up, the negotiation no longer names the IKE SA it started:
// that SA failing later (a liveness check that times out) is no answer to
// a later negotiation, which may wait for a child on another IKE SA. The
// SPI stayed noted after success, so the later failure dropped the later
// negotiation's packets.
func TestAnsweredNegotiationForgetsItsSA(t *testing.T) {
	tp := newTopo(t)
	tp.establish(t)
	var started ikesa.IKESAInfo
	for _, info := range tp.client.e.daemon.SAs() {
		if info.Initiator && info.State == ikesa.StateEstablished {
			started = info
		}
	}
	if started.ID.SPIi == 0 {
		t.Fatal("the client initiated no IKE SA")
	}
	e := tp.client.e
	e.mu.Lock()
	ps := e.peers[started.Peer]
	// A later negotiation, waiting for a child on another IKE SA.
	ps.negotiating, ps.queue = true, [][]byte{udp4(clientIn, appAddr, 40000, 7, []byte("later"))}
	e.mu.Unlock()
	started.State = ikesa.StateDead
	e.ikeEvent(started, ikesa.ErrTimeout)
	if n := e.Stats().Drops[DropNoSA]; n != 0 {
		t.Errorf("%d packets of a later negotiation dropped for the failure of the SA an answered one started", n)
	}
}
