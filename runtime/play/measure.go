package play

import (
	"fmt"
	"net/netip"
	"strings"
	"time"

	"github.com/tcpipc/tcpipc/runtime/sysplex"
	"github.com/tcpipc/tcpipc/scenario"
)

// measure fills in detection and takeover times from the timeline.
func measure(sx *sysplex.Sysplex, r *Report) { measureMoves(r, sx.Moves()) }

// measureMoves measures each event on the stretch of timeline from when
// it was applied to when the next instant of the scenario was. Events of
// one instant (two stacks failing at once) share that stretch, and each
// line goes to the event it is about (about): a stack's failure gets its
// detection and the moves away from it, its return the moves to it.
func measureMoves(r *Report, moves []sysplex.Move) {
	for i := 0; i < len(r.Events); {
		j := i + 1
		for j < len(r.Events) && r.Events[j].Event.At == r.Events[i].Event.At {
			j++
		}
		group := r.Events[i:j]
		first := r.Start.Add(group[0].appliedAt())
		next := time.Time{}
		if j < len(r.Events) {
			next = r.Start.Add(r.Events[j].appliedAt())
		}
		for _, t := range r.Timeline {
			if t.At.Before(first) || (!next.IsZero() && !t.At.Before(next)) {
				continue
			}
			ev, what := about(group, t), t.What
			if ret, note := returnOf(r, group, t); ret != nil {
				ev, what = ret, what+note
			}
			at := r.Start.Add(ev.appliedAt())
			switch {
			case strings.HasPrefix(t.What, "detects that ") && ev.Detected == 0:
				ev.Detected = t.At.Sub(at)
			case strings.HasPrefix(t.What, "takeover ") || strings.HasPrefix(t.What, "takeback ") ||
				strings.HasPrefix(t.What, "activate "):
				if ev.Takeover == 0 {
					ev.Takeover = t.At.Sub(at)
				}
				ev.Moves = append(ev.Moves, t.Stack+": "+what)
			case strings.HasPrefix(t.What, "sees ") && strings.Contains(t.What, " active nowhere"):
				ev.Moves = append(ev.Moves, t.Stack+": "+t.What)
			}
		}
		for k := range group {
			forwarding(&group[k], r.Start, next, moves)
		}
		i = j
	}
}

// forwarding sets when a DVIPA that moved after the event, before next,
// first had a packet forwarded by its new routing stack.
func forwarding(ev *EventReport, start, next time.Time, moves []sysplex.Move) {
	at := start.Add(ev.appliedAt())
	for _, m := range moves {
		if !m.At.Before(at) && !m.FirstForward.IsZero() && (next.IsZero() || m.At.Before(next)) {
			if f := m.FirstForward.Sub(at); ev.Forwarding == 0 || f < ev.Forwarding {
				ev.Forwarding = f
			}
		}
	}
}

// about picks the event of one instant a timeline line is about: the
// failure or departure of the stack it detects or moves a DVIPA away
// from, else the return of the stack that moves a DVIPA to itself, else
// the first event of the instant.
func about(group []EventReport, t sysplex.Entry) *EventReport {
	if len(group) == 1 {
		return &group[0]
	}
	var from string
	if rest, ok := strings.CutPrefix(t.What, "detects that "); ok {
		from, _, _ = strings.Cut(rest, " ")
	} else if k := strings.LastIndex(t.What, " from "); k >= 0 {
		if f := strings.Fields(t.What[k+len(" from "):]); len(f) > 0 {
			from = f[0]
		}
	}
	for k := range group {
		e := group[k].Event
		switch e.Kind {
		case scenario.Fail, scenario.LeaveGroup, scenario.Partition, scenario.Deactivate:
			if e.Stack == from {
				return &group[k]
			}
		}
		if isReturn(e.Kind) && e.Stack == t.Stack && !strings.HasPrefix(t.What, "detects that ") {
			return &group[k]
		}
	}
	return &group[0]
}

// returnOf is the earlier event a move to a stack belongs to when its own
// stretch of timeline has no return of that stack: the stack's latest
// return (recover, joingroup, reactivate) before the move. A MOVEABLE
// WHENIDLE owner takes its DVIPA back when the holder is idle, which may
// be after later events; when one of them ended the last connection
// (idleBy), the takeback is that event's, and the note names the return.
// nil when the move is the group's own.
func returnOf(r *Report, group []EventReport, t sysplex.Entry) (ev *EventReport, note string) {
	if !strings.HasPrefix(t.What, "takeback ") && !strings.HasPrefix(t.What, "activate ") {
		return nil, ""
	}
	var latest *EventReport
	for k := range r.Events {
		e := &r.Events[k]
		if isReturn(e.Event.Kind) && e.Event.Stack == t.Stack && !r.Start.Add(e.appliedAt()).After(t.At) {
			latest = e
		}
	}
	if latest == nil {
		return nil, ""
	}
	if by := idleBy(r, latest, t); by != nil {
		return by, fmt.Sprintf(" (%s back at %s)", t.Stack, Offset(latest.appliedAt()))
	}
	for _, e := range group {
		if isReturn(e.Event.Kind) && e.Event.Stack == t.Stack {
			return nil, ""
		}
	}
	return latest, ""
}

// idleBy is the event that left the holder of a DVIPA taken back idle:
// when the last client connection to it that ended between the owner's
// return and the takeback ended other than completed, the latest event
// after the return applied by then; nil when it completed (the holder ran
// out of connections on its own) or no event came between.
func idleBy(r *Report, ret *EventReport, t sysplex.Entry) *EventReport {
	f := strings.Fields(t.What)
	if f[0] != "takeback" || len(f) < 2 {
		return nil
	}
	a, err := netip.ParseAddr(f[1])
	if err != nil {
		return nil
	}
	from := r.Start.Add(ret.appliedAt())
	var last *connEnd
	for k, e := range r.Clients.ends {
		if e.dvipa == a && !e.at.Before(from) && !e.at.After(t.At) && (last == nil || e.at.After(last.at)) {
			last = &r.Clients.ends[k]
		}
	}
	if last == nil || !last.reset {
		return nil
	}
	var by *EventReport
	for k := range r.Events {
		e := &r.Events[k]
		if at := r.Start.Add(e.appliedAt()); at.After(from) && !at.After(last.at) {
			by = e
		}
	}
	return by
}

func isReturn(k scenario.EventKind) bool {
	return k == scenario.Recover || k == scenario.JoinGroup || k == scenario.Reactivate
}
