package wire

import (
	"encoding/binary"
	"fmt"
)

// HeaderLen is the size of the IKE header (RFC 7296 section 3.1).
const HeaderLen = 28

// Version is the only version this package speaks: major 2, minor 0.
const Version = 0x20

// MaxMessageLen bounds what Encode produces and ParseHeader accepts: the
// Length field has 32 bits, but a message has to fit in one UDP datagram.
const MaxMessageLen = 65535 - 8

// Header is a view of the 28-byte IKE header at the start of a message:
//
//	SPIi(8) SPIr(8) NextPayload(1) Version(1) Exchange(1) Flags(1) MessageID(4) Length(4)
type Header []byte

// ParseHeader returns the header of the datagram b after checking the
// version and that the Length field matches len(b) exactly.
func ParseHeader(b []byte) (Header, error) {
	if len(b) < HeaderLen {
		return nil, syntaxErr(NoNextPayload, "%d bytes is shorter than the header", len(b))
	}
	if len(b) > MaxMessageLen {
		return nil, syntaxErr(NoNextPayload, "%d bytes is more than a UDP datagram holds", len(b))
	}
	h := Header(b[:HeaderLen])
	if major := h.Version() >> 4; major != 2 {
		return nil, &DecodeError{Notify: INVALID_MAJOR_VERSION, Reason: fmt.Sprintf("major version %d", major)}
	}
	if n := h.Length(); n != uint32(len(b)) {
		return nil, syntaxErr(NoNextPayload, "header length %d, datagram length %d", n, len(b))
	}
	return h, nil
}

// Field accessors. The setters exist for the few fields a sender patches
// after encoding, such as the length once the SK payload is sized.

func (h Header) SPIi() uint64                 { return binary.BigEndian.Uint64(h[0:8]) }
func (h Header) SPIr() uint64                 { return binary.BigEndian.Uint64(h[8:16]) }
func (h Header) NextPayload() PayloadType     { return PayloadType(h[16]) }
func (h Header) Version() uint8               { return h[17] }
func (h Header) Exchange() ExchangeType       { return ExchangeType(h[18]) }
func (h Header) Flags() Flags                 { return Flags(h[19]) }
func (h Header) MessageID() uint32            { return binary.BigEndian.Uint32(h[20:24]) }
func (h Header) Length() uint32               { return binary.BigEndian.Uint32(h[24:28]) }
func (h Header) IsResponse() bool             { return h.Flags()&FlagResponse != 0 }
func (h Header) FromInitiator() bool          { return h.Flags()&FlagInitiator != 0 }
func (h Header) SetSPIr(spi uint64)           { binary.BigEndian.PutUint64(h[8:16], spi) }
func (h Header) SetLength(n uint32)           { binary.BigEndian.PutUint32(h[24:28], n) }
func (h Header) SetMessageID(id uint32)       { binary.BigEndian.PutUint32(h[20:24], id) }
func (h Header) SetNextPayload(p PayloadType) { h[16] = byte(p) }
