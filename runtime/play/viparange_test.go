package play

import (
	"net/netip"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/tcpipc/tcpipc/internal/testkit/leakcheck"
	"github.com/tcpipc/tcpipc/internal/testkit/sysplextest"
	"github.com/tcpipc/tcpipc/runtime/sysplex"
	"github.com/tcpipc/tcpipc/whatif"
)

// TestVIPARangeFailureScenario plays testdata/scenarios/viparange-
// failure.yaml: the stack holding an application DVIPA fails while the
// stack it took the DVIPA from still has its server bound; that stack
// takes the DVIPA over at once instead of keeping it Moving until the
// failed stack returns, as whatif predicts.
func TestVIPARangeFailureScenario(t *testing.T) {
	if testing.Short() {
		t.Skip("plays a scenario in real time")
	}
	leakcheck.Check(t)
	p := sysplextest.Plan(t, "viparange")
	sx, report, out := playOn(t, "../../testdata/scenarios/viparange-failure.yaml", p, false)
	if !report.Passed() {
		t.Fatalf("expectations failed:\n%s", out)
	}
	// SYSB's failure moved the DVIPA to SYSA, its return back to SYSB.
	a := netip.MustParseAddr("10.9.8.5")
	var path []string
	for _, m := range sx.Moves() {
		if m.DVIPA == a && m.To != "" {
			path = append(path, m.From+">"+m.To)
		}
	}
	if want := []string{">SYSA", "SYSA>SYSB", "SYSB>SYSA", "SYSA>SYSB"}; !slices.Equal(path, want) {
		t.Fatalf("the DVIPA moved %v, want %v:\n%s", path, want, out)
	}
	// whatif, from the plan alone, names SYSA as the stack that takes such
	// a DVIPA over when SYSB fails.
	o, err := whatif.Derive(p, whatif.Scenario{Failed: []string{"SYSB"}})
	if err != nil {
		t.Fatal(err)
	}
	i := slices.IndexFunc(o.Ranges, func(r whatif.RangeOutcome) bool { return r.Prefix.Contains(a) })
	if i < 0 || !slices.Equal(o.Ranges[i].TakeOver, []string{"SYSA"}) {
		t.Fatalf("whatif does not name SYSA to take %s over: %+v", a, o.Ranges)
	}
}

// TestDisruptiveBindRefusedRunGoesOn: an application binds an address of
// a VIPARANGE MOVEABLE DISRUPTIVE on SYSA and on SYSB. z/OS refuses the
// second bind (the DVIPA is active on SYSA); the application simply does
// not run on SYSB. The run goes on — the refusal is in the timeline — and
// SYSA's server answers every client. It stopped the whole run before.
func TestDisruptiveBindRefusedRunGoesOn(t *testing.T) {
	if testing.Short() {
		t.Skip("plays a scenario in real time")
	}
	leakcheck.Check(t)
	file := filepath.Join(t.TempDir(), "disruptive.yaml")
	yaml := `name: disruptive-bind
sysplex: ../runtime/viparange
heartbeat: 100ms
missed: 3
duration: 1s
applications:
  - {name: APPD, stacks: [SYSA, SYSB], bind: 10.9.7.5:4000, behaviour: echo}
clients:
  - {name: clients, from: 198.51.100.10, connect: 10.9.7.5:4000, connections: 5, bytes: 2048, chunk: 512, interval: 100ms, check: true}
expect:
  - owner: {at: 500ms, dvipa: 10.9.7.5, stack: SYSA}
  - failed: 0
`
	if err := os.WriteFile(file, []byte(yaml), 0o600); err != nil {
		t.Fatal(err)
	}
	_, report, out := playOn(t, file, sysplextest.Plan(t, "viparange"), false)
	if !report.Passed() {
		t.Fatalf("expectations failed:\n%s", out)
	}
	refused := slices.ContainsFunc(report.Timeline, func(e sysplex.Entry) bool {
		return e.Stack == "SYSB" && strings.Contains(e.What, "bind of 10.9.7.5 refused")
	})
	if !refused {
		t.Fatalf("the timeline does not say SYSB refused the bind:\n%s", out)
	}
}
