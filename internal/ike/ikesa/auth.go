package ikesa

import (
	"fmt"

	"github.com/tcpipc/tcpipc/internal/ike/ikecrypto"
	"github.com/tcpipc/tcpipc/internal/ike/wire"
)

// sendAuthRequest sends IKE_AUTH: IDi, [INITIAL_CONTACT], IDr, AUTH and
// the first child SA's proposal and selectors (RFC 7296 section 1.2).
func (sa *IKESA) sendAuthRequest() {
	d, p, prf := sa.d, sa.peer, sa.algs.prf
	idi := &wire.ID{PT: wire.PayloadIDi, IDType: d.cfg.ID.Type, Data: d.cfg.ID.Data}
	auth := ikecrypto.PSKAuth(prf, p.PSK, ikecrypto.SignedOctets(prf, sa.keys.Pi, sa.initRequest, sa.nr, idi.Body()))
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
	if !d.hasEstablished(p, sa) {
		// Tell the peer to drop whatever it still holds from an earlier
		// life of ours, as after a takeover (RFC 7296 section 2.4).
		payloads = append(payloads, &wire.Notify{NotifyType: wire.INITIAL_CONTACT})
	}
	payloads = append(payloads,
		&wire.ID{PT: wire.PayloadIDr, IDType: p.ID.Type, Data: p.ID.Data},
		&wire.Auth{Method: wire.AuthSharedKeyMIC, Data: auth})
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
	signed := ikecrypto.SignedOctets(prf, sa.keys.Pr, sa.initResponse, sa.ni, idr.Body())
	if !sa.peer.ID.equal(idr) || auth.Method != wire.AuthSharedKeyMIC || !ikecrypto.VerifyPSKAuth(prf, sa.peer.PSK, signed, auth.Data) {
		sa.die(ErrAuthFailed)
		return
	}
	sa.established()
	c, err := sa.acceptedChild(r.payloads, espAuth, child)
	if err != nil {
		sa.refuseChild(child, err)
		return
	}
	sa.addChild(c)
}

// handleAuthRequest is the responder's side of IKE_AUTH.
func (sa *IKESA) handleAuthRequest(m *wire.Message, payloads []wire.Payload) {
	d, prf := sa.d, sa.algs.prf
	idi, _ := wire.Find(payloads, wire.PayloadIDi).(*wire.ID)
	auth, _ := wire.Find(payloads, wire.PayloadAUTH).(*wire.Auth)
	var peer *Peer
	if idi != nil {
		peer = d.peerByID(idi)
	}
	idr, _ := wire.Find(payloads, wire.PayloadIDr).(*wire.ID)
	ok := peer != nil && auth != nil && auth.Method == wire.AuthSharedKeyMIC && (idr == nil || d.cfg.ID.equal(idr))
	if ok {
		signed := ikecrypto.SignedOctets(prf, sa.keys.Pi, sa.initRequest, sa.nr, idi.Body())
		ok = ikecrypto.VerifyPSKAuth(prf, peer.PSK, signed, auth.Data)
	}
	if !ok {
		// One answer for every failure, so a prober learns nothing about
		// which identities exist (RFC 7296 section 2.21.2).
		sa.respond(m, []wire.Payload{&wire.Notify{NotifyType: wire.AUTHENTICATION_FAILED}})
		sa.die(ErrAuthFailed)
		return
	}
	sa.peer = peer
	if wire.FindNotify(payloads, wire.INITIAL_CONTACT) != nil {
		d.dropOthers(peer, sa)
	}
	sa.established()

	me := &wire.ID{PT: wire.PayloadIDr, IDType: d.cfg.ID.Type, Data: d.cfg.ID.Data}
	authR := ikecrypto.PSKAuth(prf, peer.PSK, ikecrypto.SignedOctets(prf, sa.keys.Pr, sa.initResponse, sa.ni, me.Body()))
	resp := []wire.Payload{me, &wire.Auth{Method: wire.AuthSharedKeyMIC, Data: authR}}
	resp = append(resp, sa.answerChild(payloads, espAuth)...)
	sa.respond(m, resp)
}

// hasEstablished reports whether we hold another established IKE SA with
// p. A peer configured without an address stands for a range of remotes,
// as in dropOthers: only an SA with the same remote counts.
func (d *Daemon) hasEstablished(p *Peer, except *IKESA) bool {
	for _, sa := range d.sas {
		sameRemote := p.Addr.IsValid() || sa.remote.Addr() == except.remote.Addr()
		if sa != except && sa.peer == p && sa.state == StateEstablished && sameRemote {
			return true
		}
	}
	return false
}

// dropOthers forgets every other IKE SA with p, after the peer said with
// INITIAL_CONTACT that it has lost them. A peer configured without an
// address stands for a range of remotes, which may all authenticate with
// the same identity; INITIAL_CONTACT from one of them speaks only for the
// IKE SAs from its own address.
func (d *Daemon) dropOthers(p *Peer, keep *IKESA) {
	for _, sa := range d.sas {
		if sa == keep || sa.peer != p {
			continue
		}
		if !p.Addr.IsValid() && sa.remote.Addr() != keep.remote.Addr() {
			continue
		}
		sa.die(ErrReplaced)
	}
}
