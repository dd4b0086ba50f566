package ikesa

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"slices"

	"github.com/tcpipc/tcpipc/internal/ike/ikecrypto"
	"github.com/tcpipc/tcpipc/internal/ike/wire"
)

// CREATE_CHILD_SA (RFC 7296 section 1.3) in both roles: rekeying a child
// SA, creating one more child, and rekeying the IKE SA itself.
//
// When both ends rekey the same child at once, each answers the other as
// usual (RFC 7296 section 2.25.1) and both exchanges make a new child;
// the one whose exchange holds the lowest of the four nonces is redundant
// and its initiator deletes it, and the other exchange's initiator deletes
// the old child (section 2.8.1). While we rekey the IKE SA, a peer's
// request to rekey it, or any child, gets TEMPORARY_FAILURE; callers
// retry after a random delay.

// RekeyChild replaces the child SA we receive on inboundSPI with a fresh
// one (RFC 7296 section 2.8), then deletes the old one. done, if not nil,
// learns the outcome of the CREATE_CHILD_SA exchange.
func (sa *IKESA) RekeyChild(inboundSPI uint32, done func(error)) error {
	d := sa.d
	d.mu.Lock()
	defer d.runEventsLocked()
	return sa.rekeyChild(inboundSPI, done, false)
}

// rekeyChild is RekeyChild with d.mu held. retried is set on the second
// try, after the peer refused our KE and named another PFS group of ours
// (INVALID_KE_PAYLOAD, RFC 7296 section 1.3): one retry, with that group.
func (sa *IKESA) rekeyChild(inboundSPI uint32, done func(error), retried bool) error {
	old := sa.children[inboundSPI]
	switch {
	case sa.state != StateEstablished || old == nil:
		return fmt.Errorf("ikesa: no child SA with inbound SPI %#08x", inboundSPI)
	case sa.rekeying[inboundSPI] || sa.rekeyingIKE:
		return fmt.Errorf("ikesa: child SA %#08x is already being rekeyed", inboundSPI)
	}
	offer, payloads, err := sa.proposeChild(espChild, old.LocalTS, old.RemoteTS)
	if err != nil {
		return err
	}
	// REKEY_SA names the SA being replaced by our inbound SPI.
	rekey := &wire.Notify{Protocol: wire.ProtoESP, SPI: binary.BigEndian.AppendUint32(nil, inboundSPI), NotifyType: wire.REKEY_SA}
	sa.rekeying[inboundSPI] = true
	req := &request{exchange: wire.CREATE_CHILD_SA, payloads: append([]wire.Payload{rekey}, payloads...), done: done,
		rekeys: inboundSPI, offer: offer}
	req.onResponse = func(r *response) error {
		delete(sa.rekeying, inboundSPI)
		c, err := sa.acceptChildOrRetry(req, r, offer, retried, func(done func(error)) error {
			return sa.rekeyChild(inboundSPI, done, true)
		})
		peers, collided := sa.collisions[inboundSPI]
		if !sa.rekeying[inboundSPI] { // no retry under way
			delete(sa.collisions, inboundSPI)
		}
		if err != nil {
			return err
		}
		sa.addChild(c)
		nr, _ := wire.Find(r.payloads, wire.PayloadNonce).(*wire.Nonce) // acceptChildOrRetry checked it
		if collided && bytes.Compare(lowerNonce(offer.ni, nr.Data), peers) < 0 {
			// Ours is the redundant child: we delete it, the peer the old.
			sa.deleteChildLater(c.InboundSPI)
			return nil
		}
		sa.deleteChildLater(inboundSPI)
		return nil
	}
	sa.startRequest(req)
	return nil
}

// acceptChildOrRetry takes the answer r to our CREATE_CHILD_SA request
// req, which proposed offer. When the peer refused our KE and named
// another PFS group of ours (notePFSGroup), and this is not already the
// retry, retry sends the proposal once more with that group and reports
// to req's done in its place.
func (sa *IKESA) acceptChildOrRetry(req *request, r *response, offer *childOffer, retried bool,
	retry func(done func(error)) error) (*ChildSA, error) {
	group := sa.pfsGroup()
	c, err := sa.acceptedChild(r.payloads, espChild, offer)
	if err != nil {
		sa.refuseChild(offer, err)
		if !retried && sa.pfsGroup() != group && retry(req.done) == nil {
			req.done = nil // the retry reports
		}
		return nil, err
	}
	return c, nil
}

