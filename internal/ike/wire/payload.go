package wire

import (
	"encoding/binary"
	"fmt"
)

// Payload is one decoded payload. The concrete types are *SA, *KE, *ID,
// *Cert, *Auth, *Nonce, *Notify, *Delete, *VendorID, *TS, *SK and *Raw.
type Payload interface {
	// Type is the payload type that names this payload in the chain.
	Type() PayloadType
	// appendBody appends the payload body, without the generic header.
	appendBody(b []byte) ([]byte, error)
}

// Message is a decoded IKE message: the header fields and the payload chain.
// An encrypted message ends with an *SK whose body is still sealed.
type Message struct {
	SPIi, SPIr uint64
	Exchange   ExchangeType
	Flags      Flags
	MessageID  uint32
	Payloads   []Payload
}

// IsResponse reports whether the R flag is set.
func (m *Message) IsResponse() bool { return m.Flags&FlagResponse != 0 }

// DecodeMessage decodes a whole IKE message (without the non-ESP marker).
func DecodeMessage(b []byte) (*Message, error) {
	h, err := ParseHeader(b)
	if err != nil {
		return nil, err
	}
	ps, err := decodeChain(h.NextPayload(), b[HeaderLen:], true)
	if err != nil {
		return nil, err
	}
	return &Message{
		SPIi:      h.SPIi(),
		SPIr:      h.SPIr(),
		Exchange:  h.Exchange(),
		Flags:     h.Flags(),
		MessageID: h.MessageID(),
		Payloads:  ps,
	}, nil
}

// DecodePayloads decodes a payload chain that starts with type first and
// fills b exactly; it is how the plaintext of an SK payload is read. An SK
// payload inside it is refused, since SK payloads do not nest.
func DecodePayloads(first PayloadType, b []byte) ([]Payload, error) {
	return decodeChain(first, b, false)
}

// Encode returns the wire form of m, with the header and every length
// field computed.
func (m *Message) Encode() ([]byte, error) {
	b := make([]byte, HeaderLen, 512)
	h := Header(b)
	binary.BigEndian.PutUint64(b[0:8], m.SPIi)
	binary.BigEndian.PutUint64(b[8:16], m.SPIr)
	b[17] = Version
	b[18] = byte(m.Exchange)
	b[19] = byte(m.Flags)
	h.SetMessageID(m.MessageID)
	first, b, err := appendChain(b, m.Payloads)
	if err != nil {
		return nil, err
	}
	if len(b) > MaxMessageLen {
		return nil, fmt.Errorf("ike: encoded message is %d bytes, more than %d", len(b), MaxMessageLen)
	}
	h = Header(b)
	h.SetNextPayload(first)
	h.SetLength(uint32(len(b)))
	return b, nil
}

// EncodePayloads returns the chain ps as bytes and the type of its first
// payload, which is what the enclosing SK payload's Next Payload must say.
func EncodePayloads(ps []Payload) (PayloadType, []byte, error) {
	return appendChain(nil, ps)
}

// appendChain appends each payload with its generic header. Each header's
// Next Payload names the following payload; for an SK payload, which must
// be last, it names the first payload inside the encryption instead.
func appendChain(b []byte, ps []Payload) (PayloadType, []byte, error) {
	for i, p := range ps {
		next := NoNextPayload
		if i+1 < len(ps) {
			next = ps[i+1].Type()
		}
		critical := false
		switch p := p.(type) {
		case *SK:
			if i != len(ps)-1 {
				return 0, nil, fmt.Errorf("ike: SK payload must be the last payload")
			}
			next = p.NextInner
		case *SKF:
			if i != len(ps)-1 {
				return 0, nil, fmt.Errorf("ike: SKF payload must be the last payload")
			}
			next = p.NextInner
		case *Raw:
			critical = p.Critical
		}
		start := len(b)
		b = append(b, byte(next), 0, 0, 0)
		if critical {
			b[start+1] = 0x80
		}
		var err error
		if b, err = p.appendBody(b); err != nil {
			return 0, nil, err
		}
		n := len(b) - start
		if n > 0xffff {
			return 0, nil, fmt.Errorf("ike: %s payload is %d bytes, more than 65535", p.Type(), n)
		}
		binary.BigEndian.PutUint16(b[start+2:], uint16(n))
	}
	if len(ps) == 0 {
		return NoNextPayload, b, nil
	}
	return ps[0].Type(), b, nil
}

