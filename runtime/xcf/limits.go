package xcf

import (
	"github.com/tcpipc/tcpipc/internal/pump"
	"github.com/tcpipc/tcpipc/plan"
)

// MinInterval is the shortest heartbeat interval a member accepts
// (plan.MinHeartbeat, with the reasons for it).
const MinInterval = plan.MinHeartbeat

// maxQueuedMessages bounds the messages queued for a member's reader;
// beyond it new messages are dropped and counted (DroppedMessages), as a
// saturated signalling path loses them. Membership events are never
// dropped: a peer's pending ones are thinned out instead (thinMembership).
const maxQueuedMessages = 4096

// newEventPump returns the queue between a member and the reader of its
// Events: with maxQueuedMessages messages waiting, a new message is
// dropped and counted; a membership event is never dropped, but the
// peer's pending ones are thinned out first (thinMembership), so the queue
// stays bounded however fast a peer flaps.
func newEventPump() *pump.Pump[Event] {
	return pump.New(pump.Options[Event]{
		Buffer:    16,
		Max:       maxQueuedMessages,
		Droppable: func(ev Event) bool { return ev.Kind == Received },
		Coalesce:  thinMembership,
	})
}

// DroppedMessages counts the messages dropped because the reader of Events
// fell maxQueuedMessages behind.
func (m *Member) DroppedMessages() uint64 { return m.events.Dropped() }

// thinMembership makes room for membership event ev in queue: of the
// membership events of ev's peer the reader has not taken yet, it keeps
// the first (the change the reader has not seen) and, when ev is a
// Joined, the failure or leave just before it, so the reader still learns
// that the peer went away before this incarnation joined. A peer flapping
// faster than the reader reads thus has at most three events queued, and
// the last one is always its latest state.
func thinMembership(queue []Event, ev Event) []Event {
	var mine []int
	for i, q := range queue {
		if q.Kind != Received && q.Peer == ev.Peer {
			mine = append(mine, i)
		}
	}
	if len(mine) < 3 {
		return queue
	}
	keep := map[int]bool{mine[0]: true}
	if ev.Kind == Joined {
		keep[mine[len(mine)-1]] = true
	}
	drop := map[int]bool{}
	for _, i := range mine {
		if !keep[i] {
			drop[i] = true
		}
	}
	out := queue[:0]
	for i, q := range queue {
		if !drop[i] {
			out = append(out, q)
		}
	}
	return out
}
