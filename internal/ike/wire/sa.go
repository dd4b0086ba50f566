package wire

import (
	"encoding/binary"
	"fmt"
	"strings"
)

// SA is the Security Association payload (RFC 7296 section 3.3): the
// proposals a sender offers, or the single proposal a responder chose.
type SA struct {
	Proposals []Proposal
}

// Proposal is one proposal substructure (RFC 7296 section 3.3.1).
type Proposal struct {
	Number     uint8
	Protocol   ProtocolID
	SPI        []byte // empty in IKE_SA_INIT, 8 bytes for an IKE rekey, 4 for ESP and AH
	Transforms []Transform
}

// Transform is one transform substructure (RFC 7296 section 3.3.2).
type Transform struct {
	Type TransformType
	ID   uint16
	// KeyLength is the Key Length attribute in bits, 0 when absent.
	KeyLength uint16
	// Unknown holds every other attribute. RFC 7296 section 3.3.6 asks a
	// responder to reject a transform with an attribute it does not know.
	Unknown []Attribute
}

// Attribute is one transform attribute (RFC 7296 section 3.3.5) other than
// Key Length. TV attributes carry exactly two bytes of value.
type Attribute struct {
	Type  uint16
	TV    bool
	Value []byte
}

// attrKeyLength is the attribute type of Key Length, always sent in TV form.
const attrKeyLength = 14

// attrTV is the Attribute Format bit: the value sits in the length field.
const attrTV = 0x8000

// Substructure "last or more" markers: 0 ends the list.
const (
	moreProposals  = 2
	moreTransforms = 3
)

func (*SA) Type() PayloadType { return PayloadSA }

func (t Transform) String() string {
	var name string
	switch t.Type {
	case TransformENCR:
		name = EncrID(t.ID).String()
	case TransformPRF:
		name = PRFID(t.ID).String()
	case TransformINTEG:
		name = IntegID(t.ID).String()
	case TransformDH:
		name = DHGroup(t.ID).String()
	case TransformESN:
		name = ESNID(t.ID).String()
	default:
		name = fmt.Sprintf("%s/%d", t.Type, t.ID)
	}
	if t.KeyLength != 0 {
		name += fmt.Sprintf("_%d", t.KeyLength)
	}
	return name
}

func (p Proposal) String() string {
	names := make([]string, len(p.Transforms))
	for i, t := range p.Transforms {
		names[i] = t.String()
	}
	return fmt.Sprintf("#%d %s[%s]", p.Number, p.Protocol, strings.Join(names, " "))
}

func (sa *SA) appendBody(b []byte) ([]byte, error) {
	if len(sa.Proposals) == 0 {
		return nil, fmt.Errorf("ike: SA payload without proposals")
	}
	for i, p := range sa.Proposals {
		if len(p.SPI) > 255 || len(p.Transforms) > 255 {
			return nil, fmt.Errorf("ike: proposal %d has too many SPI bytes or transforms", p.Number)
		}
		start := len(b)
		more := byte(moreProposals)
		if i == len(sa.Proposals)-1 {
			more = 0
		}
		b = append(b, more, 0, 0, 0, p.Number, byte(p.Protocol), byte(len(p.SPI)), byte(len(p.Transforms)))
		b = append(b, p.SPI...)
		for j, t := range p.Transforms {
			var err error
			if b, err = t.append(b, j == len(p.Transforms)-1); err != nil {
				return nil, err
			}
		}
		if len(b)-start > 0xffff {
			return nil, fmt.Errorf("ike: proposal %d longer than 65535 bytes", p.Number)
		}
		binary.BigEndian.PutUint16(b[start+2:], uint16(len(b)-start))
	}
	return b, nil
}

func (t Transform) append(b []byte, last bool) ([]byte, error) {
	start := len(b)
	more := byte(moreTransforms)
	if last {
		more = 0
	}
	b = append(b, more, 0, 0, 0, byte(t.Type), 0, 0, 0)
	binary.BigEndian.PutUint16(b[start+6:], t.ID)
	if t.KeyLength != 0 {
		b = binary.BigEndian.AppendUint16(b, attrTV|attrKeyLength)
		b = binary.BigEndian.AppendUint16(b, t.KeyLength)
	}
	for _, a := range t.Unknown {
		switch {
		case a.Type&attrTV != 0 || a.Type == attrKeyLength:
			return nil, fmt.Errorf("ike: attribute type %d cannot be sent as an unknown attribute", a.Type)
		case a.TV && len(a.Value) != 2:
			return nil, fmt.Errorf("ike: TV attribute %d needs a 2-byte value", a.Type)
		case a.TV:
			b = binary.BigEndian.AppendUint16(b, attrTV|a.Type)
		case len(a.Value) > 0xffff:
			return nil, fmt.Errorf("ike: attribute %d too long", a.Type)
		default:
			b = binary.BigEndian.AppendUint16(b, a.Type)
			b = binary.BigEndian.AppendUint16(b, uint16(len(a.Value)))
		}
		b = append(b, a.Value...)
	}
	if len(b)-start > 0xffff {
		return nil, fmt.Errorf("ike: transform longer than 65535 bytes")
	}
	binary.BigEndian.PutUint16(b[start+2:], uint16(len(b)-start))
	return b, nil
}

