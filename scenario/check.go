package scenario

import (
	"cmp"
	"fmt"
	"net/netip"
	"slices"
	"time"

	"github.com/tcpipc/tcpipc/diag"
	"github.com/tcpipc/tcpipc/plan"
)

// CheckPlan checks a scenario against the plan it will run on, before the
// run: every stack it names is a stack of the plan, every DVIPA a DVIPA,
// no client takes an address of the sysplex, and the timeline makes sense
// at each point, which it learns by playing the timeline on a model of
// each stack's state (up or down, in the XCF group or not, its deactivated
// DVIPAs, the cut links). A mistake the run would only find as an error
// without a position, or not at all, is a diagnostic at its value.
func (sc *Scenario) CheckPlan(p *plan.Plan) diag.Diagnostics {
	c := &planCheck{plan: p, stacks: map[string]*stackState{}, apps: map[string][]string{}}
	for _, s := range p.Stacks {
		c.stacks[s.Name] = &stackState{deactivated: map[netip.Addr]time.Duration{}}
	}
	for _, a := range sc.Applications {
		c.application(a)
	}
	for _, cl := range sc.Clients {
		c.client(cl)
	}
	c.timeline(sc.Timeline)
	for _, x := range sc.Expect {
		c.expectation(x)
	}
	return c.ds
}

// stackState is what the timeline has done to one stack so far, with the
// time of each change for the diagnostics.
type stackState struct {
	down        bool
	downAt      time.Duration
	left        bool
	leftAt      time.Duration
	deactivated map[netip.Addr]time.Duration
}

type planCheck struct {
	plan   *plan.Plan
	stacks map[string]*stackState
	// apps maps an application to the stacks it runs on.
	apps map[string][]string
	// cut maps a cut XCF link (names in order) to when it was cut.
	cut map[[2]string]time.Duration
	ds  diag.Diagnostics
}

func (c *planCheck) errorf(r diag.Range, format string, args ...any) {
	c.ds.Errorf(RuleScenario, r, format, args...)
}

// stack reports whether name is a stack of the plan, with a diagnostic
// at r when it is not.
func (c *planCheck) stack(name string, r diag.Range) bool {
	switch {
	case c.stacks[name] != nil:
		return true
	case name == "":
		c.errorf(r, "a stack name is needed (stacks: %s)", c.stackNames())
		return false
	}
	c.errorf(r, "no stack %s in the sysplex %s (stacks: %s)", name, c.plan.Sysplex, c.stackNames())
	return false
}

func (c *planCheck) stackNames() string {
	var ns []string
	for _, s := range c.plan.Stacks {
		ns = append(ns, s.Name)
	}
	return fmt.Sprint(ns)
}

// dvipa returns the plan's DVIPA at a, with a diagnostic at r when there
// is none.
func (c *planCheck) dvipa(a netip.Addr, r diag.Range) *plan.DVIPA {
	if !a.IsValid() {
		return nil // the reader reported it
	}
	if d := c.plan.DVIPA(a); d != nil {
		return d
	}
	c.errorf(r, "%s is no DVIPA of the sysplex %s", a, c.plan.Sysplex)
	return nil
}

func (c *planCheck) application(a *Application) {
	for i, s := range a.Stacks {
		r := a.Range
		if i < len(a.StackRanges) {
			r = a.StackRanges[i]
		}
		c.stack(s, r)
	}
	c.apps[a.Name] = append(c.apps[a.Name], a.Stacks...)
	if d := c.plan.DVIPA(a.Bind.Addr()); d != nil && d.Owner == "" &&
		!slices.ContainsFunc(d.Backups, func(b plan.Backup) bool { return b.CanCreate }) {
		c.errorf(a.Range, "no stack activates DVIPA %s of application %s: nobody VIPADEFINEs it, and a VIPABACKUP without MOVEABLE and a mask only takes over a DVIPA that is active",
			d.Addr, a.Name)
	}
}

// client reports a client address that is the sysplex's own: the LAN
// would deliver its traffic to a stack, or the client would take a
// DVIPA's traffic.
func (c *planCheck) client(cl *Client) {
	if !cl.From.IsValid() || !cl.From.Is4() {
		return
	}
	for h := range max(cl.Hosts, 1) {
		a := cl.HostAddr(h)
		if what := c.ownAddress(a); what != "" {
			c.errorf(orRange(cl.FromRange, cl.Range), "%s is the sysplex's own address: %s; a client needs an address of its own", hostText(cl, h), what)
		}
	}
}

