package esp

import (
	"bytes"
	"testing"
)

// fuzzSAD builds the SAs the seed corpus in testdata/fuzz/FuzzDecap was
// made with: one per algorithm family, both modes, with and without ESN.
func fuzzSAD(t *testing.T) *SAD {
	sad := NewSAD()
	for _, c := range []Config{
		suites[0].config(0x1000, Tunnel, false),
		suites[3].config(0x2000, Transport, true),
		suites[1].config(0x3000, Tunnel, true),
		suites[4].config(0x4000, Tunnel, false),
	} {
		c.ReplayWindow = 64
		sa, err := NewSA(c)
		if err != nil {
			t.Fatal(err)
		}
		if err := sad.Add(sa); err != nil {
			t.Fatal(err)
		}
	}
	return sad
}

// FuzzDecap feeds arbitrary bytes to the SAD. Decap must never panic, must
// leave dst alone when it refuses a packet, and must count every packet
// exactly once, as delivered or under one drop reason.
func FuzzDecap(f *testing.F) {
	f.Add([]byte{0, 0, 0x10, 0, 0, 0, 0, 1})
	f.Fuzz(func(t *testing.T, b []byte) {
		sad := fuzzSAD(t)
		dst := []byte("prefix")
		out, next, sa, err := sad.Decap(dst, b)
		if !bytes.HasPrefix(out, []byte("prefix")) {
			t.Fatalf("dst prefix overwritten: %q", out)
		}
		if sa == nil {
			if err == nil || len(out) != len(dst) {
				t.Fatalf("no SA but err=%v, out=%q", err, out)
			}
			c := sad.Counters()
			if c.UnknownSPI+c.TooShort != 1 {
				t.Fatalf("SAD counters %+v after one packet", c)
			}
			return
		}
		c := sa.Counters()
		drops := c.ReplayDrops + c.ICVFailures + c.BadPadding + c.TooShort + c.BadPayload + c.Dummy
		if err != nil {
			if len(out) != len(dst) || drops != 1 || c.PacketsIn != 0 {
				t.Fatalf("refused with %v but out=%q counters %+v", err, out, c)
			}
			return
		}
		payload := out[len(dst):]
		if drops != 0 || c.PacketsIn != 1 || c.BytesIn != uint64(len(payload)) {
			t.Fatalf("delivered but counters %+v", c)
		}
		if sa.Mode() == Tunnel {
			if n, ok := innerIPLen(payload, next); !ok || n != len(payload) {
				t.Fatalf("tunnel payload is not one %v packet: % x", next, payload)
			}
		}
	})
}
