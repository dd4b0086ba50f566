package xcf

import (
	"errors"
	"fmt"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/tcpipc/tcpipc/internal/clock"
	"github.com/tcpipc/tcpipc/internal/pump"
)

// MessageType tags a Message; the runtime defines the values (VIPA list,
// SRVSTAT, NEWCONN, ownership change, ...).
type MessageType uint16

// Message is what members send each other: a type tag and payload bytes
// whose encoding belongs to the type.
type Message struct {
	Type    MessageType
	Payload []byte
}

// EventKind says what happened to a peer.
type EventKind uint8

const (
	// Joined: a peer was heard from for the first time, or again after it
	// left or failed, or with a new incarnation (it restarted).
	Joined EventKind = iota
	// Left: a peer left the group in an orderly way.
	Left
	// Failed: a peer missed FailAfter heartbeats in a row while this
	// member ran on time, or came back with a new incarnation before its
	// failure was noticed.
	Failed
	// Received: a peer sent a message.
	Received
)

func (k EventKind) String() string {
	switch k {
	case Joined:
		return "joined"
	case Left:
		return "left"
	case Failed:
		return "failed"
	case Received:
		return "received"
	}
	return fmt.Sprintf("EventKind(%d)", uint8(k))
}

// Event is one membership change or message, as seen by one member.
type Event struct {
	Kind EventKind
	// Peer is the name of the node whose member the event is about.
	Peer        string
	Incarnation uint64
	// Msg is set for Received.
	Msg Message
}

func (e Event) String() string {
	if e.Kind == Received {
		return fmt.Sprintf("%s from %s: type %d, %d bytes", e.Kind, e.Peer, e.Msg.Type, len(e.Msg.Payload))
	}
	return fmt.Sprintf("%s %s#%d", e.Peer, e.Kind, e.Incarnation)
}

// PeerState is a member's view of one peer.
type PeerState uint8

const (
	Active PeerState = iota
	PeerLeft
	PeerFailed
)

func (s PeerState) String() string {
	switch s {
	case Active:
		return "active"
	case PeerLeft:
		return "left"
	case PeerFailed:
		return "failed"
	}
	return fmt.Sprintf("PeerState(%d)", uint8(s))
}

// Peer describes one peer as a member sees it.
type Peer struct {
	Name        string
	State       PeerState
	Incarnation uint64
	LastHeard   time.Time
}

// MemberOptions configure heartbeats and failure detection.
type MemberOptions struct {
	// Interval between heartbeats; DefaultInterval if zero.
	Interval time.Duration
	// FailAfter is how many heartbeats in a row a peer may miss before it
	// is declared failed; DefaultFailAfter if zero. The verdict comes half
	// an interval after the last missed heartbeat was due, so a heartbeat
	// that is due at the same instant is never mistaken for a missed one.
	// Both count the member's healthy time: time in which the member
	// itself did not run (its own heartbeat was late) is not counted
	// against anyone (detector.go).
	FailAfter int
}

// ErrNotMember is returned by a member that has left or stopped.
var ErrNotMember = errors.New("xcf: not a member of the group")

// incarnations numbers every Join in the process, so a member that
// restarts is told apart from its previous life.
var incarnations atomic.Uint64

// signalKind is what travels between members.
type signalKind uint8

const (
	sigHeartbeat signalKind = iota
	sigLeave
	sigMessage
)

type signal struct {
	kind        signalKind
	group       string
	from        string
	incarnation uint64
	msg         Message
	// sender is the member that sent it: a signal still in the process's
	// hands when its sender stopped is lost (receive).
	sender *Member
}

// Member is a node's membership in one group.
type Member struct {
	node  *Node
	group string
	inc   uint64
	opts  MemberOptions

	mu      sync.Mutex
	stopped bool
	tick    clock.Timer
	peers   map[string]*peer
	// prog is the member's healthy time, in which failure detection
	// measures a peer's silence (detector.go); sweep finds the peers
	// silent for too long (sweep.go).
	prog  progress
	sweep sweeper
	// beatDue is when the member's next heartbeat is due (Unix ns): once
	// that time has passed, a heartbeat is in flight until the tick has
	// sent it to every peer; the join's is due at the join. Peers read it
	// (inFlight), and a stopped member (gone) has none.
	beatDue atomic.Int64
	// gone is stopped, for the receivers of this member's signals.
	gone atomic.Bool

	// Events are queued and handed to the channel by one goroutine, so
	// delivering a signal never blocks the sender. The queue is bounded
	// (newEventPump).
	events *pump.Pump[Event]
	done   chan struct{} // closed by Stop
	pumpWG sync.WaitGroup
}

