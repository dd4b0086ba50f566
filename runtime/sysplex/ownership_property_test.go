package sysplex

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/tcpipc/tcpipc/internal/clock"
	"github.com/tcpipc/tcpipc/internal/testkit/leakcheck"
	"github.com/tcpipc/tcpipc/plan"
	"github.com/tcpipc/tcpipc/whatif"
)

// TestOwnershipAgreesWithWhatif is a property of every sysplex under
// testdata/profiles that compiles, and of the runtime-only sysplexes
// built to try shapes the others lack (ownDVIPAShapes): for every failure of one stack or of
// two together, followed by every order in which they come back, the
// stack that holds each DVIPA in the running sysplex (manual clock) is the
// one whatif predicts, after the start, after the failure and after each
// recovery. The running sysplex is the real one (Sysplex, its stacks, XCF
// and the dvipa package), driven only through Fail and Recover.
//
// Nobody connects, so a MOVEABLE WHENIDLE takeback happens at once: where
// whatif says "takeback-when-idle" the expected holder is the owner.
func TestOwnershipAgreesWithWhatif(t *testing.T) {
	dirs, _ := filepath.Glob("../../testdata/profiles/*")
	dirs = append(dirs, ownDVIPAShapes...)
	tested := 0
	for _, dir := range dirs {
		plan, why := lintedPlan(t, dir)
		if plan == nil {
			// broken-dvipa and broken-swsa are lint fixtures: they are
			// broken on purpose and tcpipc makes no plan of them.
			t.Logf("%s: skipped, no plan: %s", filepath.Base(dir), why)
			continue
		}
		tested++
		for _, sc := range ringSample(failureOrders(plan), plan) {
			if testing.Short() && len(sc.Failed) > 1 {
				continue // the double failures take most of the time
			}
			t.Run(filepath.Base(dir)+"/"+scenarioName(sc), func(t *testing.T) {
				checkAgainstWhatif(t, plan, sc)
			})
		}
	}
	if tested == 0 {
		t.Fatal("no sysplex under testdata/profiles compiles")
	}
	if testing.Short() {
		return
	}
	// Figure 9 alone has one short-form backup per DVIPA. These variants
	// of its plan bring in the other rules: a chain of two backups, a
	// long-form backup that creates the DVIPA, MOVEABLE WHENIDLE, a DVIPA
	// only backups code. They are
	// skipped under -short.
	for name, edit := range figure9Variants {
		plan := figure9Plan(t)
		edit(plan.DVIPA(dva1))
		for _, sc := range failureOrders(plan) {
			t.Run("figure9-"+name+"/"+scenarioName(sc), func(t *testing.T) {
				checkAgainstWhatif(t, plan, sc)
			})
		}
	}
}

// ownDVIPAShapes are sysplexes of testdata/runtime with backup chains
// the bundled ones lack: hotstandby has equal ranks three deep, two
// distributors backing each other up and a DVIPA only long-form backups
// create.
var ownDVIPAShapes = []string{"../../testdata/runtime/hotstandby"}

var figure9Variants = map[string]func(d *plan.DVIPA){
	// MVS3 backs DVA1 up ahead of MVS5.
	"chain": func(d *plan.DVIPA) {
		d.Backups = []plan.Backup{{Position: 1, Rank: 20, Stack: "MVS3"}, {Position: 2, Rank: 10, Stack: "MVS5"}}
	},
	// MVS5's backup has the long form: it creates DVA1 when nobody holds it.
	"longform": func(d *plan.DVIPA) { d.Backups[0].CanCreate = true },
	// The same, and MVS1 takes DVA1 back only when MVS5 is idle.
	"longform-whenidle": func(d *plan.DVIPA) {
		d.Backups[0].CanCreate = true
		d.Moveable = "WHENIDLE"
	},
	// No stack VIPADEFINEs DVA1: MVS3 and MVS5 back it up with the long
	// form, MVS3 creating it (backupCreatedPlan).
	"backup-created": func(d *plan.DVIPA) {
		d.Origin, d.DefinedBy, d.Owner, d.Distributions = "VIPABACKUP", nil, "MVS3", nil
		d.Backups = []plan.Backup{
			{Position: 1, Rank: 200, Stack: "MVS3", CanCreate: true},
			{Position: 2, Rank: 100, Stack: "MVS5", CanCreate: true},
		}
	},
}

