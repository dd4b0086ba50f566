package compile

import (
	"errors"
	"fmt"
	"net/netip"
)

// Validate checks what the displays, whatif and the runtime rely on in a
// plan that did not come from Compile (a file someone may have edited):
// addresses and prefixes parse, ports are ports, and every stack a DVIPA
// names is a stack of the plan.
func (p *Plan) Validate() error {
	var errs []error
	bad := func(format string, args ...any) { errs = append(errs, fmt.Errorf(format, args...)) }
	addr := func(where, s string) {
		if _, err := netip.ParseAddr(s); err != nil {
			bad("%s: %q is not an IP address", where, s)
		}
	}
	ports := func(where string, r PortRange) {
		if r.From < 0 || r.To > 65535 || r.From > r.To {
			bad("%s: port range %d-%d", where, r.From, r.To)
		}
	}
	stacks := map[string]bool{}
	for _, s := range p.Stacks {
		if s.Name == "" || stacks[s.Name] {
			bad("stack name %q is empty or used twice", s.Name)
		}
		stacks[s.Name] = true
		for _, x := range s.XCF {
			addr("stack "+s.Name+" xcf", x.Addr)
		}
		for _, h := range s.Home {
			addr("stack "+s.Name+" home", h.Addr)
		}
		for _, fl := range s.SPD.Filters {
			ports("stack "+s.Name+" filter "+fl.Name+" local", fl.LocalPorts)
			ports("stack "+s.Name+" filter "+fl.Name+" remote", fl.RemotePorts)
		}
		for _, r := range s.VIPARanges {
			if _, err := netip.ParsePrefix(r.Prefix); err != nil {
				bad("stack %s: VIPARANGE %q is not a prefix", s.Name, r.Prefix)
			}
		}
	}
	stack := func(where, name string) {
		if name != "" && !stacks[name] {
			bad("%s: no stack %q in the plan", where, name)
		}
	}
	for _, d := range p.DVIPAs {
		where := "DVIPA " + d.Addr
		a, err := netip.ParseAddr(d.Addr)
		if err != nil {
			bad("%q is not an IP address", d.Addr)
		} else if d.PrefixLen < 0 || d.PrefixLen > a.BitLen() {
			bad("%s: prefix length %d", where, d.PrefixLen)
		}
		stack(where+" owner", d.Owner)
		stack(where+" distributor", d.DistributedBy)
		for _, n := range d.DefinedBy {
			stack(where+" definer", n)
		}
		for _, b := range d.Backups {
			stack(where+" backup", b.Stack)
		}
		for _, dist := range d.Distributions {
			stack(where+" distribution", dist.Stack)
			for _, r := range dist.Ports {
				ports(where, r)
			}
			for _, t := range dist.Targets {
				stack(where+" target", t.Stack)
			}
		}
	}
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("invalid plan: %w", err)
	}
	return nil
}