type peer struct {
	state     PeerState
	inc       uint64
	lastHeard time.Time
	// heard is the member's healthy time when it last heard from the peer.
	heard time.Duration
}

// Join makes the node a member of group and announces it to every linked
// node at once; then it heartbeats every Interval.
func (n *Node) Join(group string, opts MemberOptions) (*Member, error) {
	t := Timing{Interval: opts.Interval, Missed: opts.FailAfter}.Or(DefaultTiming)
	if err := t.Check(); err != nil {
		return nil, err
	}
	opts = MemberOptionsOf(t)
	m := &Member{
		node:   n,
		group:  group,
		inc:    incarnations.Add(1),
		opts:   opts,
		peers:  map[string]*peer{},
		events: newEventPump(),
		done:   make(chan struct{}),
	}
	n.mu.Lock()
	if _, dup := n.members[group]; dup {
		n.mu.Unlock()
		return nil, fmt.Errorf("xcf: %s is already a member of %s", n.name, group)
	}
	n.members[group] = m
	n.mu.Unlock()

	m.pumpWG.Add(1)
	go func() {
		defer m.pumpWG.Done()
		m.events.Run(m.done, nil)
	}()
	m.mu.Lock()
	now := n.clk.Now()
	m.prog = progress{interval: opts.Interval, baseAt: now}
	m.tick = n.clk.AfterFunc(opts.Interval, m.onTick)
	// The join's heartbeat is due now: in flight until it has reached
	// every peer (inFlight), so a peer it reached first does not judge
	// this member by the ones it has not reached yet.
	m.beatDue.Store(now.UnixNano())
	m.mu.Unlock()
	m.heartbeat()
	m.sent(now.Add(opts.Interval))
	return m, nil
}

// Group returns the group's name.
func (m *Member) Group() string { return m.group }

// Incarnation identifies this membership among the node's memberships in
// the group over time.
func (m *Member) Incarnation() uint64 { return m.inc }

// Events delivers membership changes and messages in the order they
// happened. It is closed after Leave or Stop.
func (m *Member) Events() <-chan Event { return m.events.Out() }

// Backlog is how many events are queued for the reader of Events and
// not yet received by it (it may count one just received, never miss
// one): a reader that has not caught up has a backlog above zero.
func (m *Member) Backlog() int { return m.events.Backlog() }

// Peers returns the member's view of every peer it has heard from, sorted
// by name.
func (m *Member) Peers() []Peer {
	m.mu.Lock()
	defer m.mu.Unlock()
	out := make([]Peer, 0, len(m.peers))
	for name, p := range m.peers {
		out = append(out, Peer{Name: name, State: p.state, Incarnation: p.inc, LastHeard: p.lastHeard})
	}
	slices.SortFunc(out, func(a, b Peer) int {
		if a.Name < b.Name {
			return -1
		}
		if a.Name > b.Name {
			return 1
		}
		return 0
	})
	return out
}

// PeerState returns the member's view of one peer; ok is false if it has
// never heard from it.
func (m *Member) PeerState(name string) (state PeerState, ok bool) {
	m.mu.Lock()
	defer m.mu.Unlock()
	p, ok := m.peers[name]
	if !ok {
		return 0, false
	}
	return p.state, true
}

// Send delivers msg to the group's member on node to. The payload is
// copied. It fails if there is no link to that node or no signalling with
// it (a cut IP link does not matter); a node with no member in the group
// drops the message.
func (m *Member) Send(to string, msg Message) error {
	if m.isStopped() {
		return ErrNotMember
	}
	msg.Payload = slices.Clone(msg.Payload)
	return m.send(to, signal{kind: sigMessage, msg: msg})
}

// Broadcast sends msg to every node this node is linked to, and returns
// the errors of the sends that failed.
func (m *Member) Broadcast(msg Message) error {
	if m.isStopped() {
		return ErrNotMember
	}
	msg.Payload = slices.Clone(msg.Payload)
	var errs []error
	for _, to := range m.node.Peers() {
		errs = append(errs, m.send(to, signal{kind: sigMessage, msg: msg}))
	}
	return errors.Join(errs...)
}

// Leave tells the peers this member is leaving, then stops it.
func (m *Member) Leave() {
	if m.isStopped() {
		return
	}
	for _, to := range m.node.Peers() {
		_ = m.send(to, signal{kind: sigLeave})
	}
	m.Stop()
}

