package scenario

import (
	"net/netip"
	"strings"
	"testing"

	"github.com/tcpipc/tcpipc/plan"
)

// TestApplicationOnDVIPANobodyActivates: an application bound to a DVIPA
// that no stack VIPADEFINEs and whose backups are all short form can never
// take a connection (a short-form backup only takes over an active DVIPA);
// the run waited 30 s for it. It is a mistake found before the run, and a
// long-form backup, which creates the DVIPA, makes it none.
func TestApplicationOnDVIPANobodyActivates(t *testing.T) {
	dvipa := netip.MustParseAddr("10.9.9.1")
	p := &plan.Plan{Sysplex: "P", Stacks: []plan.Stack{{Name: "A"}},
		DVIPAs: []plan.DVIPA{{Addr: dvipa, Backups: []plan.Backup{{Position: 1, Rank: 10, Stack: "A"}}}}}
	sc := &Scenario{Applications: []*Application{{Name: "S", Stacks: []string{"A"}, Bind: netip.AddrPortFrom(dvipa, 80)}}}
	ds := sc.CheckPlan(p)
	if len(ds) != 1 || !strings.Contains(ds[0].Summary, "no stack activates DVIPA 10.9.9.1 of application S") {
		t.Fatalf("diagnostics %v", ds)
	}
	p.DVIPAs[0].Backups[0].CanCreate = true
	if ds := sc.CheckPlan(p); len(ds) != 0 {
		t.Fatalf("with a long-form backup: %v", ds)
	}
}
