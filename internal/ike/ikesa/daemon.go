package ikesa

import (
	"crypto/rand"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"net/netip"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/tcpipc/tcpipc/internal/clock"
	"github.com/tcpipc/tcpipc/internal/ike/certid"
	"github.com/tcpipc/tcpipc/internal/ike/wire"
)

// Transport carries IKE messages (without the non-ESP marker). Send must
// not block for long and must not call back into the Daemon; like UDP it
// may lose messages.
type Transport interface {
	Send(local, remote netip.AddrPort, msg []byte) error
}

// IKESAID names an IKE SA by its two SPIs.
type IKESAID struct{ SPIi, SPIr uint64 }

func (id IKESAID) String() string { return fmt.Sprintf("%016x_i %016x_r", id.SPIi, id.SPIr) }

// IKESAInfo describes an IKE SA for callers and displays.
type IKESAInfo struct {
	ID   IKESAID
	Peer string
	// PeerID is the identity the peer authenticated with, zero before
	// IKE_AUTH: for a peer with a wildcard identity, the one it is.
	PeerID        Identity
	Initiator     bool
	State         State
	Local, Remote netip.AddrPort
	Suite         Suite
	// NATLocal is set when we are behind a NAT, NATRemote when the peer is.
	NATLocal, NATRemote bool
	Children            int
	// Replaces is the IKE SA this one replaced by a rekey (RFC 7296
	// §2.18) or a reauthentication (§2.8.3, Reauthenticated set); zero
	// for one negotiated afresh.
	Replaces        IKESAID
	Reauthenticated bool
	// Authenticated is when the peer last proved its identity: in this
	// SA's IKE_AUTH, or, for a rekeyed SA, in its predecessor's (a rekey
	// carries no AUTH); zero before it is up.
	Authenticated time.Time
}

// Stats counts what the daemon did with datagrams.
type Stats struct {
	Received uint64
	// Malformed datagrams could not be decoded.
	Malformed uint64
	// UnknownSPI datagrams named no IKE SA of ours.
	UnknownSPI uint64
	// Dropped messages decoded but were not acceptable: an unexpected
	// message ID or state, or a failed integrity check.
	Dropped uint64
	// ResentResponses counts cached responses sent again for a
	// retransmitted request; Retransmissions counts our own requests sent
	// again.
	ResentResponses uint64
	Retransmissions uint64
	// Panics counts datagrams whose handling panicked and was recovered.
	Panics uint64
	// AuthFailed counts IKE_AUTH exchanges whose peer did not prove its
	// identity: a wrong key or signature, an untrusted or expired
	// certificate, an identity the certificate does not carry.
	AuthFailed uint64
	// Fragments counts authentic Encrypted Fragment payloads received
	// (RFC 7383), Reassembled the messages they made whole. We never
	// announce fragmentation, but a peer may fragment anyway
	// (strongSwan's fragmentation = force).
	Fragments, Reassembled uint64
	// Refused counts, by type, the error notifications we answered the
	// peer's requests with (RFC 7296 section 3.10.1): NO_PROPOSAL_CHOSEN
	// when it offered no suite we accept, TS_UNACCEPTABLE,
	// INVALID_KE_PAYLOAD, AUTHENTICATION_FAILED, TEMPORARY_FAILURE, …
	// PeerRefused counts those the peer answered our requests with.
	// Types never seen are absent.
	Refused, PeerRefused map[wire.NotifyType]uint64
	// LastNoProposal says what the last offer we refused with
	// NO_PROPOSAL_CHOSEN was: exchange, sender, its proposals and our
	// suites; empty if none was.
	LastNoProposal string
	// HalfOpen is how many responder SAs answered IKE_SA_INIT and wait
	// for IKE_AUTH now. Under load (InitLimits, cookies.go) CookiesSent
	// counts IKE_SA_INIT requests answered with only a COOKIE (RFC 7296
	// section 2.6), CookiesInvalid those among them that carried a cookie
	// that did not verify, and CookiesAccepted the requests let in by a
	// valid one. InitBlocked counts requests dropped because their
	// address held InitLimits.PerAddress half-open SAs, InitOverLimit
	// those dropped because the daemon held InitLimits.HalfOpenMax.
	HalfOpen                                     int
	CookiesSent, CookiesInvalid, CookiesAccepted uint64
	InitBlocked, InitOverLimit                   uint64
}

