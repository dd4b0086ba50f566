package play

import (
	"fmt"
	"strings"
	"time"

	"github.com/tcpipc/tcpipc/scenario"
)

// Lateness of the scenario's timeline.
//
// The player waits for each event on the sysplex's clock and applies it
// when it wakes up. On a loaded machine it wakes up late (in issue 16 a
// failure due at 1 s happened at 1.845 s on a 32-stack sysplex), and a
// report that printed the scheduled time would describe a run that did
// not happen. So each event records when it was applied, and what the
// report measures after an event (detection, takeover, first forwarded
// packet) counts from then.

// onTimeWithin is the lateness below which an event counts as on time:
// less than the clock resolution the report prints (milliseconds).
const onTimeWithin = time.Millisecond

// eventApplied is the report of event e, applied at the clock's time now
// on a timeline that starts at start.
func eventApplied(e *scenario.Event, start, now time.Time) EventReport {
	return EventReport{Event: e, At: e.At, Late: max(0, now.Sub(start.Add(e.At)))}
}

// appliedAt is when the event was actually applied, as an offset from the
// timeline's start.
func (ev *EventReport) appliedAt() time.Duration { return ev.At + ev.Late }

// OnTime reports whether the event was applied when the timeline said.
func (ev *EventReport) OnTime() bool { return ev.Late < onTimeWithin }

// lateness describes how late the timeline ran: "" when every event was on
// time, else how many events were late and the worst of them.
func (r *Report) lateness() string {
	n, worst := 0, time.Duration(0)
	for _, ev := range r.Events {
		if !ev.OnTime() {
			n++
			worst = max(worst, ev.Late)
		}
	}
	if n == 0 {
		return ""
	}
	return fmt.Sprintf("%d of %d events applied late, the latest by %s", n, len(r.Events), ms(worst))
}

// writeLate prints one event's lateness under it in the report.
func (ev *EventReport) writeLate(b *strings.Builder) {
	if !ev.OnTime() {
		fmt.Fprintf(b, "             applied %s late, at %s\n", ms(ev.Late), Offset(ev.appliedAt()))
	}
}

// sampledLate notes, after what a sampled check got, how late the sample
// was taken: an owner sampled seconds after its time may describe a
// later moment of the run than the expectation names.
func sampledLate(late time.Duration) string {
	if late < onTimeWithin {
		return ""
	}
	return fmt.Sprintf(", sampled %s late", ms(late))
}
