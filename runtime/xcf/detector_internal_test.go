package xcf

import (
	"net/netip"
	"testing"
	"time"

	"github.com/tcpipc/tcpipc/internal/clock"
	"github.com/tcpipc/tcpipc/internal/testkit/leakcheck"
)

// TestSignalsOfAStoppedMemberAreLost: a member's tick was sending its
// heartbeat when the member stopped (the system failed), and the rest of
// the loop reaches a peer only after the peer declared it failed, as
// happens when the process is starved. A failed system sends nothing: the
// late heartbeat is lost with it, and does not bring its old incarnation
// back to life (which made the peers see it fail a second time when it
// really restarted).
func TestSignalsOfAStoppedMemberAreLost(t *testing.T) {
	leakcheck.Check(t)
	clk := clock.NewManual(time.Unix(0, 0))
	n1, _ := NewNode("MVS1", netip.MustParseAddr("10.0.0.1"), clk)
	n2, _ := NewNode("MVS2", netip.MustParseAddr("10.0.0.2"), clk)
	l, err := Connect(n1, n2, LinkOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer l.a.Endpoint().Close()
	defer l.b.Endpoint().Close()
	opts := MemberOptions{Interval: 100 * time.Millisecond, FailAfter: 3}
	m1, _ := n1.Join("G", opts)
	defer m1.Stop()
	m2, _ := n2.Join("G", opts)
	clk.Advance(250 * time.Millisecond)
	m2.Stop()
	clk.Advance(time.Second)
	if s, _ := m1.PeerState("MVS2"); s != PeerFailed {
		t.Fatalf("MVS2 is %s, want failed", s)
	}
	m2.heartbeat() // the rest of the loop that was running when it stopped
	if s, _ := m1.PeerState("MVS2"); s != PeerFailed {
		t.Fatalf("a heartbeat of the stopped MVS2 made MVS1 see it %s", s)
	}
}
