package xcf

import (
	"context"
	"errors"
	"fmt"
	"net/netip"
	"slices"
	"sync"
	"sync/atomic"

	"github.com/tcpipc/tcpipc/internal/clock"
	"github.com/tcpipc/tcpipc/runtime/link"
	"github.com/tcpipc/tcpipc/runtime/netstack"
)

// ErrLinkDown is returned for a datagram to a node whose link is cut when
// no other path leads there.
var ErrLinkDown = errors.New("xcf: link is down")

// ErrNoSignalling is returned for a signal to a node the sender has lost
// XCF signalling with.
var ErrNoSignalling = errors.New("xcf: no signalling path")

// ErrNoLink is returned when a signal is sent to a node this node has no
// link to.
var ErrNoLink = errors.New("xcf: no link to node")

// Node is one system's end of the XCF fabric: its name (the MVS system
// name) and its dynamic XCF address. A Node has a Port per link and a
// Member per group it has joined. It starts no goroutines itself: each
// Member owns one (stopped by Leave or Stop), and each Port's endpoint
// belongs to the netstack it is attached to. Its methods are safe for
// concurrent use.
type Node struct {
	name string
	addr netip.Addr
	clk  clock.Clock

	mu      sync.Mutex
	ports   map[string]*Port   // by peer node name
	members map[string]*Member // by group name
}

// NewNode returns a node with no links. addr is its dynamic XCF address and
// must be IPv4; clk drives its group heartbeats.
func NewNode(name string, addr netip.Addr, clk clock.Clock) (*Node, error) {
	if !addr.Is4() {
		return nil, fmt.Errorf("xcf: node %s: %w", name, ErrAddressFamily)
	}
	return &Node{name: name, addr: addr, clk: clk, ports: map[string]*Port{}, members: map[string]*Member{}}, nil
}

// Name returns the node's system name.
func (n *Node) Name() string { return n.name }

// Addr returns the node's dynamic XCF address.
func (n *Node) Addr() netip.Addr { return n.addr }

// Port returns this node's end of the link to peer, if there is one.
func (n *Node) Port(peer string) (*Port, bool) {
	n.mu.Lock()
	defer n.mu.Unlock()
	p, ok := n.ports[peer]
	return p, ok
}

// Peers returns the names of the nodes this node has links to, sorted.
func (n *Node) Peers() []string {
	n.mu.Lock()
	defer n.mu.Unlock()
	out := make([]string, 0, len(n.ports))
	for name := range n.ports {
		out = append(out, name)
	}
	slices.Sort(out)
	return out
}

// LinkOptions configure a link's IP endpoints.
type LinkOptions struct {
	// MTU of the inner datagrams, link.DefaultMTU by default. The frame
	// on the wire is Overhead bytes longer.
	MTU uint32
	// QueueLen of each direction, link.DefaultQueueLen by default.
	QueueLen int
}

// Link joins two nodes twice over, as z/OS does: the dynamic XCF link,
// an IP link that carries datagrams (its remote address is a route in the
// stack's routing table: z/OS Communications Server IP Configuration
// Guide, "Getting started with dynamic XCF"), and the XCF signalling paths
// between the two systems (CTCs or coupling facility list structures),
// which carry group membership, heartbeats and messages. Each can fail on
// its own.
type Link struct {
	a, b *Port
	// down: the IP link is cut; noSignal: signalling is lost.
	down, noSignal atomic.Bool
}

// Connect links a and b. Each node gets a Port whose Endpoint is to be
// attached to its netstack (see Port.AttachTo).
func Connect(a, b *Node, opts LinkOptions) (*Link, error) {
	if a == b || a.name == b.name || a.addr == b.addr {
		return nil, fmt.Errorf("xcf: cannot link %s (%s) to %s (%s)", a.name, a.addr, b.name, b.addr)
	}
	if opts.QueueLen <= 0 {
		opts.QueueLen = link.DefaultQueueLen
	}
	l := &Link{}
	l.a = newPort(l, a, opts)
	l.b = newPort(l, b, opts)
	l.a.peer, l.b.peer = l.b, l.a
	// Register both ends or neither.
	first, second := a, b
	if b.name < a.name { // fixed lock order
		first, second = b, a
	}
	first.mu.Lock()
	defer first.mu.Unlock()
	second.mu.Lock()
	defer second.mu.Unlock()
	if _, dup := a.ports[b.name]; dup {
		l.a.ep.Load().Close()
		l.b.ep.Load().Close()
		return nil, fmt.Errorf("xcf: %s and %s are already linked", a.name, b.name)
	}
	a.ports[b.name] = l.a
	b.ports[a.name] = l.b
	return l, nil
}

// Ends returns the two ports, in the order the nodes were given to Connect.
func (l *Link) Ends() (*Port, *Port) { return l.a, l.b }

