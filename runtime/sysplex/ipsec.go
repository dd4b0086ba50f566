package sysplex

import (
	"bytes"
	"context"
	"fmt"
	"net/netip"
	"slices"
	"strings"
	"sync/atomic"

	"github.com/tcpipc/tcpipc/plan"
	"github.com/tcpipc/tcpipc/runtime/ipsec"
	"github.com/tcpipc/tcpipc/runtime/lan"
)

// IPsec on the packet path (seed 003 figure 11). The routing stack of a
// DVIPA its plan protects (IPSECURITY, a key exchange rule for the DVIPA)
// runs an IPsec endpoint on the DVIPA: IKE and ESP-in-UDP from the LAN
// end there, decrypted packets go on to the distributor like any other,
// and every reply from the DVIPA (the routing stack's own, or a target's
// sent back over XCF) leaves through the endpoint's SPD. With DVIPSEC its
// SAs are also recorded for SWSA (swsa.go); without it they are the
// stack's own tunnels, lost when the DVIPA moves (IBM, IPSEC statement).

// dvipaSec is the endpoint a stack runs for one of its addresses: a DVIPA
// it routes, or a home address.
type dvipaSec struct {
	ep   *ipsec.Endpoint
	conn *lan.UDP
}

// startIPsec starts the endpoint for a DVIPA this stack now routes, when
// its plan protects it, and journals its SAs when the stack has DVIPSEC;
// nil when the plan does not protect the DVIPA.
func (s *Stack) startIPsec(a netip.Addr, send func(pkt []byte) error) *dvipaSec {
	sec := s.startEndpoint(a, send)
	if sec != nil {
		s.journalEndpoint(a, sec.ep)
	}
	return sec
}

// startHomeIPsec starts the endpoints of the stack's home addresses that
// its key exchange rules name (IKED negotiates for the stack's own
// addresses too).
func (s *Stack) startHomeIPsec(send func(pkt []byte) error) {
	for _, h := range s.plan.Home {
		a := h.Addr
		if sec := s.startEndpoint(a, send); sec != nil {
			s.mu.Lock()
			s.roles.get(a).setSec(sec)
			s.mu.Unlock()
		}
	}
}

// startEndpoint starts an IPsec endpoint on one of the stack's addresses
// when the run carries the policy and the stack's rules name the address.
func (s *Stack) startEndpoint(a netip.Addr, send func(pkt []byte) error) *dvipaSec {
	if !s.sx.opts.IPsec || !s.plan.IPSecurity || !s.plan.IKED {
		return nil
	}
	cfg, err := ipsec.FromPlan(&s.plan, a)
	if err != nil {
		s.sx.record(s.plan.Name, fmt.Sprintf("no IPsec for %s: %v", a, err))
		return nil
	}
	if len(cfg.Peers) == 0 {
		return nil
	}
	if len(cfg.LeftOut) > 0 {
		s.sx.record(s.plan.Name, fmt.Sprintf("IPsec for %s runs without the offers tcpipc does not implement: %s",
			a, strings.Join(cfg.LeftOut, "; ")))
	}
	conn := lan.NewUDP(a, send)
	cfg.Conn, cfg.Clock, cfg.KeyLog = conn, s.sx.clk, s.sx.opts.KeyLog
	cfg.Identities = s.identities // one count for all of the stack's endpoints
	cfg.OnCleartext = func(pkt []byte) { _ = s.route(pkt, true) }
	ep, err := ipsec.New(cfg)
	if err != nil {
		s.sx.record(s.plan.Name, fmt.Sprintf("no IPsec for %s: %v", a, err))
		return nil
	}
	return &dvipaSec{ep: ep, conn: conn}
}

// secFor returns the endpoint of a DVIPA this stack routes, or nil.
func (s *Stack) secFor(a netip.Addr) *dvipaSec {
	return s.roles.lookup(a).endpoint()
}

