package ikecrypto

import (
	"fmt"
	"io"
)

// Key is secret key material. Printing it with any fmt verb, as text or as
// JSON shows only its length, so keys stay out of logs; code that really
// must export a key (a Wireshark key log) converts it to []byte on purpose.
type Key []byte

const redacted = "[redacted]"

// Format implements fmt.Formatter for every verb.
func (k Key) Format(f fmt.State, _ rune) { fmt.Fprintf(f, "Key(%d bytes %s)", len(k), redacted) }

func (k Key) String() string { return fmt.Sprintf("Key(%d bytes %s)", len(k), redacted) }

// MarshalText keeps keys out of encoding/json and log/slog output too.
func (k Key) MarshalText() ([]byte, error) { return []byte(redacted), nil }

// formatRedacted is the Format method of the types that hold keys in
// unexported fields, which fmt would otherwise print without asking Key.
func formatRedacted(f fmt.State, name string) { io.WriteString(f, name+"{"+redacted+"}") }
