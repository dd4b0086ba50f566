package xcf

import (
	"testing"
	"time"
)

// TestTimingDefaults: unset fields take the defaults, set ones stay, and
// Member carries both to Join.
func TestTimingDefaults(t *testing.T) {
	if got := (Timing{}).Or(DefaultTiming); got != (Timing{Interval: 3 * time.Second, Missed: 3}) {
		t.Errorf("zero timing with the defaults: %+v", got)
	}
	if got := (Timing{Interval: 100 * time.Millisecond}).Or(ScenarioTiming); got != (Timing{Interval: 100 * time.Millisecond, Missed: 3}) {
		t.Errorf("interval only: %+v", got)
	}
	if got := MemberOptionsOf(Timing{Interval: 50 * time.Millisecond, Missed: 5}); got.Interval != 50*time.Millisecond || got.FailAfter != 5 {
		t.Errorf("Member() = %+v", got)
	}
	if err := (Timing{Interval: time.Millisecond}).Check(); err == nil {
		t.Error("1ms passed the check")
	}
}