type counters struct {
	received, malformed, unknownSPI, dropped, resent, retransmissions, panics, authFailed atomic.Uint64
	fragments, reassembled                                                                atomic.Uint64
	cookiesSent, cookiesInvalid, cookiesAccepted, initBlocked, initOverLimit              atomic.Uint64
	halfOpen                                                                              atomic.Int64
}

// Errors an IKE SA can die of, passed to Config.OnIKESA.
var (
	ErrTimeout     = errors.New("ikesa: peer did not answer")
	ErrAuthFailed  = errors.New("ikesa: authentication failed")
	ErrNoProposal  = errors.New("ikesa: no acceptable proposal")
	ErrDeleted     = errors.New("ikesa: deleted")
	ErrBadResponse = errors.New("ikesa: unacceptable response")
	ErrClosed      = errors.New("ikesa: daemon closed")
	ErrReplaced    = errors.New("ikesa: peer sent INITIAL_CONTACT on a new IKE SA")
	ErrRekeyed     = errors.New("ikesa: replaced by a rekeyed IKE SA")
	ErrExpired     = errors.New("ikesa: lifetime ended")
)

// Daemon runs the IKE SAs of one local identity.
type Daemon struct {
	cfg   Config
	clock clock.Clock
	rand  io.Reader
	ike   []*ikeAlgs
	stats counters
	// refusals counts refused exchanges both ways (refusals.go).
	refusals refusals

	mu      sync.Mutex
	sas     map[uint64]*IKESA  // by our own SPI
	byInit  map[initKey]*IKESA // responder SAs, for IKE_SA_INIT retransmissions
	inbound map[uint32]bool    // ESP SPIs we receive on
	closed  bool
	// reassembling is what the unfinished fragmented messages of all
	// IKE SAs hold, in bytes, and reassemblingHalfOpen the part of it
	// that half-open SAs hold (fragments.go).
	reassembling, reassemblingHalfOpen int
	// limits, cookies and halfOpen guard the responder against floods
	// of IKE_SA_INIT (cookies.go).
	limits   InitLimits
	cookies  cookieSecrets
	halfOpen halfOpen
	// events are callbacks collected under mu and run after it is
	// released, so a callback may call back into the daemon.
	events []func()
	// tick orders IKE SA events (reauth_collision.go).
	tick uint64
}

// initKey finds a responder's IKE SA from a retransmitted IKE_SA_INIT
// request, which does not carry our SPI. It stays valid for the SA's life
// so that a late retransmission can never start a second SA.
type initKey struct {
	spii   uint64
	remote netip.AddrPort
}

// New checks cfg and returns a daemon ready for HandleDatagram and Initiate.
func New(cfg Config) (*Daemon, error) {
	if err := cfg.validate(); err != nil {
		return nil, err
	}
	if cfg.Clock == nil {
		cfg.Clock = clock.Real{}
	}
	if cfg.Identities == nil {
		cfg.Identities = NewIdentities()
	}
	if cfg.Rand == nil {
		cfg.Rand = rand.Reader
	}
	if cfg.RetransmitTimeout <= 0 {
		cfg.RetransmitTimeout = DefaultRetransmitTimeout
	}
	if cfg.RetransmitTries <= 0 {
		cfg.RetransmitTries = DefaultRetransmitTries
	}
	if cfg.HalfOpenTimeout <= 0 {
		cfg.HalfOpenTimeout = DefaultHalfOpenTimeout
	}
	limits := DefaultInitLimits
	if cfg.InitLimits != nil {
		limits = *cfg.InitLimits
	}
	if limits.CookieSecretLifetime == 0 {
		limits.CookieSecretLifetime = DefaultCookieSecretLifetime
	}
	cfg.Peers = slices.Clone(cfg.Peers) // we hand out pointers into it
	if leaf := cfg.Credentials.leaf(); leaf != nil && cfg.ID.Type == wire.ID_DER_ASN1_DN && certid.SameDN(cfg.ID.Data, leaf.RawSubject) {
		// Send the DN exactly as the certificate encodes it, which is
		// what a peer compares with the certificate's subject.
		cfg.ID.Data = leaf.RawSubject
	}
	d := &Daemon{
		cfg:     cfg,
		clock:   cfg.Clock,
		rand:    cfg.Rand,
		sas:     map[uint64]*IKESA{},
		byInit:  map[initKey]*IKESA{},
		inbound: map[uint32]bool{},
		limits:  limits, cookies: cookieSecrets{lifetime: limits.CookieSecretLifetime},
		halfOpen: halfOpen{byAddr: map[netip.Addr]int{}},
	}
	for _, s := range cfg.IKE {
		a, _ := resolveIKE(s) // validate checked it
		d.ike = append(d.ike, a)
	}
	return d, nil
}

