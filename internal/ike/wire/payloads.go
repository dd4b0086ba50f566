package wire

import (
	"encoding/binary"
	"fmt"
)

// KE is the Key Exchange payload (RFC 7296 section 3.4).
type KE struct {
	Group DHGroup
	Data  []byte // the public value, in the group's wire format
}

func (*KE) Type() PayloadType { return PayloadKE }

func (p *KE) appendBody(b []byte) ([]byte, error) {
	b = binary.BigEndian.AppendUint16(b, uint16(p.Group))
	b = append(b, 0, 0)
	return append(b, p.Data...), nil
}

func decodeKE(_ PayloadType, b []byte) (Payload, error) {
	if len(b) <= 4 {
		return nil, syntaxErr(PayloadKE, "%d bytes, need a group and a public value", len(b))
	}
	return &KE{Group: DHGroup(binary.BigEndian.Uint16(b)), Data: clone(b[4:])}, nil
}

// Nonce is the Nonce payload (RFC 7296 section 3.9).
type Nonce struct {
	Data []byte
}

// Nonce sizes allowed by RFC 7296 section 3.9.
const (
	MinNonceLen = 16
	MaxNonceLen = 256
)

func (*Nonce) Type() PayloadType { return PayloadNonce }

func (p *Nonce) appendBody(b []byte) ([]byte, error) {
	if len(p.Data) < MinNonceLen || len(p.Data) > MaxNonceLen {
		return nil, fmt.Errorf("ike: nonce of %d bytes", len(p.Data))
	}
	return append(b, p.Data...), nil
}

func decodeNonce(_ PayloadType, b []byte) (Payload, error) {
	if len(b) < MinNonceLen || len(b) > MaxNonceLen {
		return nil, syntaxErr(PayloadNonce, "nonce of %d bytes, allowed %d to %d", len(b), MinNonceLen, MaxNonceLen)
	}
	return &Nonce{Data: clone(b)}, nil
}

// ID is an Identification payload, IDi or IDr (RFC 7296 section 3.5).
type ID struct {
	PT     PayloadType // PayloadIDi or PayloadIDr
	IDType IDType
	Data   []byte
}

func (p *ID) Type() PayloadType { return p.PT }

// Body is the payload without its generic header, "RestOfIDPayload" in the
// AUTH computation of RFC 7296 section 2.15.
func (p *ID) Body() []byte {
	b := append([]byte{byte(p.IDType), 0, 0, 0}, p.Data...)
	return b
}

func (p *ID) appendBody(b []byte) ([]byte, error) {
	if p.PT != PayloadIDi && p.PT != PayloadIDr {
		return nil, fmt.Errorf("ike: ID payload typed %s", p.PT)
	}
	b = append(b, byte(p.IDType), 0, 0, 0)
	return append(b, p.Data...), nil
}

func decodeID(pt PayloadType, b []byte) (Payload, error) {
	if len(b) < 4 {
		return nil, syntaxErr(pt, "%d bytes, ID header needs 4", len(b))
	}
	return &ID{PT: pt, IDType: IDType(b[0]), Data: clone(b[4:])}, nil
}

// Cert is a Certificate or Certificate Request payload (RFC 7296 sections
// 3.6 and 3.7). Data stays opaque here: a DER certificate, or SHA-1 hashes
// of CA public keys, whose meaning ikesa gives them by Encoding.
type Cert struct {
	PT       PayloadType // PayloadCERT or PayloadCERTREQ
	Encoding uint8
	Data     []byte
}

func (p *Cert) Type() PayloadType { return p.PT }

func (p *Cert) appendBody(b []byte) ([]byte, error) {
	if p.PT != PayloadCERT && p.PT != PayloadCERTREQ {
		return nil, fmt.Errorf("ike: certificate payload typed %s", p.PT)
	}
	return append(append(b, p.Encoding), p.Data...), nil
}

