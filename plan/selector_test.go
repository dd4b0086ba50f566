package plan

import "testing"

// TestCovers checks the selector strings the plan uses.
func TestCovers(t *testing.T) {
	for _, tc := range []struct {
		sel, addr string
		want      bool
	}{
		{"*", "10.1.1.1", true},
		{"10.1.1.1", "10.1.1.1", true},
		{"10.1.1.1", "10.1.1.2", false},
		{"10.1.1.0/24", "10.1.1.200", true},
		{"10.1.1.0/24", "10.1.2.1", false},
		{"10.1.1.5-10.1.1.9", "10.1.1.9", true},
		{"10.1.1.5-10.1.1.9", "10.1.1.10", false},
		{"2001:db8::/32", "2001:db8::1", true},
		{"2001:db8::/32", "10.1.1.1", false},
		{"nonsense", "10.1.1.1", false},
	} {
		if got := Covers(tc.sel, tc.addr); got != tc.want {
			t.Errorf("Covers(%q, %q) = %v", tc.sel, tc.addr, got)
		}
	}
}
