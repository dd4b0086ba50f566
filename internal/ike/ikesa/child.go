package ikesa

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"net/netip"

	"github.com/tcpipc/tcpipc/internal/ike/ikecrypto"
	"github.com/tcpipc/tcpipc/internal/ike/wire"
)

// ChildSA is an established ESP SA pair as the data plane needs it. The
// key fields are ikecrypto.Key, so printing a ChildSA never shows them.
type ChildSA struct {
	Peer string
	// IKE identifies the IKE SA that made this child.
	IKE IKESAID
	// InboundSPI is what the peer puts in ESP packets to us; OutboundSPI
	// what we put in ours.
	InboundSPI, OutboundSPI uint32
	Encr                    wire.EncrID
	KeyBits                 int
	Integ                   wire.IntegID // AUTH_NONE with AES-GCM
	ESN                     bool
	// PFS is set when the child's keys include a fresh Diffie-Hellman
	// exchange, which only CREATE_CHILD_SA can do.
	PFS bool
	// Encryption keys include the 4-byte salt for AES-GCM.
	InboundEncrKey, InboundIntegKey   ikecrypto.Key
	OutboundEncrKey, OutboundIntegKey ikecrypto.Key
	// LocalTS and RemoteTS are the narrowed selectors: inner packets we
	// send must come from LocalTS and go to RemoteTS.
	LocalTS, RemoteTS []wire.Selector
	// Local and Remote are the outer addresses; UDPEncap is set when NAT
	// detection found a NAT, so ESP must travel in UDP (RFC 3948).
	Local, Remote netip.AddrPort
	UDPEncap      bool
}

func (c ChildSA) String() string {
	return fmt.Sprintf("child %s in=%#08x out=%#08x %s_%d local %v remote %v", c.Peer,
		c.InboundSPI, c.OutboundSPI, c.Encr, c.KeyBits, c.LocalTS, c.RemoteTS)
}

// childOffer is a child SA we proposed and wait to hear about.
type childOffer struct {
	spi      uint32 // our inbound SPI
	tsi, tsr []wire.Selector
	ni       []byte           // our nonce, in CREATE_CHILD_SA
	dhKey    *ikecrypto.DHKey // our PFS key, when the first suite asks for one
}

// proposeChild allocates an inbound SPI and builds the payloads that
// propose a child SA of kind k for the selectors tsi and tsr: SA, and in
// CREATE_CHILD_SA also Ni and, for PFS, KEi in the first suite's group.
func (sa *IKESA) proposeChild(k saKind, tsi, tsr []wire.Selector) (*childOffer, []wire.Payload, error) {
	d := sa.d
	o := &childOffer{spi: d.newESPSPI(), tsi: tsi, tsr: tsr}
	sa.offers[o.spi] = o
	payloads := []wire.Payload{offer(sa.espSuites(), k, binary.BigEndian.AppendUint32(nil, o.spi))}
	if k.ke {
		o.ni = d.randBytes(nonceLen)
		payloads = append(payloads, &wire.Nonce{Data: o.ni})
		if g := sa.pfsGroup(); g != wire.DHNone {
			group, err := ikecrypto.LookupDH(g)
			if err == nil {
				o.dhKey, err = group.GenerateKey(d.rand)
			}
			if err != nil {
				delete(sa.offers, o.spi)
				delete(d.inbound, o.spi)
				return nil, nil, err
			}
			payloads = append(payloads, &wire.KE{Group: g, Data: o.dhKey.Public()})
		}
	}
	payloads = append(payloads,
		&wire.TS{PT: wire.PayloadTSi, Selectors: tsi},
		&wire.TS{PT: wire.PayloadTSr, Selectors: tsr})
	return o, payloads, nil
}

// pfsGroup is the group of the KE our CREATE_CHILD_SA proposals carry for
// PFS: the first ESP suite's, until the peer asked for another group of
// ours with INVALID_KE_PAYLOAD (notePFSGroup).
func (sa *IKESA) pfsGroup() wire.DHGroup {
	first := sa.espSuites()[0].DH
	if first != wire.DHNone && sa.peerPFS != wire.DHNone {
		return sa.peerPFS
	}
	return first
}

// notePFSGroup remembers the group an INVALID_KE_PAYLOAD answer names, if
// one of our ESP suites has it, so the next proposal (the rekey's retry)
// carries a KE of that group (RFC 7296 section 1.3): the same refused KE
// was sent again until the child expired.
func (sa *IKESA) notePFSGroup(payloads []wire.Payload) {
	n := wire.FindNotify(payloads, wire.INVALID_KE_PAYLOAD)
	if n == nil || len(n.Data) != 2 {
		return
	}
	want := wire.DHGroup(binary.BigEndian.Uint16(n.Data))
	for _, s := range sa.espSuites() {
		if s.DH == want {
			sa.peerPFS = want
			return
		}
	}
}