func decodeCert(pt PayloadType, b []byte) (Payload, error) {
	if len(b) < 1 {
		return nil, syntaxErr(pt, "no encoding byte")
	}
	return &Cert{PT: pt, Encoding: b[0], Data: clone(b[1:])}, nil
}

// Auth is the Authentication payload (RFC 7296 section 3.8).
type Auth struct {
	Method AuthMethod
	Data   []byte
}

func (*Auth) Type() PayloadType { return PayloadAUTH }

func (p *Auth) appendBody(b []byte) ([]byte, error) {
	b = append(b, byte(p.Method), 0, 0, 0)
	return append(b, p.Data...), nil
}

func decodeAuth(_ PayloadType, b []byte) (Payload, error) {
	if len(b) <= 4 {
		return nil, syntaxErr(PayloadAUTH, "%d bytes, need a method and data", len(b))
	}
	return &Auth{Method: AuthMethod(b[0]), Data: clone(b[4:])}, nil
}

// Notify is the Notify payload (RFC 7296 section 3.10).
type Notify struct {
	Protocol   ProtocolID
	SPI        []byte
	NotifyType NotifyType
	Data       []byte
}

func (*Notify) Type() PayloadType { return PayloadNotify }

func (p *Notify) appendBody(b []byte) ([]byte, error) {
	if len(p.SPI) > 255 {
		return nil, fmt.Errorf("ike: notify SPI of %d bytes", len(p.SPI))
	}
	b = append(b, byte(p.Protocol), byte(len(p.SPI)))
	b = binary.BigEndian.AppendUint16(b, uint16(p.NotifyType))
	b = append(b, p.SPI...)
	return append(b, p.Data...), nil
}

func decodeNotify(_ PayloadType, b []byte) (Payload, error) {
	if len(b) < 4 {
		return nil, syntaxErr(PayloadNotify, "%d bytes, notify header needs 4", len(b))
	}
	spiSize := int(b[1])
	if 4+spiSize > len(b) {
		return nil, syntaxErr(PayloadNotify, "SPI size %d, %d bytes left", spiSize, len(b)-4)
	}
	return &Notify{
		Protocol:   ProtocolID(b[0]),
		NotifyType: NotifyType(binary.BigEndian.Uint16(b[2:4])),
		SPI:        clone(b[4 : 4+spiSize]),
		Data:       clone(b[4+spiSize:]),
	}, nil
}

// Delete is the Delete payload (RFC 7296 section 3.11). Deleting an IKE SA
// carries no SPIs; deleting ESP or AH SAs lists the sender's inbound SPIs.
type Delete struct {
	Protocol ProtocolID
	SPISize  uint8
	SPIs     [][]byte
}

func (*Delete) Type() PayloadType { return PayloadDelete }

func (p *Delete) appendBody(b []byte) ([]byte, error) {
	if err := checkDeleteShape(p.Protocol, int(p.SPISize), len(p.SPIs)); err != nil {
		return nil, err
	}
	b = append(b, byte(p.Protocol), p.SPISize)
	b = binary.BigEndian.AppendUint16(b, uint16(len(p.SPIs)))
	for _, spi := range p.SPIs {
		if len(spi) != int(p.SPISize) {
			return nil, fmt.Errorf("ike: delete SPI of %d bytes, SPI size %d", len(spi), p.SPISize)
		}
		b = append(b, spi...)
	}
	return b, nil
}

// checkDeleteShape applies RFC 7296 section 3.11: no SPIs for IKE, 4-byte
// SPIs for ESP and AH.
func checkDeleteShape(proto ProtocolID, size, count int) error {
	switch {
	case count > 0xffff:
		return syntaxErr(PayloadDelete, "%d SPIs", count)
	case proto == ProtoIKE && (size != 0 || count != 0):
		return syntaxErr(PayloadDelete, "IKE SA delete with SPI size %d and %d SPIs", size, count)
	case (proto == ProtoESP || proto == ProtoAH) && size != 4:
		return syntaxErr(PayloadDelete, "%s delete with SPI size %d", proto, size)
	case size == 0 && count != 0:
		return syntaxErr(PayloadDelete, "%d SPIs of size 0", count)
	}
	return nil
}

