package sysplex

import (
	"context"
	"net/netip"
	"sync"
	"sync/atomic"
	"time"

	"github.com/tcpipc/tcpipc/internal/ike/ikesa"
	"github.com/tcpipc/tcpipc/plan"
	"github.com/tcpipc/tcpipc/runtime/distributor"
	"github.com/tcpipc/tcpipc/runtime/dvipa"
	"github.com/tcpipc/tcpipc/runtime/lan"
	"github.com/tcpipc/tcpipc/runtime/link"
	"github.com/tcpipc/tcpipc/runtime/netstack"
	"github.com/tcpipc/tcpipc/runtime/xcf"
)

// lanNIC and xcfNIC name a stack's NICs.
const lanNIC = lan.NIC

// restoreTimeout, in settle times, is how long connections restored from
// the coupling facility wait for a target that never reports them.
const restoreTimeout = 10

func xcfNIC(peer string) string { return "xcf-" + peer }

// Stack is one running TCP/IP stack of the sysplex.
type Stack struct {
	sx   *Sysplex
	plan plan.Stack
	node *xcf.Node
	xcf  netip.Addr
	// identities counts the IKE SAs of all the stack's IPsec endpoints
	// by identity pair, for INITIAL_CONTACT (ikesa.Identities).
	identities *ikesa.Identities

	mu     sync.Mutex
	up     bool
	ns     *netstack.Stack
	lan    *link.Endpoint
	port   *lan.Port
	member *xcf.Member
	done   chan struct{}
	// view is this stack's picture of the group: which peers are up or
	// down; a peer it has not heard of since it started is neither.
	view map[string]bool
	// startedAt and grace: until the grace is over (graceOver, set by
	// endGrace no earlier than startedAt+grace and only once the loop
	// has read what was queued, grace.go) a peer not heard of yet counts
	// as up, so a starting stack does not take over DVIPAs whose owners
	// are merely not yet known to it.
	startedAt time.Time
	grace     time.Duration
	graceOver bool
	// owners decide each DVIPA's holder from this stack's view.
	owners map[netip.Addr]*dvipa.Owner
	// roles is this stack's routing role for each DVIPA (routing.go):
	// whether it routes it, who does if not, Moving, IPsec; and the IPsec
	// endpoints of its home addresses. Lock order: mu, then a role's.
	roles roles
	// listening counts servers per DVIPA:port; conns the connections to
	// DVIPAs this stack serves.
	listening map[netip.AddrPort]int
	conns     map[connKey]bool
	// drops counts the LAN packets for DVIPAs this stack did not pass on.
	drops RouteDrops
	// guards holds, per source address, the outbound policy a packet
	// with no endpoint to take it is checked against (ipsec.go,
	// leaveClear): the address's SPD, or nil when the plan does not
	// protect it. unprotected counts what that check dropped; it is
	// atomic because the LAN handler may run while the stack's lock is
	// held.
	guards      sync.Map
	unprotected atomic.Uint64
	// lanOut is the current life's LAN output switch and toLANOfLife its
	// LAN handler (tests): a failed system sends nothing, so fail turns
	// the switch off before the netstack, which still runs for a moment,
	// loses its IPsec endpoints.
	lanOut      *atomic.Bool
	toLANOfLife func(context.Context, []byte) error
	// outOfGroup is set after LEAVEGROUP: the stack runs but takes part
	// in no DVIPA decision.
	outOfGroup bool
	// ranged counts the binds that hold each VIPARANGE DVIPA here;
	// parked the binds kept while another stack holds it (Moving);
	// takenOver marks those this stack took when their holder failed;
	// rangeAddrs are the ones on the VIPA NIC.
	ranged     map[netip.Addr]int
	parked     map[netip.Addr]int
	takenOver  map[netip.Addr]bool
	rangeAddrs map[netip.Addr]bool
	// sws is the stack's link to the SWSA structure (swsa.go), for one
	// life of the stack.
	sws *swsaSide
	// eventHook, when set (tests, before Start), sees each XCF event
	// before the loop handles it; it may hold the loop.
	eventHook func(xcf.Event)
	// dropMsg, when set (tests, while the stack is down), loses the XCF
	// messages it returns true for, as a lost signal would.
	dropMsg func(from string, msg xcf.Message) bool
}

type connKey struct {
	dvipa  netip.Addr
	client netip.AddrPort
	port   uint16
}

// Name is the stack's system name.
func (s *Stack) Name() string { return s.plan.Name }

// Up reports whether the stack is running.
func (s *Stack) Up() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.up
}

// Netstack returns the running netstack (nil while failed).
func (s *Stack) Netstack() *netstack.Stack {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.ns
}

