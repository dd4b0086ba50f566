package plan

import "net/netip"

// Group returns the group a stack joins.
func (p *Plan) Group(s *Stack) Group {
	for _, g := range p.Groups {
		if g.XCFGroup == s.XCFGroup {
			return g
		}
	}
	return Group{}
}

// Stack returns the stack with the given name, or nil.
func (p *Plan) Stack(name string) *Stack {
	for i := range p.Stacks {
		if p.Stacks[i].Name == name {
			return &p.Stacks[i]
		}
	}
	return nil
}

// DVIPA returns the DVIPA with the given address, or nil.
func (p *Plan) DVIPA(addr netip.Addr) *DVIPA {
	for i := range p.DVIPAs {
		if p.DVIPAs[i].Addr == addr {
			return &p.DVIPAs[i]
		}
	}
	return nil
}

// InForce returns the distributions in force at start: DistributedBy's
// VIPADISTRIBUTE statements, one per port set (a stack may distribute
// ports of one DVIPA by different methods to different targets), or nil
// when nobody distributes the DVIPA.
func (d *DVIPA) InForce() []*Distribution {
	var out []*Distribution
	for i := range d.Distributions {
		if d.Distributions[i].Stack == d.DistributedBy && d.DistributedBy != "" {
			out = append(out, &d.Distributions[i])
		}
	}
	return out
}

// Redact replaces every pre-shared key of the plan by Redacted, as a plan
// compiled without --include-secrets has it.
func (p *Plan) Redact() {
	p.Secrets = "redacted"
	for i := range p.Stacks {
		peers := p.Stacks[i].IKE.Peers
		for j := range peers {
			if peers[j].PSK != "" {
				peers[j].PSK = Redacted
			}
		}
	}
}
