package sysplex

import (
	"context"
	"encoding/json"
	"fmt"
	"net"
	"net/netip"
	"slices"
	"sort"
	"sync"
	"time"

	"gvisor.dev/gvisor/pkg/tcpip/header"

	"github.com/tcpipc/tcpipc/plan"
	"github.com/tcpipc/tcpipc/runtime/distributor"
	"github.com/tcpipc/tcpipc/runtime/dvipa"
	"github.com/tcpipc/tcpipc/runtime/link"
	"github.com/tcpipc/tcpipc/runtime/netstack"
	"github.com/tcpipc/tcpipc/runtime/xcf"
)

// lanNIC and xcfNIC name a stack's NICs.
const lanNIC = "lan"

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

	mu     sync.Mutex
	up     bool
	ns     *netstack.Stack
	lan    *link.Endpoint
	port   *Port
	member *xcf.Member
	done   chan struct{}
	// view is this stack's picture of the group: which peers are up or
	// down; a peer it has not heard of since it started is neither.
	view map[string]bool
	// startedAt and grace: until startedAt+grace a peer not heard of yet
	// counts as up, so a starting stack does not take over DVIPAs whose
	// owners are merely not yet known to it.
	startedAt time.Time
	grace     time.Duration
	// activatedAt is when this stack became the routing stack of a DVIPA;
	// for a settle time after it, packets of connections nobody has
	// reported yet are held back (dropped, TCP resends them) rather than
	// reset, while NEWCONN messages arrive.
	activatedAt map[netip.Addr]time.Time
	// owners decide each DVIPA's holder from this stack's view.
	owners map[netip.Addr]*dvipa.Owner
	// routing holds the distributors of the DVIPAs this stack routes.
	routing map[netip.Addr]*distributor.Distributor
	// router is the stack each DVIPA's traffic comes from (VIPA list).
	router map[netip.Addr]string
	// listening counts servers per DVIPA:port; conns the connections to
	// DVIPAs this stack serves.
	listening map[netip.AddrPort]int
	conns     map[connKey]bool
	// drops counts the LAN packets for DVIPAs this stack did not pass on.
	drops RouteDrops
	// outOfGroup is set after LEAVEGROUP: the stack runs but takes part
	// in no DVIPA decision.
	outOfGroup bool
	// ranged counts the binds that hold each VIPARANGE DVIPA here;
	// rangeAddrs are the ones on the VIPA NIC; moving the ones another
	// stack took over while this one still serves connections.
	ranged     map[netip.Addr]int
	rangeAddrs map[netip.Addr]bool
	moving     map[netip.Addr]bool
	// sec holds the IPsec endpoints of the DVIPAs this stack routes and
	// protects; protected marks the DVIPAs whose routing stack (another
	// one) protects them, so replies go back to it (ipsec.go).
	sec       map[netip.Addr]*dvipaSec
	protected map[netip.Addr]bool
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
	ns, err := netstack.New(netstack.Options{Name: s.plan.Name, Forwarding: true})
	if err != nil {
		return err
	}
	if err := ns.AddVIPANIC(); err != nil {
		ns.Close()
		return err
	}
	port, err := s.sx.fabric.Attach(s.plan.Name, s.fromLAN)
	if err != nil {
		ns.Close()
		return err
	}
	lan := link.New(link.Options{Name: "lan:" + s.plan.Name, Handler: s.toLAN(port.Send), RXChecksumOffload: true, QueueLen: link.DefaultQueueLen})
	if _, err := ns.AttachNIC(lanNIC, lan); err != nil {
		port.Detach()
		ns.Close()
		return err
	}
	for _, h := range s.plan.Home {
		a := h.Addr
		if err := ns.AddAddress(lanNIC, netip.PrefixFrom(a, a.BitLen())); err != nil {
			port.Detach()
			ns.Close()
			return err
		}
		port.Advertise(a)
	}
	// Replies and connections out go to the LAN.
	if err := ns.AddRoute(netstack.Route{Dst: netip.MustParsePrefix("0.0.0.0/0"), NIC: lanNIC}); err != nil {
		port.Detach()
		ns.Close()
		return err
	}
	for _, peer := range s.node.Peers() {
		p, _ := s.node.Port(peer)
		if s.ns != nil { // a restart: the old endpoint died with the old stack
			p.Renew()
		}
		if err := p.AttachTo(ns, xcfNIC(peer)); err != nil {
			port.Detach()
			ns.Close()
			return err
		}
		p.SetIntercept(s.fromTarget)
	}
	// Every DVIPA this stack may own or serve lives on its VIPA NIC, so
	// applications can bind it; only the owner advertises it on the LAN.
	for _, d := range s.sx.plan.DVIPAs {
		if s.concerns(d) {
			a := d.Addr
			if err := ns.AddAddress(netstack.VIPANIC, netip.PrefixFrom(a, a.BitLen())); err != nil {
				port.Detach()
				ns.Close()
				return err
			}
		}
	}
	s.mu.Lock()
	s.ns, s.lan, s.port, s.up, s.outOfGroup = ns, lan, port, true, false
	s.view = map[string]bool{s.plan.Name: true}
	s.startedAt = s.sx.clk.Now()
	s.grace = s.sx.opts.XCF.Interval * time.Duration(s.sx.opts.XCF.Missed+1)
	s.activatedAt = map[netip.Addr]time.Time{}
	s.owners = map[netip.Addr]*dvipa.Owner{}
	for _, d := range s.sx.plan.DVIPAs {
		s.owners[d.Addr] = dvipa.New(d)
	}
	s.routing = map[netip.Addr]*distributor.Distributor{}
	s.router = map[netip.Addr]string{}
	s.listening = map[netip.AddrPort]int{}
	s.conns = map[connKey]bool{}
	s.ranged, s.rangeAddrs, s.moving = map[netip.Addr]int{}, map[netip.Addr]bool{}, map[netip.Addr]bool{}
	s.sec, s.protected = map[netip.Addr]*dvipaSec{}, map[netip.Addr]bool{}
	s.mu.Unlock()

	m, err := s.node.Join(s.sx.group, s.sx.opts.XCF.Member())
	if err != nil {
		return err
	}
	s.mu.Lock()
	s.member = m
	s.done = make(chan struct{})
	s.mu.Unlock()
	go s.loop(m, s.done)
	s.startHomeIPsec(func(pkt []byte) error { return port.Send(context.Background(), pkt) })
	s.reevaluate()
	// When the grace ends, peers never heard of count as down.
	s.armGrace()
	return nil
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

