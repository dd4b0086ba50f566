package play

import (
	"net/netip"
	"slices"
	"testing"

	"github.com/tcpipc/tcpipc/internal/testkit/leakcheck"
	"github.com/tcpipc/tcpipc/internal/testkit/sysplextest"
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