// Stats returns a snapshot of the counters.
func (d *Daemon) Stats() Stats {
	c := &d.stats
	s := Stats{
		Received: c.received.Load(), Malformed: c.malformed.Load(), UnknownSPI: c.unknownSPI.Load(),
		Dropped: c.dropped.Load(), ResentResponses: c.resent.Load(), Retransmissions: c.retransmissions.Load(),
		Panics: c.panics.Load(), AuthFailed: c.authFailed.Load(),
		Fragments: c.fragments.Load(), Reassembled: c.reassembled.Load(),
		HalfOpen: int(c.halfOpen.Load()), CookiesSent: c.cookiesSent.Load(), CookiesInvalid: c.cookiesInvalid.Load(),
		CookiesAccepted: c.cookiesAccepted.Load(), InitBlocked: c.initBlocked.Load(), InitOverLimit: c.initOverLimit.Load(),
	}
	d.refusals.snapshot(&s)
	return s
}

// SAs describes every IKE SA the daemon holds.
func (d *Daemon) SAs() []IKESAInfo {
	d.mu.Lock()
	defer d.mu.Unlock()
	out := make([]IKESAInfo, 0, len(d.sas))
	for _, sa := range d.sas {
		out = append(out, sa.info())
	}
	return out
}

// Lookup returns the IKE SA with the given SPIs, or nil; OnIKESA reports
// the IDs of SAs the peer started.
func (d *Daemon) Lookup(id IKESAID) *IKESA {
	d.mu.Lock()
	defer d.mu.Unlock()
	for _, sa := range d.sas {
		if sa.id() == id {
			return sa
		}
	}
	return nil
}

// ESPFrom tells the daemon that a new authentic ESP packet (one that
// moved the anti-replay window forward) of the child we receive on
// inboundSPI came in UDP from addr. If that child's IKE SA found its peer
// behind a NAT, and us behind none, and knows the peer elsewhere, the NAT
// now maps the peer to addr (its mapping expired, it restarted or took
// another address): RFC 7296 §2.23 asks a host not behind a NAT to send
// everything to the address of such a validated packet from then on, and
// a host behind one not to. ESPFrom reports whether it moved the SA.
func (d *Daemon) ESPFrom(inboundSPI uint32, addr netip.AddrPort) bool {
	d.mu.Lock()
	defer d.runEventsLocked()
	for _, sa := range d.sas {
		if sa.state == StateEstablished && sa.children[inboundSPI] != nil {
			if !sa.natRemote || sa.natLocal || sa.remote == addr || !addr.IsValid() {
				return false
			}
			sa.remote = addr
			for _, c := range sa.children {
				c.Remote = addr
			}
			return true
		}
	}
	return false
}

// Close drops every IKE SA without telling peers and stops all timers.
// Datagrams arriving afterwards are ignored.
func (d *Daemon) Close() {
	d.mu.Lock()
	d.closed = true
	for _, sa := range d.sas {
		sa.die(ErrClosed)
	}
	d.runEventsLocked()
}

// HandleDatagram processes one IKE message that arrived from src. It never
// panics: a panic while handling is recovered and counted, so a receive
// loop calling it survives any input.
func (d *Daemon) HandleDatagram(src netip.AddrPort, msg []byte) {
	d.HandleDatagramAt(d.cfg.Local.Port(), src, msg)
}

// HandleDatagramAt is HandleDatagram for a message that arrived on
// localPort (500, or 4500 with NAT traversal): an IKE_SA_INIT request's
// NAT detection covers the port it was sent to (RFC 7296 section 2.23),
// which is 4500 when a peer starts there or re-authenticates there.
func (d *Daemon) HandleDatagramAt(localPort uint16, src netip.AddrPort, msg []byte) {
	defer func() {
		if r := recover(); r != nil {
			d.stats.panics.Add(1)
		}
	}()
	d.stats.received.Add(1)
	d.mu.Lock()
	defer d.runEventsLocked()
	if d.closed {
		return
	}
	d.handle(netip.AddrPortFrom(d.cfg.Local.Addr(), localPort), src, msg)
}

// runEventsLocked releases d.mu, then runs the collected callbacks.
func (d *Daemon) runEventsLocked() {
	events := d.events
	d.events = nil
	d.mu.Unlock()
	for _, f := range events {
		f()
	}
}