// loop handles the stack's XCF events until its membership ends.
func (s *Stack) loop(m *xcf.Member, done chan struct{}) {
	defer close(done)
	for ev := range m.Events() {
		switch ev.Kind {
		case xcf.Joined:
			s.setPeer(ev.Peer, true)
		case xcf.Left, xcf.Failed:
			s.sx.record(s.plan.Name, fmt.Sprintf("detects that %s %s", ev.Peer, ev.Kind))
			s.setPeer(ev.Peer, false)
		case xcf.Received:
			s.receive(ev.Peer, ev.Msg)
		}
	}
}

func (s *Stack) setPeer(peer string, up bool) {
	s.mu.Lock()
	s.view[peer] = up
	s.mu.Unlock()
	// Decide first: what this stack gives up because the peer is back it
	// must not announce again.
	s.reevaluate()
	if up {
		s.announceRouted()
	}
}

// announceRouted tells the sysplex again which DVIPAs this stack routes,
// when a peer joins: the VIPA list to every peer, and the addresses on the
// LAN. A newcomer learns them; and a peer that comes back after a loss of
// signalling may have held some of them meanwhile, so the targets that
// reported to it and the LAN that routed to it are set right again. The
// holder's own view never changed: without this it would say nothing.
func (s *Stack) announceRouted() {
	s.mu.Lock()
	var routed []vipaList
	for a := range s.routing {
		routed = append(routed, vipaList{DVIPA: a, IPSec: s.sec[a] != nil})
	}
	m, port := s.member, s.port
	s.mu.Unlock()
	sort.Slice(routed, func(i, j int) bool { return routed[i].DVIPA.Less(routed[j].DVIPA) })
	for _, v := range routed {
		port.Advertise(v.DVIPA)
		_ = m.Broadcast(encode(msgVIPAList, v))
	}
}

// isUp is this stack's view of a peer (s.mu held).
func (s *Stack) isUp(stack string) bool {
	up, known := s.view[stack]
	if !known {
		return s.sx.clk.Now().Before(s.startedAt.Add(s.grace))
	}
	return up
}