// stopIPsec ends the endpoint of a DVIPA this stack no longer routes; its
// SAs go with it (the peers negotiate new ones with the next holder).
func (s *Stack) stopIPsec(a netip.Addr) {
	var sec *dvipaSec
	s.mu.Lock()
	if r := s.roles.lookup(a); r != nil {
		sec = r.takeSec()
	}
	s.mu.Unlock()
	if sec != nil {
		// The DVIPA moves on: its SAs go once the next holder has
		// renegotiated them (swsa.go).
		s.releaseSAs(a, sec)
	}
}

// interceptIKE hands IKE and NAT-T datagrams for a protected DVIPA to its
// endpoint, and refuses cleartext the policy wants protected: through the
// endpoint, or, when none runs for an address the plan protects, through
// the plan's policy (enterClear). It reports whether it consumed the
// packet.
func (s *Stack) interceptIKE(dst netip.Addr, pkt []byte) bool {
	sec := s.secFor(dst)
	if sec == nil {
		return !s.enterClear(dst, pkt)
	}
	if port, src, payload, ok := lan.ParseUDP(pkt); ok && (port == lan.IKEPort || port == lan.NATTPort) {
		sec.conn.Deliver(port, src, payload)
		return true
	}
	if !sec.ep.InboundClear(pkt) {
		return true // dropped and counted by the endpoint
	}
	return false
}

// toLAN is the stack's LAN handler: packets from a protected DVIPA leave
// through the endpoint (this stack routes it) or go back to the routing
// stack over XCF (this stack is a target).
// out is the life's output switch: a failed stack sends nothing.
func (s *Stack) toLAN(send func(context.Context, []byte) error, out *atomic.Bool) func(context.Context, []byte) error {
	return func(ctx context.Context, pkt []byte) error {
		if !out.Load() {
			return nil // the system failed
		}
		src, ok := lan.Source(pkt)
		if !ok {
			return send(ctx, pkt)
		}
		sec, router := s.outboundIPsec(src)
		switch {
		case sec != nil:
			if sec.ep.Outbound(bytes.Clone(pkt)) != ipsec.Clear {
				return nil // protected, queued for an SA, or dropped and counted
			}
		case router != "":
			if p, ok := s.node.Port(router); ok {
				return p.Forward(pkt)
			}
			// The routing stack protects the address but this stack
			// has no link to it: never the LAN in the clear instead.
			s.unprotected.Add(1)
			return nil
		default:
			if !s.leaveClear(src, pkt) {
				return nil // dropped and counted
			}
		}
		return send(ctx, pkt)
	}
}

// leaveClear is the fail-closed check for a packet no endpoint takes: the
// stack holds or routes src at a moment its endpoint for src is not
// running (a takeover or takeback between activating the DVIPA and
// starting the endpoint, a stack that gave the DVIPA away before the new
// holder's VIPA list said it protects it, a reset from a netstack in
// between). When the stack's plan protects src, only what the policy
// permits leaves in the clear; traffic of an IPSEC filter, and what the
// policy denies, is dropped and counted (RouteDrops.Unprotected), and TCP
// resends it once the endpoint or the route is in place.
func (s *Stack) leaveClear(src netip.Addr, pkt []byte) bool {
	return s.admitClear(ipsec.Outbound, src, pkt)
}

// enterClear is leaveClear for a packet from the LAN to dst when no
// endpoint runs for dst: when the plan protects dst, only what the policy
// permits inbound comes in; the rest is dropped and counted.
func (s *Stack) enterClear(dst netip.Addr, pkt []byte) bool {
	return s.admitClear(ipsec.Inbound, dst, pkt)
}

// admitClear applies the plan's policy for our address a, if it protects
// a, to a cleartext packet going dir, counting what it refuses.
func (s *Stack) admitClear(dir ipsec.Direction, a netip.Addr, pkt []byte) bool {
	if spd := s.guardFor(a); spd == nil || spd.AdmitsClear(dir, pkt) {
		return true
	}
	s.unprotected.Add(1)
	return false
}

