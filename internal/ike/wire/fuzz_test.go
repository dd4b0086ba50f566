package wire

import (
	"errors"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// FuzzDecodeMessage checks that no input panics the decoder, that every
// refusal is a *DecodeError a responder can answer, and that whatever
// decodes re-encodes to a message of the same length that decodes to the
// same value. The seed corpus in testdata/fuzz/FuzzDecodeMessage holds the
// strongSwan IKE_SA_INIT pair and hand-made malformed messages.
func FuzzDecodeMessage(f *testing.F) {
	all := &Message{SPIi: 1, SPIr: 2, Exchange: IKE_AUTH, Payloads: everyPayload()}
	if b, err := all.Encode(); err == nil {
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		m, err := DecodeMessage(data)
		if err != nil {
			var de *DecodeError
			if !errors.As(err, &de) {
				t.Fatalf("refusal is %T, not *DecodeError: %v", err, err)
			}
			return
		}
		b, err := m.Encode()
		if err != nil {
			t.Fatalf("decoded message does not encode: %v", err)
		}
		if len(b) != len(data) {
			t.Fatalf("re-encoded to %d bytes from %d", len(b), len(data))
		}
		again, err := DecodeMessage(b)
		if err != nil {
			t.Fatalf("re-encoded message does not decode: %v", err)
		}
		if d := cmp.Diff(m, again, cmpAddr); d != "" {
			t.Fatalf("decode(encode(m)) differs (-first +second):\n%s", d)
		}
	})
}