// acceptedChild checks the responder's answer to our child proposal o: it
// must choose one of our suites, only narrow our selectors and, in
// CREATE_CHILD_SA, bring its nonce and the matching KE. On success the
// child is returned, keyed for us as the exchange's initiator.
func (sa *IKESA) acceptedChild(payloads []wire.Payload, k saKind, o *childOffer) (*ChildSA, error) {
	sa.notePFSGroup(payloads)
	if err := errorNotify(payloads); err != nil {
		return nil, err
	}
	saPayload, _ := wire.Find(payloads, wire.PayloadSA).(*wire.SA)
	tsi, _ := wire.Find(payloads, wire.PayloadTSi).(*wire.TS)
	tsr, _ := wire.Find(payloads, wire.PayloadTSr).(*wire.TS)
	p, suite, ok := accepted(saPayload, sa.espSuites(), k)
	if !ok || tsi == nil || tsr == nil || !within(tsi.Selectors, o.tsi) || !within(tsr.Selectors, o.tsr) {
		return nil, fmt.Errorf("%w: child SA proposal or selectors", ErrBadResponse)
	}
	ni, nr, gir := sa.ni, sa.nr, []byte(nil)
	if k.ke {
		nonce, _ := wire.Find(payloads, wire.PayloadNonce).(*wire.Nonce)
		if nonce == nil {
			return nil, fmt.Errorf("%w: no nonce", ErrBadResponse)
		}
		ni, nr = o.ni, nonce.Data
		if suite.DH != wire.DHNone {
			ke, _ := wire.Find(payloads, wire.PayloadKE).(*wire.KE)
			if ke == nil || o.dhKey == nil || ke.Group != suite.DH || o.dhKey.Group().ID != suite.DH {
				return nil, fmt.Errorf("%w: no KE for PFS group %s", ErrBadResponse, suite.DH)
			}
			var err error
			if gir, err = o.dhKey.SharedSecret(ke.Data); err != nil {
				return nil, err
			}
		}
	}
	delete(sa.offers, o.spi)
	return sa.makeChild(suite, o.spi, binary.BigEndian.Uint32(p.SPI), tsi.Selectors, tsr.Selectors, true, ni, nr, gir), nil
}

// refuseChild handles an answer acceptedChild rejected. A child refused
// with an error notification never existed on the peer; one we could not
// accept did, so we ask the peer to delete it, naming our inbound SPI of
// the pair.
func (sa *IKESA) refuseChild(o *childOffer, err error) {
	d := sa.d
	forget := func() {
		delete(sa.offers, o.spi)
		delete(d.inbound, o.spi)
	}
	if !errors.Is(err, ErrBadResponse) {
		forget()
		return
	}
	spi := binary.BigEndian.AppendUint32(nil, o.spi)
	sa.startRequest(&request{
		exchange: wire.INFORMATIONAL,
		payloads: []wire.Payload{&wire.Delete{Protocol: wire.ProtoESP, SPISize: 4, SPIs: [][]byte{spi}}},
		onResponse: func(*response) error {
			forget()
			return nil
		},
	})
}

// answerChild negotiates a child SA of kind k as responder and returns
// the payloads that answer it: SA, [Nr, KEr,] TSi and TSr, or the error
// notification that refuses it. An IKE_AUTH without SA and selectors asks
// for no child at all (RFC 6023), so it gets no child payloads.
func (sa *IKESA) answerChild(payloads []wire.Payload, k saKind) []wire.Payload {
	resp, _ := sa.answerChildNonces(payloads, k)
	return resp
}