// guardFor returns the policy for an address the stack sends from or
// receives for when the plan protects it: the stack's own (the addresses
// startEndpoint would run an endpoint on: a DVIPA or a home address a key
// exchange rule names), or, for a DVIPA another IPSECURITY stack of the
// sysplex that can hold it protects, that stack's; else nil. It is worked
// out once per address.
func (s *Stack) guardFor(a netip.Addr) *ipsec.SPD {
	if v, ok := s.guards.Load(a); ok {
		return v.(*ipsec.SPD)
	}
	spd := s.planSPD(a)
	s.guards.Store(a, spd)
	return spd
}

// planSPD works out guardFor's answer. A policy the endpoint could not be
// built from protects the address all the same: nothing leaves in the
// clear (an empty SPD denies everything), as a z/OS stack with IPSECURITY
// whose filter policy is not available denies the traffic (IBM, "Default
// IP filter policy and IP security policy", z/OS Communications Server IP
// Configuration Guide, ipsecurity_default_policy.htm).
func (s *Stack) planSPD(a netip.Addr) *ipsec.SPD {
	if !s.sx.opts.IPsec {
		return nil
	}
	if s.plan.IPSecurity && s.plan.IKED {
		if spd := protectingSPD(&s.plan, a); spd != nil {
			return spd
		}
	}
	// A target sends replies from a distributed DVIPA: when a stack
	// that can hold the DVIPA (defines it or backs it up) protects
	// it, that stack's policy is the check, whatever the target's own
	// plan says (its replies go back to the router for IPsec; with no
	// protecting router known, only what that policy permits may leave
	// in the clear). Other addresses keep the stack's own answer.
	d := s.sx.dvipa(a)
	if d == nil {
		return nil
	}
	for _, name := range canHold(d) {
		other := s.sx.Stack(name)
		if other == nil || other == s {
			continue
		}
		st := &other.plan
		if !st.IPSecurity || !st.IKED {
			continue
		}
		if spd := protectingSPD(st, a); spd != nil {
			return spd
		}
	}
	return nil
}

// ClearRefusedBy names the stack and filter whose IPsec policy refuses a
// cleartext TCP connection from client to dst, as the run applies it: the
// policy of each stack with IPSECURITY and IKED whose key exchange rules
// name dst (a DVIPA it can hold, or its home address), in plan order; ""
// when every such policy lets the connection in the clear. A scenario's
// cleartext client refused so would only see its connections fail.
func ClearRefusedBy(p *plan.Plan, client netip.AddrPort, dst netip.AddrPort) (stack, filter string) {
	for i := range p.Stacks {
		st := &p.Stacks[i]
		if !st.IPSecurity || !st.IKED || !mayTerminate(p, st, dst.Addr()) {
			continue
		}
		spd := protectingSPD(st, dst.Addr())
		if spd == nil {
			continue
		}
		switch f, ok := spd.AdmitsClearConnect(client, dst); {
		case f == nil:
			return st.Name, "(no filter: the policy's default)"
		case !ok:
			return st.Name, f.Name
		}
	}
	return "", ""
}

// mayTerminate reports whether traffic to a can end at st: a DVIPA st
// can hold, an application DVIPA of one of its VIPARANGEs, or one of its
// home addresses.
func mayTerminate(p *plan.Plan, st *plan.Stack, a netip.Addr) bool {
	if d := p.DVIPA(a); d != nil {
		return slices.Contains(canHold(d), st.Name)
	}
	return slices.ContainsFunc(st.VIPARanges, func(r plan.VIPARange) bool { return r.Prefix.Contains(a) }) ||
		slices.ContainsFunc(st.Home, func(h plan.Home) bool { return h.Addr == a })
}

// canHold lists the stacks that can hold a DVIPA: those defining it,
// then its backups in takeover order.
func canHold(d *plan.DVIPA) []string {
	names := slices.Clone(d.DefinedBy)
	for _, b := range d.Backups {
		names = append(names, b.Stack)
	}
	return names
}