// withdrawQueuedRekey takes back our rekey of the child we receive on
// inboundSPI if it still waits in the queue, unsent, when the peer rekeys
// that child: the peer never sees ours, so the two do not collide (RFC
// 7296 section 2.8.1) and the peer's new child replaces the old one; sent
// later, ours would rekey a child on its way out. Its done learns that
// nothing went wrong. It reports whether it withdrew one.
func (sa *IKESA) withdrawQueuedRekey(inboundSPI uint32) bool {
	for i, req := range sa.queue {
		if req.offer == nil || req.rekeys != inboundSPI {
			continue
		}
		sa.queue = slices.Delete(sa.queue, i, i+1)
		delete(sa.rekeying, inboundSPI)
		delete(sa.collisions, inboundSPI)
		delete(sa.offers, req.offer.spi)
		delete(sa.d.inbound, req.offer.spi)
		if done := req.done; done != nil {
			sa.d.emit(func() { done(nil) })
		}
		return true
	}
	return false
}

// deleteChildLater sends the Delete for a child we replaced, and forgets
// it when the peer answers: until then packets protected by it may still
// arrive (RFC 7296 section 2.8).
func (sa *IKESA) deleteChildLater(inboundSPI uint32) {
	var out uint32
	if c := sa.children[inboundSPI]; c != nil {
		out = c.OutboundSPI
		sa.deleting[out] = true // a rekey of it meanwhile: TEMPORARY_FAILURE
	}
	sa.startRequest(&request{
		exchange: wire.INFORMATIONAL,
		payloads: []wire.Payload{&wire.Delete{Protocol: wire.ProtoESP, SPISize: 4,
			SPIs: [][]byte{binary.BigEndian.AppendUint32(nil, inboundSPI)}}},
		onResponse: func(*response) error {
			delete(sa.deleting, out)
			sa.removeChild(inboundSPI)
			return nil
		},
	})
}

// handleCreateChild is the responder's side of CREATE_CHILD_SA.
func (sa *IKESA) handleCreateChild(m *wire.Message, payloads []wire.Payload) {
	refuse := func(t wire.NotifyType) {
		sa.respond(m, []wire.Payload{&wire.Notify{NotifyType: t}})
	}
	saPayload, _ := wire.Find(payloads, wire.PayloadSA).(*wire.SA)
	if saPayload == nil {
		refuse(wire.INVALID_SYNTAX)
		return
	}
	if saPayload.Proposals[0].Protocol == wire.ProtoIKE {
		sa.answerIKERekey(m, payloads, saPayload)
		return
	}
	if sa.rekeyingIKE {
		refuse(wire.TEMPORARY_FAILURE)
		return
	}
	if n := wire.FindNotify(payloads, wire.REKEY_SA); n != nil {
		// The peer names the child by its inbound SPI, our outbound.
		var old *ChildSA
		for _, c := range sa.children {
			if len(n.SPI) == 4 && c.OutboundSPI == binary.BigEndian.Uint32(n.SPI) {
				old = c
			}
		}
		switch {
		case len(n.SPI) == 4 && sa.deleting[binary.BigEndian.Uint32(n.SPI)]:
			// We are deleting it: the peer retries once our Delete is
			// through, and creates nothing from scratch (RFC 7296
			// section 2.25.1).
			refuse(wire.TEMPORARY_FAILURE)
			return
		case old == nil:
			refuse(wire.CHILD_SA_NOT_FOUND)
			return
		case sa.rekeying[old.InboundSPI] && !sa.withdrawQueuedRekey(old.InboundSPI):
			// Both ends rekey it: answer as usual; our own answer
			// decides which new child goes (see the top of this file).
			resp, lower := sa.answerChildNonces(payloads, espChild)
			if lower != nil {
				sa.collisions[old.InboundSPI] = lower
			}
			sa.respond(m, resp)
			return
		}
		// The old child stays until the peer deletes it.
	}
	sa.respond(m, sa.answerChild(payloads, espChild))
}