// hostText names a client's host h by its address: from, or the host's
// place in the run of hosts.
func hostText(cl *Client, h int) string {
	if h == 0 {
		return "from " + cl.From.String()
	}
	return fmt.Sprintf("host %d of %d (%s)", h+1, cl.Hosts, cl.HostAddr(h))
}

// ownAddress names what a of the plan is, "" when nothing.
func (c *planCheck) ownAddress(a netip.Addr) string {
	for _, d := range c.plan.DVIPAs {
		if d.Addr == a {
			return "DVIPA " + d.Addr.String()
		}
	}
	for _, s := range c.plan.Stacks {
		for _, x := range s.XCF {
			if x.Addr == a {
				return "the XCF address of " + s.Name
			}
		}
		for _, h := range s.Home {
			if h.Addr == a {
				return "a HOME address of " + s.Name
			}
		}
		for _, r := range s.VIPARanges {
			if r.Prefix.Contains(a) {
				return "inside VIPARANGE " + r.Prefix.String() + " of " + s.Name
			}
		}
	}
	return ""
}

// timeline plays the events in the order the run does (by time, stable)
// on the model of the stacks.
func (c *planCheck) timeline(events []*Event) {
	c.cut = map[[2]string]time.Duration{}
	sorted := slices.Clone(events)
	slices.SortStableFunc(sorted, func(a, b *Event) int { return cmp.Compare(a.At, b.At) })
	for _, e := range sorted {
		if e.Kind == "" {
			continue // the reader reported an event that names no kind
		}
		if !c.stack(e.Stack, orRange(e.StackRange, e.Range)) {
			continue
		}
		switch e.Kind {
		case Fail, Recover:
			c.failRecover(e)
		case LeaveGroup, JoinGroup:
			c.leaveJoin(e)
		case Deactivate, Reactivate:
			c.deactivation(e)
		case Cut, Restore:
			c.link(e)
		case Partition:
			c.partition(e)
		case Stop:
			if e.App != "" && len(c.apps[e.App]) > 0 && !slices.Contains(c.apps[e.App], e.Stack) {
				c.errorf(orRange(e.StackRange, e.Range), "%s does not run on %s (it runs on %v)", e.App, e.Stack, c.apps[e.App])
			}
		}
	}
}

func (c *planCheck) failRecover(e *Event) {
	st, r := c.stacks[e.Stack], orRange(e.StackRange, e.Range)
	switch {
	case e.Kind == Fail && st.down:
		c.errorf(r, "%s is already down at %s: it fails at %s", e.Stack, e.At, st.downAt)
	case e.Kind == Recover && !st.down:
		c.errorf(r, "%s is up at %s: only a failed stack recovers", e.Stack, e.At)
	case e.Kind == Fail:
		st.down, st.downAt = true, e.At
	default:
		// A recovered stack starts afresh and joins the group.
		st.down, st.left = false, false
	}
}

// leaveJoin checks VARY TCPIP,,SYSPLEX,LEAVEGROUP|JOINGROUP: a stack
// that left stays out until JOINGROUP (IBM's "VARY TCPIP,,SYSPLEX").
func (c *planCheck) leaveJoin(e *Event) {
	st, r := c.stacks[e.Stack], orRange(e.StackRange, e.Range)
	switch {
	case st.down:
		c.errorf(r, "%s is down at %s (it fails at %s): a VARY command needs a running stack", e.Stack, e.At, st.downAt)
	case e.Kind == LeaveGroup && st.left:
		c.errorf(r, "%s already left the group at %s: it leaves at %s", e.Stack, e.At, st.leftAt)
	case e.Kind == JoinGroup && !st.left:
		c.errorf(r, "%s is in the group at %s: only a stack that left joins", e.Stack, e.At)
	default:
		st.left, st.leftAt = e.Kind == LeaveGroup, e.At
	}
}

