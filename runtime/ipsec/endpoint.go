package ipsec

import (
	"bytes"
	"errors"
	"net"
	"net/netip"
	"sync"
	"time"

	"github.com/tcpipc/tcpipc/internal/clock"
	"github.com/tcpipc/tcpipc/internal/esp"
	"github.com/tcpipc/tcpipc/internal/ike/ikesa"
	"github.com/tcpipc/tcpipc/internal/natt"
)

// The two UDP ports the endpoint listens on (RFC 7296 §2.23).
const (
	ikePort  = natt.IKEPort
	nattPort = natt.NATTPort
)

// maxDatagram is the receive buffer size: the largest UDP payload.
const maxDatagram = 65535

// Endpoint is one IPsec endpoint: an IKE daemon, a SAD and the per-peer
// outbound SAs, behind one PacketConn.
type Endpoint struct {
	cfg    Config
	clock  clock.Clock
	spd    *SPD
	conn   PacketConn
	daemon *ikesa.Daemon
	sad    *esp.SAD
	keylog *keyLog
	stats  counters

	// mu guards the fields below. It is never held while calling into
	// the daemon, which calls back into us (Send, callbacks) under its
	// own lock.
	mu       sync.Mutex
	closed   bool
	peers    map[string]*peerState
	children map[uint32]*child          // by inbound SPI
	ikeTimes map[ikesa.IKESAID]ikeTimes // of each established IKE SA (ikelife.go)
	// ikeGone is signalled at each IKE SA's end (DeleteTunnelsAndWait).
	ikeGone chan struct{}
	// mappings say where ESP for each IKE SA's peer goes. They are per
	// IKE SA, not per configured peer: a peer configured for a range of
	// addresses is many remotes, each with its own NAT mapping.
	mappings map[ikesa.IKESAID]*ikeMapping
	// seen remembers the local port each remote address last reached us
	// on, so IKE answers leave from the port the request came to.
	seen   map[netip.AddrPort]uint16
	timers []clock.Timer // periodic liveness and keepalive timers
	// oneShots are pending single timers (negotiation timeouts, rekey
	// retries), forgotten once they fire.
	oneShots  map[uint64]clock.Timer
	nextTimer uint64
	// swsa journals the tunnels of a DVIPSEC DVIPA (swsa.go); nil else.
	swsa *swsaState

	wg sync.WaitGroup // the receive loops

	// early holds ESP that overtakes the installation of its child
	// (early.go); nothing else orders the receive loops.
	early earlyESP

	// initiatedHook, set by tests only, runs in negotiate between reading
	// a new IKE SA's SPI and noting it as the negotiation's.
	initiatedHook func(*ikesa.IKESA)
}

// peerState is what the endpoint keeps per configured peer.
type peerState struct {
	cfg *Peer
	// children lists the peer's child SAs, oldest first; outbound
	// traffic uses the newest one whose selectors fit.
	children []*child
	// index finds the child for a packet among many (childindex.go);
	// addChild and removeChild keep it and children together.
	index childIndex
	// queue holds packets waiting for a child SA while negotiating.
	queue       [][]byte
	negotiating bool
	// proposal is what the negotiation under way asks for: the selectors
	// of the filter whose packet started it (trigger), that packet's
	// first.
	proposal ikesa.Selectors
	trigger  *Filter
	// narrowed holds the filters whose acquire the peer answered with a
	// child that left out the packet that asked (see narrowed.go).
	narrowed map[acquireKey]ikesa.Selectors
	// generation numbers negotiations, so a stale timeout leaves a newer
	// one alone.
	generation uint64
	// initiated is the initiator SPI of the IKE SA the negotiation under
	// way started (0: none, or a child on an established SA): only its
	// failure, not another SA's with the same peer, ends the wait.
	initiated uint64
}