// Cut takes the IP link down until Restore. Datagrams between the two
// nodes take another path if there is one (see Port.Forward); signalling
// is not affected, so the group membership does not change.
func (l *Link) Cut() { l.down.Store(true) }

// Restore brings a cut IP link back.
func (l *Link) Restore() { l.down.Store(false) }

// Up reports whether the IP link is up.
func (l *Link) Up() bool { return !l.down.Load() }

// LoseSignalling ends the XCF signalling between the two nodes until
// RestoreSignalling: heartbeats and messages between them are lost, and
// each sees the other fail. On z/OS this state does not last: sysplex
// failure management removes one of the systems (the runtime's partition).
func (l *Link) LoseSignalling() { l.noSignal.Store(true) }

// RestoreSignalling brings the signalling between the two nodes back.
func (l *Link) RestoreSignalling() { l.noSignal.Store(false) }

// Signalling reports whether the two nodes can signal each other.
func (l *Link) Signalling() bool { return !l.noSignal.Load() }

// Port is one node's end of a Link.
type Port struct {
	link  *Link
	local *Node
	peer  *Port
	opts  LinkOptions
	// ep is the endpoint attached to the local netstack; Renew replaces
	// it when the node's stack restarts.
	ep atomic.Pointer[link.Endpoint]

	// scratch is reused by the pump goroutine, the only caller of
	// transmit, to build frames without allocating.
	scratch []byte
	tap     atomic.Pointer[link.Tap]
	// intercept sees each inner datagram that passed the checks before
	// the local stack does, and keeps it by returning true.
	intercept atomic.Pointer[func(inner []byte) bool]
	ipid      atomic.Uint32
	stats     portCounters
}

func newPort(l *Link, local *Node, opts LinkOptions) *Port {
	p := &Port{link: l, local: local, opts: opts}
	p.ep.Store(p.newEndpoint())
	return p
}

func (p *Port) newEndpoint() *link.Endpoint {
	ep := link.New(link.Options{
		Name:              "xcf:" + p.local.name,
		MTU:               p.opts.MTU,
		QueueLen:          p.opts.QueueLen,
		Handler:           p.transmit,
		RXChecksumOffload: true, // the frame comes from another stack in this process
	})
	return ep
}

// Endpoint is the NIC to attach to the local node's netstack. The netstack
// owns it once attached and closes it when the NIC is removed; an endpoint
// that is never attached must be closed by the caller (it has a pump).
func (p *Port) Endpoint() *link.Endpoint { return p.ep.Load() }

// Renew gives the port a fresh endpoint, for a node whose stack failed and
// restarts: the old endpoint died with the old stack. Attach the new one
// (AttachTo) to the new stack.
func (p *Port) Renew() *link.Endpoint {
	ep := p.newEndpoint()
	p.ep.Store(ep)
	return ep
}

// Forward encapsulates one inner datagram and sends it to the peer, as the
// sysplex distributor does with a connection's packets (seed 003 figure
// 12): the same GRE framing and spoof check as the stack's own traffic.
// Safe for concurrent use.
func (p *Port) Forward(pkt []byte) error {
	id := uint16(p.ipid.Add(1))
	frame, err := AppendFrame(make([]byte, 0, len(pkt)+Overhead), p.local.addr, p.peer.local.addr, id, pkt)
	if err != nil {
		p.stats.malformed.Add(1)
		return err
	}
	return p.carry(frame, pkt)
}

// carry puts a frame built from inner on the link to the peer, or, while
// the link is cut, sends inner another way.
func (p *Port) carry(frame, inner []byte) error {
	if !p.link.Up() {
		return p.reroute(inner)
	}
	p.stats.framesOut.Add(1)
	if t := p.tap.Load(); t != nil {
		(*t)(link.Out, frame)
	}
	return p.peer.Receive(frame)
}

// reroute carries inner to the peer's node through a third node whose
// links to both ends are up. The dynamic XCF link is one IP route among
// others: when it fails, IP routing takes the next one, over another
// stack's XCF links (z/OS Communications Server IP Configuration
// Reference, VIPAROUTE: the distributor's packets to a target follow the
// normal IP routing tables). The third node re-encapsulates the datagram
// from its own XCF address, so each hop passes the receive check. Only a
// node whose stack runs (it has a group member) routes for others.
func (p *Port) reroute(inner []byte) error {
	dst := p.peer.local
	for _, via := range p.local.Peers() {
		q, _ := p.local.Port(via)
		if q == nil || q == p || !q.link.Up() || !q.peer.local.running() {
			continue
		}
		r, ok := q.peer.local.Port(dst.name)
		if !ok || !r.link.Up() {
			continue
		}
		p.stats.rerouted.Add(1)
		return r.Forward(inner)
	}
	p.stats.cut.Add(1)
	return fmt.Errorf("%w: %s to %s, and no other path", ErrLinkDown, p.local.name, dst.name)
}

// running reports whether the node's stack is up: it is a member of a
// group.
func (n *Node) running() bool {
	n.mu.Lock()
	defer n.mu.Unlock()
	return len(n.members) > 0
}

