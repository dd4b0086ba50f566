package scenarioyaml

import (
	"bytes"
	"net/netip"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tcpipc/tcpipc/internal/testkit/expect"
	"github.com/tcpipc/tcpipc/plan"
)

func figure9Plan(t testing.TB) *plan.Plan {
	t.Helper()
	// The figure 9 plan compiled by compile's TestCheckedInPlans.
	b, err := os.ReadFile("../../testdata/plans/figure9.json")
	if err != nil {
		t.Fatal(err)
	}
	p, err := plan.Read(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	p.Redact()
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

// TestApplicationDVIPAs: an address inside a VIPARANGE is a DVIPA once a
// server binds it, so owner and takeover expectations may name it; a
// client may not take one.
func TestApplicationDVIPAs(t *testing.T) {
	plan := &plan.Plan{Sysplex: "P", Stacks: []plan.Stack{
		{Name: "A", VIPARanges: []plan.VIPARange{{Prefix: netip.MustParsePrefix("10.5.0.0/16"), Moveable: "NONDISRUPTIVE"}}},
		{Name: "B"},
	}}
	src := "name: x\nclients:\n  - {name: c, from: 10.5.1.1, connect: 10.5.0.1:80}\nexpect:\n" +
		"  - owner: {at: 1s, dvipa: 10.5.0.1, stack: A}\n  - takeover: {dvipa: 10.5.0.1, within: 1s}\n" +
		"  - owner: {at: 1s, dvipa: 10.6.0.1, stack: B}\n"
	sc, _, ds := Parse("s.yaml", []byte(src))
	if len(ds) > 0 {
		t.Fatal(ds[0].Summary)
	}
	var got []string
	for _, d := range sc.CheckPlan(plan) {
		got = append(got, d.Range.String()+": "+d.Summary)
	}
	want := []string{
		"s.yaml:3:21: from 10.5.1.1 is the sysplex's own address: inside VIPARANGE 10.5.0.0/16 of A; a client needs an address of its own",
		"s.yaml:7:28: 10.6.0.1 is no DVIPA of the sysplex P",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("got\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}
