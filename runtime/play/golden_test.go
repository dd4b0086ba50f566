package play

import (
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"golang.org/x/tools/txtar"

	"github.com/tcpipc/tcpipc/internal/testkit/golden"
	"github.com/tcpipc/tcpipc/internal/testkit/leakcheck"
	"github.com/tcpipc/tcpipc/runtime/sysplex"
)

// The golden reports pin what a scenario run decides, so that a change of
// behaviour shows as a diff in review (TCPIPC_UPDATE=1 rewrites them). A
// run on the paced manual clock still races the real netstack and the
// clients' real-time pacing, so only what is exact goes in: the ownership
// moves each timeline event caused, the owners at the end, every check's
// verdict, and the clients' totals where the scenario pins them. Times,
// lateness and the reset/failed split are left out.

// goldenReport compares a run's deterministic part with
// testdata/golden/NAME.txtar.
func goldenReport(t *testing.T, name string, sx *sysplex.Sysplex, r *Report) {
	t.Helper()
	ar := &txtar.Archive{
		Comment: []byte(fmt.Sprintf("What scenario %s decides on the paced manual clock (runtime/play golden_test.go).\n", r.Scenario)),
		Files: []txtar.File{
			{Name: "out/ownership", Data: []byte(ownershipText(r, sx.Moves()))},
			{Name: "out/ipsec", Data: []byte(ipsecText(r.IPsec))},
			{Name: "out/owners", Data: []byte(ownersText(sx))},
			{Name: "out/checks", Data: []byte(checksText(r))},
			{Name: "out/clients", Data: []byte(clientsText(r.Clients))},
		},
	}
	if len(r.SWSA) > 0 { // only runs that moved a DVIPA with SA records
		ar.Files = slices.Insert(ar.Files, 2, txtar.File{Name: "out/swsa", Data: []byte(swsaText(r.SWSA))})
	}
	golden.File(t, filepath.Join("testdata", "golden", name+".txtar"), string(txtar.Format(ar)), "the golden report of "+name)
}

// ownershipText lists, per phase of the run (before the first event, then
// after each), the failures the stacks detected (sorted: they detect in
// parallel) and the DVIPA moves: by DVIPA, in the order they came.
func ownershipText(r *Report, moves []sysplex.Move) string {
	var b strings.Builder
	phases := []string{"start"}
	bounds := []time.Time{}
	for _, ev := range r.Events {
		phases = append(phases, ev.Event.String())
		bounds = append(bounds, r.Start.Add(ev.appliedAt()))
	}
	for i, name := range phases {
		var in []sysplex.Move
		for _, m := range moves {
			if (i == 0 || !m.At.Before(bounds[i-1])) && (i == len(bounds) || m.At.Before(bounds[i])) {
				in = append(in, m)
			}
		}
		slices.SortStableFunc(in, func(x, y sysplex.Move) int { return x.DVIPA.Compare(y.DVIPA) })
		fmt.Fprintf(&b, "%s\n", name)
		var detected []string
		for _, e := range r.Timeline {
			inPhase := (i == 0 || !e.At.Before(bounds[i-1])) && (i == len(bounds) || e.At.Before(bounds[i]))
			if inPhase && strings.HasPrefix(e.What, "detects that ") {
				detected = append(detected, "  "+e.Stack+" "+e.What+"\n")
			}
		}
		slices.Sort(detected)
		b.WriteString(strings.Join(detected, ""))
		for _, m := range in {
			fmt.Fprintf(&b, "  %-15s %s -> %s\n", m.DVIPA, orNobody(m.From), orNobody(m.To))
		}
	}
	return b.String()
}

// ipsecText is each protected DVIPA's SA counts at the end of the run
// (the packet counts depend on timing).
func ipsecText(ts []IPsecTotals) string {
	var b strings.Builder
	for _, t := range ts {
		fmt.Fprintf(&b, "%s %s: %d IKE SAs, %d child SAs\n", t.Stack, t.DVIPA, t.IKESAs, t.ChildSAs)
	}
	return b.String()
}

// swsaText is what each new holder did with the SA records, without times.
func swsaText(ss []SWSAReport) string {
	var b strings.Builder
	for _, s := range ss {
		fmt.Fprintf(&b, "%s\n", s)
	}
	return b.String()
}

func ownersText(sx *sysplex.Sysplex) string {
	var b strings.Builder
	for _, o := range sx.Owners() {
		fmt.Fprintf(&b, "%-15s %s\n", o[0], orNobody(o[1]))
	}
	return b.String()
}

func checksText(r *Report) string {
	var b strings.Builder
	for _, c := range r.Checks {
		verdict := "ok  "
		if !c.OK {
			verdict = "FAIL"
		}
		fmt.Fprintf(&b, "%s %s\n", verdict, c.What)
	}
	return b.String()
}

// clientsText is the clients' totals that do not depend on timing: how
// many connections, how many carried through, how many lost in all, and
// how many corrupt.
func clientsText(c ClientTotals) string {
	return fmt.Sprintf("connections %d\ncompleted %d\nlost (reset or failed) %d\ncorrupt %d\n",
		c.Connections, c.Completed, c.Reset+c.Failed, c.Corrupt)
}

// TestFigure9IPsecGolden plays testdata/scenarios/figure9-ipsec.yaml (30
// clients through IKEv2 and ESP to DVA1) on the paced manual clock and
// compares its golden report.
func TestFigure9IPsecGolden(t *testing.T) {
	if testing.Short() {
		t.Skip("plays a scenario")
	}
	leakcheck.Check(t)
	sx, report, _ := playScenario(t, "../../testdata/scenarios/figure9-ipsec.yaml")
	goldenReport(t, "figure9-ipsec", sx, report)
}

// TestFigure9SWSAGolden plays testdata/scenarios/figure9-swsa.yaml (120
// IPsec clients; MVS1 fails, MVS5 renegotiates every tunnel from the SWSA
// records, MVS1 takes DVA1 back with its tunnels) and compares its golden
// report.
func TestFigure9SWSAGolden(t *testing.T) {
	if testing.Short() {
		t.Skip("plays a scenario")
	}
	leakcheck.Check(t)
	sx, report, out := playScenario(t, "../../testdata/scenarios/figure9-swsa.yaml")
	if !report.Passed() {
		t.Errorf("expectations failed:\n%s", out)
	}
	goldenReport(t, "figure9-swsa", sx, report)
}
