package ruletest

import (
	"path/filepath"
	"testing"

	"github.com/tcpipc/tcpipc/diag"
	"github.com/tcpipc/tcpipc/internal/testkit/expect"
	"github.com/tcpipc/tcpipc/internal/testkit/golden"
	"github.com/tcpipc/tcpipc/model"
	"github.com/tcpipc/tcpipc/verify"
)

// Run loads every archive matching pattern and runs rule on it. Findings
// of the rule and front-end problems of warning severity or above must
// match the expectations exactly.
func Run(t *testing.T, rule *verify.Rule, pattern string) {
	t.Helper()
	if err := verify.Validate([]*verify.Rule{rule}); err != nil {
		t.Fatal(err)
	}
	golden.Run(t, pattern, func(t *testing.T, c *golden.Case) map[string]string {
		sx, front := model.Load(c.Dir, model.Options{})
		found, err := verify.Run(sx, []*verify.Rule{rule})
		if err != nil {
			t.Fatal(err)
		}
		var ds diag.Diagnostics
		for _, d := range front {
			if d.Severity >= diag.Warning {
				ds = append(ds, d)
			}
		}
		ds = append(ds, found...)
		var exps []*expect.Expectation
		for _, name := range c.Inputs() {
			data, _ := c.Input(name)
			e, err := expect.Parse(filepath.ToSlash(filepath.Join(c.Dir, name)), data)
			if err != nil {
				t.Fatal(err)
			}
			exps = append(exps, e...)
		}
		expect.Check(t, ds, exps)
		if t.Failed() {
			t.Logf("findings:\n%s", diag.FormatText(ds, sx.Sources))
		}
		return nil
	})
}
