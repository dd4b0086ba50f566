package ikesa

import (
	"errors"
	"fmt"
	"net/netip"
	"time"

	"github.com/tcpipc/tcpipc/internal/clock"
	"github.com/tcpipc/tcpipc/internal/ike/ikecrypto"
	"github.com/tcpipc/tcpipc/internal/ike/wire"
)

// IKESA is one IKE SA. Its fields belong to the daemon's lock; callers
// hold an *IKESA only as a handle for its exported methods (Info, Delete,
// DeleteChild, CheckLiveness, CreateChild, RekeyChild, Rekey,
// Reauthenticate), from
// Initiate or Daemon.Lookup.
type IKESA struct {
	d         *Daemon
	state     State
	initiator bool // we are the original initiator
	spiI      uint64
	spiR      uint64
	peer      *Peer // nil on a responder until IKE_AUTH names the peer
	// peerID is the identity the peer authenticated with, which a
	// wildcard peer's identity only covers.
	peerID   Identity
	counted  bool // in the daemon's Identities (see identities.go)
	local    netip.AddrPort
	remote   netip.AddrPort
	algs     *ikeAlgs
	replaces IKESAID // the SA a rekey or a reauthentication made this one from
	// reauthenticated is set on an SA Reauthenticate made; reauth holds
	// what it still has to do once up, and reauthBy, on the old SA, the
	// new one while it comes up.
	reauthenticated bool
	// authenticated is when the peer last proved its identity: in this
	// SA's IKE_AUTH, or in the SA a rekey made this one from.
	authenticated time.Time
	reauth        *reauthentication
	reauthBy      *IKESA
	// reauthDone is set on an SA Reauthenticate made once the old SA
	// has been sent its Delete, and reauthOf is the old SA's span. span
	// is when this SA came up and died, and init, on an SA the peer
	// started afresh, when its IKE_SA_INIT came (reauth_collision.go).
	reauthDone bool
	reauthOf   *span
	span       *span
	init       instant
	// redundant deletes this SA after a reauthentication collision.
	redundant clock.Timer

	dhKey     *ikecrypto.DHKey
	keRetried bool // INVALID_KE_PAYLOAD already made us switch groups
	// initPayloads is our IKE_SA_INIT request without a cookie; cookie is
	// the responder's, which every retry carries first (RFC 7296 section
	// 2.6), cookieTries how often it asked.
	initPayloads []wire.Payload
	// peerPFS is the PFS group the peer asked for (notePFSGroup).
	peerPFS                   wire.DHGroup
	cookie                    []byte
	cookieTries               int
	ni, nr                    []byte
	initRequest, initResponse []byte // as sent, for AUTH (RFC 7296 section 2.15)
	keys                      *ikecrypto.IKEKeys
	seal, open                *ikecrypto.SKCipher
	natLocal, natRemote       bool
	// peerHashes are the RFC 7427 hashes the peer announced in
	// IKE_SA_INIT; empty when it cannot verify DIGITAL_SIGNATURE.
	peerHashes []wire.HashAlgorithm

	// Our requests: window of one, the rest wait in queue.
	nextID  uint32
	pending *request
	queue   []*request
	// The peer's requests: the next ID we accept, and our response to
	// the one before it, sent again if that request is retransmitted.
	expectID     uint32
	lastResponse []byte
	// reassembly collects the fragments of the peer's request and of its
	// response under way (fragments.go).
	reassembly [2]*fragments

	children map[uint32]*ChildSA // by inbound SPI
	// offers are child SAs we proposed and wait to hear about, by the
	// inbound SPI we reserved for them.
	offers map[uint32]*childOffer
	// rekeying holds the inbound SPIs of children we are rekeying, and
	// rekeyingIKE is set while we rekey this IKE SA; the peer's requests
	// for the same SA meanwhile get TEMPORARY_FAILURE.
	rekeying map[uint32]bool
	// collisions holds, by the inbound SPI of a child we are rekeying,
	// the lower nonce of the peer's rekey of the same child that we
	// answered meanwhile (RFC 7296 section 2.8.1).
	collisions map[uint32][]byte
	// deleting holds, by outbound SPI (the peer's inbound, which its
	// REKEY_SA names), the children we asked the peer to delete until it
	// answers: a rekey of one of them gets TEMPORARY_FAILURE.
	deleting map[uint32]bool
	// authTS is what IKE_AUTH proposes for the first child SA: the
	// selectors of the filter rule that made us initiate, or, when empty,
	// the peer's LocalTS and RemoteTS.
	authTS Selectors
	// proposing narrows what an SA we initiate offers (propose.go); nil
	// offers the policy's suites.
	proposing   *Proposals
	rekeyingIKE bool
	halfOpen    clock.Timer // responder: gives up on a missing IKE_AUTH
	// halfOpenAddr is the initiator address a half-open SA is counted
	// against (cookies.go).
	halfOpenAddr netip.Addr
	initSrc      netip.AddrPort // responder: IKE_SA_INIT's source, for initKey
}

