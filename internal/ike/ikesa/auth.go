package ikesa

import (
	"bytes"
	"fmt"

	"github.com/tcpipc/tcpipc/internal/ike/ikecrypto"
	"github.com/tcpipc/tcpipc/internal/ike/wire"
)

// sendAuthRequest sends IKE_AUTH: IDi, [CERT], [INITIAL_CONTACT],
// [CERTREQ], IDr, AUTH and the first child SA's proposal and selectors
// (RFC 7296 section 1.2).
func (sa *IKESA) sendAuthRequest() {
	d, p, prf := sa.d, sa.peer, sa.algs.prf
	idi := &wire.ID{PT: wire.PayloadIDi, IDType: d.cfg.ID.Type, Data: d.cfg.ID.Data}
	auth, err := sa.authPayloads(p, ikecrypto.SignedOctets(prf, sa.keys.Pi, sa.initRequest, sa.nr, idi.Body()))
	if err != nil {
		sa.die(err)
		return
	}
	ts := sa.authTS
	if ts.empty() {
		ts = Selectors{Local: p.LocalTS, Remote: p.RemoteTS}
	}
	child, childPayloads, err := sa.proposeChild(espAuth, ts.Local, ts.Remote)
	if err != nil {
		sa.die(err)
		return
	}
	payloads := []wire.Payload{idi}
	payloads = append(payloads, auth[:len(auth)-1]...) // our CERTs
	if !d.hasEstablished(p, sa) {
		// Tell the peer to drop whatever it still holds from an earlier
		// life of ours, as after a takeover (RFC 7296 section 2.4).
		payloads = append(payloads, &wire.Notify{NotifyType: wire.INITIAL_CONTACT})
	}
	if p.CertAuth {
		payloads = append(payloads, d.cfg.Credentials.certRequest())
	}
	if p.ID.Type != wire.ID_DER_ASN1_DN && !p.ID.Wildcard {
		// IDr is optional (RFC 7296 section 3.5). A wildcard names no
		// one identity to ask for, and a distinguished name
		// is left out: policy may write it in the other order than the
		// responder's certificate, and a responder such as strongSwan
		// compares it in order and refuses. We check the responder's
		// IDr against p.ID ourselves, in either order.
		payloads = append(payloads, &wire.ID{PT: wire.PayloadIDr, IDType: p.ID.Type, Data: p.ID.Data})
	}
	payloads = append(payloads, auth[len(auth)-1])
	payloads = append(payloads, childPayloads...)
	sa.state = StateAuthSent
	sa.startRequest(&request{exchange: wire.IKE_AUTH, payloads: payloads, onResponse: func(r *response) error {
		sa.handleAuthResponse(r, child)
		return nil
	}})
}

// handleAuthResponse authenticates the responder and installs the child
// proposed as child. A child refused with an error notification leaves
// the IKE SA up without it (RFC 7296 section 1.2).
func (sa *IKESA) handleAuthResponse(r *response, child *childOffer) {
	prf := sa.algs.prf
	idr, _ := wire.Find(r.payloads, wire.PayloadIDr).(*wire.ID)
	auth, _ := wire.Find(r.payloads, wire.PayloadAUTH).(*wire.Auth)
	if idr == nil || auth == nil {
		err := errorNotify(r.payloads)
		if err == nil {
			err = fmt.Errorf("%w: IKE_AUTH response without IDr or AUTH", ErrBadResponse)
		}
		sa.die(err)
		return
	}
	if !sa.peer.ID.equal(idr) {
		sa.refuseResponder(fmt.Errorf("%w: responder is %s, expected %s", ErrAuthFailed, idOf(idr), sa.peer.ID))
		return
	}
	signed := ikecrypto.SignedOctets(prf, sa.keys.Pr, sa.initResponse, sa.ni, idr.Body())
	if err := sa.verifyAuth(sa.peer, idr, auth, r.payloads, signed); err != nil {
		sa.refuseResponder(err)
		return
	}
	sa.peerID = authenticatedID(idr)
	sa.established()
	c, err := sa.acceptedChild(r.payloads, espAuth, child)
	if err != nil {
		sa.refuseChild(child, err)
		if cb := sa.d.cfg.OnChildRefused; cb != nil {
			info := sa.info()
			sa.d.emit(func() { cb(info, err) })
		}
		return
	}
	sa.addChild(c)
}

// refuseResponder tells a responder whose IKE_AUTH response did not
// authenticate it that we refuse it, in a separate INFORMATIONAL request
// (RFC 7296 section 2.21.2), then counts the failure and ends the SA.
// Without it the responder, which has authenticated us, would keep the SA
// until liveness fails. The request goes once, unanswered and never
// retransmitted: the SA is gone either way.
func (sa *IKESA) refuseResponder(err error) {
	n := &wire.Notify{NotifyType: wire.AUTHENTICATION_FAILED}
	if msg, e := sa.encode(wire.INFORMATIONAL, false, sa.nextID, []wire.Payload{n}); e == nil {
		sa.nextID++
		sa.d.send(sa.remote, msg)
	}
	sa.authFailed(err)
}

