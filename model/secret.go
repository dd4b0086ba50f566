package model

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