// SetTap captures every GRE frame this port sends (for --pcap: GRE shows
// as GRE in tshark).
func (p *Port) SetTap(t link.Tap) {
	if t == nil {
		p.tap.Store(nil)
		return
	}
	p.tap.Store(&t)
}

// Local returns the node this port belongs to.
func (p *Port) Local() *Node { return p.local }

// Peer returns the node at the other end of the link.
func (p *Port) Peer() *Node { return p.peer.local }

// AttachTo attaches the port's endpoint to st as NIC nic, gives the NIC
// the node's XCF address as a /32, and routes the peer's XCF address over
// it.
func (p *Port) AttachTo(st *netstack.Stack, nic string) error {
	if _, err := st.AttachNIC(nic, p.ep.Load()); err != nil {
		return err
	}
	if err := st.AddAddress(nic, netip.PrefixFrom(p.local.addr, 32)); err != nil {
		return err
	}
	return st.AddRoute(netstack.Route{Dst: netip.PrefixFrom(p.peer.local.addr, 32), NIC: nic})
}

// transmit is the endpoint's handler: encapsulate one datagram the local
// stack sent and put it on the wire to the peer.
func (p *Port) transmit(_ context.Context, pkt []byte) error {
	id := uint16(p.ipid.Add(1))
	frame, err := AppendFrame(p.scratch[:0], p.local.addr, p.peer.local.addr, id, pkt)
	if err != nil {
		p.stats.malformed.Add(1)
		return err
	}
	p.scratch = frame
	// The peer copies what it keeps, so the scratch buffer can be reused.
	return p.carry(frame, pkt)
}

// Receive handles one frame arriving on this port's wire: the far end's
// frames arrive here, and a test can hand it forged ones. It checks the
// frame, applies the spoof check and delivers the inner datagram to the
// local stack. A rejected frame is counted and reported as an error.
func (p *Port) Receive(frame []byte) (err error) {
	// One recover per datagram: a frame that trips a bug in the decoder
	// is dropped and counted, and the link goes on.
	defer func() {
		if r := recover(); r != nil {
			p.stats.malformed.Add(1)
			err = fmt.Errorf("xcf: frame rejected by panic: %v", r)
		}
	}()
	if p.link.down.Load() {
		p.stats.cut.Add(1)
		return ErrLinkDown
	}
	f, err := ParseFrame(frame)
	if err != nil {
		p.stats.malformed.Add(1)
		return err
	}
	if f.Dst() != p.local.addr {
		p.stats.misaddressed.Add(1)
		return fmt.Errorf("xcf: frame for %s arrived at %s", f.Dst(), p.local.addr)
	}
	// Seed 003 figure 11, block 222: the link a frame arrives on must be
	// the link to the XCF source it names; otherwise it is a spoof.
	if f.Src() != p.peer.local.addr {
		p.stats.spoofed.Add(1)
		return fmt.Errorf("xcf: spoofed frame: source %s on the link from %s (%s)", f.Src(), p.peer.local.name, p.peer.local.addr)
	}
	p.stats.framesIn.Add(1)
	if fn := p.intercept.Load(); fn != nil && (*fn)(f.Inner()) {
		return nil
	}
	return p.ep.Load().Inject(f.Inner())
}

// SetIntercept gives the local node the inner datagrams that pass the
// checks before its stack sees them; fn keeps one by returning true (it
// must copy what it keeps). A routing stack uses it to encrypt the
// replies its targets send back for an IPsec-protected DVIPA.
func (p *Port) SetIntercept(fn func(inner []byte) bool) {
	if fn == nil {
		p.intercept.Store(nil)
		return
	}
	p.intercept.Store(&fn)
}

// PortStats counts frames at one port.
type PortStats struct {
	FramesOut, FramesIn uint64
	// Drops on receive, by reason.
	Spoofed      uint64 // outer source is not the peer (seed 003 fig. 11)
	Misaddressed uint64 // outer destination is not this node
	Malformed    uint64 // failed ParseFrame (or could not be built)
	Cut          uint64 // sent or arrived while the link was cut, with no other path
	// Rerouted counts datagrams sent through a third node while the link
	// was cut.
	Rerouted uint64
}

type portCounters struct {
	framesOut, framesIn                   atomic.Uint64
	spoofed, misaddressed, malformed, cut atomic.Uint64
	rerouted                              atomic.Uint64
}

// Stats returns a snapshot of the port's counters.
func (p *Port) Stats() PortStats {
	c := &p.stats
	return PortStats{
		FramesOut: c.framesOut.Load(), FramesIn: c.framesIn.Load(),
		Spoofed: c.spoofed.Load(), Misaddressed: c.misaddressed.Load(),
		Malformed: c.malformed.Load(), Cut: c.cut.Load(), Rerouted: c.rerouted.Load(),
	}
}
