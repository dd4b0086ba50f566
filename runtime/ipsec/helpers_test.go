package ipsec

import (
	"bytes"
	"encoding/binary"
	"net/netip"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tcpipc/tcpipc/internal/clock"
	"github.com/tcpipc/tcpipc/internal/esp"
	"github.com/tcpipc/tcpipc/internal/ike/ikesa"
	"github.com/tcpipc/tcpipc/internal/ike/wire"
	"github.com/tcpipc/tcpipc/internal/testkit/memnet"
)

// The test topology: a client behind a NAT talks to a gateway. The client
// protects its address 10.99.0.2; the gateway the network 10.1.1.0/24.
var (
	clientAddr = netip.MustParseAddr("10.0.0.2")     // private, behind the NAT
	natPublic  = netip.MustParseAddr("198.51.100.7") // the NAT's public address
	gwAddr     = netip.MustParseAddr("192.0.2.1")    // the gateway, e.g. a DVIPA
	clientIn   = netip.MustParseAddr("10.99.0.2")    // the client's inner address
	appAddr    = netip.MustParseAddr("10.1.1.1")     // an application behind the gateway
	epoch      = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	testPSK    = []byte("sysplex-test-psk")
)

// node is an endpoint with its deliveries and key log collected.
type node struct {
	e      *Endpoint
	got    chan []byte
	keylog *syncBuffer
}

// syncBuffer is a bytes.Buffer safe for the endpoint's goroutines.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) Bytes() []byte {
	s.mu.Lock()
	defer s.mu.Unlock()
	return bytes.Clone(s.b.Bytes())
}

// topo is a client and a gateway on a memnet.Network with a NAT.
type topo struct {
	net         *memnet.Network
	clk         *clock.Manual
	client, gw  *node
	clientTmpl  Tunnel // the client's tunnel template
	gwLiveness  time.Duration
	clientLive  time.Duration
	clientQueue int
	// gwEcho makes the gateway's application answer every packet.
	gwEcho bool
	// gwFilters, when set, replace the gateway's SPD; gwPeers are peers
	// the gateway knows besides the client.
	gwFilters []Filter
	gwPeers   []Peer
	// noNAT puts the client on the gateway's network, without a NAT.
	noNAT bool
	// ike and esp are both sides' suites; nil: the defaults. gwESP,
	// when set, is the gateway's ESP suites instead.
	ike, esp, gwESP []ikesa.Suite
	// clientIKELife is the client's IKE SA lifetime for the gateway;
	// clientReauth and gwReauth the two ends' reauthentication intervals.
	clientIKELife, clientReauth, gwReauth time.Duration
	// clientID, when set, is the client's identity instead of
	// peer.example, and gwClientID the one the gateway expects of it (a
	// wildcard, say).
	clientID, gwClientID *ikesa.Identity
}

type topoOption func(*topo)

func withClientLifetime(l esp.Lifetime) topoOption {
	return func(t *topo) { t.clientTmpl.Lifetime = l }
}

func withLiveness(client, gw time.Duration) topoOption {
	return func(t *topo) { t.clientLive, t.gwLiveness = client, gw }
}

// withSuites gives both sides one IKE and one ESP suite, in strongSwan's
// notation.
func withSuites(t testing.TB, ike, esp string) topoOption {
	i, e := parseSuites(t, ike, esp)
	return func(tp *topo) { tp.ike, tp.esp = i, e }
}

// parseSuites reads one IKE and one ESP proposal in strongSwan's notation.
func parseSuites(t testing.TB, ike, esp string) (ikeSuites, espSuites []ikesa.Suite) {
	t.Helper()
	i, err := ikesa.ParseProposal(ike, true)
	if err != nil {
		t.Fatal(err)
	}
	e, err := ikesa.ParseProposal(esp, false)
	if err != nil {
		t.Fatal(err)
	}
	return []ikesa.Suite{i}, []ikesa.Suite{e}
}

// parseSuiteList reads proposals in strongSwan's notation, separated by
// commas, as our suites in that order.
func parseSuiteList(t testing.TB, list string, ike bool) []ikesa.Suite {
	t.Helper()
	var out []ikesa.Suite
	for _, p := range strings.Split(list, ",") {
		s, err := ikesa.ParseProposal(p, ike)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, s)
	}
	return out
}

func withoutNAT() topoOption { return func(t *topo) { t.noNAT = true } }

func withEcho() topoOption { return func(t *topo) { t.gwEcho = true } }

func withQueue(n int) topoOption { return func(t *topo) { t.clientQueue = n } }

func withClientIdentity(id, gwExpects ikesa.Identity) topoOption {
	return func(t *topo) { t.clientID, t.gwClientID = &id, &gwExpects }
}

// withGatewayPolicy gives the gateway its own SPD, and more peers for
// its IPSEC filters to name.
func withGatewayPolicy(peers []Peer, filters []Filter) topoOption {
	return func(t *topo) { t.gwFilters, t.gwPeers = filters, peers }
}

