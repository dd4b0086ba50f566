package swsa

import (
	"fmt"
	"net/netip"
	"slices"

	"github.com/tcpipc/tcpipc/plan"
)

// Reason codes the planner adds to plan.CanHold's (no-ipsecurity,
// no-dvipsec, no-iked, no-key-exchange-rule, anchor-mismatch,
// coarse-granularity, manual-tunnel, no-offers, release, cf-structure,
// xcf-group), for what only a record shows: whatif, which sees no
// tunnels, cannot give them.
const (
	// ReasonPeerBehindNAT: IBM recovers SAs on a DVIPA's move only where
	// IKE can be the initiator, not to a peer behind NAT or NAPT (the
	// z/OS Communications Server IP Configuration Guide on NAT traversal
	// and sysplex-wide security associations); the peer must
	// renegotiate.
	ReasonPeerBehindNAT = "peer-behind-nat"
	// ReasonCannotInitiate: the new holder's policy never initiates
	// (HowToInitiate DONOT on its KeyExchangeRule, or an IpDynVpnAction
	// with Initiation REMOTEONLY).
	ReasonCannotInitiate = "cannot-initiate"
	// ReasonUnknownWriter: the record's writer is no stack of the plan.
	ReasonUnknownWriter = "unknown-writer"
)

// Decision is what the new holder of a DVIPA does with one record.
type Decision struct {
	TunnelID string
	Writer   string
	Peer     netip.AddrPort
	Recover  bool
	// Rule is the new holder's KeyExchangeRule for the peer.
	Rule string
	// IKE and Children are what the new holder proposes: the record's
	// transforms, lifetimes, selectors, mode and encapsulation, with the
	// writer's SPIs cleared (the new SAs get their own).
	IKE      IKESA
	Children []ChildSA
	// Old lists the writer's child SAs: what a takeback deletes with an
	// INFORMATIONAL exchange (seed 003 figure 15), and what the new
	// holder's record replaces.
	Old []OldSA
	// Reasons say why the tunnel is not recovered (empty when it is).
	Reasons []plan.Reason
}

// OldSA names a child SA of the writer.
type OldSA struct {
	Protocol    string
	InboundSPI  uint32
	OutboundSPI uint32
}

// Recover decides, for each record of a DVIPA, whether the holder stack
// renegotiates the tunnel (seed 003 figure 14, blocks 326 to 336, and
// figure 15) or why not. It does no I/O: the caller reads the records and
// acts on the decisions. The reasons are plan.CanHold's, as whatif gives
// them, plus those only a record shows.
func Recover(p *plan.Plan, holder string, dvipa netip.Addr, recs []*Record) ([]Decision, error) {
	dst := p.Stack(holder)
	if dst == nil {
		return nil, fmt.Errorf("no stack %s in the plan", holder)
	}
	out := make([]Decision, 0, len(recs))
	for _, r := range recs {
		if r.DVIPA != dvipa {
			return nil, fmt.Errorf("record %s is not of DVIPA %s", r.Key(), dvipa)
		}
		out = append(out, decide(p, dst, r))
	}
	return out, nil
}

