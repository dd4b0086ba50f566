package rules

import (
	"bytes"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tcpipc/tcpipc/diag"
	"github.com/tcpipc/tcpipc/internal/golden"
	"github.com/tcpipc/tcpipc/model"
	"github.com/tcpipc/tcpipc/verify"
)

// TestBundledSysplexes lints every sysplex under testdata/profiles and
// compares the findings with its LINT.golden: empty for figure9 and plex32, exactly
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
			// broken-* are broken on purpose; figure9 and the generated
			// plex32 are clean.
			broken := strings.HasPrefix(filepath.Base(dir), "broken-")
			if !broken && ds.Count(diag.Warning) > 0 {
				t.Errorf("%s must lint without errors or warnings", filepath.Base(dir))
			}
			if broken && !ds.HasErrors() {
				t.Errorf("broken variant %s lints without errors", filepath.Base(dir))
			}
		})
	}
}
