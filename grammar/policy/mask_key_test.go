package policy

import "testing"

// containsKeyByByte is containsKey as first written: every position tested.
func containsKeyByByte(text []byte) bool {
	for i := 0; i+2 < len(text); i++ {
		if text[i]|0x20 == 'k' && text[i+1]|0x20 == 'e' && text[i+2]|0x20 == 'y' {
			return true
		}
	}
	return false
}

// TestContainsKeyAgrees holds the IndexByte scan to the byte-by-byte one
// on every string of up to six bytes over the letters that matter, in
// both cases, and a byte that is none of them.
func TestContainsKeyAgrees(t *testing.T) {
	alphabet := []byte("kKeEyYx")
	var buf []byte
	var walk func(n int)
	walk = func(n int) {
		if got, want := containsKey(buf), containsKeyByByte(buf); got != want {
			t.Fatalf("containsKey(%q) = %v, want %v", buf, got, want)
		}
		if n == 0 {
			return
		}
		for _, c := range alphabet {
			buf = append(buf, c)
			walk(n - 1)
			buf = buf[:len(buf)-1]
		}
	}
	walk(6)
}