// Walk calls fn for each payload of the chain that starts with type first
// and must fill b exactly, checking each generic header (RFC 7296 section
// 3.2) against the bytes left. next is the header's Next Payload field. An
// SK payload ends the chain: it must reach the end of b, and its next names
// the first payload inside the encryption. So does an SKF payload (RFC
// 7383 section 2.5), whose next names the first payload of the whole
// message in the first fragment and is 0 in the others.
func Walk(first PayloadType, b []byte, fn func(typ PayloadType, critical bool, next PayloadType, body []byte) error) error {
	typ := first
	for typ != NoNextPayload {
		if len(b) < 4 {
			return syntaxErr(typ, "%d bytes left, generic header needs 4", len(b))
		}
		next := PayloadType(b[0])
		critical := b[1]&0x80 != 0
		n := int(binary.BigEndian.Uint16(b[2:4]))
		if n < 4 || n > len(b) {
			return syntaxErr(typ, "payload length %d, %d bytes left", n, len(b))
		}
		encrypted := typ == PayloadSK || typ == PayloadSKF
		if encrypted && n != len(b) {
			return syntaxErr(typ, "%s payload is not the last payload", typ)
		}
		if err := fn(typ, critical, next, b[4:n]); err != nil {
			return err
		}
		b = b[n:]
		if encrypted {
			return nil
		}
		typ = next
	}
	if len(b) != 0 {
		return syntaxErr(NoNextPayload, "%d bytes after the last payload", len(b))
	}
	return nil
}

// decoders maps each payload type this package understands to its body
// decoder. CP and EAP are known to IKEv2 but not to tcpipc, so they
// arrive as *Raw and the critical bit decides their fate.
var decoders = map[PayloadType]func(typ PayloadType, body []byte) (Payload, error){
	PayloadSA:      decodeSA,
	PayloadKE:      decodeKE,
	PayloadIDi:     decodeID,
	PayloadIDr:     decodeID,
	PayloadCERT:    decodeCert,
	PayloadCERTREQ: decodeCert,
	PayloadAUTH:    decodeAuth,
	PayloadNonce:   decodeNonce,
	PayloadNotify:  decodeNotify,
	PayloadDelete:  decodeDelete,
	PayloadVendor:  decodeVendorID,
	PayloadTSi:     decodeTS,
	PayloadTSr:     decodeTS,
}

func decodeChain(first PayloadType, b []byte, allowSK bool) ([]Payload, error) {
	var ps []Payload
	err := Walk(first, b, func(typ PayloadType, critical bool, next PayloadType, body []byte) error {
		if typ == PayloadSK {
			if !allowSK {
				return syntaxErr(typ, "SK payload inside an SK payload")
			}
			ps = append(ps, &SK{NextInner: next, Body: clone(body)})
			return nil
		}
		if typ == PayloadSKF {
			if !allowSK {
				return syntaxErr(typ, "SKF payload inside an SK payload")
			}
			p, err := decodeSKF(next, body)
			if err != nil {
				return err
			}
			ps = append(ps, p)
			return nil
		}
		dec, ok := decoders[typ]
		if !ok {
			if critical {
				return &DecodeError{Notify: UNSUPPORTED_CRITICAL_PAYLOAD, Payload: typ, Reason: "unknown payload marked critical"}
			}
			ps = append(ps, &Raw{PT: typ, Body: clone(body)})
			return nil
		}
		p, err := dec(typ, body)
		if err != nil {
			return err
		}
		ps = append(ps, p)
		return nil
	})
	return ps, err
}

// clone copies b so a decoded message never aliases the datagram buffer;
// empty slices become nil so decoded values compare equal.
func clone(b []byte) []byte {
	if len(b) == 0 {
		return nil
	}
	return append([]byte(nil), b...)
}

// Find returns the first payload of type t in ps, or nil.
func Find(ps []Payload, t PayloadType) Payload {
	for _, p := range ps {
		if p.Type() == t {
			return p
		}
	}
	return nil
}

// FindNotify returns the first Notify of type t in ps, or nil.
func FindNotify(ps []Payload, t NotifyType) *Notify {
	for _, p := range ps {
		if n, ok := p.(*Notify); ok && n.NotifyType == t {
			return n
		}
	}
	return nil
}