func decide(p *plan.Plan, dst *plan.Stack, r *Record) Decision {
	d := Decision{TunnelID: r.TunnelID, Writer: r.Writer, Peer: r.Peer.Addr, Reasons: []plan.Reason{}}
	add := func(stack, code, format string, args ...any) {
		for _, x := range d.Reasons {
			if x.Stack == stack && x.Code == code {
				return
			}
		}
		d.Reasons = append(d.Reasons, plan.Reason{Stack: stack, Code: code, Text: fmt.Sprintf(format, args...)})
	}
	for _, c := range r.Children {
		d.Old = append(d.Old, OldSA{Protocol: c.Protocol, InboundSPI: c.InboundSPI, OutboundSPI: c.OutboundSPI})
	}
	src := p.Stack(r.Writer)
	switch {
	case src == nil:
		add(r.Writer, ReasonUnknownWriter, "the record of tunnel %s was written by %s, which is no stack of the plan", r.TunnelID, r.Writer)
		src = dst
	case !src.DVIPSec:
		add(src.Name, "no-dvipsec", "%s lacks IPSEC DVIPSEC: it never wrote its SAs to the coupling facility", src.Name)
	}
	for _, x := range p.CanHold(dst, src, r.DVIPA, r.IKE.Version == "IKEv2", true) {
		add(x.Stack, x.Code, "%s", x.Text)
	}
	peerRule := ruleFor(dst, r)
	switch {
	case peerRule == nil:
		add(dst.Name, "no-key-exchange-rule", "%s has no KeyExchangeRule from %s to peer %s (%s %s)",
			dst.Name, r.DVIPA, r.Peer.Addr.Addr(), r.Peer.Identity.Type, r.Peer.Identity.Value)
	case peerRule.Initiate == "DONOT":
		add(dst.Name, ReasonCannotInitiate, "KeyExchangeRule %s on %s never initiates (HowToInitiate DONOT): only the peer could renegotiate", peerRule.Rule, dst.Name)
	}
	if a := vpnAction(dst, r.VPNAction); a != nil && a.Initiation == "REMOTEONLY" {
		add(dst.Name, ReasonCannotInitiate, "IpDynVpnAction %s on %s has Initiation REMOTEONLY: only the peer could renegotiate", a.Name, dst.Name)
	}
	if r.Peer.BehindNAT {
		add(dst.Name, ReasonPeerBehindNAT, "peer %s is behind NAT: IKE cannot initiate to it, so the peer must renegotiate", r.Peer.Addr)
	}
	if c, ok := coarse(r); ok {
		add(dst.Name, "coarse-granularity", "child SA %#x of tunnel %s has local selector %s-%s, coarser than the host %s: it cannot move", c.InboundSPI, r.TunnelID, c.Local[0].Start, c.Local[0].End, r.DVIPA)
	}
	if len(d.Reasons) > 0 {
		return d
	}
	d.Recover, d.Rule = true, peerRule.Rule
	d.IKE = r.IKE
	d.IKE.SPIi, d.IKE.SPIr = 0, 0
	d.IKE.Transforms = slices.Clone(r.IKE.Transforms)
	for _, c := range r.clone().Children {
		c.InboundSPI, c.OutboundSPI = 0, 0
		d.Children = append(d.Children, c)
	}
	return d
}

// ruleFor is the holder's first KeyExchangeRule whose local endpoint
// covers the DVIPA and whose remote endpoint is the record's peer: by its
// identity, or by a location holding the peer's address.
func ruleFor(s *plan.Stack, r *Record) *plan.Peer {
	for i, peer := range s.IKE.Peers {
		if !peer.Local.Covers(r.DVIPA) {
			continue
		}
		id := peer.Remote.Type == r.Peer.Identity.Type && peer.Remote.Value == r.Peer.Identity.Value
		if id || peer.Remote.Covers(r.Peer.Addr.Addr()) {
			return &s.IKE.Peers[i]
		}
	}
	return nil
}

func vpnAction(s *plan.Stack, name string) *plan.VPNAction {
	for i, a := range s.SPD.VPNActions {
		if a.Name == name {
			return &s.SPD.VPNActions[i]
		}
	}
	return nil
}

// coarse finds a child SA whose local selectors are more than the DVIPA
// alone: its traffic may belong to other addresses, so it cannot follow
// the DVIPA (IBM: SWSA needs host granularity on the DVIPA side).
func coarse(r *Record) (ChildSA, bool) {
	for _, c := range r.Children {
		for _, ts := range c.Local {
			if ts.Start != r.DVIPA || ts.End != r.DVIPA {
				return c, true
			}
		}
	}
	return ChildSA{}, false
}
