package model

import (
	"crypto/subtle"

	"github.com/tcpipc/tcpipc/internal/sharedkey"
)

// Secret holds key material (a pre-shared key). It prints and marshals as
// <redacted>; only Reveal gives the value, for the runtime and for plans
// compiled with --include-secrets.
type Secret struct {
	value string
	// Format is how the key was written: ASCII, HEX or EBCDIC.
	Format string
}

// NewSecret wraps a value.
func NewSecret(format, value string) Secret { return Secret{value: value, Format: format} }

// Present reports whether a value was given.
func (s Secret) Present() bool { return s.value != "" }

// Reveal returns the key material.
func (s Secret) Reveal() string { return s.value }

// String never shows the key.
func (s Secret) String() string {
	if s.value == "" {
		return ""
	}
	return "<redacted>"
}

// GoString keeps %#v from showing the key.
func (s Secret) GoString() string { return "model.Secret{" + s.String() + "}" }

// MarshalText keeps JSON and other encoders from showing the key.
func (s Secret) MarshalText() ([]byte, error) { return []byte(s.String()), nil }

// Material is the key as IKE uses it: the bytes the format stands for. A
// key is one byte string however it is written (IP Configuration
// Reference, KeyExchangeRule SharedKey: Ascii text, Ebcdic text or Hex
// digits), so "Ascii abc" and "Hex 616263" are the same key, while
// "Ebcdic abc" is another (its bytes are IBM-1047's). ok is false when the
// value cannot stand for bytes (hex digits that are not hex, text with
// no IBM-1047 form); such keys compare by format and text only.
func (s Secret) Material() (b []byte, ok bool) {
	b, err := sharedkey.Material(s.Format, s.value)
	return b, err == nil
}

// SameKey reports whether two secrets are the same key, comparing their
// bytes in constant time (for keys of equal length).
func SameKey(a, b Secret) bool {
	if a.Present() != b.Present() {
		return false
	}
	am, aok := a.Material()
	bm, bok := b.Material()
	if !aok || !bok {
		am, bm = []byte(a.Format+" "+a.value), []byte(b.Format+" "+b.value)
	}
	return subtle.ConstantTimeCompare(am, bm) == 1
}
