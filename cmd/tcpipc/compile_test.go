package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestPlanCommandExitCodes pins the exit codes of compile, show and whatif.
func TestPlanCommandExitCodes(t *testing.T) {
	const fig9 = "../../testdata/profiles/figure9"
	bad := t.TempDir()
	writeFile(t, filepath.Join(bad, "sysplex.yaml"), "sysplex: BAD\nstacks:\n  - {name: SYSA, profile: PROFILE}\n")
	writeFile(t, filepath.Join(bad, "PROFILE"), "IPCONFIG DYNAMICXCF 10.0.0.1 255.255.255.0 1\nVIPADYNAMIC\n  VIPADEFINE 255.255.255.0 10.9.9.1\n  VIPADISTRIBUTE 10.9.9.1 PORT 80 DESTIP 10.0.0.77\nENDVIPADYNAMIC\n")
	plan := filepath.Join(t.TempDir(), "plan.json")
	for _, c := range []struct {
		args []string
		want int
	}{
		{[]string{"compile", "-o", plan, fig9}, ExitClean},
		{[]string{"compile", bad}, ExitFindings},
		{[]string{"compile", "--force", bad}, ExitClean},
		{[]string{"compile", fig9 + "/nope"}, ExitUsage},
		{[]string{"show", fig9, "vipadyn"}, ExitClean},
		{[]string{"show", plan, "vdpt"}, ExitClean},
		{[]string{"show", bad, "vipadyn"}, ExitFindings},
		{[]string{"show", fig9, "nope"}, ExitUsage},
		{[]string{"show", "--stack", "MVS9", fig9, "vipadyn"}, ExitUsage},
		{[]string{"whatif", fig9, "--fail", "MVS1,MVS5", "--recover", "MVS5"}, ExitClean},
		{[]string{"whatif", plan, "--all-single"}, ExitClean},
		{[]string{"whatif", fig9}, ExitUsage},
		{[]string{"whatif", fig9, "--fail", "MVS9"}, ExitUsage},
	} {
		var out, errb strings.Builder
		if got := run(c.args, &out, &errb); got != c.want {
			t.Errorf("tcpipc %v: exit %d, want %d (stderr %q)", c.args, got, c.want, errb.String())
		}
	}
	if data, err := os.ReadFile(plan); err != nil || !strings.Contains(string(data), `"version": "tcpipc.plan/v1"`) {
		t.Errorf("compile -o wrote no plan (%v)", err)
	}
}