func decodeSA(_ PayloadType, b []byte) (Payload, error) {
	sa := &SA{}
	if len(b) == 0 {
		return nil, syntaxErr(PayloadSA, "no proposals")
	}
	for len(b) > 0 {
		if len(b) < 8 {
			return nil, syntaxErr(PayloadSA, "proposal header needs 8 bytes, %d left", len(b))
		}
		more, n, spiSize, count := b[0], int(binary.BigEndian.Uint16(b[2:4])), int(b[6]), int(b[7])
		if n < 8+spiSize || n > len(b) {
			return nil, syntaxErr(PayloadSA, "proposal length %d, SPI size %d, %d bytes left", n, spiSize, len(b))
		}
		if err := checkMore(PayloadSA, "proposal", more, moreProposals, n < len(b)); err != nil {
			return nil, err
		}
		p := Proposal{Number: b[4], Protocol: ProtocolID(b[5]), SPI: clone(b[8 : 8+spiSize])}
		ts := b[8+spiSize : n]
		for len(ts) > 0 {
			t, rest, err := decodeTransform(ts)
			if err != nil {
				return nil, err
			}
			p.Transforms = append(p.Transforms, t)
			ts = rest
		}
		if len(p.Transforms) != count {
			return nil, syntaxErr(PayloadSA, "proposal %d says %d transforms, holds %d", p.Number, count, len(p.Transforms))
		}
		sa.Proposals = append(sa.Proposals, p)
		b = b[n:]
	}
	return sa, nil
}

// checkMore checks a "last substructure" byte against whether another
// substructure follows in the container.
func checkMore(pt PayloadType, what string, got, want byte, follows bool) error {
	switch {
	case got == want && follows, got == 0 && !follows:
		return nil
	case got != want && got != 0:
		return syntaxErr(pt, "%s has last-substructure value %d", what, got)
	case follows:
		return syntaxErr(pt, "%s marked last but more bytes follow", what)
	default:
		return syntaxErr(pt, "%s marked not last but nothing follows", what)
	}
}

func decodeTransform(b []byte) (Transform, []byte, error) {
	if len(b) < 8 {
		return Transform{}, nil, syntaxErr(PayloadSA, "transform header needs 8 bytes, %d left", len(b))
	}
	more, n := b[0], int(binary.BigEndian.Uint16(b[2:4]))
	if n < 8 || n > len(b) {
		return Transform{}, nil, syntaxErr(PayloadSA, "transform length %d, %d bytes left", n, len(b))
	}
	if err := checkMore(PayloadSA, "transform", more, moreTransforms, n < len(b)); err != nil {
		return Transform{}, nil, err
	}
	t := Transform{Type: TransformType(b[4]), ID: binary.BigEndian.Uint16(b[6:8])}
	attrs := b[8:n]
	for len(attrs) > 0 {
		if len(attrs) < 4 {
			return Transform{}, nil, syntaxErr(PayloadSA, "attribute header needs 4 bytes, %d left", len(attrs))
		}
		typ := binary.BigEndian.Uint16(attrs[0:2])
		tv := typ&attrTV != 0
		typ &^= attrTV
		var value []byte
		if tv {
			value, attrs = attrs[2:4], attrs[4:]
		} else {
			vl := int(binary.BigEndian.Uint16(attrs[2:4]))
			if 4+vl > len(attrs) {
				return Transform{}, nil, syntaxErr(PayloadSA, "attribute length %d, %d bytes left", vl, len(attrs)-4)
			}
			value, attrs = attrs[4:4+vl], attrs[4+vl:]
		}
		if typ != attrKeyLength {
			t.Unknown = append(t.Unknown, Attribute{Type: typ, TV: tv, Value: clone(value)})
			continue
		}
		if !tv {
			return Transform{}, nil, syntaxErr(PayloadSA, "Key Length attribute not in TV form")
		}
		kl := binary.BigEndian.Uint16(value)
		switch {
		case t.KeyLength != 0:
			return Transform{}, nil, syntaxErr(PayloadSA, "Key Length attribute given twice")
		case kl == 0:
			return Transform{}, nil, syntaxErr(PayloadSA, "Key Length of 0 bits")
		}
		t.KeyLength = kl
	}
	return t, b[n:], nil
}
