package play

import (
	"net/netip"
	"slices"
	"testing"
	"time"

	"github.com/tcpipc/tcpipc/runtime/sysplex"
	"github.com/tcpipc/tcpipc/scenario"
)

// TestSameInstantEventsEachGetTheirOwn: two stacks fail at the same
// instant, and a DVIPA they leave active nowhere is activated again when
// its owner returns (listed with the return's moves). Each event's report must show its own detection and the moves
// away from its stack; before, the stretch of timeline of the first event
// ended where the second began (the same instant), so the first showed
// nothing and the second everything, the first stack's takeovers
// included.
func TestSameInstantEventsEachGetTheirOwn(t *testing.T) {
	start := time.Unix(1000, 0)
	at := func(d time.Duration) time.Time { return start.Add(d) }
	r := &Report{
		Start: start,
		Events: []EventReport{
			{Event: &scenario.Event{At: time.Second, Kind: scenario.Fail, Stack: "SYSA11"}, At: time.Second},
			{Event: &scenario.Event{At: time.Second, Kind: scenario.Fail, Stack: "SYSA12"}, At: time.Second, Late: time.Millisecond},
			{Event: &scenario.Event{At: 5 * time.Second, Kind: scenario.Recover, Stack: "SYSA11"}, At: 5 * time.Second},
		},
		Timeline: []sysplex.Entry{
			{At: at(1290 * time.Millisecond), Stack: "SYSA15", What: "detects that SYSA12 failed"},
			{At: at(1300 * time.Millisecond), Stack: "SYSA15", What: "detects that SYSA11 failed"},
			{At: at(1303 * time.Millisecond), Stack: "SYSA13", What: "takeover 203.0.113.1 from SYSA11"},
			{At: at(1304 * time.Millisecond), Stack: "SYSA13", What: "takeover 203.0.113.3 from SYSA12"},
			{At: at(1305 * time.Millisecond), Stack: "SYSA14", What: "sees 203.0.113.4 active nowhere: no stack can take it over from SYSA12"},
			{At: at(5001 * time.Millisecond), Stack: "SYSA11", What: "takeback 203.0.113.1 from SYSA13"},
			{At: at(5400 * time.Millisecond), Stack: "SYSA11", What: "activate 203.0.113.4"},
		},
	}
	measureMoves(r, nil)
	want := []struct {
		detected, takeover time.Duration
		moves              []string
	}{
		{300 * time.Millisecond, 303 * time.Millisecond, []string{"SYSA13: takeover 203.0.113.1 from SYSA11"}},
		{289 * time.Millisecond, 303 * time.Millisecond, []string{"SYSA13: takeover 203.0.113.3 from SYSA12",
			"SYSA14: sees 203.0.113.4 active nowhere: no stack can take it over from SYSA12"}},
		{0, time.Millisecond, []string{"SYSA11: takeback 203.0.113.1 from SYSA13", "SYSA11: activate 203.0.113.4"}},
	}
	for i, w := range want {
		ev := r.Events[i]
		if ev.Detected != w.detected || ev.Takeover != w.takeover || !slices.Equal(ev.Moves, w.moves) {
			t.Errorf("%s: detected %v, takeover %v, moves %q; want %v, %v, %q",
				ev.Event, ev.Detected, ev.Takeover, ev.Moves, w.detected, w.takeover, w.moves)
		}
	}
}

