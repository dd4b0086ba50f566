package rules

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tcpipc/tcpipc/diag"
	"github.com/tcpipc/tcpipc/internal/testkit/expect"
	"github.com/tcpipc/tcpipc/internal/testkit/golden"
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
			ds := lintGolden(t, dir)
			// broken-* are broken on purpose; figure9 and the generated
			// plex32 are clean.
			broken := strings.HasPrefix(filepath.Base(dir), "broken-")
			if !broken && ds.Count(diag.Warning) > 0 {
				t.Errorf("%s must lint without errors or warnings", filepath.Base(dir))
			}
			if broken && !ds.HasErrors() {
				t.Errorf("broken variant %s lints without errors", filepath.Base(dir))
			}
			checkWants(t, dir, ds)
		})
	}
}

// TestIBMExamples lints IBM's own profile examples (testdata/ibm-examples,
// each profile citing the IBM page it comes from) as a new user would: the
// stack accepts every one of them, so each sysplex must lint without errors
// or warnings, its findings pinned by its LINT.golden. They are not under
// testdata/profiles: they are lint inputs, not sysplexes the runtime can
// run (most of their stacks have no dynamic XCF address).
func TestIBMExamples(t *testing.T) {
	dirs, _ := filepath.Glob("../../testdata/ibm-examples/*")
	if len(dirs) < 2 {
		t.Fatalf("found %d IBM example sysplexes", len(dirs))
	}
	for _, dir := range dirs {
		t.Run(filepath.Base(dir), func(t *testing.T) {
			ds := lintGolden(t, dir)
			if ds.Count(diag.Warning) > 0 {
				t.Errorf("IBM's examples in %s must lint without errors or warnings", filepath.Base(dir))
			}
		})
	}
}

// lintGolden lints the sysplex in dir and compares its findings with
// dir/LINT.golden (TCPIPC_UPDATE=1 rewrites it).
func lintGolden(t *testing.T, dir string) diag.Diagnostics {
	t.Helper()
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
	return ds
}

// checkWants matches the `; want` expectations in a sysplex's profiles with
// its findings of warning severity and above (the UNSUPPORTED notes are
// pinned by LINT.golden). A sysplex without expectations is skipped.
func checkWants(t *testing.T, dir string, ds diag.Diagnostics) {
	t.Helper()
	profiles, _ := filepath.Glob(filepath.Join(dir, "*", "PROFILE.TCPIP"))
	var exps []*expect.Expectation
	for _, p := range profiles {
		data, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		e, err := expect.Parse(p, data)
		if err != nil {
			t.Fatal(err)
		}
		exps = append(exps, e...)
	}
	if len(exps) == 0 {
		return
	}
	var serious diag.Diagnostics
	for _, d := range ds {
		if d.Severity >= diag.Warning {
			serious = append(serious, d)
		}
	}
	expect.Check(t, serious, exps)
}