// deactivation checks VARY TCPIP,,SYSPLEX,DEACTIVATE|REACTIVATE,DVIPA=:
// IBM's command applies only to a DVIPA configured on the stack with
// VIPADEFINE or VIPABACKUP, and REACTIVATE redefines one that was
// deactivated ("Manually initiating takeover for an individual dynamic
// VIPA", z/OS Communications Server IP Configuration Guide).
func (c *planCheck) deactivation(e *Event) {
	d := c.dvipa(e.DVIPA, orRange(e.DVIPARange, e.Range))
	if d == nil {
		return
	}
	if !slices.Contains(d.DefinedBy, e.Stack) && !slices.ContainsFunc(d.Backups, func(b plan.Backup) bool { return b.Stack == e.Stack }) {
		c.errorf(orRange(e.StackRange, e.Range), "%s neither defines nor backs up DVIPA %s, so it has nothing to %s", e.Stack, d.Addr, e.Kind)
		return
	}
	st := c.stacks[e.Stack]
	if st.down {
		c.errorf(orRange(e.StackRange, e.Range), "%s is down at %s (it fails at %s): a VARY command needs a running stack", e.Stack, e.At, st.downAt)
		return
	}
	at, off := st.deactivated[e.DVIPA]
	switch {
	case e.Kind == Deactivate && off:
		c.errorf(orRange(e.StackRange, e.Range), "DVIPA %s is already deactivated on %s at %s: it is deactivated at %s", d.Addr, e.Stack, e.At, at)
	case e.Kind == Reactivate && !off:
		c.errorf(orRange(e.StackRange, e.Range), "DVIPA %s is not deactivated on %s at %s: only a deactivated DVIPA is reactivated", d.Addr, e.Stack, e.At)
	case e.Kind == Deactivate:
		st.deactivated[e.DVIPA] = e.At
	default:
		delete(st.deactivated, e.DVIPA)
	}
}

// partition checks a loss of signalling between two running stacks, which
// removes the named stack from the sysplex: from then on it is down, as
// after a failure, until it recovers.
func (c *planCheck) partition(e *Event) {
	r := orRange(e.PeerRange, e.Range)
	switch {
	case e.Peer == e.Stack:
		c.errorf(r, "a stack cannot lose signalling with itself: name the stack at the other end as peer")
		return
	case !c.stack(e.Peer, r):
		return
	case c.stacks[e.Peer].down:
		c.errorf(r, "%s is down at %s (it fails at %s): a partition needs both stacks running", e.Peer, e.At, c.stacks[e.Peer].downAt)
		return
	}
	c.failRecover(&Event{Kind: Fail, At: e.At, Stack: e.Stack, StackRange: e.StackRange, Range: e.Range})
}

func (c *planCheck) link(e *Event) {
	r := orRange(e.PeerRange, e.Range)
	if e.Peer == e.Stack {
		c.errorf(r, "a stack has no XCF link to itself: name the stack at the other end as peer")
		return
	}
	if !c.stack(e.Peer, r) {
		return
	}
	key := [2]string{min(e.Stack, e.Peer), max(e.Stack, e.Peer)}
	at, cut := c.cut[key]
	switch {
	case e.Kind == Cut && cut:
		c.errorf(orRange(e.StackRange, e.Range), "the XCF link %s-%s is already cut at %s: it is cut at %s", e.Stack, e.Peer, e.At, at)
	case e.Kind == Restore && !cut:
		c.errorf(orRange(e.StackRange, e.Range), "the XCF link %s-%s is not cut at %s: only a cut link is restored", e.Stack, e.Peer, e.At)
	case e.Kind == Cut:
		c.cut[key] = e.At
	default:
		delete(c.cut, key)
	}
}

func (c *planCheck) expectation(x *Expectation) {
	if o := x.Owner; o != nil {
		if o.Stack != "" { // "" expects nobody to hold the DVIPA
			c.stack(o.Stack, orRange(o.StackRange, x.Range))
		}
		c.anyDVIPA(o.DVIPA, orRange(o.DVIPARange, x.Range))
	}
	if t := x.Takeover; t != nil {
		c.anyDVIPA(t.DVIPA, orRange(t.DVIPARange, x.Range))
	}
	if t := x.Tunnels; t != nil {
		c.anyDVIPA(t.DVIPA, orRange(t.DVIPARange, x.Range))
	}
}

// anyDVIPA is dvipa for an address that may also be an application's
// DVIPA: one inside a stack's VIPARANGE, created when a server binds it.
func (c *planCheck) anyDVIPA(a netip.Addr, r diag.Range) {
	for _, s := range c.plan.Stacks {
		for _, vr := range s.VIPARanges {
			if a.IsValid() && vr.Prefix.Contains(a) {
				return
			}
		}
	}
	c.dvipa(a, r)
}
