package ikecrypto

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/hmac"
	"crypto/rand"
	"encoding/binary"
	"errors"
	"fmt"
	"sync/atomic"

	"github.com/tcpipc/tcpipc/internal/ike/wire"
)

// ErrIntegrity reports an SK payload whose ICV or AEAD tag does not verify.
// RFC 7296 section 2.21.2 asks for such messages to be dropped silently.
var ErrIntegrity = errors.New("ikecrypto: SK payload failed its integrity check")

// SKCipher protects the Encrypted payloads sent in one direction of an IKE
// SA: the initiator seals with SK_ei/SK_ai and the responder opens with the
// same keys, and the other way round with SK_er/SK_ar.
type SKCipher struct {
	encr     *Encr
	integ    *Integ
	aead     cipher.AEAD  // AES-GCM
	block    cipher.Block // AES-CBC
	salt     []byte
	integKey Key
	// ivCounter makes GCM IVs unique under this key (RFC 5282 section 3.1
	// forbids reuse); CBC IVs are random instead, as CBC needs them
	// unpredictable.
	ivCounter atomic.Uint64
}

// NewSKCipher makes the cipher for one direction from its SK_e and SK_a.
// integ must be nil for AES-GCM and non-nil for AES-CBC.
func NewSKCipher(encr *Encr, integ *Integ, ek, ak Key) (*SKCipher, error) {
	if len(ek) != encr.KeyLen() {
		return nil, fmt.Errorf("ikecrypto: %s needs a %d-byte key, got %d", encr, encr.KeyLen(), len(ek))
	}
	if encr.IsAEAD() != (integ == nil) {
		return nil, fmt.Errorf("ikecrypto: %s cannot be combined with integrity transform %v", encr, integ)
	}
	c := &SKCipher{encr: encr, integ: integ}
	aesKey := ek[:encr.KeyBits/8]
	block, err := aes.NewCipher(aesKey)
	if err != nil {
		return nil, err
	}
	if encr.IsAEAD() {
		c.salt = append([]byte{}, ek[len(aesKey):]...)
		if c.aead, err = cipher.NewGCM(block); err != nil {
			return nil, err
		}
		return c, nil
	}
	if len(ak) != integ.KeyLen {
		return nil, fmt.Errorf("ikecrypto: %s needs a %d-byte key, got %d", integ, integ.KeyLen, len(ak))
	}
	c.block, c.integKey = block, append(Key{}, ak...)
	return c, nil
}

// Format keeps the keys out of formatted output.
func (c *SKCipher) Format(f fmt.State, _ rune) { formatRedacted(f, "SKCipher") }

// overhead returns the IV length, the ICV length and the block size the
// padded plaintext must fill. GCM works on bytes, so it needs no padding.
func (c *SKCipher) overhead() (ivLen, icvLen, block int) {
	if c.aead != nil {
		return gcmIVLen, gcmICVLen, 1
	}
	return cbcIVLen, c.integ.ICVLen, aesBlock
}

// BodyLen is the length of the SK payload body (IV, ciphertext and ICV)
// that carries n bytes of inner payloads.
func (c *SKCipher) BodyLen(n int) int {
	ivLen, icvLen, block := c.overhead()
	padded := (n + 1 + block - 1) / block * block // +1 for the Pad Length byte
	return ivLen + padded + icvLen
}

// Seal encrypts inner into the SK payload body that ends msg. msg must be
// the complete encoded message, with every length field final and the
// last BodyLen(len(inner)) bytes reserved for the body.
func (c *SKCipher) Seal(msg, inner []byte) error {
	ivLen, icvLen, _ := c.overhead()
	bodyLen := c.BodyLen(len(inner))
	if len(msg) < wire.HeaderLen+4+bodyLen {
		return fmt.Errorf("ikecrypto: message of %d bytes has no room for a %d-byte SK body", len(msg), bodyLen)
	}
	start := len(msg) - bodyLen
	iv := msg[start : start+ivLen]
	ctLen := bodyLen - ivLen - icvLen
	// Plaintext = inner payloads | zero padding | Pad Length.
	plain := make([]byte, ctLen)
	copy(plain, inner)
	plain[ctLen-1] = byte(ctLen - 1 - len(inner))

	if c.aead != nil {
		n := c.ivCounter.Add(1)
		if n == 0 {
			return errors.New("ikecrypto: GCM IV counter exhausted; rekey the IKE SA")
		}
		binary.BigEndian.PutUint64(iv, n)
		nonce := append(append(make([]byte, 0, 12), c.salt...), iv...)
		// The AAD is everything before the IV: header, unencrypted payloads
		// and the SK generic header (RFC 5282 section 5.1).
		c.aead.Seal(msg[start+ivLen:start+ivLen], nonce, plain, msg[:start])
		return nil
	}
	if _, err := rand.Read(iv); err != nil {
		return err
	}
	ct := msg[start+ivLen : start+ivLen+ctLen]
	cipher.NewCBCEncrypter(c.block, iv).CryptBlocks(ct, plain)
	// The ICV covers the whole message up to the ICV itself.
	copy(msg[len(msg)-icvLen:], c.integ.MAC(c.integKey, msg[:len(msg)-icvLen]))
	return nil
}