// newTopo builds the two endpoints; nothing is negotiated yet.
func newTopo(t testing.TB, opts ...topoOption) *topo {
	t.Helper()
	tp := &topo{net: memnet.New(), clk: clock.NewManual(epoch), clientTmpl: Tunnel{Peer: "gw"}}
	for _, o := range opts {
		o(tp)
	}
	if !tp.noNAT {
		tp.net.SetNAT(clientAddr, natPublic)
	}

	clientSPD, err := NewSPD(
		Filter{Name: "to-apps", Local: PrefixRange(netip.MustParsePrefix("10.99.0.2/32")),
			Remote: PrefixRange(netip.MustParsePrefix("10.1.1.0/24")), Action: ActionIPsec, Tunnel: tp.clientTmpl},
		Filter{Name: "dns", Protocol: protoUDP, RemotePorts: PortRange{53, 53}, Direction: Outbound, Action: ActionPermit},
	)
	if err != nil {
		t.Fatal(err)
	}
	gwFilters := tp.gwFilters
	if gwFilters == nil {
		gwFilters = []Filter{{Name: "clients", Local: PrefixRange(netip.MustParsePrefix("10.1.1.0/24")),
			Remote: PrefixRange(netip.MustParsePrefix("10.99.0.0/16")), Action: ActionIPsec, Tunnel: Tunnel{Peer: "client"}}}
	}
	gwSPD, err := NewSPD(gwFilters...)
	if err != nil {
		t.Fatal(err)
	}
	clientID, gwClientID := ikesa.FQDN("peer.example"), ikesa.FQDN("peer.example")
	if tp.clientID != nil {
		clientID, gwClientID = *tp.clientID, *tp.gwClientID
	}
	tp.client = tp.newNode(t, Config{
		Local: clientAddr, ID: clientID, SPD: clientSPD, Liveness: tp.clientLive, QueueLimit: tp.clientQueue,
		IKE: tp.ike, ESP: tp.esp,
		Peers: []Peer{{Name: "gw", Addr: gwAddr, ID: ikesa.FQDN("gw.example"), PSK: testPSK, IKELifetime: tp.clientIKELife, ReauthInterval: tp.clientReauth,
			LocalTS:  []netip.Prefix{netip.MustParsePrefix("10.99.0.2/32")},
			RemoteTS: []netip.Prefix{netip.MustParsePrefix("10.1.1.0/24")}}},
	}, false)
	gwESP := tp.esp
	if tp.gwESP != nil {
		gwESP = tp.gwESP
	}
	tp.gw = tp.newNode(t, Config{
		Local: gwAddr, ID: ikesa.FQDN("gw.example"), SPD: gwSPD, Liveness: tp.gwLiveness, IKE: tp.ike, ESP: gwESP,
		Peers: append([]Peer{{Name: "client", ID: gwClientID, PSK: testPSK, ReauthInterval: tp.gwReauth,
			LocalTS:  []netip.Prefix{netip.MustParsePrefix("10.1.1.0/24")},
			RemoteTS: []netip.Prefix{netip.MustParsePrefix("10.99.0.0/16")}}}, tp.gwPeers...),
	}, tp.gwEcho)
	return tp
}

// memESPPort is where a memnet host takes plain ESP: memnet carries only
// datagrams, so IP protocol 50 is modelled as port 0 of the address (no
// UDP packet ever uses it). Through memnet's NAT it would be mapped like
// a port, but behind a NAT the endpoints carry ESP in UDP anyway.
const memESPPort = 0

// memHost is a memnet host with its plain ESP "socket" (an ESPConn).
type memHost struct{ *memnet.Host }

func (h memHost) ReadESP(b []byte) (int, netip.Addr, error) {
	n, src, err := h.ReadFrom(memESPPort, b)
	return n, src.Addr(), err
}

func (h memHost) WriteESP(b []byte, dst netip.Addr) error {
	return h.WriteTo(memESPPort, b, netip.AddrPortFrom(dst, memESPPort))
}

// listenMem opens an endpoint's sockets on a memnet: IKE, NAT-T and ESP.
func listenMem(n *memnet.Network, addr netip.Addr) (memHost, error) {
	h, err := n.Listen(addr, ikePort, nattPort, memESPPort)
	return memHost{h}, err
}

func (tp *topo) newNode(t testing.TB, cfg Config, echo bool) *node {
	t.Helper()
	conn, err := listenMem(tp.net, cfg.Local)
	if err != nil {
		t.Fatal(err)
	}
	n := &node{got: make(chan []byte, 4096), keylog: &syncBuffer{}}
	cfg.Conn, cfg.Clock, cfg.KeyLog = conn, tp.clk, n.keylog
	// The callback may run before New returns, so it finds the endpoint
	// through a channel filled once New has.
	self := make(chan *Endpoint, 1)
	cfg.OnCleartext = func(p []byte) {
		n.got <- p
		if echo {
			e := <-self
			self <- e
			e.Outbound(reply(p))
		}
	}
	e, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	n.e = e
	self <- e
	t.Cleanup(func() { e.Close() })
	return n
}