// Stop ends the membership without a word to the peers, as when the
// system fails: they notice by the missing heartbeats. It waits for the
// event goroutine to exit and closes Events.
func (m *Member) Stop() {
	m.mu.Lock()
	if m.stopped {
		m.mu.Unlock()
		return
	}
	m.stopped = true
	m.gone.Store(true)
	m.tick.Stop()
	m.sweep.stop()
	m.mu.Unlock()

	m.node.mu.Lock()
	if m.node.members[m.group] == m {
		delete(m.node.members, m.group)
	}
	m.node.mu.Unlock()

	close(m.done)
	m.pumpWG.Wait()
}

func (m *Member) isStopped() bool {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.stopped
}

// send puts one signal on the signalling path to node to, which is not
// the IP link: group services travel on XCF signalling (CTCs or coupling
// facility list structures) and survive a cut of the dynamic XCF link.
// The caller must not hold m.mu: delivery runs the receiver's handling in
// this goroutine.
func (m *Member) send(to string, s signal) error {
	p, ok := m.node.Port(to)
	if !ok {
		return fmt.Errorf("%w %s", ErrNoLink, to)
	}
	if !p.link.Signalling() {
		return fmt.Errorf("%w: %s to %s", ErrNoSignalling, m.node.name, to)
	}
	s.group, s.from, s.incarnation, s.sender = m.group, m.node.name, m.inc, m
	p.peer.local.deliver(s)
	return nil
}

// deliver hands a signal to the node's member of the signal's group.
func (n *Node) deliver(s signal) {
	n.mu.Lock()
	m := n.members[s.group]
	n.mu.Unlock()
	if m != nil {
		m.receive(s)
	}
}

func (m *Member) heartbeat() {
	for _, to := range m.node.Peers() {
		// A cut link or a node that has not joined is not an error for a
		// heartbeat: its absence is the information.
		_ = m.send(to, signal{kind: sigHeartbeat})
	}
}

func (m *Member) onTick() {
	m.mu.Lock()
	if m.stopped {
		m.mu.Unlock()
		return
	}
	now := m.node.clk.Now()
	m.onTickSweep(now)
	m.tick = m.node.clk.AfterFunc(m.opts.Interval, m.onTick)
	m.mu.Unlock()
	m.heartbeat()
	m.sent(now.Add(m.opts.Interval))
}

// receive updates the member's view for a signal from a peer and queues
// the resulting events. Events are queued before m.mu is released, so the
// Events order is the order in which the view changed even when signals
// arrive from several goroutines.
func (m *Member) receive(s signal) {
	m.mu.Lock()
	if m.stopped || (s.sender != nil && s.sender.gone.Load()) {
		// A failed system sends nothing: what its goroutines were still
		// sending when it stopped is lost with it.
		m.mu.Unlock()
		return
	}
	p := m.peers[s.from]
	if s.kind == sigLeave {
		if p != nil && p.state == Active && p.inc == s.incarnation {
			p.state = PeerLeft
			m.enqueue(Event{Kind: Left, Peer: s.from, Incarnation: p.inc})
		}
		m.mu.Unlock()
		return
	}
	if p != nil && s.incarnation < p.inc {
		// A signal from a previous life of the peer, overtaken by its
		// restart: ignore it.
		m.mu.Unlock()
		return
	}
	greet := false
	if p == nil || p.state != Active || s.incarnation > p.inc {
		switch {
		case p == nil:
			p = &peer{}
			m.peers[s.from] = p
		case p.state == Active:
			// Restarted before we noticed it had gone: its old self
			// failed, whatever state it had is lost.
			m.enqueue(Event{Kind: Failed, Peer: s.from, Incarnation: p.inc})
		}
		p.state, p.inc = Active, s.incarnation
		m.enqueue(Event{Kind: Joined, Peer: s.from, Incarnation: p.inc})
		// Answer a newcomer at once, so it need not wait an interval to
		// learn about us.
		greet = true
	}
	// Any signal from an active peer is proof of life.
	m.heard(p, m.node.clk.Now())
	if s.kind == sigMessage {
		m.enqueue(Event{Kind: Received, Peer: s.from, Incarnation: p.inc, Msg: s.msg})
	}
	m.mu.Unlock()
	if greet {
		_ = m.send(s.from, signal{kind: sigHeartbeat})
	}
}

// enqueue queues an event for the reader of Events without blocking; it
// may be called with m.mu held. The queue's bound is newEventPump's.
func (m *Member) enqueue(ev Event) { m.events.Put(ev) }
