package sysplex

import (
	"net/netip"
	"slices"

	"github.com/tcpipc/tcpipc/plan"
)

// Snapshot returns the sysplex's current state as a plan, for the
// displays: each DVIPA's holder as its owner, the stack routing it as its
// distributor, and only the stacks in the XCF group.
func (sx *Sysplex) Snapshot() *plan.Plan {
	p := *sx.plan
	p.Stacks = nil
	for _, s := range sx.stacks {
		if s.inGroup() {
			p.Stacks = append(p.Stacks, s.plan)
		}
	}
	up := func(name string) bool { return p.Stack(name) != nil }
	p.DVIPAs = make([]plan.DVIPA, len(sx.plan.DVIPAs))
	for i, d := range sx.plan.DVIPAs {
		a := d.Addr
		d.Owner = sx.Owner(a)
		d.Backups = slices.DeleteFunc(slices.Clone(d.Backups), func(bk plan.Backup) bool {
			return !up(bk.Stack) || bk.Stack == d.Owner
		})
		d.DistributedBy = ""
		var dists []plan.Distribution
		for _, dist := range d.Distributions {
			dist.Targets = slices.DeleteFunc(slices.Clone(dist.Targets), func(t plan.Target) bool { return !up(t.Stack) })
			dists = append(dists, dist)
		}
		r := sx.Stack(d.Owner)
		if used := r.distributionsIfRouting(&sx.plan.DVIPAs[i]); len(used) > 0 {
			// The routing stack may run another stack's VIPADISTRIBUTE
			// (a backup that took over): show it as its own.
			d.DistributedBy = r.Name()
			for _, own := range used {
				if own.Stack != r.Name() {
					own.Stack = r.Name()
					own.Targets = slices.DeleteFunc(slices.Clone(own.Targets), func(t plan.Target) bool { return !up(t.Stack) })
					dists = append(dists, own)
				}
			}
		}
		d.Distributions = dists
		p.DVIPAs[i] = d
	}
	p.DVIPAs = append(p.DVIPAs, sx.rangeDVIPAs()...)
	return &p
}

// moving feeds NETSTAT VIPADYN's Moving status.
func (sx *Sysplex) moving(a netip.Addr, stack string) bool {
	s := sx.Stack(stack)
	return s != nil && s.Moving(a)
}

// dptCounters feeds NETSTAT VDPT from the routing stacks' tables.
func (sx *Sysplex) dptCounters(a netip.Addr, ports plan.PortRange, target string) (total, ready int) {
	d := sx.Stack(sx.Owner(a)).routingOrNil(a)
	if d == nil {
		return 0, 0
	}
	for _, e := range d.DPT() {
		if e.Stack == target && int(e.Port) >= ports.From && int(e.Port) <= ports.To {
			total += e.Total
			ready += e.Ready
		}
	}
	return total, ready
}

// distributionsIfRouting returns the VIPADISTRIBUTE definitions a stack
// (possibly nil) routes a DVIPA by, or nil when it does not distribute it.
func (s *Stack) distributionsIfRouting(d *plan.DVIPA) []plan.Distribution {
	if s == nil || s.Routing(d.Addr) == nil {
		return nil
	}
	return s.distributionsFor(d)
}

// xcfOf is a stack's dynamic XCF address.
func (sx *Sysplex) xcfOf(stack string) string {
	if s := sx.Stack(stack); s != nil {
		return s.xcf.String()
	}
	return stack
}

// inGroup reports whether the stack runs and takes part in the group.
func (s *Stack) inGroup() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.up && !s.outOfGroup
}

// routedDVIPAs lists the DVIPAs this stack distributes.
func (s *Stack) routedDVIPAs() []netip.Addr {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []netip.Addr
	s.roles.each(func(a netip.Addr, r *routingRole) {
		if r.distributor() != nil {
			out = append(out, a)
		}
	})
	slices.SortFunc(out, func(x, y netip.Addr) int { return x.Compare(y) })
	return out
}
