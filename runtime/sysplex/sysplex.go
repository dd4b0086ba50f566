package sysplex

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/netip"
	"slices"
	"sort"
	"sync"
	"time"

	"github.com/tcpipc/tcpipc/internal/clock"
	"github.com/tcpipc/tcpipc/internal/ike/ikesa"
	"github.com/tcpipc/tcpipc/plan"
	"github.com/tcpipc/tcpipc/runtime/cf"
	"github.com/tcpipc/tcpipc/runtime/dvipa"
	"github.com/tcpipc/tcpipc/runtime/lan"
	"github.com/tcpipc/tcpipc/runtime/link"
	"github.com/tcpipc/tcpipc/runtime/workload"
	"github.com/tcpipc/tcpipc/runtime/xcf"
	"github.com/tcpipc/tcpipc/scenario"
)

// ErrStackDown is returned for operations on a failed stack.
var ErrStackDown = errors.New("sysplex: stack is down")

// Options configure a running sysplex.
type Options struct {
	// Clock drives XCF heartbeats and the distributor's timers; the
	// netstacks' own TCP timers always run on real time.
	Clock clock.Clock
	// XCF is the heartbeat interval and how many missed heartbeats
	// declare a member failed; unset fields take xcf.DefaultTiming's.
	XCF xcf.Timing
	// LANTap sees every packet the LAN carries and XCFTap every GRE frame
	// an XCF link carries, once each (direction link.Out).
	LANTap, XCFTap link.Tap
	// IPsec puts the plan's IPsec policy on the packet path: the routing
	// stack of a DVIPA that IPSECURITY and DVIPSEC protect terminates IKE
	// and ESP for it, so clients must be IPsec peers (EnableIPsec). Off,
	// the sysplex carries everything in the clear: tests of other things
	// use that; `tcpipc run` always turns it on.
	IPsec bool
	// CF is the coupling facility (an in-memory one when nil): tests put
	// a failing one here.
	CF cf.Facility
	// KeyLog, when set, receives the IPsec endpoints' Wireshark key log
	// lines (the keys in the clear: only when the user asks).
	KeyLog io.Writer
}

// Entry is one line of the run's timeline.
type Entry struct {
	At    time.Time
	Stack string
	What  string
}

// Sysplex is a running sysplex.
type Sysplex struct {
	plan *plan.Plan
	// dvipas indexes the plan's DVIPAs by address: a stack looks one up
	// for every VIPA list it reads, and a plan may have 20,000.
	dvipas map[netip.Addr]*plan.DVIPA
	// concerned indexes, by stack, the plan's DVIPAs the stack defines or
	// backs up: the ones it can hold (about).
	concerned map[string][]int
	opts      Options
	clk       clock.Clock
	group     string
	fabric    *lan.Fabric
	cf        cf.Facility
	crt       cf.Structure // the routing stacks' CRTs (cfcrt.go)
	stacks    []*Stack
	links     map[[2]string]*xcf.Link
	clients   []*lan.Client

	// applying is held while one event (a scenario's or an operator's)
	// is checked and carried out, so two `tcpipc ctl` clients giving the
	// same command at once see it applied once and refused once.
	applying sync.Mutex

	mu       sync.Mutex
	timeline []Entry
	// owner is the holder of each DVIPA as the stacks last decided it.
	owner map[netip.Addr]string
	// moves times every change of holder and the first packet the new
	// routing stack forwarded after it.
	moves []Move
	// swsaOutcomes and swsaFailed are the SWSA recoveries and journal
	// failures so far (swsareport.go).
	swsaOutcomes []SWSAOutcome
	swsaFailed   int
	// beforeRenegotiate, when set (tests, before Start), runs after a new
	// holder read a DVIPA's records and before it acts on them; ctx ends
	// when the stack fails.
	beforeRenegotiate func(ctx context.Context, stack string)
}

// Move is one change of a DVIPA's holder.
type Move struct {
	DVIPA        netip.Addr
	From, To     string
	At           time.Time
	FirstForward time.Time
}

