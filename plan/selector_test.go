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

// TestIncludes: a selector includes another when it holds every address
// of it; the lint rules decide shadowing and coverage with it.
func TestIncludes(t *testing.T) {
	sel := func(s string) Selector {
		t.Helper()
		v, err := ParseSelector(s)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	for _, tc := range []struct {
		a, b string
		want bool
	}{
		{"*", "10.1.1.0/24", true},
		{"10.1.1.0/24", "*", false},
		{"10.1.0.0/16", "10.1.1.0/24", true},
		{"10.1.1.0/24", "10.1.0.0/16", false},
		{"10.1.1.0/24", "10.1.1.5-10.1.1.9", true},
		{"10.1.1.5-10.1.1.9", "10.1.1.9", true},
		{"10.1.1.5-10.1.1.9", "10.1.1.8-10.1.1.10", false},
		{"2001:db8::/32", "10.1.1.1", false},
	} {
		if got := sel(tc.a).Includes(sel(tc.b)); got != tc.want {
			t.Errorf("%s includes %s: %v", tc.a, tc.b, got)
		}
	}
	if (Selector{All: true}).Includes(Selector{}) != true || (Selector{Lo: sel("10.0.0.1").Lo, Hi: sel("10.0.0.1").Hi}).Includes(Selector{}) {
		t.Error("an empty selector: only * includes it")
	}
	if _, err := ParseSelector("10.1.1.9-10.1.1.5"); err == nil {
		t.Error("a reversed range parses")
	}
	if _, err := ParseSelector("10.1.1.1-2001:db8::1"); err == nil {
		t.Error("a range across families parses")
	}
}
