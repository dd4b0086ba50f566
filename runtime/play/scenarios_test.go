package play

import (
	"bytes"
	"context"
	"net/netip"
	"strings"
	"testing"
	"time"

	"github.com/tcpipc/tcpipc/internal/clock"
	"github.com/tcpipc/tcpipc/internal/testkit/leakcheck"
	"github.com/tcpipc/tcpipc/internal/testkit/sysplextest"
	"github.com/tcpipc/tcpipc/plan"
	"github.com/tcpipc/tcpipc/runtime/sysplex"
	"github.com/tcpipc/tcpipc/scenario/scenarioyaml"
	"github.com/tcpipc/tcpipc/whatif"
)

// playScenario runs a scenario file on the figure 9 sysplex and returns
// the sysplex (stopped by the test's cleanup), the report and its text.
// The sysplex runs on a manual clock that a goroutine advances in 5 ms
// steps as real time passes (pacedClock): the clients' TCP runs in real
// time as usual, but heartbeats and failure detection follow the clock,
// so a process stalled by a loaded machine never makes a stack suspect
// another (on a real clock, 100 ms heartbeats do, whatever the scenario).
func playScenario(t *testing.T, file string) (*sysplex.Sysplex, *Report, string) {
	t.Helper()
	// IPsec clients need the policy on the packet path.
	return playOn(t, file, sysplextest.Plan(t, "figure9"), true)
}

// playOn is playScenario on the sysplex of plan p, IPsec on the packet
// path or not.
func playOn(t *testing.T, file string, p *plan.Plan, ipsec bool) (*sysplex.Sysplex, *Report, string) {
	t.Helper()
	sc, _, ds := scenarioyaml.Read(file)
	if len(ds) > 0 {
		t.Fatal(ds[0].Summary)
	}
	sx, report := startAndPlay(t, p, sysplex.Options{Clock: sysplextest.PacedClock(t), XCF: sc.XCF, IPsec: ipsec}, sc)
	var out bytes.Buffer
	if err := report.WriteText(&out); err != nil {
		t.Fatal(err)
	}
	return sx, report, out.String()
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

// TestFigure9PartitionScenario plays testdata/scenarios/figure9-partition
// .yaml: SFM removes MVS1 after it lost signalling with MVS5; MVS5 takes
// DVA1 over, the 40 connections on MVS2 and MVS4 complete, the 20 on MVS1
// are lost; MVS1 comes back and every DVIPA ends with one holder.
func TestFigure9PartitionScenario(t *testing.T) {
	if testing.Short() {
		t.Skip("plays a scenario in real time")
	}
	leakcheck.Check(t)
	sx, report, out := playScenario(t, "../../testdata/scenarios/figure9-partition.yaml")
	if !report.Passed() {
		t.Fatalf("expectations failed:\n%s", out)
	}
	if c := report.Clients; c.Completed != 40 || c.Corrupt != 0 {
		t.Fatalf("want the 40 connections on MVS2 and MVS4 completed:\n%s", out)
	}
	if !strings.Contains(out, "partitioned out of the sysplex by SFM") {
		t.Fatalf("report lacks the partition:\n%s", out)
	}
	checkOneHolderEach(t, sx, out)
}

// TestFigure9DoubleFailureScenario plays testdata/scenarios/figure9-
// double-failure.yaml on a manual clock: MVS1 and MVS5 fail together and
// MVS5 comes back first. It must activate DVB1 again and leave DVA1 alone
// (its VIPABACKUP has no mask) until MVS1 returns; the scenario's owner
// expectations are whatif's answers for the same events.
func TestFigure9DoubleFailureScenario(t *testing.T) {
	leakcheck.Check(t)
	sc, _, ds := scenarioyaml.Read("../../testdata/scenarios/figure9-double-failure.yaml")
	if len(ds) > 0 {
		t.Fatal(ds[0].Summary)
	}
	plan := sysplextest.Plan(t, "figure9")
	for _, step := range []struct {
		recovered []string
		dva1      string
	}{{[]string{"MVS5"}, ""}, {[]string{"MVS5", "MVS1"}, "MVS1"}} {
		o, err := whatif.Derive(plan, whatif.Scenario{Failed: []string{"MVS1", "MVS5"}, Recovered: step.recovered})
		if err != nil {
			t.Fatal(err)
		}
		if got := o.DVIPAs[0].AfterRecovery.Owner; o.DVIPAs[0].Addr != dva1 || got != step.dva1 {
			t.Fatalf("whatif, recover %v: DVA1 owner %q; the scenario expects %q", step.recovered, got, step.dva1)
		}
	}
	clk := clock.NewManual(time.Unix(0, 0))
	sx, err := sysplex.New(plan, sysplex.Options{Clock: clk, XCF: sc.XCF})
	if err != nil {
		t.Fatal(err)
	}
	defer sx.Stop()
	if err := sx.Start(); err != nil {
		t.Fatal(err)
	}
	type result struct {
		r   *Report
		err error
	}
	done := make(chan result, 1)
	go func() {
		r, err := Play(context.Background(), sx, sc)
		done <- result{r, err}
	}()
	var res result
	for stop := time.Now().Add(60 * time.Second); ; {
		select {
		case res = <-done:
		default:
			if time.Now().After(stop) {
				t.Fatal("the scenario did not end")
			}
			clk.Advance(20 * time.Millisecond)
			time.Sleep(2 * time.Millisecond)
			continue
		}
		break
	}
	if res.err != nil {
		t.Fatal(res.err)
	}
	var out bytes.Buffer
	if err := res.r.WriteText(&out); err != nil {
		t.Fatal(err)
	}
	if !res.r.Passed() {
		t.Fatalf("expectations failed:\n%s", out.String())
	}
}

// dva1 and dvb1 are figure 9's DVIPAs.
var (
	dva1 = netip.MustParseAddr("201.2.10.11")
	dvb1 = netip.MustParseAddr("201.2.10.12")
)

// checkOneHolderEach checks that every DVIPA has exactly one holder, the
// one whatif names with every stack up (sysplextest.CheckOneHolderEach).
func checkOneHolderEach(t *testing.T, sx *sysplex.Sysplex, report string) {
	t.Helper()
	sysplextest.CheckOneHolderEach(t, sx.Plan(), sx.Fabric().Advertisers, sx.ActiveOn, report)
}