// Rekey replaces this IKE SA with a new one (RFC 7296 section 2.18): a
// CREATE_CHILD_SA exchange with new SPIs, nonces and a fresh
// Diffie-Hellman exchange in the current group. The children move to the
// new SA, and the old one is deleted. done, if not nil, learns the outcome.
func (sa *IKESA) Rekey(done func(error)) error {
	d := sa.d
	d.mu.Lock()
	defer d.runEventsLocked()
	if sa.state != StateEstablished || sa.rekeyingIKE || len(sa.rekeying) > 0 || sa.reauthBy != nil {
		return fmt.Errorf("ikesa: IKE SA is %s or already being replaced", sa.state)
	}
	dhKey, err := sa.algs.dh.GenerateKey(d.rand)
	if err != nil {
		return err
	}
	// The new SA's initiator is us, whoever started the old one.
	next := d.newSA(StateInitSent, true, sa.peer, sa.remote)
	next.spiI, next.ni = d.newIKESPI(), d.randBytes(nonceLen)
	sa.rekeyingIKE = true
	sa.startRequest(&request{
		exchange: wire.CREATE_CHILD_SA,
		payloads: []wire.Payload{
			offer(d.cfg.IKE, ikeRekey, binary.BigEndian.AppendUint64(nil, next.spiI)),
			&wire.Nonce{Data: next.ni},
			&wire.KE{Group: dhKey.Group().ID, Data: dhKey.Public()},
		},
		done: done,
		onResponse: func(r *response) error {
			sa.rekeyingIKE = false
			if err := sa.finishIKERekey(next, dhKey, r.payloads); err != nil {
				return err
			}
			// Now retire the old SA; its Delete answer ends it.
			sa.startRequest(&request{
				exchange: wire.INFORMATIONAL,
				payloads: []wire.Payload{&wire.Delete{Protocol: wire.ProtoIKE}},
				onResponse: func(*response) error {
					sa.die(ErrRekeyed)
					return nil
				},
			})
			return nil
		},
	})
	return nil
}

// finishIKERekey checks the responder's answer to our IKE rekey and, if it
// is good, brings next up in place of sa.
func (sa *IKESA) finishIKERekey(next *IKESA, dhKey *ikecrypto.DHKey, payloads []wire.Payload) error {
	if err := errorNotify(payloads); err != nil {
		return err
	}
	saPayload, _ := wire.Find(payloads, wire.PayloadSA).(*wire.SA)
	nonce, _ := wire.Find(payloads, wire.PayloadNonce).(*wire.Nonce)
	ke, _ := wire.Find(payloads, wire.PayloadKE).(*wire.KE)
	p, suite, ok := accepted(saPayload, sa.d.cfg.IKE, ikeRekey)
	if !ok || nonce == nil || ke == nil || ke.Group != suite.DH || suite.DH != dhKey.Group().ID {
		return fmt.Errorf("%w: IKE rekey answer", ErrBadResponse)
	}
	gir, err := dhKey.SharedSecret(ke.Data)
	if err != nil {
		return err
	}
	next.spiR, next.nr = binary.BigEndian.Uint64(p.SPI), nonce.Data
	next.algs, _ = resolveIKE(suite)
	return sa.moveTo(next, gir)
}