// Open checks and decrypts the SK payload body of bodyLen bytes that ends
// msg, the message as received, and returns the inner payload bytes
// without padding. With CBC the ICV is verified before anything is
// decrypted.
func (c *SKCipher) Open(msg []byte, bodyLen int) ([]byte, error) {
	ivLen, icvLen, block := c.overhead()
	ctLen := bodyLen - ivLen - icvLen
	if bodyLen > len(msg)-wire.HeaderLen-4 || ctLen < block || ctLen%block != 0 {
		return nil, fmt.Errorf("ikecrypto: SK body of %d bytes does not fit %s", bodyLen, c.encr)
	}
	start := len(msg) - bodyLen
	iv := msg[start : start+ivLen]
	var plain []byte
	if c.aead != nil {
		nonce := append(append(make([]byte, 0, 12), c.salt...), iv...)
		var err error
		if plain, err = c.aead.Open(nil, nonce, msg[start+ivLen:], msg[:start]); err != nil {
			return nil, ErrIntegrity
		}
	} else {
		if !hmac.Equal(c.integ.MAC(c.integKey, msg[:len(msg)-icvLen]), msg[len(msg)-icvLen:]) {
			return nil, ErrIntegrity
		}
		plain = make([]byte, ctLen)
		cipher.NewCBCDecrypter(c.block, iv).CryptBlocks(plain, msg[start+ivLen:start+ivLen+ctLen])
	}
	padLen := int(plain[len(plain)-1])
	if padLen+1 > len(plain) {
		return nil, fmt.Errorf("ikecrypto: pad length %d in %d bytes of plaintext", padLen, len(plain))
	}
	return plain[:len(plain)-1-padLen], nil
}

// EncodeMessage encodes m followed by an SK payload that carries inner,
// sealed with c. m's own payloads stay unencrypted, in front of SK.
func (c *SKCipher) EncodeMessage(m *wire.Message, inner []wire.Payload) ([]byte, error) {
	first, plain, err := wire.EncodePayloads(inner)
	if err != nil {
		return nil, err
	}
	out := *m
	out.Payloads = append(append([]wire.Payload{}, m.Payloads...), &wire.SK{NextInner: first, Body: make([]byte, c.BodyLen(len(plain)))})
	b, err := out.Encode()
	if err != nil {
		return nil, err
	}
	if err := c.Seal(b, plain); err != nil {
		return nil, err
	}
	return b, nil
}

// DecodeInner opens the SK payload of m, decoded from the received bytes
// msg, and decodes the payloads inside it.
func (c *SKCipher) DecodeInner(msg []byte, m *wire.Message) ([]wire.Payload, error) {
	if len(m.Payloads) == 0 {
		return nil, errors.New("ikecrypto: message has no SK payload")
	}
	sk, ok := m.Payloads[len(m.Payloads)-1].(*wire.SK)
	if !ok {
		return nil, errors.New("ikecrypto: message has no SK payload")
	}
	plain, err := c.Open(msg, len(sk.Body))
	if err != nil {
		return nil, err
	}
	return wire.DecodePayloads(sk.NextInner, plain)
}

// OpenFragment opens the Encrypted Fragment payload that ends m, decoded
// from the received bytes msg (RFC 7383 section 2.5): each fragment is
// protected on its own, like an SK payload whose associated data also
// covers the fragment number and total. It returns the fragment and its
// share of the inner payload bytes, without padding.
func (c *SKCipher) OpenFragment(msg []byte, m *wire.Message) (*wire.SKF, []byte, error) {
	if len(m.Payloads) == 0 {
		return nil, nil, errors.New("ikecrypto: message has no SKF payload")
	}
	f, ok := m.Payloads[len(m.Payloads)-1].(*wire.SKF)
	if !ok {
		return nil, nil, errors.New("ikecrypto: message has no SKF payload")
	}
	plain, err := c.Open(msg, len(f.Body))
	if err != nil {
		return nil, nil, err
	}
	return f, plain, nil
}