// protectingSPD is the outbound policy st's endpoint for a would apply,
// or nil when st's policy has no key exchange peer for a. A policy the
// endpoint could not be built from denies everything.
func protectingSPD(st *plan.Stack, a netip.Addr) *ipsec.SPD {
	cfg, err := ipsec.FromPlan(st, a)
	if err != nil {
		spd, _ := ipsec.NewSPD()
		return spd
	}
	if len(cfg.Peers) == 0 {
		return nil
	}
	return cfg.SPD
}

// isHome reports whether a is one of the stack's home addresses.
func (s *Stack) isHome(a netip.Addr) bool {
	for _, h := range s.plan.Home {
		if h.Addr == a {
			return true
		}
	}
	return false
}

// fromTarget takes the replies a target sends back over XCF for a DVIPA
// this stack protects, before the netstack sees them.
func (s *Stack) fromTarget(inner []byte) bool {
	src, ok := lan.Source(inner)
	if !ok {
		return false
	}
	sec := s.secFor(src)
	if sec == nil {
		return false
	}
	if sec.ep.Outbound(bytes.Clone(inner)) == ipsec.Clear {
		s.mu.Lock()
		port := s.port
		s.mu.Unlock()
		_ = port.Send(context.Background(), inner)
	}
	return true
}

// outboundIPsec says, in one look at the address's routing role, what a packet
// from address a needs: this stack's endpoint for a (it routes and
// protects a), or the routing stack that protects a (another one), or
// neither.
func (s *Stack) outboundIPsec(a netip.Addr) (*dvipaSec, string) {
	return s.roles.lookup(a).outbound(s.plan.Name)
}

// IPsecSAs returns what `ipsec -y display` shows for a DVIPA this stack
// protects, or nil.
func (s *Stack) IPsecSAs(a netip.Addr) *ipsec.SAList {
	if sec := s.secFor(a); sec != nil {
		l := sec.ep.SAs()
		return &l
	}
	return nil
}

// ClientIPsec builds the configuration of a remote client that protects
// its traffic to a stack address (a DVIPA, a home address) the way the
// plan's key exchange rule for that address and the client expects: the same pre-shared key and
// offers, identities by address, and an SPD that protects TCP to the
// DVIPA and lets the rest through.
func ClientIPsec(plan *plan.Plan, client, dvipa netip.Addr) (ipsec.Config, error) {
	for i := range plan.Stacks {
		st := &plan.Stacks[i]
		if !st.IPSecurity || !st.IKED {
			continue
		}
		side, err := ipsec.FromPlan(st, dvipa)
		if err != nil || len(side.Peers) == 0 {
			continue
		}
		for _, p := range side.Peers {
			covers := false
			for _, ts := range p.RemoteTS {
				covers = covers || ts.Contains(client)
			}
			if !covers {
				continue
			}
			spd, err := ipsec.NewSPD(
				ipsec.Filter{Name: "to-" + dvipa.String(), Local: ipsec.AddrRange{First: client, Last: client},
					Remote: ipsec.AddrRange{First: dvipa, Last: dvipa}, Protocol: 6, Action: ipsec.ActionIPsec,
					Tunnel: ipsec.Tunnel{Peer: "dvipa"}},
				ipsec.Filter{Name: "rest", Action: ipsec.ActionPermit},
			)
			if err != nil {
				return ipsec.Config{}, err
			}
			return ipsec.Config{Local: client, ID: ipsec.AddrIdentity(client), SPD: spd, IKE: side.IKE, ESP: side.ESP,
				Peers: []ipsec.Peer{{Name: "dvipa", Addr: dvipa, ID: side.ID, PSK: p.PSK,
					LocalTS:  []netip.Prefix{netip.PrefixFrom(client, client.BitLen())},
					RemoteTS: []netip.Prefix{netip.PrefixFrom(dvipa, dvipa.BitLen())}}}}, nil
		}
	}
	return ipsec.Config{}, fmt.Errorf("no stack's key exchange rule covers %s to %s", client, dvipa)
}