// start brings the stack up: netstack, LAN, XCF links, group membership.
func (s *Stack) start() error {
	ns, lan, port, err := s.buildNetstack()
	if err != nil {
		return err
	}
	s.resetState(ns, lan, port)
	m, err := s.node.Join(s.sx.group, xcf.MemberOptionsOf(s.sx.opts.XCF))
	if err != nil {
		return err
	}
	graceEnd := newGraceEnd()
	side := s.openSWSA()
	s.mu.Lock()
	s.sws = side
	s.member = m
	s.done = make(chan struct{})
	done := s.done
	s.mu.Unlock()
	go s.loop(m, done, graceEnd)
	s.startHomeIPsec(func(pkt []byte) error { return port.Send(context.Background(), pkt) })
	s.reevaluate()
	// When the grace ends, peers never heard of count as down.
	s.armGrace(graceEnd)
	return nil
}

// buildNetstack makes the stack's netstack with its LAN NIC and home
// addresses, its XCF links, and every DVIPA it concerns on its VIPA NIC.
func (s *Stack) buildNetstack() (*netstack.Stack, *link.Endpoint, *lan.Port, error) {
	ns, err := netstack.New(netstack.Options{Name: s.plan.Name, Forwarding: true})
	if err != nil {
		return nil, nil, nil, err
	}
	if err := ns.AddVIPANIC(); err != nil {
		ns.Close()
		return nil, nil, nil, err
	}
	port, err := s.sx.fabric.Attach(s.plan.Name, s.fromLAN)
	if err != nil {
		ns.Close()
		return nil, nil, nil, err
	}
	// This life's LAN output: on until the stack fails (fail cuts it
	// before it takes the IPsec endpoints away).
	out := new(atomic.Bool)
	out.Store(true)
	toLAN := s.toLAN(port.Send, out)
	s.mu.Lock()
	s.lanOut, s.toLANOfLife = out, toLAN
	s.mu.Unlock()
	lan := link.New(link.Options{Name: "lan:" + s.plan.Name, Handler: toLAN, RXChecksumOffload: true, QueueLen: link.DefaultQueueLen})
	if _, err := ns.AttachNIC(lanNIC, lan); err != nil {
		port.Detach()
		ns.Close()
		return nil, nil, nil, err
	}
	for _, h := range s.plan.Home {
		a := h.Addr
		if err := ns.AddAddress(lanNIC, netip.PrefixFrom(a, a.BitLen())); err != nil {
			port.Detach()
			ns.Close()
			return nil, nil, nil, err
		}
		port.Advertise(a)
	}
	// Replies and connections out go to the LAN.
	if err := ns.AddRoute(netstack.Route{Dst: netip.MustParsePrefix("0.0.0.0/0"), NIC: lanNIC}); err != nil {
		port.Detach()
		ns.Close()
		return nil, nil, nil, err
	}
	for _, peer := range s.node.Peers() {
		p, _ := s.node.Port(peer)
		if s.ns != nil { // a restart: the old endpoint died with the old stack
			p.Renew()
		}
		if err := p.AttachTo(ns, xcfNIC(peer)); err != nil {
			port.Detach()
			ns.Close()
			return nil, nil, nil, err
		}
		p.SetIntercept(s.fromTarget)
	}
	// Every DVIPA this stack may own or serve lives on its VIPA NIC, so
	// applications can bind it; only the owner advertises it on the LAN.
	var vipas []netip.Prefix
	for _, d := range s.sx.plan.DVIPAs {
		if s.concerns(d) {
			vipas = append(vipas, netip.PrefixFrom(d.Addr, d.Addr.BitLen()))
		}
	}
	if err := ns.AddAddresses(netstack.VIPANIC, vipas); err != nil {
		port.Detach()
		ns.Close()
		return nil, nil, nil, err
	}
	return ns, lan, port, nil
}

// resetState starts the stack's picture of the sysplex afresh on a new
// netstack: nothing owned, routed or served, every peer unknown.
func (s *Stack) resetState(ns *netstack.Stack, lan *link.Endpoint, port *lan.Port) {
	s.mu.Lock()
	s.ns, s.lan, s.port, s.up, s.outOfGroup = ns, lan, port, true, false
	s.view = map[string]bool{s.plan.Name: true}
	s.startedAt, s.graceOver = s.sx.clk.Now(), false
	s.grace = s.sx.opts.XCF.Interval * time.Duration(s.sx.opts.XCF.Missed+1)
	s.roles.resetAll()
	s.owners = map[netip.Addr]*dvipa.Owner{}
	for _, d := range s.sx.plan.DVIPAs {
		s.owners[d.Addr] = dvipa.New(d)
	}
	s.listening = map[netip.AddrPort]int{}
	s.conns = map[connKey]bool{}
	s.ranged, s.rangeAddrs = map[netip.Addr]int{}, map[netip.Addr]bool{}
	s.parked, s.takenOver = map[netip.Addr]int{}, map[netip.Addr]bool{}
	s.mu.Unlock()
}