// New builds the sysplex of a plan; Start brings it up.
func New(plan *plan.Plan, opts Options) (*Sysplex, error) {
	if opts.Clock == nil {
		opts.Clock = clock.Real{}
	}
	opts.XCF = opts.XCF.Or(xcf.DefaultTiming)
	if opts.CF == nil {
		opts.CF = cf.NewMemory()
	}
	sx := &Sysplex{plan: plan, opts: opts, clk: opts.Clock, fabric: lan.NewFabric(), cf: opts.CF,
		links: map[[2]string]*xcf.Link{}, owner: map[netip.Addr]string{}, dvipas: indexDVIPAs(plan), concerned: holdersIndex(plan)}
	if opts.LANTap != nil {
		sx.fabric.SetTap(opts.LANTap)
	}
	crt, err := sx.cf.Structure(context.Background(), crtStructure)
	if err != nil {
		return nil, err
	}
	sx.crt = crt
	if len(plan.Groups) > 0 {
		sx.group = plan.Groups[0].XCFGroup
	}
	for _, ps := range plan.Stacks {
		if len(ps.XCF) == 0 {
			return nil, fmt.Errorf("sysplex: stack %s has no dynamic XCF address", ps.Name)
		}
		node, err := xcf.NewNode(ps.Name, ps.XCF[0].Addr, opts.Clock)
		if err != nil {
			return nil, err
		}
		sx.stacks = append(sx.stacks, &Stack{sx: sx, plan: ps, node: node, xcf: ps.XCF[0].Addr, identities: ikesa.NewIdentities()})
	}
	for i, a := range sx.stacks {
		for _, b := range sx.stacks[i+1:] {
			l, err := xcf.Connect(a.node, b.node, xcf.LinkOptions{})
			if err != nil {
				return nil, err
			}
			if opts.XCFTap != nil {
				pa, pb := l.Ends()
				pa.SetTap(opts.XCFTap)
				pb.SetTap(opts.XCFTap)
			}
			sx.links[[2]string{a.plan.Name, b.plan.Name}] = l
		}
	}
	return sx, nil
}

// indexDVIPAs maps each of the plan's DVIPAs by its address.
func indexDVIPAs(p *plan.Plan) map[netip.Addr]*plan.DVIPA {
	m := make(map[netip.Addr]*plan.DVIPA, len(p.DVIPAs))
	for i := range p.DVIPAs {
		m[p.DVIPAs[i].Addr] = &p.DVIPAs[i]
	}
	return m
}

// holdersIndex lists, for each stack, the indexes of the plan's DVIPAs
// it defines or backs up.
func holdersIndex(p *plan.Plan) map[string][]int {
	m := map[string][]int{}
	for i := range p.DVIPAs {
		d := &p.DVIPAs[i]
		seen := map[string]bool{}
		add := func(stack string) {
			if !seen[stack] {
				seen[stack] = true
				m[stack] = append(m[stack], i)
			}
		}
		for _, s := range d.DefinedBy {
			add(s)
		}
		for _, b := range d.Backups {
			add(b.Stack)
		}
	}
	return m
}

// about returns the indexes of the plan's DVIPAs stack can hold; never
// nil (nil means every DVIPA to decide).
func (sx *Sysplex) about(stack string) []int {
	if idx := sx.concerned[stack]; idx != nil {
		return idx
	}
	return []int{}
}

// dvipa returns the plan's DVIPA a, or nil.
func (sx *Sysplex) dvipa(a netip.Addr) *plan.DVIPA { return sx.dvipas[a] }

// Plan returns the plan the sysplex runs.
func (sx *Sysplex) Plan() *plan.Plan { return sx.plan }

// Fabric returns the LAN.
func (sx *Sysplex) Fabric() *lan.Fabric { return sx.fabric }

// Start brings every stack up.
func (sx *Sysplex) Start() error {
	for _, s := range sx.stacks {
		if err := s.start(); err != nil {
			return fmt.Errorf("sysplex: start %s: %w", s.plan.Name, err)
		}
		sx.record(s.plan.Name, "up, joined "+sx.group)
	}
	return nil
}

// Stop shuts everything down.
func (sx *Sysplex) Stop() {
	for _, c := range sx.clients {
		c.Close()
	}
	for _, s := range sx.stacks {
		s.fail()
	}
	for _, l := range sx.links {
		pa, pb := l.Ends()
		// Endpoints never attached (the stack was down at the end) have
		// pumps of their own to stop.
		pa.Endpoint().Close()
		pb.Endpoint().Close()
		pa.Endpoint().Wait()
		pb.Endpoint().Wait()
	}
}

