package sysplex

import (
	"fmt"
	"net"
	"net/netip"
	"time"

	"github.com/tcpipc/tcpipc/display"
	"github.com/tcpipc/tcpipc/internal/clock"
	"github.com/tcpipc/tcpipc/runtime/dvipa"
	"github.com/tcpipc/tcpipc/runtime/ipsec"
)

// This file is what the rest of the runtime may ask a running sysplex:
// the ctl protocol (runtime/control), the scenario player (runtime/play),
// the displays and the applications (runtime/workload) read the live
// state through these methods and never through a stack's fields.

// Up reports whether the named stack exists and runs (workload.Stacks).
func (sx *Sysplex) Up(stack string) bool {
	s := sx.Stack(stack)
	return s != nil && s.Up()
}

// Listen listens for TCP on ap on the named stack (workload.Stacks).
func (sx *Sysplex) Listen(stack string, ap netip.AddrPort) (net.Listener, error) {
	s := sx.Stack(stack)
	if s == nil {
		return nil, fmt.Errorf("no stack %s in sysplex %s", stack, sx.plan.Sysplex)
	}
	return s.Listen(ap)
}

// Live feeds the live columns of the displays (VDPT counters, Moving).
func (sx *Sysplex) Live() *display.Live {
	return &display.Live{DPT: sx.dptCounters, Moving: sx.moving, Activated: sx.activated, HotStandby: sx.hotStandby}
}

// hotStandby feeds VDPT's Active flag from the routing stack's distributor.
func (sx *Sysplex) hotStandby(a netip.Addr, port uint16) string {
	// One read of the routing role: a takeover between two reads could
	// leave the second nil.
	d := sx.Stack(sx.Owner(a)).routingOrNil(a)
	if d == nil {
		return ""
	}
	return d.ActiveTarget(port)
}

// activated is when stack last became a's holder.
func (sx *Sysplex) activated(a netip.Addr, stack string) (time.Time, bool) {
	sx.mu.Lock()
	defer sx.mu.Unlock()
	for i := len(sx.moves) - 1; i >= 0; i-- {
		if m := sx.moves[i]; m.DVIPA == a {
			return m.At, m.To == stack
		}
	}
	return time.Time{}, false
}

// CheckInGroup returns nil when the named stack runs and takes part in
// the group, an error naming the sysplex when there is no such stack, one
// wrapping ErrStackDown when it is down, and one naming the group when it
// runs but left the group.
func (sx *Sysplex) CheckInGroup(stack string) error {
	s := sx.Stack(stack)
	if s == nil {
		return fmt.Errorf("no stack %s in sysplex %s", stack, sx.plan.Sysplex)
	}
	switch {
	case !s.Up():
		return fmt.Errorf("%s: %w", stack, ErrStackDown)
	case !s.inGroup():
		// The stack runs but left the group (VARY …,LEAVEGROUP): z/OS
		// answers a sysplex display there with EZZ8269I.
		return fmt.Errorf("%s is not a member of sysplex group %s (it left the group; JOINGROUP brings it back)", stack, sx.group)
	}
	return nil
}

// VCRT is the named stack's NETSTAT VCRT: as a routing stack the
// connection routing table of the DVIPAs it distributes; as a target the
// connections it serves.
func (sx *Sysplex) VCRT(stack string) []display.VCRTEntry {
	s := sx.Stack(stack)
	if s == nil {
		return nil
	}
	var rows []display.VCRTEntry
	for _, a := range s.routedDVIPAs() {
		for _, conn := range s.Routing(a).CRT() {
			rows = append(rows, display.VCRTEntry{Dest: fmt.Sprintf("%s..%d", a, conn.Key.Port), Source: portDots(conn.Key.Client), DestXCF: sx.xcfOf(conn.Target)})
		}
	}
	s.mu.Lock()
	for k := range s.conns {
		if s.roles.lookup(k.dvipa).distributor() == nil {
			rows = append(rows, display.VCRTEntry{Dest: fmt.Sprintf("%s..%d", k.dvipa, k.port), Source: portDots(k.client), DestXCF: s.xcf.String()})
		}
	}
	s.mu.Unlock()
	return rows
}

// IPsecSAs lists the security associations of the DVIPAs the named stack
// routes and protects, in address order.
func (sx *Sysplex) IPsecSAs(stack string) []*ipsec.SAList {
	s := sx.Stack(stack)
	if s == nil {
		return nil
	}
	var out []*ipsec.SAList
	for _, a := range s.routedDVIPAs() {
		if sas := s.IPsecSAs(a); sas != nil {
			out = append(out, sas)
		}
	}
	return out
}

// portDots writes an address and port the way NETSTAT does (a..p).
func portDots(ap netip.AddrPort) string { return fmt.Sprintf("%s..%d", ap.Addr(), ap.Port()) }

// Clock is the clock the sysplex runs on.
func (sx *Sysplex) Clock() clock.Clock { return sx.clk }

// Options are the options the sysplex was built with.
func (sx *Sysplex) Options() Options { return sx.opts }

// Endpoint is one IPsec endpoint a stack runs for a DVIPA it routes.
type Endpoint struct {
	Stack string
	DVIPA netip.Addr
	Stats ipsec.Stats
	SAs   ipsec.SAList
}

// Endpoints lists the IPsec endpoints still running, stack by stack in
// plan order, each stack's DVIPAs in address order.
func (sx *Sysplex) Endpoints() []Endpoint {
	var out []Endpoint
	for _, s := range sx.stacks {
		for _, a := range s.routedDVIPAs() {
			if sec := s.secFor(a); sec != nil {
				out = append(out, Endpoint{Stack: s.Name(), DVIPA: a, Stats: sec.ep.Stats(), SAs: sec.ep.SAs()})
			}
		}
	}
	return out
}

// ActiveOn lists the stacks that show a DVIPA Active, in plan order: one,
// in a sysplex that has converged.
func (sx *Sysplex) ActiveOn(a netip.Addr) []string {
	var out []string
	for _, s := range sx.stacks {
		if s.State(a) == dvipa.Active {
			out = append(out, s.Name())
		}
	}
	return out
}
