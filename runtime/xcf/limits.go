package xcf

import (
	"time"

	"github.com/tcpipc/tcpipc/internal/pump"
)

// MinInterval is the shortest heartbeat interval a member accepts.
//
// z/OS counts XCF failure detection in seconds; tcpipc runs heartbeats
// faster only to compress scenarios. Issue 11: at 1 ns the heartbeats and
// the events of the flapping they caused filled memory (6.4 GB in 60 s),
// and at 100 µs stacks flapped. 10 ms is ten times Go's timer granularity
// and longer than a usual garbage-collection pause, keeps heartbeat
// traffic at 100 signals a second per peer, and still detects a failure
// in 35 ms with three missed heartbeats, far below anything a scenario
// needs to show. It does not make a stalled process safe: when the whole
// process stalls (a machine with far more runnable work than cores), even
// 100 ms heartbeats arrive late everywhere at once; that is for failure
// detection to recognise as its own stall, not for this bound.
const MinInterval = 10 * time.Millisecond

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