// TestLateTakebackGoesToTheReturnThatCausedIt: SYSB, the owner of a
// MOVEABLE WHENIDLE DVIPA, comes back at 2.5s, and SYSA at 4s; SYSB takes
// its DVIPA back at 7.506s, once SYSC's connections to it have ended
// (testdata/scenarios/hotstandby.yaml). That takeback belongs to SYSB's
// return, 5.006s after it, not to SYSA's, whose stretch of timeline it
// falls in; before, the report listed it under "recover SYSA".
func TestLateTakebackGoesToTheReturnThatCausedIt(t *testing.T) {
	start := time.Unix(1000, 0)
	at := func(d time.Duration) time.Time { return start.Add(d) }
	r := &Report{
		Start: start,
		Events: []EventReport{
			{Event: &scenario.Event{At: time.Second, Kind: scenario.Fail, Stack: "SYSB"}, At: time.Second},
			{Event: &scenario.Event{At: 2500 * time.Millisecond, Kind: scenario.Recover, Stack: "SYSB"}, At: 2500 * time.Millisecond},
			{Event: &scenario.Event{At: 4 * time.Second, Kind: scenario.Recover, Stack: "SYSA"}, At: 4 * time.Second},
		},
		Timeline: []sysplex.Entry{
			{At: at(1340 * time.Millisecond), Stack: "SYSC", What: "takeover 203.0.113.20 from SYSB"},
			{At: at(4001 * time.Millisecond), Stack: "SYSA", What: "takeback 203.0.113.10 from SYSC"},
			{At: at(7506 * time.Millisecond), Stack: "SYSB", What: "takeback 203.0.113.20 from SYSC"},
		},
	}
	measureMoves(r, nil)
	want := []struct {
		takeover time.Duration
		moves    []string
	}{
		{340 * time.Millisecond, []string{"SYSC: takeover 203.0.113.20 from SYSB"}},
		{5006 * time.Millisecond, []string{"SYSB: takeback 203.0.113.20 from SYSC"}},
		{time.Millisecond, []string{"SYSA: takeback 203.0.113.10 from SYSC"}},
	}
	for i, w := range want {
		ev := r.Events[i]
		if ev.Takeover != w.takeover || !slices.Equal(ev.Moves, w.moves) {
			t.Errorf("%s: takeover %v, moves %q; want %v, %q", ev.Event, ev.Takeover, ev.Moves, w.takeover, w.moves)
		}
	}
}

// TestIdleTakebackGoesToTheEventThatEndedTheLastConnection: SYSB, the
// owner of MOVEABLE WHENIDLE 203.0.113.20, is back at 2.5s, while SYSC
// holds it with connections; at 5s APPB stops on SYSD, which resets the
// last of them (5.05s), and SYSB takes its DVIPA back at 6.5s. The
// takeback belongs to the stop, which left SYSC idle, and says SYSB was
// back at 2.5s; before, it was credited to SYSB's return alone. When
// the last connection completed instead, the stop ended none of them and
// the takeback stays with SYSB's return.
func TestIdleTakebackGoesToTheEventThatEndedTheLastConnection(t *testing.T) {
	start := time.Unix(1000, 0)
	at := func(d time.Duration) time.Time { return start.Add(d) }
	dvb := netip.MustParseAddr("203.0.113.20")
	for _, lastReset := range []bool{true, false} {
		r := &Report{
			Start: start,
			Events: []EventReport{
				{Event: &scenario.Event{At: time.Second, Kind: scenario.Fail, Stack: "SYSB"}, At: time.Second},
				{Event: &scenario.Event{At: 2500 * time.Millisecond, Kind: scenario.Recover, Stack: "SYSB"}, At: 2500 * time.Millisecond},
				{Event: &scenario.Event{At: 5 * time.Second, Kind: scenario.Stop, Stack: "SYSD", App: "APPB"}, At: 5 * time.Second},
			},
			Timeline: []sysplex.Entry{
				{At: at(1340 * time.Millisecond), Stack: "SYSC", What: "takeover 203.0.113.20 from SYSB"},
				{At: at(6500 * time.Millisecond), Stack: "SYSB", What: "takeback 203.0.113.20 from SYSC"},
			},
		}
		r.Clients.ends = []connEnd{
			{dvipa: dvb, at: at(1200 * time.Millisecond), reset: true}, // SYSB's own, at its failure
			{dvipa: dvb, at: at(4 * time.Second)},
			{dvipa: dvb, at: at(5050 * time.Millisecond), reset: lastReset},
			{dvipa: netip.MustParseAddr("203.0.113.10"), at: at(6 * time.Second)},
		}
		measureMoves(r, nil)
		back, stop := r.Events[1], r.Events[2]
		if lastReset {
			if len(back.Moves) != 0 || stop.Takeover != 1500*time.Millisecond ||
				!slices.Equal(stop.Moves, []string{"SYSB: takeback 203.0.113.20 from SYSC (SYSB back at +2.500s)"}) {
				t.Errorf("last connection reset by the stop: return %q; stop %v %q; want the takeback 1.5s after the stop, naming the return",
					back.Moves, stop.Takeover, stop.Moves)
			}
			continue
		}
		if back.Takeover != 4*time.Second || !slices.Equal(back.Moves, []string{"SYSB: takeback 203.0.113.20 from SYSC"}) || len(stop.Moves) != 0 {
			t.Errorf("last connection completed: return %v %q; stop %q; want the takeback 4s after the return", back.Takeover, back.Moves, stop.Moves)
		}
	}
}
