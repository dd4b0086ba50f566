package xcf

import (
	"fmt"
	"time"
)

// Timing is XCF's one timing value: how often a member heartbeats and how
// many heartbeats in a row a peer may miss before it is declared failed.
// A scenario's `heartbeat:` and `missed:`, the command line's --heartbeat
// and the running sysplex all carry this value down to Join.
type Timing struct {
	Interval time.Duration
	Missed   int
}

// The defaults, all here.
//
// z/OS has no heartbeat to copy: each system updates its status in the
// sysplex couple data set, and a system is "status update missing" after
// the failure detection interval, the larger of COUPLExx INTERVAL and the
// spin failure detection interval derived from the spin loop timeout
// (10 s, or 40 s with shared CPs) — tens of seconds (z/OS MVS Setting Up
// a Sysplex, "Planning the failure detection interval"). tcpipc runs
// compressed, so it keeps the defaults it has always had:
//
//   - DefaultInterval and DefaultFailAfter (3 s, 3 missed): a member
//     joined without a timing, and `tcpipc run SYSPLEX` without
//     --heartbeat;
//   - ScenarioTiming (1 s, 3 missed): a scenario that gives no heartbeat
//     or missed, so that scenarios compress takeovers into seconds.
//
// --heartbeat, when given, replaces the interval of either.
const (
	DefaultInterval  = 3 * time.Second
	DefaultFailAfter = 3
)

var (
	DefaultTiming  = Timing{Interval: DefaultInterval, Missed: DefaultFailAfter}
	ScenarioTiming = Timing{Interval: time.Second, Missed: DefaultFailAfter}
)

// Or fills the fields of t that are not set (zero or less) from d.
func (t Timing) Or(d Timing) Timing {
	if t.Interval <= 0 {
		t.Interval = d.Interval
	}
	if t.Missed <= 0 {
		t.Missed = d.Missed
	}
	return t
}

// Check refuses an interval below MinInterval.
func (t Timing) Check() error {
	if t.Interval < MinInterval {
		return fmt.Errorf("xcf: heartbeat interval %s is below the minimum of %s", t.Interval, MinInterval)
	}
	return nil
}

// Member is t as the options of Join.
func (t Timing) Member() MemberOptions {
	return MemberOptions{Interval: t.Interval, FailAfter: t.Missed}
}