// reevaluate recomputes every DVIPA's holder from this stack's view and
// carries out the changes that concern this stack.
func (s *Stack) reevaluate() {
	s.mu.Lock()
	if !s.up || s.outOfGroup {
		s.mu.Unlock()
		return
	}
	type todo struct {
		addr netip.Addr
		ch   dvipa.Change
	}
	var changes []todo
	for _, d := range s.sx.plan.DVIPAs {
		a := d.Addr
		conns := func(stack string) int {
			if dist := s.routing[a]; dist != nil {
				return len(dist.CRT())
			}
			return 0
		}
		if ch, ok := s.owners[a].Update(s.isUp, conns); ok {
			changes = append(changes, todo{a, ch})
		}
	}
	s.mu.Unlock()
	for _, c := range changes {
		switch {
		case c.ch.To == s.plan.Name:
			s.activate(c.addr, c.ch)
		case c.ch.From == s.plan.Name:
			s.giveUp(c.addr, c.ch.To)
		}
	}
}

// activate makes this stack the owner and routing stack of a DVIPA
// (seed 003 figure 14 blocks 312-324; figure 10 blocks 200-206).
func (s *Stack) activate(a netip.Addr, ch dvipa.Change) {
	d := s.sx.plan.DVIPA(a)
	s.mu.Lock()
	dist := s.distributionFor(d)
	if dist == nil {
		// Not distributed: the owner serves new connections itself, and
		// a CRT still carries the connections another stack keeps
		// (Moving) to it.
		local := localOnly(s.plan.Name)
		dist = &local
	}
	routing := distributor.New(s.sx.clk, a.String(), s.plan.Name, *dist)
	s.routing[a] = routing
	s.router[a] = s.plan.Name
	s.activatedAt[a] = s.sx.clk.Now()
	port, m := s.port, s.member
	s.mu.Unlock()
	if n := s.restoreCRT(a, routing); n > 0 {
		s.sx.record(s.plan.Name, fmt.Sprintf("restores %d connections to %s from the coupling facility", n, a))
		// Each target's report ends with CONNSDONE, which drops its
		// restored entries it did not confirm. This is for a target
		// that never reports (down, or its messages lost).
		s.sx.clk.AfterFunc(restoreTimeout*s.grace, func() {
			if gone := routing.DropRestored(); gone > 0 {
				s.sx.record(s.plan.Name, fmt.Sprintf("drops %d restored connections to %s no target reported", gone, a))
			}
		})
	}
	sec := s.startIPsec(a, func(pkt []byte) error { return port.Send(context.Background(), pkt) })
	if sec != nil {
		s.mu.Lock()
		s.sec[a] = sec
		s.mu.Unlock()
	}
	// This stack is a target of itself: its own servers count too, and
	// must be in the DPT before the first SYN arrives.
	s.reportTo(a, s.plan.Name)
	port.Advertise(a)
	s.sx.ownerChanged(a, ch)
	_ = m.Broadcast(encode(msgVIPAList, vipaList{DVIPA: a, IPSec: sec != nil}))
}

// distributionFor picks the VIPADISTRIBUTE in force when this stack routes
// the DVIPA: its own, else the one of the stack that defines the DVIPA.
func (s *Stack) distributionFor(d *plan.DVIPA) *plan.Distribution {
	if d == nil {
		return nil
	}
	for i := range d.Distributions {
		if d.Distributions[i].Stack == s.plan.Name {
			return &d.Distributions[i]
		}
	}
	for i := range d.Distributions {
		if d.Distributions[i].Stack == d.Owner {
			return &d.Distributions[i]
		}
	}
	return nil
}

// giveUp hands a DVIPA to its new holder: the route moves, and the
// connections this stack routed are handed over with NEWCONN (seed 003
// figure 15 blocks 344-352).
func (s *Stack) giveUp(a netip.Addr, to string) {
	s.mu.Lock()
	dist := s.routing[a]
	delete(s.routing, a)
	if to != "" {
		// The new holder's VIPA list may have come while this stack still
		// routed the DVIPA, and been ignored.
		s.router[a] = to
	}
	port, m := s.port, s.member
	s.mu.Unlock()
	port.Withdraw(a)
	s.stopIPsec(a)
	if to != "" {
		// Its own servers report to the new routing stack.
		s.reportTo(a, to)
	}
	if dist == nil || to == "" {
		return
	}
	// Connections that already ended are not handed on: no target would
	// report their end again.
	crt := slices.DeleteFunc(dist.CRT(), func(c distributor.Conn) bool { return c.Ending })
	s.sx.record(s.plan.Name, fmt.Sprintf("hands %s to %s with NEWCONN for %d connections", a, to, len(crt)))
	kept := 0
	for _, c := range crt {
		_ = m.Send(to, encode(msgNewConn, newConn{DVIPA: a, Client: c.Key.Client, Port: c.Key.Port, Target: c.Target, IPSec: c.IPSec}))
		if c.Target == s.plan.Name {
			kept++
		}
	}
	if kept > 0 {
		// Connections this stack serves itself stay here until they end.
		s.mu.Lock()
		s.moving[a] = true
		s.mu.Unlock()
		s.sx.record(s.plan.Name, fmt.Sprintf("keeps %d connections to %s in Moving state", kept, a))
	}
}