// Stack returns a stack by name, or nil.
func (sx *Sysplex) Stack(name string) *Stack {
	for _, s := range sx.stacks {
		if s.plan.Name == name {
			return s
		}
	}
	return nil
}

// Stacks returns the stacks in plan order.
func (sx *Sysplex) Stacks() []*Stack { return sx.stacks }

// Fail makes a stack fail.
func (sx *Sysplex) Fail(name string) error {
	s := sx.Stack(name)
	if s == nil {
		return fmt.Errorf("sysplex: no stack %s", name)
	}
	if !s.Up() {
		return fmt.Errorf("sysplex: %s is already down", name)
	}
	sx.record(name, "fails")
	s.fail()
	return nil
}

// Recover restarts a failed stack.
func (sx *Sysplex) Recover(name string) error {
	s := sx.Stack(name)
	if s == nil {
		return fmt.Errorf("sysplex: no stack %s", name)
	}
	if s.Up() {
		return fmt.Errorf("sysplex: %s is up", name)
	}
	sx.record(name, "recovers")
	return s.start()
}

// Cut takes the dynamic XCF link between two stacks down; Restore brings
// it back. The link is an IP link: their datagrams go through another
// stack meanwhile, and the group, which lives on XCF signalling, does not
// change, so nothing is taken over (see xcf.Link).
func (sx *Sysplex) Cut(a, b string) error     { return sx.setLink(a, b, true) }
func (sx *Sysplex) Restore(a, b string) error { return sx.setLink(a, b, false) }

func (sx *Sysplex) setLink(a, b string, down bool) error {
	l := sx.link(a, b)
	switch {
	case l == nil:
		return fmt.Errorf("sysplex: no XCF link %s-%s", a, b)
	case down && !l.Up():
		return fmt.Errorf("sysplex: the XCF link %s-%s is already cut", a, b)
	case !down && l.Up():
		return fmt.Errorf("sysplex: the XCF link %s-%s is not cut", a, b)
	}
	if down {
		l.Cut()
		sx.record(a, "XCF link to "+b+" cut")
	} else {
		l.Restore()
		sx.record(a, "XCF link to "+b+" restored")
	}
	return nil
}

// link returns the XCF link between two stacks, or nil.
func (sx *Sysplex) link(a, b string) *xcf.Link {
	if l := sx.links[[2]string{a, b}]; l != nil {
		return l
	}
	return sx.links[[2]string{b, a}]
}

// Partition is a loss of XCF signalling between two systems, which z/OS
// does not let last: sysplex failure management (SFM, CONNFAIL(YES))
// removes systems until the rest can all signal each other, keeping the
// set of greatest SFM weight. The plan has no weights, so the caller
// names the system removed; it is fenced and leaves the sysplex, to the
// others a failure like any other (they notice by its silence and take
// its DVIPAs over). Recover re-IPLs it, with signalling back. (z/OS MVS
// Setting Up a Sysplex, "Controlling system availability and recovery
// through the SFM policy"; how equal weights are broken is not documented
// there.)
func (sx *Sysplex) Partition(removed, peer string) error {
	s, l := sx.Stack(removed), sx.link(removed, peer)
	switch {
	case s == nil || l == nil:
		return fmt.Errorf("sysplex: no XCF signalling path %s-%s", removed, peer)
	case !s.Up():
		return fmt.Errorf("sysplex: %s is already down", removed)
	}
	l.LoseSignalling()
	sx.record(peer, "loses XCF signalling with "+removed)
	sx.record(removed, "partitioned out of the sysplex by SFM")
	s.fail()
	l.RestoreSignalling()
	return nil
}

// Owner returns the stack that advertises a DVIPA on the LAN now.
func (sx *Sysplex) Owner(a netip.Addr) string { return sx.fabric.Owner(a) }

// record adds a line to the timeline.
func (sx *Sysplex) record(stack, what string) {
	sx.mu.Lock()
	defer sx.mu.Unlock()
	sx.timeline = append(sx.timeline, Entry{At: sx.clk.Now(), Stack: stack, What: what})
}

// Timeline returns the run's events so far.
func (sx *Sysplex) Timeline() []Entry {
	sx.mu.Lock()
	defer sx.mu.Unlock()
	return append([]Entry(nil), sx.timeline...)
}

