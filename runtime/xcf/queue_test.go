package xcf

import (
	"net/netip"
	"testing"
	"time"

	"github.com/tcpipc/tcpipc/internal/clock"
)

// TestEventQueueIsBounded: a peer that flaps (fails and restarts over and
// over, as stacks did with a 100 µs heartbeat) and floods messages while
// nobody reads Events must not grow the member's queue without bound
// (issue 11: a 1 ns heartbeat reached 6.4 GB in 60 s). Membership events
// of a peer are thinned out so the reader still learns, in order, that
// the peer failed and which incarnation is up now; messages beyond the
// bound are dropped and counted.
func TestEventQueueIsBounded(t *testing.T) {
	clk := clock.NewManual(time.Unix(0, 0))
	n, err := NewNode("MVS1", netip.MustParseAddr("10.0.0.1"), clk)
	if err != nil {
		t.Fatal(err)
	}
	m, err := n.Join("EZBTCPCS", MemberOptions{Interval: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	defer m.Stop()
	const lives, msgs = 5000, 3 * maxQueuedMessages
	for inc := uint64(1); inc <= lives; inc++ {
		// A new incarnation: the old one failed (unnoticed), this one joins.
		m.receive(signal{kind: sigHeartbeat, group: "EZBTCPCS", from: "MVS2", incarnation: 1000 + inc})
	}
	for i := 0; i < msgs; i++ {
		m.receive(signal{kind: sigMessage, group: "EZBTCPCS", from: "MVS2", incarnation: 1000 + lives, msg: Message{Type: 7}})
	}
	queued := m.events.Len()
	if limit := maxQueuedMessages + 3; queued > limit {
		t.Fatalf("%d events queued, want at most %d", queued, limit)
	}
	// What the reader sees: the pump may have moved a few events to the
	// channel already, so read them all.
	var joined, failed, received int
	var last Event
	for drained := false; !drained; {
		select {
		case ev := <-m.Events():
			switch ev.Kind {
			case Joined:
				joined++
				last = ev
			case Failed:
				failed++
			case Received:
				received++
			}
		case <-time.After(200 * time.Millisecond):
			drained = true
		}
	}
	if last.Incarnation != 1000+lives || failed == 0 {
		t.Fatalf("reader saw %d failures and last joined incarnation %d, want a failure and %d", failed, last.Incarnation, 1000+lives)
	}
	if got := m.DroppedMessages(); got == 0 || received+int(got) != msgs {
		t.Fatalf("%d messages received and %d counted as dropped, want %d in all", received, got, msgs)
	}
}

// TestJoinRefusesTinyInterval: a heartbeat below MinInterval is refused,
// whoever asks for it.
func TestJoinRefusesTinyInterval(t *testing.T) {
	n, err := NewNode("MVS1", netip.MustParseAddr("10.0.0.1"), clock.NewManual(time.Unix(0, 0)))
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range []time.Duration{time.Nanosecond, 100 * time.Microsecond, MinInterval - 1} {
		if m, err := n.Join("EZBTCPCS", MemberOptions{Interval: d}); err == nil {
			m.Stop()
			t.Errorf("Join with a %s heartbeat succeeded", d)
		}
	}
	m, err := n.Join("EZBTCPCS", MemberOptions{Interval: MinInterval})
	if err != nil {
		t.Fatalf("Join with a %s heartbeat: %v", MinInterval, err)
	}
	m.Stop()
}