// New checks cfg, starts the IKE daemon and the receive loops, and
// returns the running endpoint, which owns cfg.Conn from then on. On
// error the caller still owns cfg.Conn.
func New(cfg Config) (*Endpoint, error) {
	if err := cfg.validate(); err != nil {
		return nil, err
	}
	if cfg.Clock == nil {
		cfg.Clock = clock.Real{}
	}
	if cfg.IKE == nil {
		cfg.IKE = DefaultIKE
	}
	if cfg.ESP == nil {
		cfg.ESP = DefaultESP
	}
	if cfg.QueueLimit <= 0 {
		cfg.QueueLimit = DefaultQueueLimit
	}
	if cfg.Keepalive == 0 {
		cfg.Keepalive = natt.KeepaliveInterval
	}
	if cfg.RekeyedGrace == 0 {
		cfg.RekeyedGrace = DefaultRekeyedGrace
	}
	e := &Endpoint{
		cfg: cfg, clock: cfg.Clock, spd: cfg.SPD, conn: cfg.Conn, sad: esp.NewSAD(),
		peers: map[string]*peerState{}, children: map[uint32]*child{}, seen: map[netip.AddrPort]uint16{},
		oneShots: map[uint64]clock.Timer{}, ikeTimes: map[ikesa.IKESAID]ikeTimes{},
		mappings: map[ikesa.IKESAID]*ikeMapping{}, ikeGone: make(chan struct{}, 1),
	}
	for i := range cfg.Peers {
		e.peers[cfg.Peers[i].Name] = &peerState{cfg: &e.cfg.Peers[i]}
	}
	if cfg.KeyLog != nil {
		e.keylog = &keyLog{w: cfg.KeyLog, family: family(cfg.Local)}
	}
	icfg := ikesa.Config{
		Local: netip.AddrPortFrom(cfg.Local, ikePort), ID: cfg.ID, Peers: cfg.ikePeers(), Credentials: cfg.Credentials,
		IKE: cfg.IKE, ESP: cfg.ESP, Transport: (*transport)(e), Clock: cfg.Clock,
		RetransmitTimeout: cfg.RetransmitTimeout, RetransmitTries: cfg.RetransmitTries,
		OnChildSA: e.installChild, OnChildSADeleted: e.removeChild, OnIKESA: e.ikeEvent, OnChildRefused: e.childRefused,
		Identities: cfg.Identities, InitLimits: cfg.InitLimits,
	}
	if e.keylog != nil {
		icfg.OnKeys = e.keylog.logIKE
	}
	d, err := ikesa.New(icfg)
	if err != nil {
		return nil, err
	}
	e.daemon = d
	for _, port := range []uint16{ikePort, nattPort} {
		e.wg.Add(1)
		go e.receiveLoop(port)
	}
	if raw, ok := cfg.Conn.(ESPConn); ok {
		e.wg.Add(1)
		go e.espLoop(raw)
	}
	e.mu.Lock()
	if cfg.Liveness > 0 {
		e.every(cfg.Liveness, e.checkLiveness)
	}
	if cfg.Keepalive > 0 {
		e.every(cfg.Keepalive, e.sendKeepalives)
	}
	e.mu.Unlock()
	return e, nil
}

// every runs f each interval until the endpoint closes. e.mu is held.
func (e *Endpoint) every(interval time.Duration, f func()) {
	slot := len(e.timers)
	var tick func()
	tick = func() {
		e.mu.Lock()
		if e.closed {
			e.mu.Unlock()
			return
		}
		e.timers[slot] = e.clock.AfterFunc(interval, tick)
		e.mu.Unlock()
		f()
	}
	e.timers = append(e.timers, e.clock.AfterFunc(interval, tick))
}

// after runs f once, d from now, unless the endpoint closes first. e.mu
// is held.
func (e *Endpoint) after(d time.Duration, f func()) {
	if e.closed {
		return
	}
	id := e.nextTimer
	e.nextTimer++
	e.oneShots[id] = e.clock.AfterFunc(d, func() {
		e.mu.Lock()
		_, pending := e.oneShots[id]
		delete(e.oneShots, id)
		run := pending && !e.closed
		e.mu.Unlock()
		if run {
			f()
		}
	})
}

// Close stops the endpoint: timers, the IKE daemon (without telling peers)
// and the receive loops, and closes the PacketConn. It waits for the
// receive loops to end.
func (e *Endpoint) Close() error {
	e.mu.Lock()
	if e.closed {
		e.mu.Unlock()
		return nil
	}
	e.closed = true
	for _, t := range e.timers {
		t.Stop()
	}
	for id, t := range e.oneShots {
		t.Stop()
		delete(e.oneShots, id)
	}
	e.mu.Unlock()
	e.daemon.Close() // reports every child deleted, which closes its SAs
	err := e.conn.Close()
	e.wg.Wait()
	// Inbound SAs still in their post-rekey grace go now.
	e.mu.Lock()
	var lingering []*child
	for _, ch := range e.children {
		lingering = append(lingering, ch)
	}
	e.mu.Unlock()
	for _, ch := range lingering {
		e.dropChild(ch)
	}
	return err
}

// Daemon returns the endpoint's IKE daemon, for operations the endpoint
// does not wrap (rekeying an IKE SA, deleting one).
func (e *Endpoint) Daemon() *ikesa.Daemon { return e.daemon }

// receiveLoop reads one port until the conn is closed.
func (e *Endpoint) receiveLoop(port uint16) {
	defer e.wg.Done()
	buf := make([]byte, maxDatagram)
	for {
		n, src, err := e.conn.ReadFrom(port, buf)
		if err != nil {
			if e.isClosed() {
				return
			}
			if errors.Is(err, net.ErrClosed) {
				return
			}
			continue
		}
		e.HandleDatagram(port, src, buf[:n])
	}
}

func (e *Endpoint) isClosed() bool {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.closed
}