func decodeDelete(_ PayloadType, b []byte) (Payload, error) {
	if len(b) < 4 {
		return nil, syntaxErr(PayloadDelete, "%d bytes, delete header needs 4", len(b))
	}
	p := &Delete{Protocol: ProtocolID(b[0]), SPISize: b[1]}
	size, count := int(b[1]), int(binary.BigEndian.Uint16(b[2:4]))
	if err := checkDeleteShape(p.Protocol, size, count); err != nil {
		return nil, err
	}
	if len(b)-4 != size*count {
		return nil, syntaxErr(PayloadDelete, "%d SPIs of %d bytes in %d bytes", count, size, len(b)-4)
	}
	for i := range count {
		p.SPIs = append(p.SPIs, clone(b[4+i*size:4+(i+1)*size]))
	}
	return p, nil
}

// VendorID is the Vendor ID payload (RFC 7296 section 3.12).
type VendorID struct {
	Data []byte
}

func (*VendorID) Type() PayloadType { return PayloadVendor }

func (p *VendorID) appendBody(b []byte) ([]byte, error) { return append(b, p.Data...), nil }

func decodeVendorID(_ PayloadType, b []byte) (Payload, error) {
	return &VendorID{Data: clone(b)}, nil
}

// SK is the Encrypted payload (RFC 7296 section 3.14) with its body still
// sealed: IV, ciphertext and ICV, as one opaque slice. NextInner is the
// type of the first payload inside, which the generic header's Next Payload
// field carries for SK.
type SK struct {
	NextInner PayloadType
	Body      []byte
}

func (*SK) Type() PayloadType { return PayloadSK }

func (p *SK) appendBody(b []byte) ([]byte, error) { return append(b, p.Body...), nil }

// SKF is the Encrypted Fragment payload (RFC 7383 section 2.5): one
// fragment of a message whose SK payload its sender split, numbered from
// 1 to Total, with its own IV, ciphertext and ICV in Body, still sealed.
// NextInner is the type of the message's first inner payload in fragment
// 1 and 0 in the others.
type SKF struct {
	NextInner     PayloadType
	Number, Total uint16
	Body          []byte
}

func (*SKF) Type() PayloadType { return PayloadSKF }

func (p *SKF) appendBody(b []byte) ([]byte, error) {
	b = binary.BigEndian.AppendUint16(b, p.Number)
	b = binary.BigEndian.AppendUint16(b, p.Total)
	return append(b, p.Body...), nil
}

// decodeSKF reads an Encrypted Fragment payload's body: the fragment
// number and the total, which must be 1 <= Number <= Total, then the
// sealed fragment. Only the first fragment's next payload means anything.
func decodeSKF(next PayloadType, b []byte) (Payload, error) {
	if len(b) < 4 {
		return nil, syntaxErr(PayloadSKF, "%d bytes, fragment number and total need 4", len(b))
	}
	p := &SKF{NextInner: next, Number: binary.BigEndian.Uint16(b), Total: binary.BigEndian.Uint16(b[2:]), Body: clone(b[4:])}
	if p.Number == 0 || p.Number > p.Total {
		return nil, syntaxErr(PayloadSKF, "fragment %d of %d", p.Number, p.Total)
	}
	if p.Number != 1 {
		p.NextInner = NoNextPayload // RFC 7383 wants 0 there; what else a sender puts means nothing
	}
	return p, nil
}

// Raw is a payload this package does not decode, kept as it came.
type Raw struct {
	PT       PayloadType
	Critical bool
	Body     []byte
}

func (p *Raw) Type() PayloadType { return p.PT }

func (p *Raw) appendBody(b []byte) ([]byte, error) { return append(b, p.Body...), nil }
