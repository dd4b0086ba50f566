package scenarioyaml

import (
	"strings"
	"testing"
	"time"

	"github.com/tcpipc/tcpipc/diag"
	"github.com/tcpipc/tcpipc/plan"
)

// TestHeartbeatLowerBound: a heartbeat below plan.MinHeartbeat (issue 11:
// 1ns exhausted memory, 100µs made stacks flap) is a positioned error at
// the value; the bound itself is accepted.
func TestHeartbeatLowerBound(t *testing.T) {
	for _, tc := range []struct {
		value string
		ok    bool
	}{
		{"1ns", false},
		{"100us", false},
		{"9ms", false},
		{"0s", false},
		{"10ms", true},
		{"100ms", true},
	} {
		src := "name: x\nheartbeat: " + tc.value + "\n"
		sc, f, ds := Parse("s.yaml", []byte(src))
		got := diag.FormatText(ds, diag.Sources{f.Name: f.Text})
		if tc.ok {
			if len(ds) > 0 || sc.XCF.Interval < plan.MinHeartbeat {
				t.Errorf("heartbeat %s: %v\n%s", tc.value, sc.XCF.Interval, got)
			}
			continue
		}
		if want := "s.yaml:2:12: error: heartbeat " + tc.value + " is below the minimum of 10ms"; !strings.Contains(got, want) {
			t.Errorf("heartbeat %s: missing %q in:\n%s", tc.value, want, got)
		}
	}
	// Without the keys the scenario default (1s, 3 missed) applies.
	if sc, _, ds := Parse("s.yaml", []byte("name: x\n")); len(ds) > 0 || sc.XCF != plan.ScenarioXCFTiming || sc.XCF.Interval != time.Second {
		t.Errorf("default timing %+v, %v", sc.XCF, ds)
	}
}
