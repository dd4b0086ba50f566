package compile

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tcpipc/tcpipc/diag"
	"github.com/tcpipc/tcpipc/internal/testkit/golden"
	"github.com/tcpipc/tcpipc/model"
	"github.com/tcpipc/tcpipc/plan"
	"github.com/tcpipc/tcpipc/verify"
	"github.com/tcpipc/tcpipc/verify/rules"
)

// TestCheckedInPlans pins the plans the runtime's tests run: the runtime
// never loads a model (its packages may not import model or compile), so
// its tests read plans compiled here, under testdata/plans, one per
// sysplex of testdata/profiles that lints without errors and one per
// sysplex of testdata/runtime (small sysplexes only the runtime's tests
// use). They are compiled with --include-secrets: the keys are the test
// sysplexes' own demo keys, and the runtime needs them to negotiate.
// TCPIPC_UPDATE=1 rewrites them; a sysplex with lint errors has no plan.
func TestCheckedInPlans(t *testing.T) {
	profiles, _ := filepath.Glob("../testdata/profiles/*")
	runtimeOnly, _ := filepath.Glob("../testdata/runtime/*")
	want := map[string]bool{}
	for _, dir := range append(profiles, runtimeOnly...) {
		name := filepath.Base(dir)
		path := filepath.Join("../testdata/plans", name+".json")
		got, why := lintedPlanJSON(t, dir)
		if got == "" {
			t.Logf("%s: no plan (%s)", name, why)
			if _, err := os.Stat(path); err == nil {
				t.Errorf("%s exists, but %s has lint errors (%s)", path, dir, why)
			}
			continue
		}
		want[path] = true
		golden.File(t, path, got, "the plan of "+dir)
		checkRedact(t, dir, got)
	}
	if len(want) == 0 {
		t.Fatal("no sysplex compiles")
	}
	files, _ := filepath.Glob("../testdata/plans/*.json")
	for _, f := range files {
		if !want[f] {
			t.Errorf("%s has no sysplex under testdata/profiles or testdata/runtime", f)
		}
	}
}

// lintedPlanJSON compiles a sysplex with its secrets when lint finds no
// error in it, else says why not.
func lintedPlanJSON(t *testing.T, dir string) (string, string) {
	t.Helper()
	sx, front := model.Load(dir, model.Options{})
	ds, err := verify.Lint(sx, front, rules.All(), verify.LintOptions{})
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range ds {
		if d.Severity == diag.Error {
			return "", d.Summary + " [" + d.Rule + "]"
		}
	}
	p, cds := Options{IncludeSecrets: true}.Compile(sx)
	if cds.HasErrors() {
		return "", cds[0].Summary
	}
	var b bytes.Buffer
	if err := p.WriteJSON(&b); err != nil {
		t.Fatal(err)
	}
	return b.String(), ""
}

// checkRedact: Plan.Redact turns the plan compiled with secrets into the
// one compiled without them, byte for byte, so tests that need a redacted
// plan can make it from the checked-in one.
func checkRedact(t *testing.T, dir, withSecrets string) {
	t.Helper()
	p, err := plan.Read(strings.NewReader(withSecrets))
	if err != nil {
		t.Fatal(err)
	}
	p.Redact()
	var got bytes.Buffer
	if err := p.WriteJSON(&got); err != nil {
		t.Fatal(err)
	}
	sx, _ := model.Load(dir, model.Options{})
	if want := planJSON(t, sx, Options{}); got.String() != want {
		t.Errorf("%s: Redact differs from compiling without secrets", dir)
	}
}
