package model

import "testing"

// TestSameKey checks that a pre-shared key is compared by the bytes IKE
// uses, whatever format wrote it.
func TestSameKey(t *testing.T) {
	for _, tc := range []struct {
		name string
		a, b Secret
		same bool
	}{
		{"same text", NewSecret("ASCII", "abc"), NewSecret("ASCII", "abc"), true},
		{"text and its hex", NewSecret("ASCII", "abc"), NewSecret("HEX", "616263"), true},
		{"hex with 0x, upper case", NewSecret("HEX", "0X616263"), NewSecret("ASCII", "abc"), true},
		{"no format word is text", NewSecret("", "abc"), NewSecret("ASCII", "abc"), true},
		{"EBCDIC text is other bytes", NewSecret("EBCDIC", "abc"), NewSecret("ASCII", "abc"), false},
		{"EBCDIC text and its bytes", NewSecret("EBCDIC", "abc"), NewSecret("HEX", "818283"), true},
		{"different text", NewSecret("ASCII", "abc"), NewSecret("ASCII", "abd"), false},
		{"bad hex is not its text", NewSecret("HEX", "zz"), NewSecret("ASCII", "zz"), false},
		{"same bad hex", NewSecret("HEX", "zz"), NewSecret("HEX", "zz"), true},
		{"one missing", NewSecret("ASCII", "abc"), Secret{}, false},
	} {
		if got := SameKey(tc.a, tc.b); got != tc.same {
			t.Errorf("%s: SameKey = %v, want %v", tc.name, got, tc.same)
		}
	}
}
