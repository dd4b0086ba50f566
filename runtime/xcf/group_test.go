package xcf_test

import (
	"errors"
	"fmt"
	"net/netip"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/tcpipc/tcpipc/internal/clock"
	"github.com/tcpipc/tcpipc/internal/testkit/leakcheck"
	"github.com/tcpipc/tcpipc/runtime/xcf"
)

const (
	group    = "EZBTCPCS"
	interval = 100 * time.Millisecond
)

// sysplex is nodes fully meshed by XCF links, without netstacks: group
// services need only the links.
type sysplex struct {
	clk   *clock.Manual
	nodes map[string]*xcf.Node
	links map[string]*xcf.Link // "MVS1-MVS2"
}

func newSysplex(t *testing.T, names ...string) *sysplex {
	t.Helper()
	mc := clock.NewManual(time.Unix(0, 0))
	return newSysplexOn(t, mc, mc, names...)
}

// newSysplexOn is newSysplex with the nodes on clk, a view of the manual
// clock mc (which the test advances).
func newSysplexOn(t *testing.T, mc *clock.Manual, clk clock.Clock, names ...string) *sysplex {
	t.Helper()
	sp := &sysplex{clk: mc, nodes: map[string]*xcf.Node{}, links: map[string]*xcf.Link{}}
	for i, name := range names {
		sp.nodes[name] = node(t, name, netip.AddrFrom4([4]byte{10, 0, 0, byte(i + 1)}), clk)
	}
	for i, x := range names {
		for _, y := range names[i+1:] {
			l, err := xcf.Connect(sp.nodes[x], sp.nodes[y], xcf.LinkOptions{})
			if err != nil {
				t.Fatal(err)
			}
			// No netstack owns these endpoints: close them here.
			a, b := l.Ends()
			t.Cleanup(func() { a.Endpoint().Close(); b.Endpoint().Close() })
			sp.links[x+"-"+y] = l
		}
	}
	return sp
}

func (sp *sysplex) join(t *testing.T, name string, failAfter int) *xcf.Member {
	t.Helper()
	m, err := sp.nodes[name].Join(group, xcf.MemberOptions{Interval: interval, FailAfter: failAfter})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(m.Stop)
	return m
}

// next returns the member's next event, failing after a real-time wait:
// events are queued synchronously but handed over by a goroutine.
func next(t *testing.T, m *xcf.Member) xcf.Event {
	t.Helper()
	select {
	case ev, ok := <-m.Events():
		if !ok {
			t.Fatal("events channel closed")
		}
		return ev
	case <-time.After(5 * time.Second):
		t.Fatal("no event within 5s")
	}
	return xcf.Event{}
}

func expect(t *testing.T, m *xcf.Member, kind xcf.EventKind, peer string) xcf.Event {
	t.Helper()
	ev := next(t, m)
	if ev.Kind != kind || ev.Peer != peer {
		t.Fatalf("event %v, want %s %s", ev, peer, kind)
	}
	return ev
}

// noEvent checks that nothing is queued for m right now.
func noEvent(t *testing.T, m *xcf.Member) {
	t.Helper()
	select {
	case ev := <-m.Events():
		t.Fatalf("unexpected event %v", ev)
	case <-time.After(20 * time.Millisecond):
	}
}

func state(t *testing.T, m *xcf.Member, peer string) xcf.PeerState {
	t.Helper()
	s, ok := m.PeerState(peer)
	if !ok {
		t.Fatalf("%s never heard from", peer)
	}
	return s
}