// localOnly is the routing of a DVIPA nobody distributes: every new
// connection to the owner itself.
func localOnly(stack string) plan.Distribution {
	return plan.Distribution{Stack: stack, Method: plan.RoundRobin, Targets: []plan.Target{{Stack: stack}}}
}

// receive handles one XCF message.
func (s *Stack) receive(from string, msg xcf.Message) {
	switch msg.Type {
	case msgVIPAList:
		var v vipaList
		if json.Unmarshal(msg.Payload, &v) != nil {
			return
		}
		s.mu.Lock()
		if _, mine := s.routing[v.DVIPA]; mine {
			// A VIPA list sent before this stack took the DVIPA (back)
			// arrives late: it routes the DVIPA now, the sender does not.
			s.mu.Unlock()
			return
		}
		s.router[v.DVIPA] = from
		s.protected[v.DVIPA] = v.IPSec
		s.mu.Unlock()
		s.reportTo(v.DVIPA, from)
	case msgSrvStat:
		var v srvStat
		if json.Unmarshal(msg.Payload, &v) != nil {
			return
		}
		if dist := s.distributor(v.DVIPA); dist != nil {
			dist.ServerStatus(from, v.Port, v.Ready)
		}
	case msgNewConn:
		var v newConn
		if json.Unmarshal(msg.Payload, &v) != nil {
			return
		}
		if dist := s.distributor(v.DVIPA); dist != nil {
			dist.Adopt(distributor.ConnKey{Client: v.Client, Port: v.Port}, v.Target, v.IPSec)
		}
	case msgRangeMove:
		var v vipaList
		if json.Unmarshal(msg.Payload, &v) != nil {
			return
		}
		s.rangeMoved(v.DVIPA, from)
	case msgConnsDone:
		var v vipaList
		if json.Unmarshal(msg.Payload, &v) != nil {
			return
		}
		if dist := s.distributor(v.DVIPA); dist != nil {
			if gone := dist.DropRestoredOf(from); gone > 0 {
				s.sx.record(s.plan.Name, fmt.Sprintf("drops %d restored connections to %s that %s did not report", gone, v.DVIPA, from))
			}
		}
	case msgConnEnd:
		var v connEnd
		if json.Unmarshal(msg.Payload, &v) != nil {
			return
		}
		if dist := s.distributor(v.DVIPA); dist != nil {
			dist.Ended(distributor.ConnKey{Client: v.Client, Port: v.Port})
		}
	}
}

func (s *Stack) distributor(a netip.Addr) *distributor.Distributor {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.routing[a]
}

// reportTo tells the routing stack of a DVIPA about this stack's servers
// (SRVSTAT) and connections (NEWCONN) for it (figure 14 block 314).
func (s *Stack) reportTo(a netip.Addr, router string) {
	s.mu.Lock()
	var stats []srvStat
	for ap, n := range s.listening {
		if ap.Addr() == a {
			stats = append(stats, srvStat{DVIPA: a, Port: ap.Port(), Ready: n})
		}
	}
	// The connections the application holds, and those its stack holds
	// that the application has not accepted yet (or is still setting up):
	// z/OS reports what the stack has, and so must the target here.
	open := map[connKey]bool{}
	for k := range s.conns {
		if k.dvipa == a {
			open[k] = true
		}
	}
	serving := map[uint16]bool{}
	for _, st := range stats {
		serving[st.Port] = st.Ready > 0
	}
	m, ns := s.member, s.ns
	s.mu.Unlock()
	if ns != nil {
		for _, c := range ns.OpenTCP(a) {
			if serving[c.Local.Port()] {
				open[connKey{dvipa: a, client: c.Remote, port: c.Local.Port()}] = true
			}
		}
	}
	var conns []newConn
	for k := range open {
		conns = append(conns, newConn{DVIPA: a, Client: k.client, Port: k.port, Target: s.plan.Name})
	}
	sort.Slice(stats, func(i, j int) bool { return stats[i].Port < stats[j].Port })
	for _, st := range stats {
		s.send(m, router, encode(msgSrvStat, st))
	}
	for _, c := range conns {
		s.send(m, router, encode(msgNewConn, c))
	}
	s.send(m, router, encode(msgConnsDone, vipaList{DVIPA: a}))
}

