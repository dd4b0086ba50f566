package ikesa

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"net/netip"

	"github.com/tcpipc/tcpipc/internal/ike/ikecrypto"
	"github.com/tcpipc/tcpipc/internal/ike/wire"
)

// nonceLen is the size of our nonces: at least half of the largest PRF
// key (SHA-512, 64 bytes), as RFC 7296 section 2.10 asks.
const nonceLen = 32

// Initiate starts an IKE SA with the named peer: IKE_SA_INIT, then
// IKE_AUTH with the first child SA. It returns at once; Config.OnIKESA and
// Config.OnChildSA report the outcome.
func (d *Daemon) Initiate(peerName string) (*IKESA, error) {
	return d.InitiateTo(peerName, netip.AddrPort{})
}

// InitiateTo is Initiate towards addr instead of the peer's configured
// address: a peer that may be anywhere in a range (no Addr) is reached
// where the traffic that needs the SA goes.
func (d *Daemon) InitiateTo(peerName string, addr netip.AddrPort) (*IKESA, error) {
	return d.InitiateWith(peerName, addr, Selectors{})
}

// InitiateWith is InitiateTo proposing ts for the first child SA: the
// selectors of the filter rule whose traffic needs the SA (RFC 7296
// §2.9). Empty ts proposes the peer's LocalTS and RemoteTS.
func (d *Daemon) InitiateWith(peerName string, addr netip.AddrPort, ts Selectors) (*IKESA, error) {
	return d.initiate(peerName, addr, ts, nil)
}

// initiate is InitiateWith with the SA's own proposals (nil: the policy's).
func (d *Daemon) initiate(peerName string, addr netip.AddrPort, ts Selectors, p *Proposals) (*IKESA, error) {
	d.mu.Lock()
	defer d.runEventsLocked()
	if d.closed {
		return nil, ErrClosed
	}
	peer := d.peerByName(peerName)
	if peer == nil {
		return nil, fmt.Errorf("ikesa: no peer %q", peerName)
	}
	if !addr.IsValid() {
		addr = peer.Addr
	}
	if !addr.IsValid() {
		return nil, fmt.Errorf("ikesa: peer %q has no address to initiate to", peerName)
	}
	sa := d.newSA(StateInitSent, true, peer, addr)
	sa.authTS, sa.proposing = ts, p
	sa.spiI = d.newIKESPI()
	d.sas[sa.spiI] = sa
	// Our KE uses the group of our first suite; a responder that prefers
	// another one says so with INVALID_KE_PAYLOAD.
	if err := sa.sendInitRequest(sa.ikeAlgs()[0].dh); err != nil {
		sa.die(err)
		return nil, err
	}
	return sa, nil
}

// sendInitRequest sends IKE_SA_INIT: SA, KEi, Ni and the NAT detection
// notifications (RFC 7296 section 1.2).
func (sa *IKESA) sendInitRequest(group *ikecrypto.DH) error {
	d := sa.d
	key, err := group.GenerateKey(d.rand)
	if err != nil {
		return err
	}
	sa.dhKey = key
	if sa.ni == nil {
		// A retry for INVALID_KE_PAYLOAD keeps the nonce, as strongSwan
		// does: a responder's cookie covers Ni (RFC 7296 section 2.6),
		// and the retry carries the cookie it already has (2.6.1).
		sa.ni = d.randBytes(nonceLen)
	}
	payloads := []wire.Payload{
		offer(sa.ikeSuites(), ikeInit, nil),
		&wire.KE{Group: group.ID, Data: key.Public()},
		&wire.Nonce{Data: sa.ni},
	}
	payloads = append(payloads, natDetection(sa.spiI, 0, sa.local, sa.remote)...)
	if d.cfg.Credentials != nil {
		payloads = append(payloads, signatureHashes())
	}
	sa.initPayloads = payloads
	sa.sendInit()
	return nil
}

// sendInit sends our IKE_SA_INIT request, with the responder's cookie
// first when it asked for one.
func (sa *IKESA) sendInit() {
	payloads := sa.initPayloads
	if sa.cookie != nil {
		payloads = append([]wire.Payload{&wire.Notify{NotifyType: wire.COOKIE, Data: sa.cookie}}, payloads...)
	}
	req := &request{exchange: wire.IKE_SA_INIT, payloads: payloads}
	req.onResponse = func(r *response) error {
		sa.handleInitResponse(req.msg, r)
		return nil
	}
	sa.startRequest(req)
}

// maxCookieTries bounds how often a responder may ask for a cookie
// again (its secret may change between our tries).
const maxCookieTries = 3

