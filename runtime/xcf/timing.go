package xcf

import "github.com/tcpipc/tcpipc/plan"

// Timing is XCF's one timing value (plan.XCFTiming, where its bounds and
// defaults are, with the reasons for them).
type Timing = plan.XCFTiming

// The defaults, under the names the group code uses.
const (
	DefaultInterval  = plan.DefaultHeartbeat
	DefaultFailAfter = plan.DefaultMissed
)

var (
	DefaultTiming  = plan.DefaultXCFTiming
	ScenarioTiming = plan.ScenarioXCFTiming
)

// MemberOptionsOf is t as the options of Join.
func MemberOptionsOf(t Timing) MemberOptions {
	return MemberOptions{Interval: t.Interval, FailAfter: t.Missed}
}