// establish sends one packet from the client, which brings the SAs up on
// demand, and waits until the gateway got it.
func (tp *topo) establish(t testing.TB) {
	t.Helper()
	pkt := udp4(clientIn, appAddr, 40000, 7, []byte("hello"))
	if v := tp.client.e.Outbound(pkt); v != Queued {
		t.Fatalf("first packet: %v, want queued", v)
	}
	if got := recv(t, tp.gw.got, "first packet at the gateway"); !bytes.Equal(got, pkt) {
		t.Fatalf("gateway got % x, want % x", got, pkt)
	}
}

// recv waits for the next delivery.
func recv(t testing.TB, ch <-chan []byte, what string) []byte {
	t.Helper()
	select {
	case p := <-ch:
		return p
	case <-time.After(10 * time.Second):
		t.Fatalf("timed out waiting for %s", what)
		return nil
	}
}

// eventually polls cond in real time; deliveries run on goroutines.
func eventually(t testing.TB, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(2 * time.Millisecond)
	}
}

// udp4 builds an IPv4/UDP packet with correct checksums.
func udp4(src, dst netip.Addr, sport, dport uint16, payload []byte) []byte {
	p := make([]byte, 28+len(payload))
	p[0], p[8], p[9] = 0x45, 64, protoUDP
	binary.BigEndian.PutUint16(p[2:], uint16(len(p)))
	copy(p[12:16], src.AsSlice())
	copy(p[16:20], dst.AsSlice())
	binary.BigEndian.PutUint16(p[10:], checksum(p[:20], 0))
	u := p[20:]
	binary.BigEndian.PutUint16(u[0:], sport)
	binary.BigEndian.PutUint16(u[2:], dport)
	binary.BigEndian.PutUint16(u[4:], uint16(len(u)))
	copy(u[8:], payload)
	var pseudo uint32
	for i := 12; i < 20; i += 2 {
		pseudo += uint32(binary.BigEndian.Uint16(p[i:]))
	}
	pseudo += protoUDP + uint32(len(u))
	sum := checksum(u, pseudo)
	if sum == 0 {
		sum = 0xffff
	}
	binary.BigEndian.PutUint16(u[6:], sum)
	return p
}

func checksum(b []byte, sum uint32) uint16 {
	for i := 0; i+1 < len(b); i += 2 {
		sum += uint32(binary.BigEndian.Uint16(b[i:]))
	}
	if len(b)%2 == 1 {
		sum += uint32(b[len(b)-1]) << 8
	}
	for sum > 0xffff {
		sum = sum>>16 + sum&0xffff
	}
	return ^uint16(sum)
}

// reply turns an IPv4/UDP packet around, payload and all.
func reply(p []byte) []byte {
	src := netip.AddrFrom4([4]byte(p[12:16]))
	dst := netip.AddrFrom4([4]byte(p[16:20]))
	sport := binary.BigEndian.Uint16(p[20:])
	dport := binary.BigEndian.Uint16(p[22:])
	return udp4(dst, src, dport, sport, p[28:])
}

// capture records what crosses the public side of the network.
type capture struct {
	mu   sync.Mutex
	pkts []captured
}

type captured struct {
	src, dst netip.AddrPort
	payload  []byte
	at       time.Time
}

func (c *capture) install(n *memnet.Network) {
	n.SetTap(func(src, dst netip.AddrPort, payload []byte) {
		c.mu.Lock()
		defer c.mu.Unlock()
		c.pkts = append(c.pkts, captured{src, dst, bytes.Clone(payload), time.Now()})
	})
}

func (c *capture) all() []captured {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]captured(nil), c.pkts...)
}

// ikeExchange returns the exchange type of an IKE datagram to or from
// port, or 0 if it is not IKE.
func ikeExchange(port uint16, payload []byte) wire.ExchangeType {
	if port == nattPort {
		if len(payload) < 4+wire.HeaderLen || !bytes.Equal(payload[:4], []byte{0, 0, 0, 0}) {
			return 0
		}
		payload = payload[4:]
	}
	if len(payload) < wire.HeaderLen {
		return 0
	}
	return wire.Header(payload).Exchange()
}

// startMem starts an endpoint for cfg on the memnet netw with the clock
// clk; the cleartext it delivers goes to got. It closes with the test.
func startMem(t testing.TB, netw *memnet.Network, clk clock.Clock, cfg Config, got chan []byte) *Endpoint {
	t.Helper()
	conn, err := listenMem(netw, cfg.Local)
	if err != nil {
		t.Fatal(err)
	}
	cfg.Conn, cfg.Clock = conn, clk
	cfg.OnCleartext = func(p []byte) { got <- p }
	e, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { e.Close() })
	return e
}
