package ipsec

import (
	"bytes"
	"testing"

	"github.com/tcpipc/tcpipc/plan"
)

// TestPSKFromPlanByFormat: the key IKE uses is the bytes the policy's
// SharedKey format stands for, as lint's SWSA013 compares them: Ascii
// text as written, Hex digits decoded, Ebcdic text in IBM-1047 (the
// code page of the policy file on z/OS), so a z/OS peer coded with
// "SharedKey Ebcdic abc" authenticates with C1 C2 C3's lower-case
// bytes 81 82 83, not with "abc" in ASCII.
func TestPSKFromPlanByFormat(t *testing.T) {
	for _, c := range []struct {
		format, key string
		want        []byte
	}{
		{"ASCII", "abc", []byte("abc")},
		{"", "abc", []byte("abc")},
		{"HEX", "0x616263", []byte("abc")},
		{"EBCDIC", "abc", []byte{0x81, 0x82, 0x83}},
		{"EBCDIC", "A1 ", []byte{0xC1, 0xF1, 0x40}},
	} {
		got, err := pskFromPlan(plan.Peer{PSK: c.key, PSKFormat: c.format})
		if err != nil || !bytes.Equal(got, c.want) {
			t.Errorf("%s %q: got % x, %v; want % x", c.format, c.key, got, err, c.want)
		}
	}
	for _, bad := range []plan.Peer{{PSK: "zz", PSKFormat: "HEX"}, {PSK: "€", PSKFormat: "EBCDIC"}} {
		if _, err := pskFromPlan(bad); err == nil {
			t.Errorf("%s key accepted; want an error", bad.PSKFormat)
		}
	}
}