func (d *Daemon) handle(local, src netip.AddrPort, b []byte) {
	m, err := wire.DecodeMessage(b)
	if err != nil {
		d.stats.malformed.Add(1)
		d.answerMalformedInit(src, b, err)
		return
	}
	if m.Exchange == wire.IKE_SA_INIT && !m.IsResponse() && m.SPIr == 0 {
		d.handleInitRequest(local, src, b, m)
		return
	}
	sa := d.lookup(m)
	if sa == nil {
		d.stats.unknownSPI.Add(1)
		return
	}
	if m.IsResponse() {
		sa.handleResponse(src, b, m)
	} else {
		sa.handleRequest(src, b, m)
	}
}

// lookup finds the IKE SA a message belongs to. The I flag says which side
// the sender is, and so which of the two SPIs is ours (RFC 7296 section 2.6).
func (d *Daemon) lookup(m *wire.Message) *IKESA {
	if m.Flags&wire.FlagInitiator != 0 {
		sa := d.sas[m.SPIr]
		if sa == nil || sa.initiator || sa.spiI != m.SPIi {
			return nil
		}
		return sa
	}
	sa := d.sas[m.SPIi]
	if sa == nil || !sa.initiator || (sa.spiR != 0 && sa.spiR != m.SPIr) {
		return nil
	}
	return sa
}

// answerMalformedInit tells the sender of an undecodable IKE_SA_INIT
// request what was wrong (RFC 7296 section 2.21.1). Other undecodable
// messages are dropped: they cannot be authenticated, so answering would
// only help an attacker.
func (d *Daemon) answerMalformedInit(src netip.AddrPort, b []byte, err error) {
	h, herr := wire.ParseHeader(b)
	notify, data, ok := wire.NotifyFor(err)
	if herr != nil || !ok || h.Exchange() != wire.IKE_SA_INIT || h.IsResponse() || h.SPIr() != 0 || h.MessageID() != 0 {
		return
	}
	d.sendNotifyInit(src, h.SPIi(), notify, data)
}

// sendNotifyInit answers an IKE_SA_INIT request without creating state.
func (d *Daemon) sendNotifyInit(to netip.AddrPort, spii uint64, t wire.NotifyType, data []byte) {
	m := &wire.Message{SPIi: spii, Exchange: wire.IKE_SA_INIT, Flags: wire.FlagResponse,
		Payloads: []wire.Payload{&wire.Notify{NotifyType: t, Data: data}}}
	if b, err := m.Encode(); err == nil {
		d.noteSent(m.Payloads)
		d.send(to, b)
	}
}

func (d *Daemon) send(to netip.AddrPort, b []byte) {
	// Losing a message is normal for IKE; retransmission covers it.
	_ = d.cfg.Transport.Send(d.cfg.Local, to, b)
}

func (d *Daemon) emit(f func()) { d.events = append(d.events, f) }

func (d *Daemon) randBytes(n int) []byte {
	b := make([]byte, n)
	if _, err := io.ReadFull(d.rand, b); err != nil {
		panic(fmt.Sprintf("ikesa: random source failed: %v", err))
	}
	return b
}

// newIKESPI returns an unused non-zero IKE SPI.
func (d *Daemon) newIKESPI() uint64 {
	for {
		spi := binary.BigEndian.Uint64(d.randBytes(8))
		if spi != 0 && d.sas[spi] == nil {
			return spi
		}
	}
}

// newESPSPI returns an unused inbound ESP SPI of at least 256: values
// below are reserved (RFC 4303 section 2.1), and a zero SPI would be read
// as the non-ESP marker on port 4500.
func (d *Daemon) newESPSPI() uint32 {
	for {
		spi := binary.BigEndian.Uint32(d.randBytes(4))
		if spi >= 256 && !d.inbound[spi] {
			d.inbound[spi] = true
			return spi
		}
	}
}

func (d *Daemon) peerByName(name string) *Peer {
	for i := range d.cfg.Peers {
		if d.cfg.Peers[i].Name == name {
			return &d.cfg.Peers[i]
		}
	}
	return nil
}

// peerByID finds the peer an ID payload names: the first whose exact
// identity it is, else the first whose wildcard covers it, so that a
// wildcard listed earlier never shadows a peer named exactly.
func (d *Daemon) peerByID(id *wire.ID) *Peer {
	for _, wild := range []bool{false, true} {
		for i := range d.cfg.Peers {
			if p := &d.cfg.Peers[i]; p.ID.Wildcard == wild && p.ID.equal(id) {
				return p
			}
		}
	}
	return nil
}