// answerIKERekey is the responder's side of an IKE SA rekey.
func (sa *IKESA) answerIKERekey(m *wire.Message, payloads []wire.Payload, saPayload *wire.SA) {
	d := sa.d
	refuse := func(t wire.NotifyType, data []byte) {
		sa.respond(m, []wire.Payload{&wire.Notify{NotifyType: t, Data: data}})
	}
	if sa.rekeyingIKE || len(sa.rekeying) > 0 || sa.reauthBy != nil {
		// Already being replaced, by our rekey or reauthentication.
		refuse(wire.TEMPORARY_FAILURE, nil)
		return
	}
	nonce, _ := wire.Find(payloads, wire.PayloadNonce).(*wire.Nonce)
	ke, _ := wire.Find(payloads, wire.PayloadKE).(*wire.KE)
	chosen, suite, ok := choose(saPayload, d.cfg.IKE, ikeRekey)
	switch {
	case !ok:
		d.noteNoProposal(sa.remote, wire.CREATE_CHILD_SA, saPayload, d.cfg.IKE)
		refuse(wire.NO_PROPOSAL_CHOSEN, nil)
		return
	case nonce == nil || ke == nil:
		refuse(wire.INVALID_SYNTAX, nil)
		return
	case ke.Group != suite.DH:
		refuse(wire.INVALID_KE_PAYLOAD, binary.BigEndian.AppendUint16(nil, uint16(suite.DH)))
		return
	}
	algs, _ := resolveIKE(suite)
	dhKey, err := algs.dh.GenerateKey(d.rand)
	var gir []byte
	if err == nil {
		gir, err = dhKey.SharedSecret(ke.Data)
	}
	if err != nil {
		refuse(wire.INVALID_SYNTAX, nil)
		return
	}
	// The peer started this rekey, so it is the new SA's initiator.
	next := d.newSA(StateInitDone, false, sa.peer, sa.remote)
	next.spiI, next.spiR, next.algs = binary.BigEndian.Uint64(chosen.SPI), d.newIKESPI(), algs
	next.ni, next.nr = nonce.Data, d.randBytes(nonceLen)
	chosen.SPI = binary.BigEndian.AppendUint64(nil, next.spiR)
	sa.respond(m, []wire.Payload{
		&wire.SA{Proposals: []wire.Proposal{chosen}},
		&wire.Nonce{Data: next.nr},
		&wire.KE{Group: suite.DH, Data: dhKey.Public()},
	})
	if err := sa.moveTo(next, gir); err != nil {
		sa.die(err)
	}
}

// moveTo brings the rekeyed SA next up: SKEYSEED = prf(SK_d (old), g^ir
// (new) | Ni | Nr) with the old PRF, the SK_* keys with the new SPIs
// (RFC 7296 section 2.18), and every child moves over. The old SA waits
// for its Delete.
func (sa *IKESA) moveTo(next *IKESA, gir []byte) error {
	skeyseed := ikecrypto.RekeySKEYSEED(sa.algs.prf, sa.keys.D, gir, next.ni, next.nr)
	if err := next.installKeys(skeyseed); err != nil {
		return err
	}
	next.natLocal, next.natRemote, next.peerID = sa.natLocal, sa.natRemote, sa.peerID
	for spi, c := range sa.children {
		c.IKE = next.id()
		next.children[spi] = c
		delete(sa.children, spi)
	}
	sa.d.sas[next.ourSPI()] = next
	sa.state = StateRekeyed
	next.replaces, next.authenticated = sa.id(), sa.authenticated
	next.established()
	return nil
}

// CreateChild adds another child SA for the peer's configured selectors
// (RFC 7296 section 1.3.1). done, if not nil, learns the outcome.
func (sa *IKESA) CreateChild(done func(error)) error {
	return sa.CreateChildWith(Selectors{}, done)
}

// CreateChildWith is CreateChild proposing ts, the selectors of the
// filter rule whose traffic needs the SA; empty ts proposes the peer's
// LocalTS and RemoteTS.
func (sa *IKESA) CreateChildWith(ts Selectors, done func(error)) error {
	d := sa.d
	d.mu.Lock()
	defer d.runEventsLocked()
	if sa.state != StateEstablished || sa.rekeyingIKE {
		return fmt.Errorf("ikesa: IKE SA is %s or rekeying", sa.state)
	}
	if ts.empty() {
		ts = Selectors{Local: sa.peer.LocalTS, Remote: sa.peer.RemoteTS}
	}
	return sa.createChild(ts, done, false)
}

// createChild is CreateChildWith with d.mu held; retried as for
// rekeyChild.
func (sa *IKESA) createChild(ts Selectors, done func(error), retried bool) error {
	offer, payloads, err := sa.proposeChild(espChild, ts.Local, ts.Remote)
	if err != nil {
		return err
	}
	req := &request{exchange: wire.CREATE_CHILD_SA, payloads: payloads, done: done}
	req.onResponse = func(r *response) error {
		c, err := sa.acceptChildOrRetry(req, r, offer, retried, func(done func(error)) error {
			return sa.createChild(ts, done, true)
		})
		if err != nil {
			return err
		}
		sa.addChild(c)
		return nil
	}
	sa.startRequest(req)
	return nil
}
