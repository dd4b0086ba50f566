package esp

import "fmt"

// Key is secret key material. It formats as a placeholder under every fmt
// verb, so a Config can be logged without leaking keys.
type Key []byte

// Format writes a placeholder that gives the length, never the bytes.
func (k Key) Format(f fmt.State, verb rune) {
	fmt.Fprintf(f, "Key(%d bytes, redacted)", len(k))
}

// String returns the same placeholder as Format.
func (k Key) String() string { return fmt.Sprintf("Key(%d bytes, redacted)", len(k)) }

// GoString returns the same placeholder as Format.
func (k Key) GoString() string { return k.String() }
