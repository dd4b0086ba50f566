package scenario

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/tcpipc/tcpipc/compile"
	"github.com/tcpipc/tcpipc/internal/expect"
	"github.com/tcpipc/tcpipc/model"
)

func figure9Plan(t testing.TB) *compile.Plan {
	t.Helper()
	sx, ds := model.Load("../../testdata/profiles/figure9", model.Options{})
	if ds.HasErrors() {
		t.Fatalf("figure9: %s", ds[0].Summary)
	}
	p, _ := compile.Compile(sx)
	return p
}

// TestMistakesBeforeTheRun: every scenario in testdata/check is read and
// checked against figure 9; each mistake is a diagnostic on the line its
// `# want` comment names, and nothing else is reported.
func TestMistakesBeforeTheRun(t *testing.T) {
	plan := figure9Plan(t)
	files, _ := filepath.Glob("testdata/check/*.yaml")
	if len(files) == 0 {
		t.Fatal("no scenarios in testdata/check")
	}
	for _, file := range files {
		t.Run(filepath.Base(file), func(t *testing.T) {
			text, err := os.ReadFile(file)
			if err != nil {
				t.Fatal(err)
			}
			sc, _, ds := Parse(file, text)
			ds = append(ds, sc.CheckPlan(plan)...)
			exps, err := expect.Parse(file, text)
			if err != nil {
				t.Fatal(err)
			}
			expect.Check(t, ds, exps)
		})
	}
}

// TestBundledScenariosCheckClean: the scenarios the repository ships have
// no mistakes against the sysplexes they name.
func TestBundledScenariosCheckClean(t *testing.T) {
	plan := figure9Plan(t)
	files, _ := filepath.Glob("../../testdata/scenarios/*.yaml")
	for _, file := range files {
		sc, _, ds := Read(file)
		if sc.Sysplex != "../profiles/figure9" {
			continue
		}
		ds = append(ds, sc.CheckPlan(plan)...)
		for _, d := range ds {
			t.Errorf("%s: %s: %s", file, d.Range, d.Summary)
		}
	}
}
