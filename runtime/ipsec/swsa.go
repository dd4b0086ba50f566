package ipsec

import (
	"fmt"
	"net/netip"
	"slices"
	"sync"

	"github.com/tcpipc/tcpipc/internal/ike/ikesa"
	"github.com/tcpipc/tcpipc/internal/ike/wire"
	"github.com/tcpipc/tcpipc/plan"
	"github.com/tcpipc/tcpipc/runtime/swsa"
)

// Sysplex-Wide Security Associations, the endpoint's half (seed 003
// figures 7A-8B and 14-15, docs/swsa.md). An endpoint on a DVIPSEC DVIPA
// reports its tunnels to a swsa.Journal, which keeps one record per
// tunnel in the coupling facility; on a takeover the new holder's endpoint
// renegotiates every tunnel a record describes (recover.go).
//
// A tunnel here is everything the endpoint holds with one remote address:
// its IKE SA (a rekey replaces it, the tunnel stays) and its child SAs. Its
// ID is the stack's name and a sequence number (MVS5.Y3), so a new
// holder's records never collide with the ones it recovers.

// SWSA says how the endpoint journals its tunnels.
type SWSA struct {
	Journal swsa.Journal
	// Stack names the tunnels (Stack.Y<n>).
	Stack string
	// NextID, when set, names each new tunnel instead: the stack's one
	// sequence, shared by every life of every endpoint, so that no two
	// endpoints' records ever share an ID (a record of an earlier life
	// may still be in the structure, waiting to be recovered).
	NextID func() string
	// VPNAction names the IpDynVpnAction a tunnel to remote runs under.
	VPNAction func(remote netip.Addr) string
	// IKELifetime and ChildLifetime are the lifetimes, in seconds, the
	// records name when the SA itself has none.
	IKELifetime, ChildLifetime int
}

// swsaState is the endpoint's SWSA bookkeeping, under its own lock: the
// daemon's callbacks reach it without e.mu. Lock order: the daemon's lock,
// then e.mu, then s.mu; nothing that takes the daemon's lock or e.mu is
// called under s.mu.
type swsaState struct {
	cfg SWSA

	mu   sync.Mutex
	next int
	// byIKE finds a tunnel by any of its IKE SAs: a rekey adds the new
	// one (IKESAInfo.Replaces); an IKE SA negotiated afresh is a tunnel
	// of its own, even from an address another tunnel has (two clients
	// behind one NAPT).
	byIKE map[ikesa.IKESAID]*swsaTunnel
	// bySPI finds a child's tunnel when only its inbound SPI is known.
	bySPI map[uint32]*swsaTunnel
	// pending are the recoveries under way, by our IKE SPI (recover.go).
	pending map[uint64]*recovery
	// inflight counts initiations not yet registered in pending; early
	// keeps the outcomes that came before their registration.
	inflight int
	early    map[uint64]outcome
	// waiting are recoveries not started yet, active those under way
	// (recover.go's window).
	waiting []*recovery
	active  int
	// planning holds every on-demand negotiation from SetSWSA until the
	// stack has read the records (EndRecoveryPlanning); recovering holds
	// those with a peer whose tunnel is being renegotiated. Packets that
	// would start one are dropped meanwhile (TCP sends them again), so a
	// recovered tunnel never races a second negotiation with the peer.
	planning   bool
	recovering map[netip.Addr]bool
	// cancelled is why recoveries ended for good (CancelRecoveries).
	cancelled error
}

// swsaTunnel is one journaled tunnel.
type swsaTunnel struct {
	id     string
	ikes   map[ikesa.IKESAID]bool
	remote netip.Addr // the peer's address, for the displays
	// from is the record the tunnel was recovered from, for the displays.
	from RecoveredFrom
}

// RecoveredFrom names the record a tunnel was renegotiated from.
type RecoveredFrom struct {
	Writer, Tunnel string
}