func (sx *Sysplex) ownerChanged(a netip.Addr, ch dvipa.Change) {
	sx.mu.Lock()
	prev := sx.owner[a]
	sx.owner[a] = ch.To
	sx.moves = append(sx.moves, Move{DVIPA: a, From: prev, To: ch.To, At: sx.clk.Now()})
	sx.mu.Unlock()
	kind := ch.Kind
	// A restarted owner sees nobody holding the DVIPA; the sysplex saw
	// the backup hold it: that is a takeback.
	if kind == dvipa.Activate && prev != "" && prev != ch.To {
		kind = dvipa.Takeback
	}
	what := fmt.Sprintf("%s %s", kind, a)
	if prev != "" && prev != ch.To {
		what += " from " + prev
	}
	sx.record(ch.To, what)
}

// ownerLost records that a DVIPA is active nowhere now, as the stack by
// decided first: no stack that can hold it is up. Every stack decides
// it, from its own view, in which from held it last; a stack that saw
// two failures one after the other may name a stack that never held it.
// So the word counts only while the sysplex's holder is down or out of
// the group (or is by itself, giving it up), and names that holder. The holder's return is then an
// activation, not a takeback from a stack that is down (whatif: "no
// stack held it meanwhile").
func (sx *Sysplex) ownerLost(a netip.Addr, by string) {
	sx.mu.Lock()
	held := sx.owner[a]
	sx.mu.Unlock()
	if s := sx.Stack(held); s == nil || (held != by && s.inGroup()) {
		return
	}
	sx.mu.Lock()
	if sx.owner[a] != held {
		sx.mu.Unlock()
		return
	}
	sx.owner[a] = ""
	sx.moves = append(sx.moves, Move{DVIPA: a, From: held, At: sx.clk.Now()})
	sx.mu.Unlock()
	sx.record(by, fmt.Sprintf("sees %s active nowhere: no stack can take it over from %s", a, held))
}

func (sx *Sysplex) forwarded(a netip.Addr) {
	sx.mu.Lock()
	defer sx.mu.Unlock()
	for i := len(sx.moves) - 1; i >= 0; i-- {
		if sx.moves[i].DVIPA == a {
			if sx.moves[i].FirstForward.IsZero() {
				sx.moves[i].FirstForward = sx.clk.Now()
			}
			return
		}
	}
}

// Moves returns every change of a DVIPA's holder so far.
func (sx *Sysplex) Moves() []Move {
	sx.mu.Lock()
	defer sx.mu.Unlock()
	return append([]Move(nil), sx.moves...)
}

// AddClient attaches a remote client with address addr to the LAN; it
// goes when the sysplex stops.
func (sx *Sysplex) AddClient(name string, addr netip.Addr) (*lan.Client, error) {
	c, err := lan.NewClient(sx.fabric, name, addr)
	if err != nil {
		return nil, err
	}
	sx.clients = append(sx.clients, c)
	return c, nil
}

// StackNames lists the stacks in plan order.
func (sx *Sysplex) StackNames() []string {
	out := make([]string, len(sx.stacks))
	for i, s := range sx.stacks {
		out[i] = s.plan.Name
	}
	return out
}

// Owners returns the current holder of every DVIPA, sorted by address.
func (sx *Sysplex) Owners() [][2]string {
	var out [][2]string
	for _, d := range sx.plan.DVIPAs {
		out = append(out, [2]string{d.Addr.String(), sx.Owner(d.Addr)})
	}
	sort.Slice(out, func(i, j int) bool { return out[i][0] < out[j][0] })
	return out
}

// LeaveGroup is VARY TCPIP,,SYSPLEX,LEAVEGROUP: the stack leaves the XCF
// group and gives up its DVIPAs; the others take them over.
func (sx *Sysplex) LeaveGroup(name string) error {
	s := sx.Stack(name)
	if s == nil || !s.Up() {
		return fmt.Errorf("sysplex: %s is not up", name)
	}
	if !s.inGroup() {
		return fmt.Errorf("sysplex: %s has left %s already", name, sx.group)
	}
	sx.record(name, "leaves "+sx.group)
	s.leaveGroup()
	return nil
}

