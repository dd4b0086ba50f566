package rules

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"

	"golang.org/x/tools/txtar"

	"github.com/tcpipc/tcpipc/diag"
	"github.com/tcpipc/tcpipc/model"
	"github.com/tcpipc/tcpipc/verify"
)

// TestListedSeverities checks that every finding's severity is one that
// `tcpipc rules` (and SARIF's metadata, and the README) lists for its rule:
// it lints every bundled sysplex and every rule's test archives with all
// rules and the front end, and compares.
func TestListedSeverities(t *testing.T) {
	listed := map[string][]diag.Severity{}
	for _, r := range append(All(), FrontEnd()...) {
		listed[r.ID] = r.Severities()
	}
	seen := map[string]string{} // "RULE severity" → where
	lint := func(dir, where string) {
		sx, front := model.Load(dir, model.Options{})
		ds, err := verify.Lint(sx, front, All(), verify.LintOptions{FrontEnd: FrontEnd()})
		if err != nil {
			t.Fatal(err)
		}
		for _, d := range ds {
			k := fmt.Sprintf("%s %s", d.Rule, d.Severity)
			if _, ok := seen[k]; !ok {
				seen[k] = where + ": " + d.Summary
			}
			if !slices.Contains(listed[d.Rule], d.Severity) {
				t.Errorf("%s reports a %s (%s: %s), but tcpipc rules lists %v", d.Rule, d.Severity, where, d.Summary, listed[d.Rule])
			}
		}
	}
	dirs, _ := filepath.Glob("../../testdata/profiles/*")
	for _, dir := range dirs {
		lint(dir, filepath.Base(dir))
	}
	for _, pattern := range []string{"*/testdata/*.txtar", "../../model/testdata/*.txtar"} {
		archives, _ := filepath.Glob(pattern)
		for _, path := range archives {
			lint(extract(t, path), path)
		}
	}
	if testing.Verbose() {
		var keys []string
		for k := range seen {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			t.Logf("%s (%s)", k, seen[k])
		}
	}
}

// extract writes the in/ files of a txtar archive to a new directory.
func extract(t *testing.T, path string) string {
	ar, err := txtar.ParseFile(path)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	for _, f := range ar.Files {
		name, ok := strings.CutPrefix(f.Name, "in/")
		if !ok {
			continue
		}
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, f.Data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}