// HandleDatagram processes one UDP datagram that arrived on localPort from
// src. The receive loops call it; it is exported for callers that run
// their own loops and for fuzzing. It never panics, and it does not keep b.
func (e *Endpoint) HandleDatagram(localPort uint16, src netip.AddrPort, b []byte) {
	defer func() {
		if r := recover(); r != nil {
			e.stats.drop(DropPanic)
		}
	}()
	src = netip.AddrPortFrom(src.Addr().Unmap(), src.Port())
	kind, payload, err := natt.Classify(localPort, b)
	if err != nil {
		e.stats.drop(nattDropReason(err))
		return
	}
	switch kind {
	case natt.KindKeepalive:
		e.stats.keepalivesIn.Add(1)
	case natt.KindIKE:
		e.stats.ikeIn.Add(1)
		e.noteSeen(src, localPort)
		// The daemon may keep parts of the message; b is the loop's buffer.
		e.handleIKE(localPort, src, bytes.Clone(payload))
	case natt.KindESP:
		e.stats.espIn.Add(1)
		e.receiveESP(src, payload, true)
	}
}

// handleIKE passes an IKE message to the daemon, recording the handling
// for the ESP that may overtake the children it installs (early.go).
func (e *Endpoint) handleIKE(localPort uint16, src netip.AddrPort, msg []byte) {
	n := e.beginIKE()
	defer e.endIKE(n)
	e.daemon.HandleDatagramAt(localPort, src, msg)
	if localPort == nattPort {
		e.observeMapping(src, msg)
	}
}

// receiveESP takes an ESP packet that arrived in UDP (udp) or plain: held
// if it overtook its child's installation (early.go), else decrypted and
// delivered.
func (e *Endpoint) receiveESP(src netip.AddrPort, pkt []byte, udp bool) {
	if e.holdEarly(src, pkt, udp) {
		return
	}
	e.decryptAndDeliver(src, pkt, udp)
}

// decryptAndDeliver decrypts an ESP packet that came from src (its port
// 0 for plain ESP), checks the inner packet against the SA's selectors
// and the SPD and delivers it (RFC 4301 §5.2, RFC 4303 §3.4).
func (e *Endpoint) decryptAndDeliver(src netip.AddrPort, pkt []byte, udp bool) {
	if e.encapMismatch(pkt, udp) {
		e.stats.drop(DropEncapMismatch)
		return
	}
	inner, _, sa, err := e.sad.Decap(make([]byte, 0, len(pkt)), pkt)
	if err != nil {
		e.stats.drop(espDropReason(err))
		return
	}
	e.mu.Lock()
	c := e.children[sa.SPI()]
	e.mu.Unlock()
	fl, err := parseFlow(inner)
	switch {
	case c == nil:
		// Removed between lookup and now: treat as unknown.
		e.stats.drop(DropUnknownSPI)
		return
	case udp && c.mapping != nil && src != c.mapping.Remote() && sa.IsNewest(esp.Packet(pkt).Seq()):
		e.followESP(c, src)
	}
	switch {
	case err != nil:
		e.stats.drop(DropMalformed)
		return
	case !fitsSelectors(fl, c.info.RemoteTS, c.info.LocalTS):
		e.stats.drop(DropSelector)
		return
	}
	c.ready.Store(true) // the peer sends on it, so it can receive on it
	if reason, ok := e.admitProtected(c, fl); !ok {
		e.stats.drop(reason)
		return
	}
	e.stats.delivered.Add(1)
	if e.cfg.OnCleartext != nil {
		e.cfg.OnCleartext(inner)
	}
}

// admitProtected decides whether a decrypted packet that fits the
// selectors of child c may be delivered: the SPD entry it matches must be
// an IPSEC filter whose tunnel is c's peer (RFC 4301 §5.2). Traffic the
// SPD denies, permits only in the clear or protects with another peer is
// refused, so a peer cannot use its SA to reach what the policy closes
// to it; so is a connection request the filter allows only the other way.
func (e *Endpoint) admitProtected(c *child, fl flow) (DropReason, bool) {
	f := e.spd.lookup(Inbound, fl)
	switch {
	case f == nil || f.Action != ActionIPsec || f.Tunnel.Peer != c.info.Peer:
		return DropInboundPolicy, false
	case f.refusesConnect(Inbound, fl):
		return DropPolicy, false
	}
	return 0, true
}

// InboundClear applies the SPD to a packet that arrived in the clear and
// reports whether it may be accepted. Traffic the SPD wants protected is
// refused when it arrives unprotected (RFC 4301 §5.2), as is denied and
// unmatched traffic; both are counted as DropPolicy.
func (e *Endpoint) InboundClear(pkt []byte) bool {
	fl, err := parseFlow(pkt)
	if err != nil {
		e.stats.drop(DropMalformed)
		return false
	}
	if _, ok := e.spd.admitsClear(Inbound, fl); ok {
		return true
	}
	e.stats.drop(DropPolicy)
	return false
}