// retryWithCookie sends IKE_SA_INIT again, unchanged but for the
// responder's cookie first (RFC 7296 section 2.6: a responder under load
// answers with only COOKIE, to see that we receive at our address).
func (sa *IKESA) retryWithCookie(n *wire.Notify) {
	if len(n.Data) < 1 || len(n.Data) > 64 || sa.cookieTries >= maxCookieTries {
		sa.die(fmt.Errorf("%w: COOKIE of %d bytes, asked %d times", ErrBadResponse, len(n.Data), sa.cookieTries+1))
		return
	}
	sa.cookie, sa.cookieTries = bytes.Clone(n.Data), sa.cookieTries+1
	sa.nextID = 0
	sa.sendInit()
}

// handleInitResponse is the initiator's side of the IKE_SA_INIT answer; sent
// is our request exactly as it went out, which AUTH covers later.
func (sa *IKESA) handleInitResponse(sent []byte, r *response) {
	m, payloads := r.msg, r.payloads
	if n := wire.FindNotify(payloads, wire.COOKIE); n != nil {
		sa.retryWithCookie(n)
		return
	}
	if n := wire.FindNotify(payloads, wire.INVALID_KE_PAYLOAD); n != nil && len(n.Data) == 2 {
		// The responder wants another group (RFC 7296 section 1.2). Retry
		// once with it, if we offered it, from message ID 0 again.
		want := wire.DHGroup(binary.BigEndian.Uint16(n.Data))
		for _, a := range sa.ikeAlgs() {
			if a.dh.ID == want && want != sa.dhKey.Group().ID && !sa.keRetried {
				sa.keRetried = true
				sa.nextID = 0
				if err := sa.sendInitRequest(a.dh); err != nil {
					sa.die(err)
				}
				return
			}
		}
		sa.die(fmt.Errorf("%w: responder wants %s", ErrNoProposal, want))
		return
	}
	if err := errorNotify(payloads); err != nil {
		sa.die(err)
		return
	}
	saPayload, _ := wire.Find(payloads, wire.PayloadSA).(*wire.SA)
	ke, _ := wire.Find(payloads, wire.PayloadKE).(*wire.KE)
	nonce, _ := wire.Find(payloads, wire.PayloadNonce).(*wire.Nonce)
	_, suite, ok := accepted(saPayload, sa.ikeSuites(), ikeInit)
	if !ok || ke == nil || nonce == nil || m.SPIr == 0 || ke.Group != suite.DH || suite.DH != sa.dhKey.Group().ID {
		sa.die(fmt.Errorf("%w: IKE_SA_INIT response", ErrBadResponse))
		return
	}
	sa.algs, _ = resolveIKE(suite)
	gir, err := sa.dhKey.SharedSecret(ke.Data)
	if err != nil {
		sa.die(err)
		return
	}
	sa.spiR, sa.nr = m.SPIr, nonce.Data
	sa.initRequest = sent
	sa.initResponse = bytes.Clone(r.raw)
	sa.natLocal, sa.natRemote = natResult(m, payloads, r.src, sa.local)
	sa.peerHashes = peerHashes(payloads)
	if err := sa.deriveKeys(gir); err != nil {
		sa.die(err)
		return
	}
	sa.sendAuthRequest()
}

