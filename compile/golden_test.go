package compile

import (
	"bytes"
	"strings"
	"testing"

	"github.com/tcpipc/tcpipc/diag"
	"github.com/tcpipc/tcpipc/display"
	"github.com/tcpipc/tcpipc/internal/testkit/golden"
	"github.com/tcpipc/tcpipc/model"
	"github.com/tcpipc/tcpipc/whatif"
)

// sysplexDir is where a golden case's sysplex is: the directory named in
// its "dir" file (relative to this package), else its in/ files.
func sysplexDir(c *golden.Case) string {
	for _, f := range c.Archive.Files {
		if f.Name == "dir" {
			return strings.TrimSpace(string(f.Data))
		}
	}
	return c.Dir
}

// scenarios reads the case's "scenarios" file: one "fail A,B [recover A]"
// per line.
func scenarios(t *testing.T, c *golden.Case) []whatif.Scenario {
	var out []whatif.Scenario
	for _, f := range c.Archive.Files {
		if f.Name != "scenarios" {
			continue
		}
		for _, line := range strings.Split(strings.TrimSpace(string(f.Data)), "\n") {
			w := strings.Fields(line)
			if len(w) != 2 && len(w) != 4 || w[0] != "fail" || len(w) == 4 && w[2] != "recover" {
				t.Fatalf("bad scenario %q (want: fail A,B [recover A])", line)
			}
			sc := whatif.Scenario{Failed: strings.Split(w[1], ",")}
			if len(w) == 4 {
				sc.Recovered = strings.Split(w[3], ",")
			}
			out = append(out, sc)
		}
	}
	return out
}

func scenarioName(sc whatif.Scenario) string {
	s := "fail-" + strings.Join(sc.Failed, ",")
	if len(sc.Recovered) > 0 {
		s += "-recover-" + strings.Join(sc.Recovered, ",")
	}
	return s
}

func load(t testing.TB, dir string) *model.Sysplex {
	t.Helper()
	sx, ds := model.Load(dir, model.Options{})
	if ds.HasErrors() {
		var b strings.Builder
		diag.WriteText(&b, ds, sx.Sources)
		t.Fatalf("loading %s:\n%s", dir, b.String())
	}
	return sx
}

// TestGolden compiles every sysplex under testdata and compares the plan,
// the compiler's diagnostics, every display, the single-failure matrix and
// the listed whatif scenarios with the archive (TCPIPC_UPDATE=1 rewrites).
func TestGolden(t *testing.T) {
	golden.Run(t, "testdata/*.txtar", func(t *testing.T, c *golden.Case) map[string]string {
		dir := sysplexDir(c)
		sx := load(t, dir)
		p, ds := Compile(sx)
		out := map[string]string{}
		var b bytes.Buffer
		if err := p.WriteJSON(&b); err != nil {
			t.Fatal(err)
		}
		validatePlan(t, b.Bytes())
		out["plan.json"] = b.String()
		var dt strings.Builder
		if err := diag.WriteText(&dt, ds, sx.Sources); err != nil {
			t.Fatal(err)
		}
		out["compile-diagnostics"] = golden.RelativeTo(dt.String(), dir)
		for _, v := range display.Views {
			var s strings.Builder
			if err := display.Write(&s, p, v.Name, ""); err != nil {
				t.Fatal(err)
			}
			out["show-"+v.Name] = s.String()
		}
		var m strings.Builder
		if err := whatif.WriteMatrix(&m, p, whatif.AllSingle(p)); err != nil {
			t.Fatal(err)
		}
		out["whatif-all-single"] = m.String()
		var all bytes.Buffer
		if err := whatif.WriteOutcomesJSON(&all, whatif.AllSingle(p)); err != nil {
			t.Fatal(err)
		}
		validateWhatif(t, all.Bytes())
		for i, sc := range scenarios(t, c) {
			o, err := whatif.Derive(p, sc)
			if err != nil {
				t.Fatalf("%v: %v", sc, err)
			}
			var s strings.Builder
			if err := o.WriteText(&s); err != nil {
				t.Fatal(err)
			}
			out["whatif-"+scenarioName(sc)] = s.String()
			if i == 0 {
				var j bytes.Buffer
				if err := o.WriteJSON(&j); err != nil {
					t.Fatal(err)
				}
				validateWhatif(t, j.Bytes())
				out["whatif-"+scenarioName(sc)+".json"] = j.String()
			}
		}
		return out
	})
}
