package profile

import "testing"

// TestSubstitute checks the symbol forms: &NAME., &NAME at a delimiter,
// and the double period that ends a symbol and keeps a qualifier period.
func TestSubstitute(t *testing.T) {
	syms := map[string]string{"SYSCLONE": "01", "SYSNAME": "MVS1"}
	for in, want := range map[string]string{"10.1.1.&SYSCLONE.": "10.1.1.01", "&SYSNAME.X": "MVS1X", "A&SYSCLONE": "A01", "SYS1.&SYSCLONE..TCPPARMS": "SYS1.01.TCPPARMS"} {
		if got, missing := Substitute(in, syms); got != want || missing != "" {
			t.Errorf("Substitute(%q) = %q, %q", in, got, missing)
		}
	}
	if _, missing := Substitute("&NOPE.", syms); missing != "NOPE" {
		t.Errorf("missing = %q", missing)
	}
}

// TestSubstituteLoneAmpersand checks that an ampersand that begins no
// symbol name stays as written instead of emptying the text.
func TestSubstituteLoneAmpersand(t *testing.T) {
	for _, in := range []string{"A&", "A&-B", "/u/&x/prof", "&.X"} {
		if got, missing := Substitute(in, map[string]string{"SYSNAME": "MVS1"}); got != in || missing != "" {
			t.Errorf("Substitute(%q) = %q, %q", in, got, missing)
		}
	}
}