// SetSWSA makes the endpoint journal its tunnels (a DVIPSEC DVIPA). Call it
// before any IKE reaches the endpoint.
func (e *Endpoint) SetSWSA(cfg SWSA) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.swsa = &swsaState{cfg: cfg, byIKE: map[ikesa.IKESAID]*swsaTunnel{}, bySPI: map[uint32]*swsaTunnel{},
		pending: map[uint64]*recovery{}, early: map[uint64]outcome{}, planning: true, recovering: map[netip.Addr]bool{}}
}

// EndRecoveryPlanning lets on-demand negotiation start again, but for the
// peers whose tunnels Recover is renegotiating: the stack has read the
// DVIPA's records and acted on them.
func (e *Endpoint) EndRecoveryPlanning() {
	if s := e.swsaOf(); s != nil {
		s.mu.Lock()
		s.planning = false
		s.mu.Unlock()
	}
}

// holdsOnDemand reports whether a packet to dst must not start a
// negotiation: a recovery is being planned or is under way for dst. e.mu
// is held (protect), so it reads e.swsa without taking it.
func (e *Endpoint) holdsOnDemand(dst netip.Addr) bool {
	s := e.swsa
	if s == nil {
		return false
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.planning || s.recovering[dst]
}

func (e *Endpoint) swsaOf() *swsaState {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.swsa
}

// journalIKE reports an IKE SA that came up or went (from ikeEvent).
func (e *Endpoint) journalIKE(info ikesa.IKESAInfo, err error) {
	s := e.swsaOf()
	if s == nil || info.Peer == "" {
		return
	}
	if err != nil {
		e.recoveryFailed(s, info.ID, err)
		s.ikeGone(e.cfg.Local, info)
		return
	}
	s.mu.Lock()
	t := s.byIKE[info.Replaces] // nil for an IKE SA negotiated afresh
	if t == nil {
		t = &swsaTunnel{id: s.newID(), ikes: map[ikesa.IKESAID]bool{info.ID: true}, remote: info.Remote.Addr()}
		s.byIKE[info.ID] = t
		rec := e.newRecord(s, t.id, info)
		s.mu.Unlock()
		s.cfg.Journal.Report(swsa.Event{Kind: swsa.IKEEstablished, DVIPA: e.cfg.Local, TunnelID: t.id, Tunnel: rec})
		return
	}
	t.ikes[info.ID], t.remote = true, info.Remote.Addr()
	s.byIKE[info.ID] = t
	id := t.id
	s.mu.Unlock()
	s.cfg.Journal.Report(swsa.Event{Kind: swsa.IKERekeyed, DVIPA: e.cfg.Local, TunnelID: id, IKE: e.ikeRecord(s, info)})
	if info.Remote != (netip.AddrPort{}) {
		s.cfg.Journal.Report(swsa.Event{Kind: swsa.PeerMoved, DVIPA: e.cfg.Local, TunnelID: id, Peer: info.Remote, BehindNAT: info.NATRemote})
	}
}

// journalPeerMoved reports that the peer of IKE SA info is now reached at
// another address or port (its NAT mapping moved), so that a takeover
// renegotiates with it where it is, not where the record last had it.
func (e *Endpoint) journalPeerMoved(info ikesa.IKESAInfo) {
	s := e.swsaOf()
	if s == nil {
		return
	}
	s.mu.Lock()
	t := s.byIKE[info.ID]
	if t != nil {
		t.remote = info.Remote.Addr()
	}
	s.mu.Unlock()
	if t != nil {
		s.cfg.Journal.Report(swsa.Event{Kind: swsa.PeerMoved, DVIPA: e.cfg.Local, TunnelID: t.id, Peer: info.Remote, BehindNAT: info.NATRemote})
	}
}

// newID names a new tunnel (s.mu held).
func (s *swsaState) newID() string {
	if s.cfg.NextID != nil {
		return s.cfg.NextID()
	}
	s.next++
	return fmt.Sprintf("%s.Y%d", s.cfg.Stack, s.next)
}

// ikeGone forgets an IKE SA; the tunnel goes with its last live one. A
// rekeyed SA's successor joined the tunnel when it came up (the daemon
// reports the new SA before the old one's end), so the tunnel goes on;
// should the successor die first, the old SA's end takes the tunnel with
// it rather than leave its record in the structure.
func (s *swsaState) ikeGone(dvipa netip.Addr, info ikesa.IKESAInfo) {
	s.mu.Lock()
	t := s.byIKE[info.ID]
	if t == nil {
		s.mu.Unlock()
		return
	}
	delete(s.byIKE, info.ID)
	delete(t.ikes, info.ID)
	gone := len(t.ikes) == 0
	if gone {
		for spi, ct := range s.bySPI {
			if ct == t {
				delete(s.bySPI, spi)
			}
		}
	}
	s.mu.Unlock()
	if gone {
		s.cfg.Journal.Report(swsa.Event{Kind: swsa.IKEDeleted, DVIPA: dvipa, TunnelID: t.id})
	}
}

// journalChild reports a child SA installed (from installChild).
func (e *Endpoint) journalChild(c ikesa.ChildSA, life int) {
	s := e.swsaOf()
	if s == nil {
		return
	}
	s.mu.Lock()
	t := s.byIKE[c.IKE]
	if t == nil {
		s.mu.Unlock()
		return
	}
	s.bySPI[c.InboundSPI] = t
	id := t.id
	s.mu.Unlock()
	s.cfg.Journal.Report(swsa.Event{Kind: swsa.ChildInstalled, DVIPA: e.cfg.Local, TunnelID: id, Child: e.childRecord(s, c, life)})
	e.recovered(s, c)
}

// journalChildGone reports a child SA deleted (from removeChild).
func (e *Endpoint) journalChildGone(inSPI uint32) {
	s := e.swsaOf()
	if s == nil {
		return
	}
	s.mu.Lock()
	t := s.bySPI[inSPI]
	delete(s.bySPI, inSPI)
	s.mu.Unlock()
	if t != nil {
		s.cfg.Journal.Report(swsa.Event{Kind: swsa.ChildDeleted, DVIPA: e.cfg.Local, TunnelID: t.id, OldInboundSPI: inSPI})
	}
}

// RecoveredTunnels maps each peer address whose tunnel came from a record
// to that record's writer and tunnel: what the displays mark.
func (e *Endpoint) RecoveredTunnels() map[netip.Addr]RecoveredFrom {
	s := e.swsaOf()
	if s == nil {
		return nil
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	out := map[netip.Addr]RecoveredFrom{}
	for _, t := range s.byIKE {
		if t.from.Writer != "" {
			out[t.remote] = t.from
		}
	}
	return out
}

// newRecord is a new tunnel's record, without children (s.mu held).
func (e *Endpoint) newRecord(s *swsaState, id string, info ikesa.IKESAInfo) *swsa.Record {
	peerID := ikesa.Identity{}
	if p := e.peers[info.Peer]; p != nil {
		peerID = p.cfg.ID
	}
	if peerID.Wildcard && info.PeerID.Type != 0 {
		// The pattern names no peer a new holder could initiate to (an
		// IpAddr range is no address at all): record the one this is.
		peerID = info.PeerID
	}
	action := ""
	if s.cfg.VPNAction != nil {
		action = s.cfg.VPNAction(info.Remote.Addr())
	}
	return &swsa.Record{
		DVIPA: e.cfg.Local, TunnelID: id, VPNAction: action,
		Local:    recordIdentity(e.cfg.ID),
		Peer:     swsa.Peer{Identity: recordIdentity(peerID), Addr: info.Remote, BehindNAT: info.NATRemote},
		IKE:      e.ikeRecord(s, info),
		Children: []swsa.ChildSA{},
	}
}

func (e *Endpoint) ikeRecord(s *swsaState, info ikesa.IKESAInfo) swsa.IKESA {
	su := info.Suite
	ts := []plan.Transform{encrTransform(su.Encr, su.KeyBits), {Type: plan.TypePRF, ID: plan.TransformID(su.PRF)}}
	if su.Integ != wire.AUTH_NONE {
		ts = append(ts, plan.Transform{Type: plan.TypeINTEG, ID: plan.TransformID(su.Integ)})
	}
	ts = append(ts, plan.Transform{Type: plan.TypeDH, ID: plan.TransformID(su.DH)})
	return swsa.IKESA{Version: "IKEv2", SPIi: info.ID.SPIi, SPIr: info.ID.SPIr, Transforms: ts,
		LifetimeSeconds: orDefault(s.cfg.IKELifetime, 8*3600)}
}

func (e *Endpoint) childRecord(s *swsaState, c ikesa.ChildSA, life int) swsa.ChildSA {
	ts := []plan.Transform{encrTransform(c.Encr, c.KeyBits)}
	if c.Integ != wire.AUTH_NONE {
		ts = append(ts, plan.Transform{Type: plan.TypeINTEG, ID: plan.TransformID(c.Integ)})
	}
	esn := plan.ESNNo
	if c.ESN {
		esn = plan.ESNYes
	}
	ts = append(ts, plan.Transform{Type: plan.TypeESN, ID: esn})
	out := swsa.ChildSA{Protocol: "ESP", Mode: "TUNNEL", Encap: "UDP",
		InboundSPI: c.InboundSPI, OutboundSPI: c.OutboundSPI, Transforms: ts,
		LifetimeSeconds: orDefault(life, orDefault(s.cfg.ChildLifetime, 3600)),
		Local:           recordSelectors(c.LocalTS), Remote: recordSelectors(c.RemoteTS)}
	if c.PFS && len(e.cfg.ESP) > 0 && e.cfg.ESP[0].DH != wire.DHNone {
		out.PFS = &plan.Transform{Type: plan.TypeDH, ID: plan.TransformID(e.cfg.ESP[0].DH)}
	}
	return out
}

// encrTransform names a cipher; only AES takes a key length (RFC 7296
// §3.3.5).
func encrTransform(id wire.EncrID, bits int) plan.Transform {
	t := plan.Transform{Type: plan.TypeENCR, ID: plan.TransformID(id)}
	if slices.Contains([]wire.EncrID{wire.ENCR_AES_CBC, wire.ENCR_AES_CTR, wire.ENCR_AES_GCM_8, wire.ENCR_AES_GCM_12, wire.ENCR_AES_GCM_16}, id) {
		t.KeyLength = bits
	}
	return t
}

func recordSelectors(ts []wire.Selector) []swsa.TrafficSelector {
	out := make([]swsa.TrafficSelector, 0, len(ts))
	for _, s := range ts {
		out = append(out, swsa.TrafficSelector{Protocol: s.IPProtocol, Start: s.Start, End: s.End, StartPort: s.StartPort, EndPort: s.EndPort})
	}
	return out
}

// wireSelectors turns a record's selectors back into IKE's.
func wireSelectors(ts []swsa.TrafficSelector) []wire.Selector {
	out := make([]wire.Selector, 0, len(ts))
	for _, s := range ts {
		typ := wire.TS_IPV4_ADDR_RANGE
		if s.Start.Is6() {
			typ = wire.TS_IPV6_ADDR_RANGE
		}
		out = append(out, wire.Selector{TSType: typ, IPProtocol: s.Protocol, StartPort: s.StartPort, EndPort: s.EndPort, Start: s.Start, End: s.End})
	}
	return out
}

// recordIdentity writes an IKE identity in the plan's words.
func recordIdentity(id ikesa.Identity) swsa.Identity {
	typ := map[wire.IDType]string{wire.ID_IPV4_ADDR: "IPADDR", wire.ID_IPV6_ADDR: "IPADDR", wire.ID_FQDN: "FQDN",
		wire.ID_RFC822_ADDR: "USERFQDN", wire.ID_DER_ASN1_DN: "X500DN", wire.ID_KEY_ID: "KEYID"}[id.Type]
	return swsa.Identity{Type: typ, Value: id.String()}
}

func orDefault(v, def int) int {
	if v > 0 {
		return v
	}
	return def
}
