package rules

import (
	"bytes"
	"encoding/json"
	"path/filepath"
	"testing"

	"github.com/tcpipc/tcpipc/diag"
	"github.com/tcpipc/tcpipc/model"
	"github.com/tcpipc/tcpipc/verify"
	"github.com/tcpipc/tcpipc/verify/report"
)

// TestSARIFLevels checks that SARIF's defaultConfiguration.level of every
// rule is the primary severity `tcpipc rules` lists for it, and that every
// result names a rule with such a level (no id left without metadata).
func TestSARIFLevels(t *testing.T) {
	var meta []report.Rule
	primary := map[string]diag.Severity{}
	for _, r := range append(All(), FrontEnd()...) {
		meta = append(meta, report.Rule{ID: r.ID, Name: r.Name, Severity: r.Severity, Summary: r.Summary, Doc: r.Doc})
		primary[r.ID] = r.Severities()[0]
	}
	var all diag.Diagnostics
	dirs, _ := filepath.Glob("../../testdata/profiles/*")
	for _, dir := range dirs {
		sx, front := model.Load(dir, model.Options{})
		ds, err := verify.Lint(sx, front, All(), verify.LintOptions{FrontEnd: FrontEnd()})
		if err != nil {
			t.Fatal(err)
		}
		all = append(all, ds...)
	}
	var buf bytes.Buffer
	if err := report.WriteSARIF(&buf, all, report.Options{Rules: meta}); err != nil {
		t.Fatal(err)
	}
	var log struct {
		Runs []struct {
			Tool struct {
				Driver struct {
					Rules []struct {
						ID   string `json:"id"`
						Conf *struct {
							Level string `json:"level"`
						} `json:"defaultConfiguration"`
					} `json:"rules"`
				} `json:"driver"`
			} `json:"tool"`
		} `json:"runs"`
	}
	if err := json.Unmarshal(buf.Bytes(), &log); err != nil {
		t.Fatal(err)
	}
	levels := map[diag.Severity]string{diag.Error: "error", diag.Warning: "warning", diag.Info: "note"}
	for _, r := range log.Runs[0].Tool.Driver.Rules {
		p, known := primary[r.ID]
		switch {
		case !known:
			t.Errorf("SARIF names rule %s, which tcpipc rules does not list", r.ID)
		case r.Conf == nil:
			t.Errorf("%s: no defaultConfiguration", r.ID)
		case r.Conf.Level != levels[p]:
			t.Errorf("%s: SARIF level %s, tcpipc rules lists %s first", r.ID, r.Conf.Level, p)
		}
	}
}
