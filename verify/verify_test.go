package verify

import (
	"strings"
	"testing"

	"github.com/tcpipc/tcpipc/diag"
	"github.com/tcpipc/tcpipc/model"
)

func rule(id string, req ...*Rule) *Rule {
	return &Rule{ID: id, Name: strings.ToLower(id), Summary: "s", Doc: "d", Requires: req,
		Run: func(p *Pass) (any, error) {
			n := 1
			for _, r := range p.Rule.Requires {
				n += p.ResultOf[r].(int)
			}
			p.Reportf(diag.Range{File: "f"}, "%s saw %d", p.Rule.ID, n)
			return n, nil
		}}
}

func TestValidateRejectsBadRuleSets(t *testing.T) {
	a := rule("A")
	dup := rule("A")
	noDoc := rule("B")
	noDoc.Doc = ""
	c1 := rule("C1")
	c2 := rule("C2", c1)
	c1.Requires = []*Rule{c2}
	for name, rules := range map[string][]*Rule{"duplicate": {a, dup}, "no doc": {noDoc}, "cycle": {c1}} {
		if err := Validate(rules); err == nil {
			t.Errorf("%s: Validate accepted it", name)
		}
	}
	if err := Validate([]*Rule{a, rule("B", a)}); err != nil {
		t.Errorf("valid set rejected: %v", err)
	}
}

func TestRunOrdersByPrerequisites(t *testing.T) {
	base := rule("BASE")
	mid := rule("MID", base)
	top := rule("TOP", mid, base)
	ds, err := Run(&model.Sysplex{}, []*Rule{top})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, d := range ds {
		got = append(got, d.Summary)
	}
	want := "BASE saw 1,MID saw 2,TOP saw 4"
	if strings.Join(got, ",") != want {
		t.Errorf("got %v, want %s", got, want)
	}
	if ds[0].Rule != "BASE" || ds[0].Severity != diag.Info {
		t.Errorf("rule id or severity not filled in: %+v", ds[0])
	}
}

func TestDocOf(t *testing.T) {
	src := "// Package x checks things.\n//\n// More text.\npackage x\n"
	if got := DocOf(src); got != "Checks things.\n\nMore text." {
		t.Errorf("DocOf = %q", got)
	}
}
