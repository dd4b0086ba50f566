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
	// ReasonPeerBehindNAPT: the peer is behind a NAT that translates
	// ports (NAPT). IBM recovers SAs on a DVIPA's move only where IKE can
	// initiate, and z/OS cannot initiate to an endpoint behind a NAPT
	// (z/OS Communications Server IP Configuration Guide, "DVIPA recovery
	// support", ipsecurity_swsa_natt_dvipa_recovery.htm). Through a
	// one-to-one NAT the new holder initiates and recovers.
	ReasonPeerBehindNAPT = "peer-behind-napt"
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
	// UDPEncap: the peer is behind a one-to-one NAT, so the new holder
	// initiates to its recorded public address on port 4500 and the new
	// SAs carry ESP in UDP (RFC 3948).
	UDPEncap bool
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
	shared := sharedAddrs(recs)
	for _, r := range recs {
		if r.DVIPA != dvipa {
			return nil, fmt.Errorf("record %s is not of DVIPA %s", r.Key(), dvipa)
		}
		out = append(out, decide(p, dst, r, shared[r.Peer.Addr.Addr()]))
	}
	return out, nil
}

// sharedAddrs finds the peer addresses of records behind NAT that show
// more than one port: a NAPT mapping several clients to one public
// address (IBM: with several clients' SAs the server detects the port
// translation).
func sharedAddrs(recs []*Record) map[netip.Addr]bool {
	port := map[netip.Addr]uint16{}
	shared := map[netip.Addr]bool{}
	for _, r := range recs {
		if !r.Peer.BehindNAT {
			continue
		}
		a := r.Peer.Addr.Addr()
		if p, ok := port[a]; ok && p != r.Peer.Addr.Port() {
			shared[a] = true
		}
		port[a] = r.Peer.Addr.Port()
	}
	return shared
}

// napt says whether a record's peer is behind a NAT that translates
// ports. A peer behind NAT that floated to 4500 (RFC 7296 §2.23) keeps
// port 4500 through a one-to-one NAT, or 500 if it never floated; any
// other port, or a public address shared with another client on another
// port, is port translation. When neither shows, z/OS cannot tell a NAPT
// from a one-to-one NAT and treats the SA as one-to-one (IBM, "DVIPA
// recovery support"), and so does tcpipc.
func napt(r *Record, shared bool) bool {
	if !r.Peer.BehindNAT {
		return false
	}
	p := r.Peer.Addr.Port()
	return shared || (p != 500 && p != 4500)
}

func decide(p *plan.Plan, dst *plan.Stack, r *Record, shared bool) Decision {
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
	if napt(r, shared) {
		add(dst.Name, ReasonPeerBehindNAPT, "peer %s is behind a NAT that translates ports (NAPT): IKE can only respond to it, so the peer must renegotiate "+
			"(IBM, DVIPA recovery support, ipsecurity_swsa_natt_dvipa_recovery.htm)", r.Peer.Addr)
	}
	if c, ok := coarse(r); ok {
		add(dst.Name, "coarse-granularity", "child SA %#x of tunnel %s has local selector %s-%s, coarser than the host %s: it cannot move", c.InboundSPI, r.TunnelID, c.Local[0].Start, c.Local[0].End, r.DVIPA)
	}
	if len(d.Reasons) > 0 {
		return d
	}
	d.Recover, d.Rule = true, peerRule.Rule
	if r.Peer.BehindNAT {
		d.UDPEncap = true
		d.Peer = netip.AddrPortFrom(r.Peer.Addr.Addr(), 4500)
	}
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