// send delivers a message, to this stack itself when it is the router.
func (s *Stack) send(m *xcf.Member, to string, msg xcf.Message) {
	if to == s.plan.Name {
		s.receive(to, msg)
		return
	}
	if m != nil {
		_ = m.Send(to, msg)
	}
}

// fromLAN receives a packet the LAN routed to this stack. IKE and ESP for
// a DVIPA it protects go to the DVIPA's IPsec endpoint, which hands the
// decrypted packets to route. Connections to a DVIPA this stack
// distributes are routed by the distributor: a SYN picks a target, later
// packets follow the CRT; packets for a remote target go over the XCF
// link in GRE (seed 003 figures 11 and 12).
func (s *Stack) fromLAN(pkt []byte) error {
	s.mu.Lock()
	up := s.up
	s.mu.Unlock()
	if !up {
		return ErrStackDown
	}
	if dst, ok := destination(pkt); ok && s.interceptIKE(dst, pkt) {
		return nil
	}
	return s.route(pkt, false)
}

// route delivers a packet for this stack: connections to a DVIPA it
// distributes follow the distributor, the rest go to its netstack.
// ipsec marks packets the stack decrypted.
func (s *Stack) route(pkt []byte, ipsec bool) error {
	dst, ok := destination(pkt)
	s.mu.Lock()
	lan, dist := s.lan, s.routing[dst]
	notRouted := ok && dist == nil && (s.owners[dst] != nil || s.rangeAddrs[dst])
	if notRouted {
		s.drops.NotRouted++
	}
	s.mu.Unlock()
	if notRouted {
		// A DVIPA this stack holds on its VIPA NIC but does not route:
		// the packet was on its way when the DVIPA moved or the stack
		// failed. The address is not active here, so it is dropped, as
		// z/OS drops it, and TCP resends it to the new routing stack;
		// the netstack would answer it with a reset.
		return nil
	}
	if dist == nil || header.IPVersion(pkt) != header.IPv4Version {
		return lan.Inject(pkt)
	}
	ip := header.IPv4(pkt)
	if !ip.IsValid(len(pkt)) || ip.TransportProtocol() != header.TCPProtocolNumber || len(pkt) < int(ip.HeaderLength())+header.TCPMinimumSize {
		return lan.Inject(pkt)
	}
	tcp := header.TCP(ip.Payload())
	if !dist.Distributes(tcp.DestinationPort()) {
		return lan.Inject(pkt)
	}
	src := netip.AddrFrom4(ip.SourceAddress().As4())
	key := distributor.ConnKey{Client: netip.AddrPortFrom(src, tcp.SourcePort()), Port: tcp.DestinationPort()}
	flags := tcp.Flags()
	syn := flags.Contains(header.TCPFlagSyn) && !flags.Contains(header.TCPFlagAck)
	target, ok := dist.Route(key, syn, ipsec)
	if !ok {
		s.mu.Lock()
		local := s.conns[connKey{dvipa: dst, client: key.Client, port: key.Port}]
		settling := s.sx.clk.Now().Before(s.activatedAt[dst].Add(s.grace))
		held := !syn && !local && settling
		switch {
		case held:
			s.drops.Settling++
		case !local:
			s.drops.Reset++
		}
		s.mu.Unlock()
		if held {
			// Just after a takeover the connection may not be reported
			// yet: hold the packet back, the client resends it.
			return nil
		}
		// No server ready, or a connection nobody has: the stack answers
		// with a reset, as z/OS does.
		return lan.Inject(pkt)
	}
	if flags.Contains(header.TCPFlagRst) {
		dist.Closed(key)
	}
	if target == s.plan.Name {
		return lan.Inject(pkt)
	}
	p, ok := s.node.Port(target)
	if !ok {
		return fmt.Errorf("sysplex: no XCF link from %s to %s", s.plan.Name, target)
	}
	s.sx.forwarded(dst)
	return p.Forward(pkt)
}