func TestJoinIsSeenByBothSides(t *testing.T) {
	leakcheck.Check(t)
	sp := newSysplex(t, "MVS1", "MVS2")
	m1 := sp.join(t, "MVS1", 3)
	noEvent(t, m1) // alone in the group
	m2 := sp.join(t, "MVS2", 3)
	// The joiner's first heartbeat reaches MVS1, whose greeting comes
	// straight back: both know each other without waiting an interval.
	expect(t, m1, xcf.Joined, "MVS2")
	ev := expect(t, m2, xcf.Joined, "MVS1")
	if ev.Incarnation != m1.Incarnation() {
		t.Fatalf("incarnation %d, want %d", ev.Incarnation, m1.Incarnation())
	}
	sp.clk.Advance(10 * interval)
	noEvent(t, m1)
	noEvent(t, m2)
	if got := m1.Peers(); len(got) != 1 || got[0].Name != "MVS2" || got[0].State != xcf.Active {
		t.Fatalf("Peers = %+v", got)
	}
}

// TestFailureAfterExactlyFailAfterMissedHeartbeats stops a member right
// after one of its heartbeats and checks the verdict comes after exactly
// FailAfter missed intervals (plus the half-interval grace), not one
// heartbeat earlier.
func TestFailureAfterExactlyFailAfterMissedHeartbeats(t *testing.T) {
	for _, failAfter := range []int{1, 3, 5} {
		t.Run(fmt.Sprint(failAfter), func(t *testing.T) {
			leakcheck.Check(t)
			sp := newSysplex(t, "MVS1", "MVS2")
			m1 := sp.join(t, "MVS1", failAfter)
			m2 := sp.join(t, "MVS2", failAfter)
			expect(t, m1, xcf.Joined, "MVS2")

			// MVS2 heartbeats at 100ms, 200ms; it dies at 250ms, so its
			// last heartbeat was at 200ms.
			sp.clk.Advance(250 * time.Millisecond)
			m2.Stop()
			lastHeard := time.Unix(0, 0).Add(200 * time.Millisecond)
			verdict := lastHeard.Add(time.Duration(failAfter)*interval + interval/2)

			sp.clk.Advance(verdict.Sub(sp.clk.Now()) - time.Millisecond)
			if s := state(t, m1, "MVS2"); s != xcf.Active {
				t.Fatalf("after %d missed heartbeats minus 1ms: %s", failAfter, s)
			}
			noEvent(t, m1)
			sp.clk.Advance(time.Millisecond)
			if s := state(t, m1, "MVS2"); s != xcf.PeerFailed {
				t.Fatalf("after %d missed heartbeats: %s, want failed", failAfter, s)
			}
			expect(t, m1, xcf.Failed, "MVS2")
		})
	}
}

func TestRecoveredMemberRejoins(t *testing.T) {
	leakcheck.Check(t)
	sp := newSysplex(t, "MVS1", "MVS2")
	m1 := sp.join(t, "MVS1", 3)
	m2 := sp.join(t, "MVS2", 3)
	expect(t, m1, xcf.Joined, "MVS2")
	m2.Stop()
	sp.clk.Advance(4 * interval)
	expect(t, m1, xcf.Failed, "MVS2")

	m2b := sp.join(t, "MVS2", 3)
	ev := expect(t, m1, xcf.Joined, "MVS2")
	if ev.Incarnation != m2b.Incarnation() || ev.Incarnation == m2.Incarnation() {
		t.Fatalf("rejoin incarnation %d; old %d, new %d", ev.Incarnation, m2.Incarnation(), m2b.Incarnation())
	}
	expect(t, m2b, xcf.Joined, "MVS1")
	sp.clk.Advance(10 * interval)
	if state(t, m1, "MVS2") != xcf.Active {
		t.Fatal("rejoined member not active")
	}
}

// TestFastRestartIsAFailureThenAJoin: a member that comes back before its
// failure was detected still counts as having failed: its state is gone.
func TestFastRestartIsAFailureThenAJoin(t *testing.T) {
	leakcheck.Check(t)
	sp := newSysplex(t, "MVS1", "MVS2")
	m1 := sp.join(t, "MVS1", 3)
	m2 := sp.join(t, "MVS2", 3)
	expect(t, m1, xcf.Joined, "MVS2")
	m2.Stop()
	sp.join(t, "MVS2", 3)
	expect(t, m1, xcf.Failed, "MVS2")
	expect(t, m1, xcf.Joined, "MVS2")
}

