package rules

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/tcpipc/tcpipc/diag"
	"github.com/tcpipc/tcpipc/internal/golden"
	"github.com/tcpipc/tcpipc/model"
	"github.com/tcpipc/tcpipc/verify"
)

// TestBundledSysplexes lints every sysplex under testdata/profiles and
// compares the findings with its LINT.golden: empty for figure9, exactly
// the expected findings for the broken variants. TCPIPC_UPDATE=1 rewrites.
func TestBundledSysplexes(t *testing.T) {
	dirs, _ := filepath.Glob("../../testdata/profiles/*")
	if len(dirs) < 3 {
		t.Fatalf("found %d bundled sysplexes", len(dirs))
	}
	for _, dir := range dirs {
		t.Run(filepath.Base(dir), func(t *testing.T) {
			sx, front := model.Load(dir, model.Options{})
			ds, err := verify.Lint(sx, front, All(), verify.LintOptions{FrontEnd: FrontEnd()})
			if err != nil {
				t.Fatal(err)
			}
			var out bytes.Buffer
			if err := diag.WriteText(&out, ds, sx.Sources); err != nil {
				t.Fatal(err)
			}
			got := golden.RelativeTo(out.String(), dir)
			file := filepath.Join(dir, "LINT.golden")
			if golden.Updating() {
				if err := os.WriteFile(file, []byte(got), 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(file)
			if err != nil {
				t.Fatalf("%v (run make update)", err)
			}
			if diff := cmp.Diff(string(want), got); diff != "" {
				t.Errorf("%s findings changed (-want +got):\n%s", filepath.Base(dir), diff)
			}
			if filepath.Base(dir) == "figure9" && ds.Count(diag.Warning) > 0 {
				t.Errorf("figure9 must lint without errors or warnings")
			}
			if filepath.Base(dir) != "figure9" && !ds.HasErrors() {
				t.Errorf("broken variant %s lints without errors", filepath.Base(dir))
			}
		})
	}
}