// response is the answer to one of our requests.
type response struct {
	src      netip.AddrPort
	msg      *wire.Message
	payloads []wire.Payload // decrypted, for everything but IKE_SA_INIT
	raw      []byte
}

// request is one exchange we started.
type request struct {
	exchange wire.ExchangeType
	// payloads go inside SK, except for IKE_SA_INIT which is unencrypted.
	payloads []wire.Payload
	id       uint32
	msg      []byte
	tries    int
	timer    clock.Timer
	// onResponse runs under the daemon lock with the answer; its error
	// is the exchange's outcome, passed to done.
	onResponse func(r *response) error
	// done, when set, is called (as an event) with the exchange's outcome.
	done func(error)
	// rekeys is, for a child rekey, the inbound SPI of the child it
	// replaces, and offer the new child it proposes (rekey.go).
	rekeys uint32
	offer  *childOffer
}

// newSA returns an IKE SA with empty tables; the caller fills in SPIs.
func (d *Daemon) newSA(state State, initiator bool, peer *Peer, remote netip.AddrPort) *IKESA {
	sa := &IKESA{
		d: d, state: state, initiator: initiator, peer: peer, local: d.cfg.Local, remote: remote,
		children: map[uint32]*ChildSA{}, offers: map[uint32]*childOffer{}, rekeying: map[uint32]bool{}, deleting: map[uint32]bool{},
		collisions: map[uint32][]byte{}, span: &span{},
	}
	if !initiator && peer == nil { // the peer's IKE_SA_INIT
		sa.init = d.now()
	}
	return sa
}

func (sa *IKESA) id() IKESAID { return IKESAID{sa.spiI, sa.spiR} }

func (sa *IKESA) ourSPI() uint64 {
	if sa.initiator {
		return sa.spiI
	}
	return sa.spiR
}

func (sa *IKESA) peerName() string {
	if sa.peer == nil {
		return ""
	}
	return sa.peer.Name
}

func (sa *IKESA) info() IKESAInfo {
	i := IKESAInfo{ID: sa.id(), Peer: sa.peerName(), PeerID: sa.peerID, Initiator: sa.initiator, State: sa.state,
		Local: sa.local, Remote: sa.remote, NATLocal: sa.natLocal, NATRemote: sa.natRemote, Children: len(sa.children),
		Replaces: sa.replaces, Reauthenticated: sa.reauthenticated, Authenticated: sa.authenticated}
	if sa.algs != nil {
		i.Suite = sa.algs.suite
	}
	return i
}

// Format keeps key material out of formatted output.
func (sa *IKESA) Format(f fmt.State, _ rune) {
	fmt.Fprintf(f, "IKESA{%s %s}", sa.id(), sa.state)
}

// Info describes the SA.
func (sa *IKESA) Info() IKESAInfo {
	sa.d.mu.Lock()
	defer sa.d.mu.Unlock()
	return sa.info()
}

func (sa *IKESA) flags(response bool) wire.Flags {
	var f wire.Flags
	if sa.initiator {
		f |= wire.FlagInitiator
	}
	if response {
		f |= wire.FlagResponse
	}
	return f
}

// encode builds a message of this SA; everything but IKE_SA_INIT travels
// inside an SK payload.
func (sa *IKESA) encode(x wire.ExchangeType, response bool, id uint32, payloads []wire.Payload) ([]byte, error) {
	m := &wire.Message{SPIi: sa.spiI, SPIr: sa.spiR, Exchange: x, Flags: sa.flags(response), MessageID: id}
	if x == wire.IKE_SA_INIT {
		m.Payloads = payloads
		return m.Encode()
	}
	return sa.seal.EncodeMessage(m, payloads)
}

// startRequest sends req now if no request is outstanding, else queues it
// (RFC 7296 section 2.3, window size one).
func (sa *IKESA) startRequest(req *request) {
	if sa.pending != nil {
		sa.queue = append(sa.queue, req)
		return
	}
	req.id = sa.nextID
	sa.nextID++
	msg, err := sa.encode(req.exchange, false, req.id, req.payloads)
	if err != nil {
		sa.die(fmt.Errorf("ikesa: encoding %s request: %w", req.exchange, err))
		return
	}
	req.msg = msg
	sa.pending = req
	sa.d.send(sa.remote, msg)
	sa.armRetransmit(req)
}

