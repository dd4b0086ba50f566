package plan

import (
	"fmt"
	"time"
)

// XCFTiming is XCF's one timing value: how often a member heartbeats and
// how many heartbeats in a row a peer may miss before it is declared
// failed. A scenario's `heartbeat:` and `missed:`, the command line's
// --heartbeat and the running sysplex all carry this value down to the
// XCF group's Join. It lives here, beside the plan, because the scenario
// language and the runtime both speak it and neither may import the other.
type XCFTiming struct {
	Interval time.Duration
	Missed   int
}

// The bounds and defaults, all here.
//
// z/OS has no heartbeat to copy: each system updates its status in the
// sysplex couple data set, and a system is "status update missing" after
// the failure detection interval, the larger of COUPLExx INTERVAL and the
// spin failure detection interval derived from the spin loop timeout
// (10 s, or 40 s with shared CPs) — tens of seconds (z/OS MVS Setting Up
// a Sysplex, "Planning the failure detection interval"). tcpipc runs
// compressed, so it keeps the defaults it has always had:
//
//   - DefaultHeartbeat and DefaultMissed (3 s, 3 missed): a member joined
//     without a timing, and `tcpipc run SYSPLEX` without --heartbeat;
//   - ScenarioXCFTiming (1 s, 3 missed): a scenario that gives no
//     heartbeat or missed, so that scenarios compress takeovers into
//     seconds.
//
// --heartbeat, when given, replaces the interval of either.
//
// MinHeartbeat is the shortest interval a member accepts. Issue 11: at
// 1 ns the heartbeats and the events of the flapping they caused filled
// memory (6.4 GB in 60 s), and at 100 µs stacks flapped. 10 ms is ten
// times Go's timer granularity and longer than a usual garbage-collection
// pause, keeps heartbeat traffic at 100 signals a second per peer, and
// still detects a failure in 35 ms with three missed heartbeats. It does
// not make a stalled process safe; that is failure detection's job
// (runtime/xcf's healthy time).
const (
	MinHeartbeat     = 10 * time.Millisecond
	DefaultHeartbeat = 3 * time.Second
	DefaultMissed    = 3
)

var (
	DefaultXCFTiming  = XCFTiming{Interval: DefaultHeartbeat, Missed: DefaultMissed}
	ScenarioXCFTiming = XCFTiming{Interval: time.Second, Missed: DefaultMissed}
)

// Or fills the fields of t that are not set (zero or less) from d.
func (t XCFTiming) Or(d XCFTiming) XCFTiming {
	if t.Interval <= 0 {
		t.Interval = d.Interval
	}
	if t.Missed <= 0 {
		t.Missed = d.Missed
	}
	return t
}

// Check refuses an interval below MinHeartbeat.
func (t XCFTiming) Check() error {
	if t.Interval < MinHeartbeat {
		return fmt.Errorf("xcf: heartbeat interval %s is below the minimum of %s", t.Interval, MinHeartbeat)
	}
	return nil
}
