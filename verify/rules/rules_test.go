package rules

import (
	"os"
	"strings"
	"testing"

	"github.com/tcpipc/tcpipc/internal/testkit/golden"
	"github.com/tcpipc/tcpipc/verify"
)

// TestValidate rejects duplicate ids, empty docs and prerequisite cycles
// across the whole rule set.
func TestValidate(t *testing.T) {
	if err := verify.Validate(All()); err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	for _, r := range append(All(), FrontEnd()...) {
		if seen[r.ID] {
			t.Errorf("id %s used twice", r.ID)
		}
		seen[r.ID] = true
		if strings.TrimSpace(r.Doc) == "" || r.Summary == "" {
			t.Errorf("%s has no doc or summary", r.ID)
		}
	}
}

// TestREADMETable checks that the README's rule table is the one
// Table() generates from the rules' docs; make update rewrites it.
func TestREADMETable(t *testing.T) {
	const path = "../../README.md"
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	readme := string(data)
	start := strings.Index(readme, tableStart)
	end := strings.Index(readme, tableEnd)
	if start < 0 || end < start {
		t.Fatalf("README lacks the %s … %s markers", tableStart, tableEnd)
	}
	want := readme[:start] + tableStart + "\n" + Table() + tableEnd + readme[end+len(tableEnd):]
	golden.File(t, path, want, "the README rule table")
}
