package sysplex

import (
	"bytes"
	"context"
	"net/netip"
	"slices"
	"testing"

	"github.com/tcpipc/tcpipc/compile"
	"github.com/tcpipc/tcpipc/internal/clock"
	"github.com/tcpipc/tcpipc/internal/leakcheck"
	"github.com/tcpipc/tcpipc/runtime/dvipa"
	"github.com/tcpipc/tcpipc/runtime/scenario"
)

// playScenario runs a scenario file on the figure 9 sysplex in real time
// and returns the sysplex (stopped by the test's cleanup) and the report.
func playScenario(t *testing.T, file string) (*Sysplex, *Report, string) {
	t.Helper()
	sc, _, ds := scenario.Read(file)
	if len(ds) > 0 {
		t.Fatal(ds[0].Summary)
	}
	sx, err := New(figure9Plan(t), Options{Clock: clock.Real{}, Heartbeat: sc.Heartbeat, Missed: sc.Missed})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(sx.Stop)
	if err := sx.Start(); err != nil {
		t.Fatal(err)
	}
	report, err := sx.Play(context.Background(), sc)
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	if err := report.WriteText(&out); err != nil {
		t.Fatal(err)
	}
	return sx, report, out.String()
}

// checkOneHolderEach checks that every DVIPA of the plan is advertised on
// the LAN by exactly one stack, the one whatif names for the sysplex with
// every stack up, and that this stack alone shows it Active.
func checkOneHolderEach(t *testing.T, sx *Sysplex, report string) {
	t.Helper()
	outcome, err := compile.Whatif(sx.Plan(), compile.Scenario{})
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range outcome.DVIPAs {
		a := netip.MustParseAddr(d.Addr)
		if d.Start == "" {
			continue // a DVIPA nobody activates without an application
		}
		if got := sx.Fabric().Advertisers(a); !slices.Equal(got, []string{d.Start}) {
			t.Errorf("%s is advertised by %v, want exactly [%s]\n%s", a, got, d.Start, report)
		}
		var active []string
		for _, s := range sx.Stacks() {
			if s.State(a) == dvipa.Active {
				active = append(active, s.Name())
			}
		}
		if !slices.Equal(active, []string{d.Start}) {
			t.Errorf("%s is Active on %v, want exactly [%s]", a, active, d.Start)
		}
	}
}

// TestFigure9CutLosesNothing plays testdata/scenarios/figure9-cut.yaml
// (issue 11): a one-second cut of the XCF link between MVS1 and MVS5, the
// owners of DVA1 and DVB1. No stack may see another fail, nothing may move,
// every connection must carry on with every byte echoed, and every DVIPA
// must end with exactly one holder, its owner.
func TestFigure9CutLosesNothing(t *testing.T) {
	if testing.Short() {
		t.Skip("plays a 300-connection scenario in real time")
	}
	leakcheck.Check(t)
	sx, report, out := playScenario(t, "../../testdata/scenarios/figure9-cut.yaml")
	if !report.Passed() {
		t.Fatalf("expectations failed:\n%s", out)
	}
	if c := report.Clients; c.Completed != 300 || c.Reset+c.Failed+c.Corrupt != 0 {
		t.Fatalf("want all 300 connections completed:\n%s", out)
	}
	for _, e := range report.Timeline {
		if e.What != "" && (bytes.HasPrefix([]byte(e.What), []byte("detects that")) || bytes.HasPrefix([]byte(e.What), []byte("takeover"))) {
			t.Errorf("a cut IP link made %s %s", e.Stack, e.What)
		}
	}
	checkOneHolderEach(t, sx, out)
}
