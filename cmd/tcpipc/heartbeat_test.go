package main

import (
	"path/filepath"
	"strings"
	"testing"
)

// TestRunRefusesTinyHeartbeat: a heartbeat below 10 ms (issue 11: 1ns
// exhausted memory, 100µs made stacks flap) is a usage error, exit 2,
// before anything starts: from --heartbeat in both forms of run, and from
// the scenario's heartbeat key, as a positioned diagnostic.
func TestRunRefusesTinyHeartbeat(t *testing.T) {
	sc := filepath.Join(t.TempDir(), "tiny.yaml")
	writeFile(t, sc, "name: tiny\nheartbeat: 100us\n")
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"run", "--scenario", "../../testdata/scenarios/figure9-takeover.yaml", "--heartbeat", "1ns"}, "--heartbeat 1ns is below the minimum of 10ms"},
		{[]string{"run", "../../testdata/profiles/figure9", "--heartbeat", "100us", "--control", filepath.Join(t.TempDir(), "ctl.sock")}, "--heartbeat 100µs is below the minimum of 10ms"},
		{[]string{"run", "../../testdata/profiles/figure9", "--scenario", sc}, "tiny.yaml:2:12: error: heartbeat 100us is below the minimum of 10ms [SCENARIO]"},
	} {
		var out, errb strings.Builder
		if got := run(tc.args, &out, &errb); got != ExitUsage || !strings.Contains(errb.String(), tc.want) {
			t.Errorf("%v: exit %d, want %d and %q in:\n%s", tc.args[1:], got, ExitUsage, tc.want, errb.String())
		}
	}
}