// handleInitRequest is the responder's side of IKE_SA_INIT. Errors are
// answered without keeping any state, so a flood of requests costs memory
// only for the ones that could succeed.
func (d *Daemon) handleInitRequest(local, src netip.AddrPort, raw []byte, m *wire.Message) {
	if m.MessageID != 0 {
		d.stats.dropped.Add(1)
		return
	}
	key := initKey{m.SPIi, src}
	if sa := d.byInit[key]; sa != nil {
		// A retransmission: answer with the same bytes as before.
		if sa.state == StateInitDone && sa.lastResponse != nil && bytes.Equal(raw, sa.initRequest) {
			d.stats.resent.Add(1)
			d.send(src, sa.lastResponse)
		} else {
			d.stats.dropped.Add(1)
		}
		return
	}
	saPayload, _ := wire.Find(m.Payloads, wire.PayloadSA).(*wire.SA)
	ke, _ := wire.Find(m.Payloads, wire.PayloadKE).(*wire.KE)
	nonce, _ := wire.Find(m.Payloads, wire.PayloadNonce).(*wire.Nonce)
	if saPayload == nil || ke == nil || nonce == nil {
		d.sendNotifyInit(src, m.SPIi, wire.INVALID_SYNTAX, nil)
		return
	}
	if !d.admitInit(src, m, nonce.Data) {
		return
	}
	chosen, suite, ok := choose(saPayload, d.cfg.IKE, ikeInit)
	if !ok {
		d.noteNoProposal(src, wire.IKE_SA_INIT, saPayload, d.cfg.IKE)
		d.sendNotifyInit(src, m.SPIi, wire.NO_PROPOSAL_CHOSEN, nil)
		return
	}
	if ke.Group != suite.DH {
		d.sendNotifyInit(src, m.SPIi, wire.INVALID_KE_PAYLOAD, binary.BigEndian.AppendUint16(nil, uint16(suite.DH)))
		return
	}
	algs, _ := resolveIKE(suite)
	dhKey, err := algs.dh.GenerateKey(d.rand)
	if err != nil {
		return
	}
	gir, err := dhKey.SharedSecret(ke.Data)
	if err != nil {
		d.sendNotifyInit(src, m.SPIi, wire.INVALID_SYNTAX, nil)
		return
	}
	sa := d.newSA(StateInitDone, false, nil, src)
	sa.spiI, sa.initSrc, sa.algs = m.SPIi, src, algs
	sa.dhKey, sa.ni, sa.nr = dhKey, nonce.Data, d.randBytes(nonceLen)
	sa.spiR = d.newIKESPI()
	sa.natLocal, sa.natRemote = natResult(m, m.Payloads, src, local)
	sa.peerHashes = peerHashes(m.Payloads)
	if err := sa.deriveKeys(gir); err != nil {
		return
	}
	payloads := []wire.Payload{
		&wire.SA{Proposals: []wire.Proposal{chosen}},
		&wire.KE{Group: suite.DH, Data: dhKey.Public()},
		&wire.Nonce{Data: sa.nr},
	}
	payloads = append(payloads, natDetection(sa.spiI, sa.spiR, local, src)...)
	// We answer an IKE_AUTH that asks for no child (answerChild), and say
	// so: an initiator that insists on childless initiation waits for this
	// (RFC 6023 section 3; strongSwan's childless = force).
	payloads = append(payloads, &wire.Notify{NotifyType: wire.CHILDLESS_IKEV2_SUPPORTED})
	if d.cfg.Credentials != nil && len(sa.peerHashes) > 0 {
		// Only in answer to the initiator's (RFC 7427 section 4).
		payloads = append(payloads, signatureHashes())
	}
	if cr := d.cfg.Credentials; cr != nil && len(cr.CAs) > 0 {
		// A responder asks for the initiator's certificate here (RFC
		// 7296 section 1.2); strongSwan sends one only when asked.
		payloads = append(payloads, cr.certRequest())
	}
	d.sas[sa.spiR] = sa
	d.byInit[key] = sa
	sa.initRequest = bytes.Clone(raw)
	sa.respond(m, payloads)
	sa.initResponse = sa.lastResponse
	if sa.state == StateInitDone {
		sa.startHalfOpen(src.Addr().Unmap())
	}
}

// natDetection returns the two NAT_DETECTION notifications for a message
// with SPIs spii and spir sent from local to remote (RFC 7296 section 2.23).
func natDetection(spii, spir uint64, local, remote netip.AddrPort) []wire.Payload {
	return []wire.Payload{
		&wire.Notify{NotifyType: wire.NAT_DETECTION_SOURCE_IP, Data: ikecrypto.NATDetectionHash(spii, spir, local)},
		&wire.Notify{NotifyType: wire.NAT_DETECTION_DESTINATION_IP, Data: ikecrypto.NATDetectionHash(spii, spir, remote)},
	}
}

// natResult compares the peer's NAT_DETECTION hashes with the addresses
// the message really travelled between. A source hash that matches
// nothing means the peer is behind a NAT; a destination hash that is not
// ours means we are. A peer that sends no hashes does not do NAT-T.
func natResult(m *wire.Message, payloads []wire.Payload, src, local netip.AddrPort) (natLocal, natRemote bool) {
	srcHash := ikecrypto.NATDetectionHash(m.SPIi, m.SPIr, src)
	dstHash := ikecrypto.NATDetectionHash(m.SPIi, m.SPIr, local)
	var sawSrc, sawDst, srcOK, dstOK bool
	for _, p := range payloads {
		n, ok := p.(*wire.Notify)
		if !ok {
			continue
		}
		switch n.NotifyType {
		case wire.NAT_DETECTION_SOURCE_IP:
			sawSrc = true
			srcOK = srcOK || bytes.Equal(n.Data, srcHash)
		case wire.NAT_DETECTION_DESTINATION_IP:
			sawDst = true
			dstOK = dstOK || bytes.Equal(n.Data, dstHash)
		}
	}
	return sawDst && !dstOK, sawSrc && !srcOK
}

// PeerError is an error notification the peer answered a request with.
// It matches ErrAuthFailed and ErrNoProposal for those two notifications.
type PeerError struct {
	Notify wire.NotifyType
}

func (e *PeerError) Error() string { return "ikesa: peer answered " + e.Notify.String() }

// Is lets errors.Is see the two failures callers most often test for.
func (e *PeerError) Is(target error) bool {
	return (target == ErrAuthFailed && e.Notify == wire.AUTHENTICATION_FAILED) ||
		(target == ErrNoProposal && e.Notify == wire.NO_PROPOSAL_CHOSEN)
}

// errorNotify returns the first error notification in a response as a
// *PeerError, or nil.
func errorNotify(payloads []wire.Payload) error {
	for _, p := range payloads {
		if n, ok := p.(*wire.Notify); ok && n.NotifyType.IsError() {
			return &PeerError{Notify: n.NotifyType}
		}
	}
	return nil
}