func TestLeaveIsNotAFailure(t *testing.T) {
	leakcheck.Check(t)
	sp := newSysplex(t, "MVS1", "MVS2")
	m1 := sp.join(t, "MVS1", 3)
	m2 := sp.join(t, "MVS2", 3)
	expect(t, m1, xcf.Joined, "MVS2")
	m2.Leave()
	expect(t, m1, xcf.Left, "MVS2")
	sp.clk.Advance(10 * interval)
	noEvent(t, m1)
	if state(t, m1, "MVS2") != xcf.PeerLeft {
		t.Fatal("left member not marked left")
	}
	for range m2.Events() {
		// Events queued before Leave may still be buffered; the channel
		// must close after them (a hang here fails on the test timeout).
	}
	if err := m2.Send("MVS1", xcf.Message{}); !errors.Is(err, xcf.ErrNotMember) {
		t.Fatalf("send after leave: %v", err)
	}
}

// TestCutLinkKeepsMembership: the dynamic XCF link is an IP link; group
// membership and messages travel on XCF signalling (CTC or coupling
// facility paths), which a cut of the IP link does not end. With MVS1-MVS2
// cut nobody sees anybody fail, and messages still arrive.
func TestCutLinkKeepsMembership(t *testing.T) {
	leakcheck.Check(t)
	sp := newSysplex(t, "MVS1", "MVS2", "MVS3")
	m1 := sp.join(t, "MVS1", 3)
	m2 := sp.join(t, "MVS2", 3)
	m3 := sp.join(t, "MVS3", 3)
	drain(t, m1, 2)
	drain(t, m2, 2)
	drain(t, m3, 2)

	sp.links["MVS1-MVS2"].Cut()
	sp.clk.Advance(10 * interval)
	noEvent(t, m1)
	noEvent(t, m2)
	noEvent(t, m3)
	if state(t, m1, "MVS2") != xcf.Active || state(t, m2, "MVS1") != xcf.Active {
		t.Fatal("a cut IP link ended the membership")
	}
	if err := m1.Send("MVS2", xcf.Message{Type: 1}); err != nil {
		t.Fatalf("send while the IP link is cut: %v", err)
	}
	if ev := expect(t, m2, xcf.Received, "MVS1"); ev.Msg.Type != 1 {
		t.Fatalf("got %v", ev)
	}
	sp.links["MVS1-MVS2"].Restore()
	sp.clk.Advance(interval)
	noEvent(t, m1)
	noEvent(t, m2)
}

// TestLostSignallingIsolates: when the signalling between MVS1 and MVS2 is
// lost (what z/OS resolves by partitioning one of them out of the
// sysplex), each sees the other fail while MVS3, which still hears both,
// sees nothing; messages between the two fail; when signalling returns
// before anyone was removed, both come back as joins.
func TestLostSignallingIsolates(t *testing.T) {
	leakcheck.Check(t)
	sp := newSysplex(t, "MVS1", "MVS2", "MVS3")
	m1 := sp.join(t, "MVS1", 3)
	m2 := sp.join(t, "MVS2", 3)
	m3 := sp.join(t, "MVS3", 3)
	drain(t, m1, 2)
	drain(t, m2, 2)
	drain(t, m3, 2)

	sp.links["MVS1-MVS2"].LoseSignalling()
	sp.clk.Advance(4 * interval)
	expect(t, m1, xcf.Failed, "MVS2")
	expect(t, m2, xcf.Failed, "MVS1")
	noEvent(t, m3)
	if state(t, m3, "MVS1") != xcf.Active || state(t, m3, "MVS2") != xcf.Active {
		t.Fatal("MVS3 lost a peer it still hears")
	}
	if err := m1.Send("MVS2", xcf.Message{Type: 1}); !errors.Is(err, xcf.ErrNoSignalling) {
		t.Fatalf("send without signalling: %v", err)
	}

	sp.links["MVS1-MVS2"].RestoreSignalling()
	sp.clk.Advance(interval)
	expect(t, m1, xcf.Joined, "MVS2")
	expect(t, m2, xcf.Joined, "MVS1")
}

