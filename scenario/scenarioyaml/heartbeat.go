package scenarioyaml

import (
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/tcpipc/tcpipc/runtime/xcf"
	"github.com/tcpipc/tcpipc/scenario"
)

// heartbeat reads the XCF heartbeat interval: a duration no shorter than
// xcf.MinInterval (issue 11: 1 ns exhausted memory, 100 µs made stacks
// flap).
func (r *reader) heartbeat(n *yaml.Node) time.Duration {
	d, err := time.ParseDuration(r.str(n))
	if err != nil || d > scenario.MaxTime {
		return r.duration(n) // reports the malformed or over-long duration
	}
	if d < xcf.MinInterval {
		e := r.Errorf(n, "heartbeat %s is below the minimum of %s", n.Value, xcf.MinInterval)
		e.Detail = "Heartbeats this short make stacks declare healthy peers failed, and the flapping can exhaust memory. z/OS counts XCF failure detection in seconds; use 100ms or more to compress a scenario."
		return xcf.MinInterval
	}
	return d
}