// armRetransmit schedules the next retransmission of req, doubling the
// wait each time (RFC 7296 section 2.1), and kills the SA when the tries
// are used up.
func (sa *IKESA) armRetransmit(req *request) {
	d := sa.d
	wait := d.cfg.RetransmitTimeout << req.tries
	req.timer = d.clock.AfterFunc(wait, func() {
		d.mu.Lock()
		defer d.runEventsLocked()
		if sa.pending != req || sa.state == StateDead {
			return
		}
		if req.tries == d.cfg.RetransmitTries {
			sa.die(ErrTimeout)
			return
		}
		req.tries++
		d.stats.retransmissions.Add(1)
		d.send(sa.remote, req.msg)
		sa.armRetransmit(req)
	})
}

func (sa *IKESA) handleResponse(src netip.AddrPort, raw []byte, m *wire.Message) {
	req := sa.pending
	if req == nil || m.MessageID != req.id || m.Exchange != req.exchange {
		sa.d.stats.dropped.Add(1)
		return
	}
	payloads := m.Payloads
	if m.Exchange != wire.IKE_SA_INIT {
		var err error
		var complete bool
		if payloads, complete, err = sa.decodeProtected(raw, m, true); err != nil {
			// Unauthenticated or garbled: keep waiting for a good one.
			sa.d.stats.dropped.Add(1)
			return
		} else if !complete {
			return // a fragment; the rest is still to come
		}
	}
	req.timer.Stop()
	sa.pending = nil
	sa.d.noteGot(payloads)
	err := req.onResponse(&response{src: src, msg: m, payloads: payloads, raw: raw})
	if req.done != nil {
		done := req.done
		sa.d.emit(func() { done(err) })
	}
	if sa.state != StateDead && sa.pending == nil && len(sa.queue) > 0 {
		next := sa.queue[0]
		sa.queue = sa.queue[1:]
		sa.startRequest(next)
	}
}

func (sa *IKESA) handleRequest(src netip.AddrPort, raw []byte, m *wire.Message) {
	d := sa.d
	switch {
	case m.MessageID == sa.expectID:
	case m.MessageID+1 == sa.expectID && sa.lastResponse != nil:
		// A retransmission: our response was lost. Send it again as it
		// was, without processing the request twice; a fragmented one
		// only on its first fragment.
		if isLaterFragment(m) {
			return
		}
		d.stats.resent.Add(1)
		d.send(src, sa.lastResponse)
		return
	default:
		d.stats.dropped.Add(1)
		return
	}
	if sa.open == nil || m.Exchange == wire.IKE_SA_INIT {
		d.stats.dropped.Add(1)
		return
	}
	payloads, complete, err := sa.decodeProtected(raw, m, false)
	if err == nil && !complete {
		return // a fragment; the rest is still to come
	}
	if err != nil {
		if notify, data, ok := wire.NotifyFor(err); ok {
			// Authentic but undecodable inside: say so (RFC 7296 section
			// 2.21.2), where the request came from (section 2.11).
			sa.remote = src
			sa.respond(m, []wire.Payload{&wire.Notify{NotifyType: notify, Data: data}})
			return
		}
		d.stats.dropped.Add(1)
		return
	}
	// An authenticated request shows where the peer is now, which moves
	// with a NAT mapping (RFC 7296 section 2.23).
	sa.remote = src
	switch {
	case m.Exchange == wire.IKE_AUTH && !sa.initiator && sa.state == StateInitDone:
		sa.handleAuthRequest(m, payloads)
	case m.Exchange == wire.INFORMATIONAL && sa.state >= StateEstablished:
		sa.handleInformational(m, payloads)
	case m.Exchange == wire.CREATE_CHILD_SA && sa.state == StateEstablished:
		sa.handleCreateChild(m, payloads)
	default:
		d.stats.dropped.Add(1)
	}
}

// respond answers the request m, remembers the answer for retransmissions
// and moves the window on.
func (sa *IKESA) respond(m *wire.Message, payloads []wire.Payload) {
	b, err := sa.encode(m.Exchange, true, m.MessageID, payloads)
	if err != nil {
		sa.die(fmt.Errorf("ikesa: encoding %s response: %w", m.Exchange, err))
		return
	}
	sa.lastResponse = b
	sa.expectID = m.MessageID + 1
	sa.d.noteSent(payloads)
	sa.d.send(sa.remote, b)
}