// lintedPlan returns the checked-in plan of a sysplex of
// testdata/profiles, or nil when it has none: compile's TestCheckedInPlans
// writes one for every sysplex that lints without errors.
func lintedPlan(t *testing.T, dir string) (*plan.Plan, string) {
	t.Helper()
	name := filepath.Base(dir)
	if _, err := os.Stat(filepath.Join("../../testdata/plans", name+".json")); err != nil {
		return nil, "lint reports errors, so testdata/plans has no plan of it"
	}
	return planFile(t, name), ""
}

// ringSample keeps, of a generated scale sysplex (more than eight stacks,
// internal/plexgen: a ring where stack n owns one DVIPA and backs up stack
// n-1's), the failures among its first three stacks. The ring looks the
// same from every stack, so these cover every case: one stack, an owner
// with its backup, and two stacks that share no DVIPA. All 992 orders of
// plex32 would take half an hour.
func ringSample(orders []whatif.Scenario, p *plan.Plan) []whatif.Scenario {
	if len(p.Stacks) <= 8 {
		return orders
	}
	first := map[string]bool{p.Stacks[0].Name: true, p.Stacks[1].Name: true, p.Stacks[2].Name: true}
	var out []whatif.Scenario
	for _, sc := range orders {
		if !slices.ContainsFunc(sc.Failed, func(s string) bool { return !first[s] }) {
			out = append(out, sc)
		}
	}
	return out
}

// failureOrders lists every failure of one or two stacks, each with every
// order in which all of them come back.
func failureOrders(p *plan.Plan) []whatif.Scenario {
	var out []whatif.Scenario
	for i, a := range p.Stacks {
		out = append(out, whatif.Scenario{Failed: []string{a.Name}, Recovered: []string{a.Name}})
		for _, b := range p.Stacks[i+1:] {
			out = append(out,
				whatif.Scenario{Failed: []string{a.Name, b.Name}, Recovered: []string{a.Name, b.Name}},
				whatif.Scenario{Failed: []string{a.Name, b.Name}, Recovered: []string{b.Name, a.Name}})
		}
	}
	return out
}

func scenarioName(sc whatif.Scenario) string {
	return "fail-" + strings.Join(sc.Failed, ",") + "-recover-" + strings.Join(sc.Recovered, ",")
}

// owners maps each DVIPA to the stack holding it ("" for none).
type owners map[string]string

// expectedOwners is whatif's holder of every DVIPA at each step: the
// start, after the failure, after each recovery in turn.
func expectedOwners(t *testing.T, p *plan.Plan, sc whatif.Scenario) []owners {
	t.Helper()
	steps := []owners{{}, {}}
	o, err := whatif.Derive(p, whatif.Scenario{Failed: sc.Failed})
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range o.DVIPAs {
		steps[0][d.Addr.String()] = d.Start
		steps[1][d.Addr.String()] = d.AfterFailure.Owner
	}
	for k := 1; k <= len(sc.Recovered); k++ {
		o, err := whatif.Derive(p, whatif.Scenario{Failed: sc.Failed, Recovered: sc.Recovered[:k]})
		if err != nil {
			t.Fatal(err)
		}
		step := owners{}
		for _, d := range o.DVIPAs {
			step[d.Addr.String()] = d.AfterRecovery.Owner
			if d.AfterRecovery.Event == "takeback-when-idle" {
				step[d.Addr.String()] = d.Start // idle at once: nobody connects
			}
		}
		steps = append(steps, step)
	}
	return steps
}

// checkAgainstWhatif runs one scenario on a fresh sysplex and compares
// the holders step by step.
func checkAgainstWhatif(t *testing.T, p *plan.Plan, sc whatif.Scenario) {
	leakcheck.Check(t)
	want := expectedOwners(t, p, sc)
	sx, clk := startSysplex(t, p)
	settle(t, sx, clk, "start", want[0])
	for _, s := range sc.Failed {
		if err := sx.Fail(s); err != nil {
			t.Fatal(err)
		}
	}
	settle(t, sx, clk, "fail "+strings.Join(sc.Failed, ","), want[1])
	for i, s := range sc.Recovered {
		if err := sx.Recover(s); err != nil {
			t.Fatal(err)
		}
		settle(t, sx, clk, "recover "+strings.Join(sc.Recovered[:i+1], ","), want[i+2])
	}
}

// Settling: the clock moves a heartbeat at a time (startSysplex's 100 ms),
// at least minSteps times (failure detection and a starting stack's grace
// take under 5 heartbeats), until the holders have matched for
// stableSteps heartbeats in a row, or maxSteps passed. The real-time pause
// lets the stacks' goroutines handle what each heartbeat brought.
const (
	minSteps    = 12
	stableSteps = 4
	maxSteps    = 60
)

