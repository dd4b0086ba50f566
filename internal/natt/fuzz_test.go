package natt

import (
	"bytes"
	"testing"
)

// FuzzClassify checks that Classify never panics and that what it returns
// is consistent with the datagram: the payload is the datagram minus at
// most the marker, and building the datagram again gives the same bytes.
func FuzzClassify(f *testing.F) {
	f.Add(uint16(NATTPort), []byte{0xff})
	f.Fuzz(func(t *testing.T, port uint16, b []byte) {
		kind, payload, err := Classify(port, b)
		if err != nil {
			if kind != 0 || payload != nil {
				t.Fatalf("error %v with kind %v payload % x", err, kind, payload)
			}
			return
		}
		switch kind {
		case KindKeepalive:
			if port != NATTPort || !bytes.Equal(b, []byte{0xff}) || payload != nil {
				t.Fatalf("keepalive from port %d, % x", port, b)
			}
		case KindIKE:
			if len(payload) < ikeHeaderLen || !bytes.Equal(AppendIKE(nil, port, payload), b) {
				t.Fatalf("IKE payload % x does not rebuild % x on port %d", payload, b, port)
			}
		case KindESP:
			if port != NATTPort || !bytes.Equal(payload, b) || len(b) < espHeaderLen || [4]byte(b[:4]) == nonESPMarker {
				t.Fatalf("ESP from port %d: % x", port, b)
			}
		default:
			t.Fatalf("kind %v without error", kind)
		}
	})
}