// answerChildNonces is answerChild that also returns the lower of the
// exchange's two nonces when it made a child (nil otherwise), which
// decides a rekey collision (RFC 7296 section 2.8.1).
func (sa *IKESA) answerChildNonces(payloads []wire.Payload, k saKind) ([]wire.Payload, []byte) {
	d := sa.d
	refuse := func(t wire.NotifyType, data []byte) ([]wire.Payload, []byte) {
		return []wire.Payload{&wire.Notify{NotifyType: t, Data: data}}, nil
	}
	saPayload, _ := wire.Find(payloads, wire.PayloadSA).(*wire.SA)
	tsi, _ := wire.Find(payloads, wire.PayloadTSi).(*wire.TS)
	tsr, _ := wire.Find(payloads, wire.PayloadTSr).(*wire.TS)
	if !k.ke && saPayload == nil && tsi == nil && tsr == nil {
		return nil, nil
	}
	if saPayload == nil || tsi == nil || tsr == nil {
		return refuse(wire.INVALID_SYNTAX, nil)
	}
	chosen, suite, ok := choose(saPayload, d.cfg.ESP, k)
	if !ok {
		x := wire.IKE_AUTH
		if k.ke {
			x = wire.CREATE_CHILD_SA
		}
		d.noteNoProposal(sa.remote, x, saPayload, d.cfg.ESP)
		return refuse(wire.NO_PROPOSAL_CHOSEN, nil)
	}
	// TSi describes the initiator's side, our remote; TSr ours.
	ts, ok := chooseSelectors(tsi.Selectors, tsr.Selectors, sa.peer.policies())
	if !ok {
		return refuse(wire.TS_UNACCEPTABLE, nil)
	}
	localTS, remoteTS := ts.Local, ts.Remote
	ni, nr, gir := sa.ni, sa.nr, []byte(nil)
	var keyPayloads []wire.Payload
	if k.ke {
		nonce, _ := wire.Find(payloads, wire.PayloadNonce).(*wire.Nonce)
		if nonce == nil {
			return refuse(wire.INVALID_SYNTAX, nil)
		}
		ni, nr = nonce.Data, d.randBytes(nonceLen)
		keyPayloads = append(keyPayloads, &wire.Nonce{Data: nr})
		if suite.DH != wire.DHNone {
			ke, _ := wire.Find(payloads, wire.PayloadKE).(*wire.KE)
			if ke == nil || ke.Group != suite.DH {
				return refuse(wire.INVALID_KE_PAYLOAD, binary.BigEndian.AppendUint16(nil, uint16(suite.DH)))
			}
			group, err := ikecrypto.LookupDH(suite.DH)
			var key *ikecrypto.DHKey
			if err == nil {
				key, err = group.GenerateKey(d.rand)
			}
			if err == nil {
				gir, err = key.SharedSecret(ke.Data)
			}
			if err != nil {
				return refuse(wire.INVALID_SYNTAX, nil)
			}
			keyPayloads = append(keyPayloads, &wire.KE{Group: suite.DH, Data: key.Public()})
		}
	}
	in := d.newESPSPI()
	out := binary.BigEndian.Uint32(chosen.SPI)
	chosen.SPI = binary.BigEndian.AppendUint32(nil, in)
	sa.addChild(sa.makeChild(suite, in, out, localTS, remoteTS, false, ni, nr, gir))
	resp := []wire.Payload{&wire.SA{Proposals: []wire.Proposal{chosen}}}
	resp = append(resp, keyPayloads...)
	return append(resp,
		&wire.TS{PT: wire.PayloadTSi, Selectors: remoteTS},
		&wire.TS{PT: wire.PayloadTSr, Selectors: localTS}), lowerNonce(ni, nr)
}

// lowerNonce is the lower of an exchange's two nonces, compared as
// strings of bytes.
func lowerNonce(ni, nr []byte) []byte {
	if bytes.Compare(nr, ni) < 0 {
		return nr
	}
	return ni
}

// makeChild derives a child's keys, KEYMAT = prf+(SK_d, [g^ir |] Ni | Nr)
// with the nonces of the exchange that made it (RFC 7296 section 2.17),
// and gives each direction its half. The first half protects what the
// exchange's initiator sends, so weInitiated picks the halves.
func (sa *IKESA) makeChild(s Suite, in, out uint32, localTS, remoteTS []wire.Selector, weInitiated bool, ni, nr, gir []byte) *ChildSA {
	encr, integ, _ := resolveESP(s) // s is one of our validated suites
	km, err := ikecrypto.DeriveChildKeys(sa.algs.prf, sa.keys.D, gir, ni, nr, encr, integ)
	if err != nil {
		// Our suites need at most 136 bytes; prf+ gives at least 5100.
		panic(err)
	}
	c := &ChildSA{
		Peer: sa.peerName(), IKE: sa.id(), InboundSPI: in, OutboundSPI: out,
		Encr: s.Encr, KeyBits: s.KeyBits, Integ: s.Integ, ESN: s.ESN, PFS: gir != nil,
		LocalTS: localTS, RemoteTS: remoteTS, Local: sa.local, Remote: sa.remote,
		UDPEncap: sa.natLocal || sa.natRemote,
	}
	if weInitiated {
		c.OutboundEncrKey, c.OutboundIntegKey, c.InboundEncrKey, c.InboundIntegKey = km.EncrI, km.IntegI, km.EncrR, km.IntegR
	} else {
		c.InboundEncrKey, c.InboundIntegKey, c.OutboundEncrKey, c.OutboundIntegKey = km.EncrI, km.IntegI, km.EncrR, km.IntegR
	}
	return c
}