func settle(t *testing.T, sx *Sysplex, clk *clock.Manual, step string, want owners) {
	t.Helper()
	var got owners
	stable := 0
	for i := 0; i < maxSteps; i++ {
		clk.Advance(100 * time.Millisecond)
		time.Sleep(5 * time.Millisecond)
		got = observeOwners(sx)
		if sameOwners(got, want) {
			stable++
		} else {
			stable = 0
		}
		if i+1 >= minSteps && stable >= stableSteps {
			return
		}
	}
	t.Fatalf("after %s: the runtime's holders are not the expected ones (whatif's, in the property test):\n%s", step, ownersDiff(sx.Plan(), got, want))
}

// observeOwners is the runtime's holder of each DVIPA: the one stack that
// routes it and advertises it on the LAN. Stacks that disagree show as
// "A+B" (several route it) or "A (LAN: B)" (the LAN sends it elsewhere).
func observeOwners(sx *Sysplex) owners {
	out := owners{}
	for _, d := range sx.Plan().DVIPAs {
		a := d.Addr
		var routing []string
		for _, s := range sx.Stacks() {
			if s.Up() && s.Routing(a) != nil {
				routing = append(routing, s.Name())
			}
		}
		got := strings.Join(routing, "+")
		if lan := sx.Owner(a); lan != got && (lan != "" || len(routing) > 0) {
			got += " (LAN: " + lan + ")"
		}
		out[d.Addr.String()] = got
	}
	return out
}

func sameOwners(got, want owners) bool {
	for a, w := range want {
		if got[a] != w {
			return false
		}
	}
	return len(got) == len(want)
}

func ownersDiff(p *plan.Plan, got, want owners) string {
	var b strings.Builder
	for _, d := range p.DVIPAs {
		mark := " "
		if got[d.Addr.String()] != want[d.Addr.String()] {
			mark = "!"
		}
		fmt.Fprintf(&b, "%s %-16s runtime %-20q want %q\n", mark, d.Addr, got[d.Addr.String()], want[d.Addr.String()])
	}
	return b.String()
}

// TestOwnershipComparisonCanFail shows the comparison tells holders
// apart: two stacks routing a DVIPA, a LAN route to another stack and a
// missing holder all differ from whatif's single owner.
func TestOwnershipComparisonCanFail(t *testing.T) {
	want := owners{"201.2.10.11": "MVS1"}
	for _, got := range []owners{
		{"201.2.10.11": "MVS1+MVS5"},
		{"201.2.10.11": "MVS1 (LAN: MVS5)"},
		{"201.2.10.11": ""},
		{"201.2.10.11": "MVS1", "201.2.10.12": "MVS5"},
	} {
		if sameOwners(got, want) {
			t.Errorf("%v counts as %v", got, want)
		}
	}
	if !sameOwners(owners{"201.2.10.11": "MVS1"}, want) {
		t.Error("equal holders differ")
	}
}

// TestRestartedBackupLearnsTheHolder: figure 9 with MVS3 as a second,
// higher-ranked backup of DVA1. MVS1 and MVS3 fail, MVS5 takes DVA1 over;
// MVS3 comes back and leaves DVA1 with MVS5 (backups do not take over
// from each other) but learns from MVS5's VIPA list that MVS5 holds it, so
// when MVS5 fails in turn, MVS3 takes DVA1 over. The grace-time
// assumption that MVS1 holds it must neither make MVS3 take DVA1 from
// MVS5 nor leave MVS3 thinking nobody holds it.
func TestRestartedBackupLearnsTheHolder(t *testing.T) {
	leakcheck.Check(t)
	p := figure9Plan(t)
	d := p.DVIPA(dva1)
	d.Backups = []plan.Backup{{Position: 1, Rank: 20, Stack: "MVS3"}, {Position: 2, Rank: 10, Stack: "MVS5"}}
	sx, clk := startSysplex(t, p)
	want := owners{dva1.String(): "MVS1", "201.2.10.12": "MVS5"}
	settle(t, sx, clk, "start", want)
	for _, s := range []string{"MVS1", "MVS3"} {
		if err := sx.Fail(s); err != nil {
			t.Fatal(err)
		}
	}
	want[dva1.String()] = "MVS5"
	settle(t, sx, clk, "fail MVS1,MVS3", want)
	if err := sx.Recover("MVS3"); err != nil {
		t.Fatal(err)
	}
	settle(t, sx, clk, "recover MVS3", want)
	if err := sx.Fail("MVS5"); err != nil {
		t.Fatal(err)
	}
	want = owners{dva1.String(): "MVS3", "201.2.10.12": ""}
	settle(t, sx, clk, "fail MVS5", want)
}
