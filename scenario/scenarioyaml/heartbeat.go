package scenarioyaml

import (
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/tcpipc/tcpipc/plan"
	"github.com/tcpipc/tcpipc/scenario"
)

// heartbeat reads the XCF heartbeat interval: a duration no shorter than
// plan.MinHeartbeat (issue 11: 1 ns exhausted memory, 100 µs made stacks
// flap).
func (r *reader) heartbeat(n *yaml.Node) time.Duration {
	d, err := time.ParseDuration(r.str(n))
	if err != nil || d > scenario.MaxTime {
		return r.duration(n) // reports the malformed or over-long duration
	}
	if d < plan.MinHeartbeat {
		e := r.Errorf(n, "heartbeat %s is below the minimum of %s", n.Value, plan.MinHeartbeat)
		e.Detail = "Heartbeats this short make stacks declare healthy peers failed, and the flapping can exhaust memory. z/OS counts XCF failure detection in seconds; use 100ms or more to compress a scenario."
		return plan.MinHeartbeat
	}
	return d
}
