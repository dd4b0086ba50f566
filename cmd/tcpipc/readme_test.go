package main

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/tcpipc/tcpipc/diag"
	"github.com/tcpipc/tcpipc/model"
	"github.com/tcpipc/tcpipc/scenario/scenarioyaml"
)

// TestREADMEYAMLExamples parses every YAML example of the README with the
// reader it is an example of: a scenario (it has a timeline) must parse
// without any diagnostic, a manifest (it has stacks) without an unknown
// key or a value of the wrong form (its files need not exist). The README
// then uses the schema's keys and nothing else.
func TestREADMEYAMLExamples(t *testing.T) {
	data, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	blocks := regexp.MustCompile("(?s)```yaml\n(.*?)```").FindAllStringSubmatch(string(data), -1)
	var scenarios, manifests int
	for i, b := range blocks {
		text := b[1]
		switch {
		case strings.Contains(text, "\ntimeline:"):
			scenarios++
			_, _, ds := scenarioyaml.Parse("README-example.yaml", []byte(text))
			for _, d := range ds {
				t.Errorf("README scenario example %d: %s: %s", i+1, d.Severity, d.Summary)
			}
		case strings.Contains(text, "\nstacks:"):
			manifests++
			path := filepath.Join(t.TempDir(), "sysplex.yaml")
			if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
				t.Fatal(err)
			}
			_, _, ds := model.ReadManifest(path)
			for _, d := range ds {
				if d.Severity == diag.Error && !strings.Contains(d.Summary, "does not exist") {
					t.Errorf("README manifest example %d: %s", i+1, d.Summary)
				}
			}
		}
	}
	if scenarios == 0 || manifests == 0 {
		t.Errorf("found %d scenario and %d manifest examples in the README", scenarios, manifests)
	}
}
