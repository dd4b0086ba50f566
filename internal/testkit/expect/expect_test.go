package expect

import (
	"testing"

	"github.com/tcpipc/tcpipc/diag"
)

type recorder struct {
	testing.TB
	errs []string
}

func (r *recorder) Helper()           {}
func (r *recorder) Error(args ...any) { r.errs = append(r.errs, args[0].(string)) }

func TestCheckMatchesAndReportsBothWays(t *testing.T) {
	exps, err := Parse("p", []byte("A\nB ; want \"bad B\" \"second\"\nC # want `c$`\n"))
	if err != nil {
		t.Fatal(err)
	}
	if len(exps) != 3 {
		t.Fatalf("parsed %d expectations, want 3", len(exps))
	}
	at := func(line int, s string) *diag.Diagnostic {
		return &diag.Diagnostic{Rule: "R", Summary: s, Range: diag.Range{File: "p", Start: diag.Pos{Line: line}}}
	}
	r := &recorder{TB: t}
	Check(r, diag.Diagnostics{at(2, "bad B"), at(2, "second one"), at(3, "about c")}, exps)
	if len(r.errs) != 0 {
		t.Fatalf("all expectations met, got errors %v", r.errs)
	}
	exps, _ = Parse("p", []byte("A ; want \"x\"\n"))
	r = &recorder{TB: t}
	Check(r, diag.Diagnostics{at(2, "stray")}, exps)
	if len(r.errs) != 2 {
		t.Fatalf("want one missing and one unexpected, got %v", r.errs)
	}
}
