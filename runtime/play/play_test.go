package play

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"

	"github.com/tcpipc/tcpipc/internal/clock"
	"github.com/tcpipc/tcpipc/internal/testkit/leakcheck"
	"github.com/tcpipc/tcpipc/internal/testkit/sysplextest"
	"github.com/tcpipc/tcpipc/plan"
	"github.com/tcpipc/tcpipc/runtime/sysplex"
	"github.com/tcpipc/tcpipc/scenario"
	"github.com/tcpipc/tcpipc/scenario/scenarioyaml"
	"github.com/tcpipc/tcpipc/whatif"
)

// TestFigure9ScenarioMatchesWhatif plays testdata/scenarios/figure9-
// takeover.yaml (300 connections, MVS1 fails and recovers) and checks that
// the run meets every expectation and that the owners it ends up with after
// the failure and after the recovery are the ones tcpipc whatif derives
// statically for the same events.
func TestFigure9ScenarioMatchesWhatif(t *testing.T) {
	if testing.Short() {
		t.Skip("plays a 300-connection scenario in real time")
	}
	leakcheck.Check(t)
	sc, _, ds := scenarioyaml.Read("../../testdata/scenarios/figure9-takeover.yaml")
	if len(ds) > 0 {
		t.Fatal(ds[0].Summary)
	}
	plan := sysplextest.Plan(t, "figure9")
	// A paced manual clock (partition_test.go): a loaded machine stalls
	// heartbeats and deadlines together, so nothing flaps.
	sx, report := startAndPlay(t, plan, sysplex.Options{Clock: sysplextest.PacedClock(t), XCF: sc.XCF}, sc)
	var out bytes.Buffer
	if err := report.WriteText(&out); err != nil {
		t.Fatal(err)
	}
	if !report.Passed() {
		t.Fatalf("expectations failed:\n%s", out.String())
	}
	if report.Clients.Corrupt > 0 || report.Clients.Completed != 200 || report.Clients.Reset+report.Clients.Failed != 100 {
		t.Fatalf("want 200 connections carried through and the 100 local to MVS1 lost:\n%s", out.String())
	}
	goldenReport(t, "figure9-takeover", sx, report)

	// The run against the static analysis.
	outcome, err := whatif.Derive(plan, whatif.Scenario{Failed: []string{"MVS1"}, Recovered: []string{"MVS1"}})
	if err != nil {
		t.Fatal(err)
	}
	recoverAt := report.Start.Add(3 * time.Second)
	for _, d := range outcome.DVIPAs {
		a := d.Addr
		afterFailure, final := d.Start, d.Start
		for _, m := range sx.Moves() {
			if m.DVIPA != a || m.From == "" {
				continue
			}
			if m.At.Before(recoverAt) {
				afterFailure = m.To
			}
			final = m.To
		}
		if afterFailure != d.AfterFailure.Owner {
			t.Errorf("%s: after MVS1 failed the run gave it to %s, whatif says %s", a, afterFailure, d.AfterFailure.Owner)
		}
		if d.AfterRecovery != nil && final != d.AfterRecovery.Owner {
			t.Errorf("%s: after MVS1 recovered the run gave it to %s, whatif says %s", a, final, d.AfterRecovery.Owner)
		}
	}
	if !strings.Contains(out.String(), "takeover 201.2.10.11 from MVS1") || !strings.Contains(out.String(), "takeback 201.2.10.11 from MVS5") {
		t.Errorf("report lacks the takeover and the takeback:\n%s", out.String())
	}
}

// TestPlayRefusesAScenarioThatDoesNotFit: a timeline mistake found by
// checking the scenario against the plan stops Play before anything runs,
// with the mistake's position, instead of an error without one when the
// event's time comes.
func TestPlayRefusesAScenarioThatDoesNotFit(t *testing.T) {
	leakcheck.Check(t)
	// Built, not even started: the scenario is refused before anything runs.
	sx, err := sysplex.New(sysplextest.Plan(t, "figure9"), sysplex.Options{Clock: clock.NewManual(time.Unix(0, 0))})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(sx.Stop)
	src := "name: x\ntimeline:\n  - {at: 1s, fail: MVS2}\n  - {at: 2s, fail: MVS2}\n"
	sc, _, ds := scenarioyaml.Parse("s.yaml", []byte(src))
	if len(ds) > 0 {
		t.Fatal(ds[0].Summary)
	}
	_, err = Play(context.Background(), sx, sc)
	if err == nil || !strings.Contains(err.Error(), "s.yaml:4:20: MVS2 is already down at 2s") {
		t.Fatalf("Play: %v, want the second fail refused at its position", err)
	}
}

// TestChecksSayWhatTheyCount: "resets" counts connections reset, "failed"
// those that failed otherwise (timed out, closed), "lost" both; each
// check's text names what it counted. A run with 0 resets and 50 failures
// passes "resets: 25" and fails "failed: 25" and "lost: 25".
func TestChecksSayWhatTheyCount(t *testing.T) {
	src := "name: x\nexpect:\n  - {resets: 25}\n  - {failed: 25}\n  - {lost: 60}\n  - {lost: 25}\n"
	sc, _, ds := scenarioyaml.Parse("s.yaml", []byte(src))
	if len(ds) > 0 {
		t.Fatal(ds[0].Summary)
	}
	r := &Report{Clients: ClientTotals{Connections: 100, Completed: 50, Reset: 0, Failed: 50}}
	check(r, sc)
	var out bytes.Buffer
	if err := r.WriteText(&out); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		"ok   at most 25 connections reset (got 0 reset)",
		"FAIL at most 25 connections failed without a reset (got 50 failed)",
		"ok   at most 60 connections lost, reset or failed (got 0 reset + 50 failed)",
		"FAIL at most 25 connections lost, reset or failed (got 0 reset + 50 failed)",
	} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("report lacks %q:\n%s", want, out.String())
		}
	}
}

// startAndPlay starts a plan as a sysplex with opts, plays sc on it and
// returns both; the sysplex stops when the test ends.
func startAndPlay(t *testing.T, p *plan.Plan, opts sysplex.Options, sc *scenario.Scenario) (*sysplex.Sysplex, *Report) {
	t.Helper()
	sx, err := sysplex.New(p, opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(sx.Stop)
	if err := sx.Start(); err != nil {
		t.Fatal(err)
	}
	report, err := Play(context.Background(), sx, sc)
	if err != nil {
		t.Fatal(err)
	}
	return sx, report
}