// die ends the SA: timers stop, tables forget it, its children are
// reported deleted, and waiting callers learn why.
func (sa *IKESA) die(err error) {
	if sa.state == StateDead {
		return
	}
	d := sa.d
	wasUp := sa.state >= StateEstablished
	sa.state = StateDead
	sa.span.gone = d.now()
	sa.countEstablished(-1)
	sa.endHalfOpen()
	if sa.redundant != nil {
		sa.redundant.Stop()
	}
	sa.setReassembly(false, nil)
	sa.setReassembly(true, nil)
	if d.sas[sa.ourSPI()] == sa {
		delete(d.sas, sa.ourSPI())
	}
	key := initKey{sa.spiI, sa.initSrc}
	if d.byInit[key] == sa {
		delete(d.byInit, key)
	}
	for _, req := range append([]*request{sa.pending}, sa.queue...) {
		if req == nil {
			continue
		}
		if req.timer != nil {
			req.timer.Stop()
		}
		if req.done != nil {
			done := req.done
			d.emit(func() { done(err) })
		}
	}
	sa.pending, sa.queue = nil, nil
	if sa.reauth != nil {
		sa.reauthenticationFailed(err)
	}
	for spi := range sa.offers {
		delete(d.inbound, spi)
	}
	for spi := range sa.children {
		sa.removeChild(spi)
	}
	if cb := d.cfg.OnIKESA; cb != nil && (wasUp || !errors.Is(err, ErrDeleted)) {
		info := sa.info()
		d.emit(func() { cb(info, err) })
	}
}

func (sa *IKESA) removeChild(inSPI uint32) {
	c, ok := sa.children[inSPI]
	if !ok {
		return
	}
	delete(sa.children, inSPI)
	delete(sa.d.inbound, inSPI)
	if cb := sa.d.cfg.OnChildSADeleted; cb != nil {
		child := *c
		sa.d.emit(func() { cb(child) })
	}
}

func (sa *IKESA) addChild(c *ChildSA) {
	sa.children[c.InboundSPI] = c
	if cb := sa.d.cfg.OnChildSA; cb != nil {
		child := *c
		sa.d.emit(func() { cb(child) })
	}
}

// established marks the SA up once both sides are authenticated.
func (sa *IKESA) established() {
	sa.state = StateEstablished
	sa.span.up = sa.d.now()
	if sa.authenticated.IsZero() { // not a rekey: IKE_AUTH just ended
		sa.authenticated = sa.d.clock.Now()
	}
	sa.countEstablished(+1)
	sa.endHalfOpen()
	if cb := sa.d.cfg.OnIKESA; cb != nil {
		info := sa.info()
		sa.d.emit(func() { cb(info, nil) })
	}
	if sa.reauth != nil {
		sa.finishReauthentication()
	}
	if !sa.initiator {
		sa.d.resolveReauthCollision(sa)
	}
}

// deriveKeys computes SKEYSEED, the SK_* keys and the SK ciphers once both
// nonces and the DH secret are known (RFC 7296 section 2.14).
func (sa *IKESA) deriveKeys(gir []byte) error {
	return sa.installKeys(ikecrypto.SKEYSEED(sa.algs.prf, sa.ni, sa.nr, gir))
}

// installKeys derives the SK_* keys from skeyseed and sets up the SK
// ciphers for both directions.
func (sa *IKESA) installKeys(skeyseed []byte) error {
	a := sa.algs
	keys, err := ikecrypto.DeriveIKEKeys(a.prf, a.encr, a.integ, skeyseed, sa.ni, sa.nr, sa.spiI, sa.spiR)
	if err != nil {
		return err
	}
	sealKey, sealInteg, openKey, openInteg := keys.Ei, keys.Ai, keys.Er, keys.Ar
	if !sa.initiator {
		sealKey, sealInteg, openKey, openInteg = keys.Er, keys.Ar, keys.Ei, keys.Ai
	}
	if sa.seal, err = ikecrypto.NewSKCipher(a.encr, a.integ, sealKey, sealInteg); err != nil {
		return err
	}
	if sa.open, err = ikecrypto.NewSKCipher(a.encr, a.integ, openKey, openInteg); err != nil {
		return err
	}
	sa.keys = keys
	sa.dhKey = nil // the exchange is done; forget the private value
	if cb := sa.d.cfg.OnKeys; cb != nil {
		ev := IKESAKeys{ID: sa.id(), Suite: a.suite, Keys: *keys}
		sa.d.emit(func() { cb(ev) })
	}
	return nil
}