// JoinGroup is VARY TCPIP,,SYSPLEX,JOINGROUP.
func (sx *Sysplex) JoinGroup(name string) error {
	s := sx.Stack(name)
	if s == nil || !s.Up() {
		return fmt.Errorf("sysplex: %s is not up", name)
	}
	if s.inGroup() {
		return fmt.Errorf("sysplex: %s is a member of %s already", name, sx.group)
	}
	if err := s.joinGroup(); err != nil {
		return err
	}
	sx.record(name, "joins "+sx.group)
	return nil
}

// Deactivate is VARY TCPIP,,SYSPLEX,DEACTIVATE,DVIPA=a on a stack: the
// DVIPA moves away from it as if it had failed for that DVIPA alone.
func (sx *Sysplex) Deactivate(name string, a netip.Addr) error {
	return sx.setDeactivated(name, a, true)
}

// Reactivate is VARY TCPIP,,SYSPLEX,REACTIVATE,DVIPA=a.
func (sx *Sysplex) Reactivate(name string, a netip.Addr) error {
	return sx.setDeactivated(name, a, false)
}

func (sx *Sysplex) setDeactivated(name string, a netip.Addr, on bool) error {
	if err := sx.canDeactivate(name, a, on); err != nil {
		return err
	}
	verb := map[bool]string{true: "deactivates ", false: "reactivates "}[on]
	sx.record(name, verb+a.String())
	// The operator's command reaches every stack over XCF; each applies
	// it to its own view.
	for _, s := range sx.stacks {
		s.mu.Lock()
		if o := s.owners[a]; o != nil {
			o.SetDeactivated(name, on)
		}
		s.mu.Unlock()
	}
	for _, s := range sx.stacks {
		s.reevaluate()
	}
	return nil
}

// canDeactivate checks a DEACTIVATE (on) or REACTIVATE of DVIPA a on a
// stack as the scenario checker does: the stack is up and defines or
// backs up the DVIPA, and it is not deactivated there already (or, to
// reactivate, it is).
func (sx *Sysplex) canDeactivate(name string, a netip.Addr, on bool) error {
	s, d := sx.Stack(name), sx.dvipa(a)
	switch {
	case s == nil || d == nil:
		return fmt.Errorf("sysplex: no stack %s or DVIPA %s", name, a)
	case !s.Up():
		return fmt.Errorf("sysplex: %s is not up", name)
	case !slices.Contains(canHold(d), name):
		return fmt.Errorf("sysplex: %s neither defines nor backs up %s", name, a)
	}
	// The command reaches every stack's view (setDeactivated); a stack
	// that restarted has forgotten it, the others have not.
	already := false
	for _, other := range sx.stacks {
		other.mu.Lock()
		o := other.owners[a]
		already = already || o != nil && o.Deactivated(name)
		other.mu.Unlock()
	}
	switch {
	case on && already:
		return fmt.Errorf("sysplex: %s is deactivated on %s already", a, name)
	case !on && !already:
		return fmt.Errorf("sysplex: %s is not deactivated on %s", a, name)
	}
	return nil
}

// Apply carries out one timeline event, checked and done under one lock;
// the applications die with a failing stack and start again on a
// recovering one.
func (sx *Sysplex) Apply(e *scenario.Event, apps *workload.Apps) error {
	sx.applying.Lock()
	defer sx.applying.Unlock()
	switch e.Kind {
	case scenario.Fail:
		// The stack dies first, so its servers send nothing as they go.
		err := sx.Fail(e.Stack)
		apps.StopOn(e.Stack)
		return err
	case scenario.Recover:
		if err := sx.Recover(e.Stack); err != nil {
			return err
		}
		return apps.StartOn(e.Stack)
	case scenario.LeaveGroup:
		return sx.LeaveGroup(e.Stack)
	case scenario.JoinGroup:
		return sx.JoinGroup(e.Stack)
	case scenario.Deactivate:
		return sx.Deactivate(e.Stack, e.DVIPA)
	case scenario.Reactivate:
		return sx.Reactivate(e.Stack, e.DVIPA)
	case scenario.Cut:
		return sx.Cut(e.Stack, e.Peer)
	case scenario.Restore:
		return sx.Restore(e.Stack, e.Peer)
	case scenario.Partition:
		err := sx.Partition(e.Stack, e.Peer)
		apps.StopOn(e.Stack)
		return err
	case scenario.Stop:
		apps.StopApp(e.App, e.Stack)
		return nil
	}
	return fmt.Errorf("unknown event %s", e.Kind)
}
