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

// ErrLinkDown is returned when a signal is sent over a cut link.
var ErrLinkDown = errors.New("xcf: link is down")

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

// Link is a point-to-point XCF link between two nodes.
type Link struct {
	a, b *Port
	down atomic.Bool
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

// Cut takes the link down: datagrams and signals are lost both ways until
// Restore.
func (l *Link) Cut() { l.setDown(true) }

// Restore brings a cut link back.
func (l *Link) Restore() { l.setDown(false) }

// Up reports whether the link is up.
func (l *Link) Up() bool { return !l.down.Load() }

func (l *Link) setDown(down bool) {
	l.down.Store(down)
	l.a.ep.Load().SetDown(down)
	l.b.ep.Load().SetDown(down)
}

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
	ep.SetDown(p.link.down.Load())
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
	p.stats.framesOut.Add(1)
	if t := p.tap.Load(); t != nil {
		(*t)(link.Out, frame)
	}
	return p.peer.Receive(frame)
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
	p.stats.framesOut.Add(1)
	if t := p.tap.Load(); t != nil {
		(*t)(link.Out, frame)
	}
	// The peer copies what it keeps, so the scratch buffer can be reused.
	return p.peer.Receive(frame)
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
	Cut          uint64 // arrived while the link was cut
}

type portCounters struct {
	framesOut, framesIn                   atomic.Uint64
	spoofed, misaddressed, malformed, cut atomic.Uint64
}

// Stats returns a snapshot of the port's counters.
func (p *Port) Stats() PortStats {
	c := &p.stats
	return PortStats{
		FramesOut: c.framesOut.Load(), FramesIn: c.framesIn.Load(),
		Spoofed: c.spoofed.Load(), Misaddressed: c.misaddressed.Load(),
		Malformed: c.malformed.Load(), Cut: c.cut.Load(),
	}
}
