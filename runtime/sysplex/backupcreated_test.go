package sysplex

import (
	"testing"

	"github.com/tcpipc/tcpipc/plan"
	"github.com/tcpipc/tcpipc/whatif"
)

// backupCreatedPlan is figure 9 with DVA1 coded by no VIPADEFINE: MVS3
// (rank 200) and MVS5 (rank 100) back it up with the long form, so MVS3
// creates it (the plan's note) and MVS5 takes it over.
func backupCreatedPlan(t *testing.T) *plan.Plan {
	t.Helper()
	p := figure9Plan(t)
	figure9Variants["backup-created"](p.DVIPA(dva1))
	return p
}

// TestBackupCreatedDVIPAOneHolder: MVS3 fails and MVS5 takes DVA1 over;
// when MVS3 comes back it takes nothing back (whatif: it created DVA1 as
// a backup), and above all it does not create DVA1 again while MVS5
// holds it. Before, the returning MVS3 created it at once, before it
// had heard who held it, and ignored MVS5's VIPA list: two stacks routed
// DVA1 for good ("MVS3+MVS5").
func TestBackupCreatedDVIPAOneHolder(t *testing.T) {
	p := backupCreatedPlan(t)
	for _, sc := range []whatif.Scenario{
		{Failed: []string{"MVS3"}, Recovered: []string{"MVS3"}},
		{Failed: []string{"MVS3", "MVS4"}, Recovered: []string{"MVS3", "MVS4"}},
		{Failed: []string{"MVS3", "MVS5"}, Recovered: []string{"MVS5", "MVS3"}},
		{Failed: []string{"MVS3", "MVS5"}, Recovered: []string{"MVS3", "MVS5"}},
	} {
		t.Run(scenarioName(sc), func(t *testing.T) { checkAgainstWhatif(t, p, sc) })
	}
}