// Listen opens a server on DVIPA:port (or any address of the stack) that
// reports its listening state and its connections to the routing stack.
func (s *Stack) Listen(ap netip.AddrPort) (net.Listener, error) {
	ns := s.Netstack()
	if ns == nil {
		return nil, ErrStackDown
	}
	if err := s.bindRange(ap.Addr()); err != nil {
		return nil, err
	}
	ln, err := ns.ListenTCP(ap)
	if err != nil {
		s.unbindRange(ap.Addr())
		return nil, err
	}
	s.mu.Lock()
	s.listening[ap]++
	router := s.router[ap.Addr()]
	m := s.member
	n := s.listening[ap]
	s.mu.Unlock()
	if router != "" {
		s.send(m, router, encode(msgSrvStat, srvStat{DVIPA: ap.Addr(), Port: ap.Port(), Ready: n}))
	}
	return &listener{Listener: ln, s: s, ap: ap}, nil
}

type listener struct {
	net.Listener
	s    *Stack
	ap   netip.AddrPort
	once sync.Once
}

func (l *listener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err != nil {
		return nil, err
	}
	remote := c.RemoteAddr()
	for remote == nil {
		// Reset by the client while it waited in the accept queue: it
		// has no peer left to report, and the application never sees it.
		c.Close()
		if c, err = l.Listener.Accept(); err != nil {
			return nil, err
		}
		remote = c.RemoteAddr()
	}
	client, _ := netip.ParseAddrPort(remote.String())
	k := connKey{dvipa: l.ap.Addr(), client: client, port: l.ap.Port()}
	l.s.mu.Lock()
	l.s.conns[k] = true
	l.s.mu.Unlock()
	return &conn{Conn: c, s: l.s, k: k}, nil
}

func (l *listener) Close() error {
	l.once.Do(func() {
		s := l.s
		s.mu.Lock()
		s.listening[l.ap]--
		n := s.listening[l.ap]
		router := s.router[l.ap.Addr()]
		m := s.member
		up := s.up
		s.mu.Unlock()
		if router != "" && up {
			s.send(m, router, encode(msgSrvStat, srvStat{DVIPA: l.ap.Addr(), Port: l.ap.Port(), Ready: n}))
		}
		if up {
			s.unbindRange(l.ap.Addr())
		}
	})
	return l.Listener.Close()
}

type conn struct {
	net.Conn
	s    *Stack
	k    connKey
	once sync.Once
}

func (c *conn) Close() error {
	c.once.Do(func() {
		s := c.s
		s.mu.Lock()
		delete(s.conns, c.k)
		router := s.router[c.k.dvipa]
		m := s.member
		up := s.up
		s.mu.Unlock()
		if router != "" && up {
			s.send(m, router, encode(msgConnEnd, connEnd{DVIPA: c.k.dvipa, Client: c.k.client, Port: c.k.port}))
		}
	})
	return c.Conn.Close()
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
	ns, port, m, done := s.ns, s.port, s.member, s.done
	s.routing = map[netip.Addr]*distributor.Distributor{}
	secs := s.sec
	s.sec = map[netip.Addr]*dvipaSec{}
	s.mu.Unlock()
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

// RouteDrops counts the LAN packets for DVIPAs a stack did not pass on to
// a target or to its own connections.
type RouteDrops struct {
	// Settling: packets of connections no target had reported yet, held
	// back just after the stack became the routing stack.
	Settling uint64
	// Reset: a SYN no server was ready for, or a packet of a connection
	// no target has; the stack answered it with a reset.
	Reset uint64
	// NotRouted: packets for a DVIPA the stack did not route, caught in
	// flight across a takeover, a takeback or the stack's failure.
	NotRouted uint64
}

// RouteDrops returns the stack's counts since the sysplex started.
func (s *Stack) RouteDrops() RouteDrops {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.drops
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
	for a := range s.routing {
		routed = append(routed, a)
	}
	s.routing = map[netip.Addr]*distributor.Distributor{}
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
	m, err := s.node.Join(s.sx.group, s.sx.opts.XCF.Member())
	if err != nil {
		return err
	}
	s.mu.Lock()
	s.member, s.outOfGroup = m, false
	s.view = map[string]bool{s.plan.Name: true}
	s.startedAt = s.sx.clk.Now()
	s.done = make(chan struct{})
	done := s.done
	for _, d := range s.sx.plan.DVIPAs {
		a := d.Addr
		s.owners[a] = dvipa.New(d)
	}
	s.mu.Unlock()
	go s.loop(m, done)
	s.reevaluate()
	s.armGrace()
	return nil
}
