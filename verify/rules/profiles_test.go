package rules

import (
	"bytes"
	"path/filepath"
	"testing"

	"github.com/tcpipc/tcpipc/diag"
	"github.com/tcpipc/tcpipc/internal/testkit/golden"
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
			golden.File(t, filepath.Join(dir, "LINT.golden"), got, filepath.Base(dir)+" findings")
			if filepath.Base(dir) == "figure9" && ds.Count(diag.Warning) > 0 {
				t.Errorf("figure9 must lint without errors or warnings")
			}
			if filepath.Base(dir) != "figure9" && !ds.HasErrors() {
				t.Errorf("broken variant %s lints without errors", filepath.Base(dir))
			}
		})
	}
}
