package ikesa

import (
	"slices"

	"github.com/tcpipc/tcpipc/internal/ike/wire"
)

// saKind says what an SA payload negotiates, which decides its SPI size
// and whether DH transforms mean anything.
type saKind struct {
	proto   wire.ProtocolID
	spiSize int
	// ke is set when the exchange carries KE payloads. IKE_AUTH has none,
	// so the first child's proposals cannot use DH (RFC 7296 section 1.2);
	// in CREATE_CHILD_SA a child's DH transform asks for PFS.
	ke bool
}

var (
	ikeInit  = saKind{wire.ProtoIKE, 0, true}  // IKE_SA_INIT
	ikeRekey = saKind{wire.ProtoIKE, 8, true}  // CREATE_CHILD_SA rekeying the IKE SA
	espAuth  = saKind{wire.ProtoESP, 4, false} // the first child, in IKE_AUTH
	espChild = saKind{wire.ProtoESP, 4, true}  // a child in CREATE_CHILD_SA
)

// transforms lists the transforms that make up suite s in a proposal of
// kind k: ENCR and INTEG, then PRF and DH for IKE, or the PFS group (when
// it applies) and ESN for ESP.
func transforms(s Suite, k saKind) []wire.Transform {
	ts := []wire.Transform{{Type: wire.TransformENCR, ID: uint16(s.Encr), KeyLength: uint16(s.KeyBits)}}
	if s.Integ != wire.AUTH_NONE {
		ts = append(ts, wire.Transform{Type: wire.TransformINTEG, ID: uint16(s.Integ)})
	}
	if k.proto == wire.ProtoIKE {
		return append(ts,
			wire.Transform{Type: wire.TransformPRF, ID: uint16(s.PRF)},
			wire.Transform{Type: wire.TransformDH, ID: uint16(s.DH)})
	}
	if k.ke && s.DH != wire.DHNone {
		ts = append(ts, wire.Transform{Type: wire.TransformDH, ID: uint16(s.DH)})
	}
	esn := wire.ESNNo
	if s.ESN {
		esn = wire.ESNYes
	}
	return append(ts, wire.Transform{Type: wire.TransformESN, ID: uint16(esn)})
}

// offer is the SA payload we send as initiator: one proposal per suite, in
// our order of preference, each carrying spi.
func offer(suites []Suite, k saKind, spi []byte) *wire.SA {
	sa := &wire.SA{}
	for i, s := range suites {
		sa.Proposals = append(sa.Proposals, wire.Proposal{
			Number: uint8(i + 1), Protocol: k.proto, SPI: spi, Transforms: transforms(s, k),
		})
	}
	return sa
}

// ignorable reports transforms that say "nothing": INTEG NONE next to an
// AEAD cipher, DH NONE, and any DH where there is no key exchange.
func ignorable(t wire.Transform, k saKind) bool {
	switch t.Type {
	case wire.TransformINTEG:
		return t.ID == uint16(wire.AUTH_NONE)
	case wire.TransformDH:
		return !k.ke || t.ID == uint16(wire.DHNone)
	}
	return false
}

// matches reports whether proposal p can be served by suite s: every
// transform s needs is offered (RFC 7296 section 3.3.6 lets the offer list
// alternatives per type). With exact set, as when checking a responder's
// choice, p must hold nothing else. A transform of a type we do not know,
// or with an attribute we do not know, makes the proposal unusable.
func matches(p wire.Proposal, s Suite, k saKind, exact bool) bool {
	want := transforms(s, k)
	hasESN, meaningful := false, 0
	for _, t := range p.Transforms {
		if t.Type < wire.TransformENCR || t.Type > wire.TransformESN || len(t.Unknown) > 0 {
			return false
		}
		if !ignorable(t, k) {
			meaningful++
			// A child suite without PFS cannot serve a proposal that
			// demands a DH group.
			if t.Type == wire.TransformDH && k.proto != wire.ProtoIKE && s.DH == wire.DHNone {
				return false
			}
		}
		hasESN = hasESN || t.Type == wire.TransformESN
	}
	required := 0
	for _, w := range want {
		// A child proposal without ESN transforms means no ESN.
		if w.Type == wire.TransformESN && !hasESN && w.ID == uint16(wire.ESNNo) {
			continue
		}
		required++
		if !slices.ContainsFunc(p.Transforms, func(t wire.Transform) bool {
			return t.Type == w.Type && t.ID == w.ID && t.KeyLength == w.KeyLength
		}) {
			return false
		}
	}
	return !exact || meaningful == required
}

// choose picks, as responder, the first proposal of the peer's offer that
// one of our suites can serve, preferring the peer's order and then ours.
// The returned proposal has the peer's number and SPI and exactly our
// transforms; the caller puts its own SPI in.
func choose(offered *wire.SA, suites []Suite, k saKind) (wire.Proposal, Suite, bool) {
	for _, p := range offered.Proposals {
		if p.Protocol != k.proto || len(p.SPI) != k.spiSize {
			continue
		}
		for _, s := range suites {
			if matches(p, s, k, false) {
				return wire.Proposal{Number: p.Number, Protocol: k.proto, SPI: p.SPI, Transforms: transforms(s, k)}, s, true
			}
		}
	}
	return wire.Proposal{}, Suite{}, false
}

// accepted checks, as initiator, the responder's SA payload: exactly one
// proposal of kind k, being exactly one of the suites we offered.
func accepted(got *wire.SA, suites []Suite, k saKind) (wire.Proposal, Suite, bool) {
	if got == nil || len(got.Proposals) != 1 {
		return wire.Proposal{}, Suite{}, false
	}
	p := got.Proposals[0]
	if p.Protocol != k.proto || len(p.SPI) != k.spiSize {
		return wire.Proposal{}, Suite{}, false
	}
	for _, s := range suites {
		if matches(p, s, k, true) {
			return p, s, true
		}
	}
	return wire.Proposal{}, Suite{}, false
}