// concerns reports whether the stack may own, back up, route or serve d.
func (s *Stack) concerns(d plan.DVIPA) bool {
	name := s.plan.Name
	for _, x := range d.DefinedBy {
		if x == name {
			return true
		}
	}
	for _, b := range d.Backups {
		if b.Stack == name {
			return true
		}
	}
	for _, dist := range d.Distributions {
		if dist.Stack == name || dist.DestAll {
			return true
		}
		for _, t := range dist.Targets {
			if t.Stack == name {
				return true
			}
		}
	}
	return false
}

// distributor returns the distributor of a DVIPA this stack routes, or nil.
func (s *Stack) distributor(a netip.Addr) *distributor.Distributor {
	return s.roles.lookup(a).distributor()
}

// fail stops the stack as a system failure does: no word to the peers, the
// netstack and every connection on it gone.
func (s *Stack) fail() {
	s.mu.Lock()
	if !s.up {
		s.mu.Unlock()
		return
	}
	s.up = false
	// First the LAN goes silent: from here the netstack's last segments
	// would find no endpoint for the DVIPAs it still holds.
	s.lanOut.Store(false)
	ns, port, m, done := s.ns, s.port, s.member, s.done
	var secs []*dvipaSec
	s.roles.each(func(_ netip.Addr, r *routingRole) {
		r.giveUp("")
		if sec := r.takeSec(); sec != nil {
			secs = append(secs, sec)
		}
	})
	side := s.sws
	s.sws = nil
	s.mu.Unlock()
	// The journal stops first: a failing stack deletes no record.
	side.close()
	for _, sec := range secs {
		sec.ep.Close()
	}
	if m != nil {
		m.Stop()
		<-done
	}
	port.Detach()
	ns.Close()
}

// Routing returns the distributor of a DVIPA this stack routes, or nil.
func (s *Stack) Routing(a netip.Addr) *distributor.Distributor { return s.distributor(a) }

// routingOrNil is s.Routing(a), nil for a nil stack; callers read it
// once, since a takeover may end the role between two reads.
func (s *Stack) routingOrNil(a netip.Addr) *distributor.Distributor {
	if s == nil {
		return nil
	}
	return s.Routing(a)
}

// State returns this stack's state for a DVIPA as NETSTAT VIPADYN shows it.
func (s *Stack) State(a netip.Addr) dvipa.State {
	s.mu.Lock()
	defer s.mu.Unlock()
	o := s.owners[a]
	if o == nil || !s.up {
		return dvipa.None
	}
	return o.StateOf(s.plan.Name, s.isUp, func(string) bool { return s.movingLocked(a) })
}

// leaveGroup ends the stack's membership in an orderly way and withdraws
// the DVIPAs it routes; its netstack keeps running.
func (s *Stack) leaveGroup() {
	s.mu.Lock()
	m, done, port := s.member, s.done, s.port
	var routed []netip.Addr
	s.roles.each(func(a netip.Addr, r *routingRole) {
		if r.giveUp("") != nil {
			routed = append(routed, a)
		}
	})
	s.member = nil
	s.up = false // out of the group: it decides nothing
	s.mu.Unlock()
	for _, a := range routed {
		port.Withdraw(a)
		s.stopIPsec(a)
	}
	if m != nil {
		m.Leave()
		<-done
	}
	s.mu.Lock()
	s.up = true
	s.outOfGroup = true
	s.mu.Unlock()
}

// joinGroup brings a stack that left back into the group.
func (s *Stack) joinGroup() error {
	m, err := s.node.Join(s.sx.group, xcf.MemberOptionsOf(s.sx.opts.XCF))
	if err != nil {
		return err
	}
	s.mu.Lock()
	s.member, s.outOfGroup = m, false
	s.view = map[string]bool{s.plan.Name: true}
	s.startedAt, s.graceOver = s.sx.clk.Now(), false
	s.done = make(chan struct{})
	done := s.done
	for _, d := range s.sx.plan.DVIPAs {
		a := d.Addr
		s.owners[a] = dvipa.New(d)
	}
	s.mu.Unlock()
	graceEnd := newGraceEnd()
	go s.loop(m, done, graceEnd)
	s.reevaluate()
	s.armGrace(graceEnd)
	return nil
}