func drain(t *testing.T, m *xcf.Member, n int) {
	t.Helper()
	for range n {
		next(t, m)
	}
}

func TestMessagesArriveInOrderWithSender(t *testing.T) {
	leakcheck.Check(t)
	sp := newSysplex(t, "MVS1", "MVS2", "MVS3")
	m1 := sp.join(t, "MVS1", 3)
	m2 := sp.join(t, "MVS2", 3)
	m3 := sp.join(t, "MVS3", 3)
	drain(t, m1, 2)
	drain(t, m2, 2)
	drain(t, m3, 2)

	payload := []byte("DVA1 port 60 targets MVS2 MVS4")
	if err := m1.Broadcast(xcf.Message{Type: 1, Payload: payload}); err != nil {
		t.Fatal(err)
	}
	copy(payload, "####") // the sender may reuse its buffer
	if err := m2.Send("MVS1", xcf.Message{Type: 2, Payload: []byte("SRVSTAT")}); err != nil {
		t.Fatal(err)
	}
	if err := m2.Send("MVS1", xcf.Message{Type: 3, Payload: []byte("NEWCONN")}); err != nil {
		t.Fatal(err)
	}
	for _, m := range []*xcf.Member{m2, m3} {
		ev := expect(t, m, xcf.Received, "MVS1")
		if ev.Msg.Type != 1 || !strings.HasPrefix(string(ev.Msg.Payload), "DVA1") {
			t.Fatalf("broadcast arrived as %v %q", ev, ev.Msg.Payload)
		}
	}
	var got []string
	for range 2 {
		ev := expect(t, m1, xcf.Received, "MVS2")
		got = append(got, fmt.Sprintf("%d:%s", ev.Msg.Type, ev.Msg.Payload))
	}
	if want := []string{"2:SRVSTAT", "3:NEWCONN"}; !slices.Equal(got, want) {
		t.Fatalf("messages %v, want %v", got, want)
	}
	if err := m1.Send("MVS9", xcf.Message{}); !errors.Is(err, xcf.ErrNoLink) {
		t.Fatalf("send to an unlinked node: %v", err)
	}
}

// TestRealClock runs heartbeats on the wall clock for a few intervals:
// no failure is declared between live members, and a stopped one fails.
func TestRealClock(t *testing.T) {
	leakcheck.Check(t)
	var clk clock.Real
	a, b := node(t, "MVS1", xcfA, clk), node(t, "MVS2", xcfB, clk)
	l, err := xcf.Connect(a, b, xcf.LinkOptions{})
	if err != nil {
		t.Fatal(err)
	}
	pa, pb := l.Ends()
	defer pa.Endpoint().Close()
	defer pb.Endpoint().Close()
	// Generous against scheduling delays on a loaded machine: a false
	// verdict needs a 550ms stall.
	opts := xcf.MemberOptions{Interval: 100 * time.Millisecond, FailAfter: 5}
	m1, err := a.Join(group, opts)
	if err != nil {
		t.Fatal(err)
	}
	defer m1.Stop()
	m2, err := b.Join(group, opts)
	if err != nil {
		t.Fatal(err)
	}
	expect(t, m1, xcf.Joined, "MVS2")
	time.Sleep(300 * time.Millisecond)
	if state(t, m1, "MVS2") != xcf.Active {
		t.Fatal("live peer declared failed on the real clock")
	}
	m2.Stop()
	expect(t, m1, xcf.Failed, "MVS2")
}