// authFailed counts a peer that did not prove its identity and ends the SA.
func (sa *IKESA) authFailed(err error) {
	sa.d.stats.authFailed.Add(1)
	sa.die(err)
}

// handleAuthRequest is the responder's side of IKE_AUTH.
func (sa *IKESA) handleAuthRequest(m *wire.Message, payloads []wire.Payload) {
	d, prf := sa.d, sa.algs.prf
	peer, err := sa.authenticateInitiator(payloads)
	if err != nil {
		// One answer for every failure, so a prober learns nothing about
		// which identities exist (RFC 7296 section 2.21.2).
		sa.respond(m, []wire.Payload{&wire.Notify{NotifyType: wire.AUTHENTICATION_FAILED}})
		sa.authFailed(err)
		return
	}
	sa.peer = peer
	if idi, ok := wire.Find(payloads, wire.PayloadIDi).(*wire.ID); ok {
		sa.peerID = authenticatedID(idi)
	}
	if wire.FindNotify(payloads, wire.INITIAL_CONTACT) != nil {
		d.dropOthers(peer, sa)
	}
	me := &wire.ID{PT: wire.PayloadIDr, IDType: d.cfg.ID.Type, Data: d.cfg.ID.Data}
	auth, err := sa.authPayloads(peer, ikecrypto.SignedOctets(prf, sa.keys.Pr, sa.initResponse, sa.ni, me.Body()))
	if err != nil {
		sa.respond(m, []wire.Payload{&wire.Notify{NotifyType: wire.AUTHENTICATION_FAILED}})
		sa.die(err)
		return
	}
	sa.established()
	resp := append([]wire.Payload{me}, auth...)
	resp = append(resp, sa.answerChild(payloads, espAuth)...)
	sa.respond(m, resp)
}

// authenticateInitiator finds the peer IDi names and checks its AUTH.
func (sa *IKESA) authenticateInitiator(payloads []wire.Payload) (*Peer, error) {
	d, prf := sa.d, sa.algs.prf
	idi, _ := wire.Find(payloads, wire.PayloadIDi).(*wire.ID)
	auth, _ := wire.Find(payloads, wire.PayloadAUTH).(*wire.Auth)
	idr, _ := wire.Find(payloads, wire.PayloadIDr).(*wire.ID)
	if idi == nil || auth == nil {
		return nil, fmt.Errorf("%w: IKE_AUTH without IDi or AUTH", ErrAuthFailed)
	}
	peer := d.peerByID(idi)
	if peer == nil {
		return nil, fmt.Errorf("%w: no peer has identity %s", ErrAuthFailed, idOf(idi))
	}
	if idr != nil && !d.cfg.ID.equal(idr) {
		return nil, fmt.Errorf("%w: initiator wants identity %s, we are %s", ErrAuthFailed, idOf(idr), d.cfg.ID)
	}
	signed := ikecrypto.SignedOctets(prf, sa.keys.Pi, sa.initRequest, sa.nr, idi.Body())
	return peer, sa.verifyAuth(peer, idi, auth, payloads, signed)
}

// authenticatedID is the identity an ID payload proves, kept apart from
// the message it came in.
func authenticatedID(p *wire.ID) Identity {
	return Identity{Type: p.IDType, Data: bytes.Clone(p.Data)}
}

// same reports whether two identities a peer authenticated with are one.
func (id Identity) same(o Identity) bool {
	return id.Type == o.Type && bytes.Equal(id.Data, o.Data)
}

// hasEstablished reports whether an established IKE SA other than except
// holds the identity pair an IKE SA with p from except's remote would: in
// this daemon, or in another sharing its Identities (see identities.go).
func (d *Daemon) hasEstablished(p *Peer, except *IKESA) bool {
	n := d.cfg.Identities.count(d.identityPair(p, except.remote.Addr().String()))
	if except.counted {
		n--
	}
	return n > 0
}

// dropOthers forgets every other established IKE SA with p, after the
// peer said with INITIAL_CONTACT that it has lost them. One this side is
// still negotiating is none the peer can have lost (RFC 7296 section 2.4):
// when both sides initiate at once, each IKE_AUTH carries INITIAL_CONTACT,
// and dropping our half-open SA left the two sides sharing none. A peer
// configured without an address stands for a range of remotes, which may
// all authenticate with the same identity; INITIAL_CONTACT from one of
// them speaks only for the IKE SAs from its own address.
func (d *Daemon) dropOthers(p *Peer, keep *IKESA) {
	for _, sa := range d.sas {
		if sa == keep || sa.peer != p || sa.state < StateEstablished {
			continue
		}
		if !p.Addr.IsValid() && sa.remote.Addr() != keep.remote.Addr() {
			continue
		}
		if p.ID.Wildcard && !sa.peerID.same(keep.peerID) {
			// A wildcard stands for many identities; INITIAL_CONTACT
			// speaks for the SAs of the one it came with (RFC 7296
			// section 2.4).
			continue
		}
		sa.die(ErrReplaced)
	}
}
