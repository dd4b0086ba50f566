package plan

import (
	"fmt"
	"maps"
	"net/netip"
	"regexp"
	"slices"
	"strconv"
	"strings"
)

// SWSA decides whether a DVIPA's SAs are sysplex-wide. They are when IPsec
// protects the DVIPA on its owner and the owner and every backup can hold
// them: IPSECURITY and DVIPSEC, IKED with a key exchange rule for the
// DVIPA, the owner's anchor rules exactly, host-granularity selectors, no
// manual tunnel, the same SA structure, and for IKEv2 a backup at V1R13
// or later.
func (p *Plan) SWSA(d *DVIPA) SWSA {
	out := SWSA{Reasons: []Reason{}}
	owner := p.Stack(d.Owner)
	if owner == nil {
		out.Reasons = append(out.Reasons, Reason{Code: "no-ipsec", Text: "no stack activates the DVIPA"})
		return out
	}
	out.Protected = protects(owner, d.Addr)
	if !out.Protected {
		out.Reasons = append(out.Reasons, Reason{Stack: owner.Name, Code: "no-ipsec",
			Text: fmt.Sprintf("no installed IPSEC filter on %s covers %s: there are no SAs to make sysplex-wide", owner.Name, d.Addr)})
		return out
	}
	out.IKEv2 = ikev2For(owner, d.Addr)
	out.Reasons = append(out.Reasons, p.CanHold(owner, owner, d.Addr, out.IKEv2, false)...)
	for _, b := range d.Backups {
		if s := p.Stack(b.Stack); s != nil && s.Name != owner.Name {
			out.Reasons = append(out.Reasons, p.CanHold(s, owner, d.Addr, out.IKEv2, true)...)
		}
	}
	out.Eligible = len(out.Reasons) == 0
	return out
}

// protects reports whether an installed IPSEC filter of the stack covers
// the address on its local side.
func protects(s *Stack, addr netip.Addr) bool {
	for _, f := range s.SPD.Filters {
		if f.Action == IPsec && slices.Contains(f.AnchorFor, addr) {
			return true
		}
	}
	return false
}

// ikev2For reports whether the stack's first key exchange rule for the
// address negotiates with IKEv2.
func ikev2For(s *Stack, addr netip.Addr) bool {
	if r := keyExchangeRule(s, addr); r != nil {
		return r.Version == "IKEv2"
	}
	return false
}

// keyExchangeRule returns the first peer whose local endpoint covers the
// address, or nil.
func keyExchangeRule(s *Stack, addr netip.Addr) *Peer {
	for i, peer := range s.IKE.Peers {
		if peer.Local.Covers(addr) {
			return &s.IKE.Peers[i]
		}
	}
	return nil
}

// anchorRules returns the stack's filters that decide traffic of the
// address, described in full but without names and sources: two stacks may
// name the same rule differently.
func anchorRules(s *Stack, addr netip.Addr) []string {
	var out []string
	for _, f := range s.SPD.Filters {
		if slices.Contains(f.AnchorFor, addr) {
			out = append(out, describe(f))
		}
	}
	return out
}

// describe writes every field of a filter that decides traffic.
func describe(f Filter) string {
	proto := ProtocolName(f.Protocol)
	if f.Protocol < 0 {
		proto = "any protocol"
	}
	s := fmt.Sprintf("%s %s %s", strings.ToLower(string(f.Direction)), strings.ToLower(string(f.Action)), proto)
	s += fmt.Sprintf(" %s%s -> %s%s", f.Local, portSuffix(f.LocalPorts), f.Remote, portSuffix(f.RemotePorts))
	if f.ICMPType != nil || f.ICMPCode != nil {
		s += fmt.Sprintf(" icmp type %s code %s", deref(f.ICMPType), deref(f.ICMPCode))
	}
	s += " routing " + strings.ToLower(string(f.Routing))
	if f.Connect != "" {
		s += " " + strings.ToLower(string(f.Connect))
	}
	if f.SecClass != 0 {
		s += fmt.Sprintf(" class %d", f.SecClass)
	}
	if f.VPNAction != "" {
		s += " vpn " + f.VPNAction
	}
	if f.ManualTunnel != "" {
		s += " manual tunnel " + f.ManualTunnel
	}
	return s
}

func portSuffix(p PortRange) string {
	if p == AnyPort {
		return ""
	}
	return ":" + p.String()
}

func deref(p *PortRange) string {
	if p == nil {
		return "*"
	}
	return p.String()
}

// CanHold lists why stack s cannot hold the SAs of the address that ref
// negotiated (s == ref checks the owner itself). receiving says s gets the
// SAs from the coupling facility, where its release matters.
func (p *Plan) CanHold(s, ref *Stack, addr netip.Addr, ikev2, receiving bool) []Reason {
	var out []Reason
	add := func(code, format string, args ...any) {
		out = append(out, Reason{Stack: s.Name, Code: code, Text: fmt.Sprintf(format, args...)})
	}
	if !s.IPSecurity {
		add("no-ipsecurity", "%s lacks IPCONFIG IPSECURITY: it does no IPsec at all", s.Name)
	}
	if !s.DVIPSec {
		add("no-dvipsec", "%s lacks IPSEC DVIPSEC: it neither writes nor reads SA records in the coupling facility", s.Name)
	}
	if !s.IKED {
		add("no-iked", "%s runs no IKE daemon (no iked.conf): nobody renegotiates the SAs there", s.Name)
	}
	if keyExchangeRule(s, addr) == nil {
		add("no-key-exchange-rule", "%s has no KeyExchangeRule whose local endpoint covers %s", s.Name, addr)
	}
	if s.Name != ref.Name {
		mine, theirs := anchorRules(s, addr), anchorRules(ref, addr)
		if !slices.Equal(mine, theirs) {
			add("anchor-mismatch", "the filters deciding %s on %s differ from %s's (%s): policy would change with the owner", addr, s.Name, ref.Name, firstDifference(mine, theirs))
		}
	}
	for _, f := range s.SPD.Filters {
		if f.Action != IPsec || !slices.Contains(f.AnchorFor, addr) {
			continue
		}
		if sel, err := ParseSelector(f.Local); err == nil && !sel.IsHost() {
			add("coarse-granularity", "filter %s.%d on %s protects %s with local selector %s, coarser than a host: an SA for it cannot move", f.Name, f.Extension, s.Name, addr, f.Local)
			break
		}
	}
	out = append(out, noOffers(s, addr)...)
	if s.Name != ref.Name {
		out = append(out, peerCredentials(s, ref, addr)...)
	}
	for _, f := range s.SPD.Filters {
		if f.ManualTunnel != "" && slices.Contains(f.AnchorFor, addr) {
			add("manual-tunnel", "filter %s.%d on %s uses manual tunnel %s: manually keyed SAs are never sysplex-wide", f.Name, f.Extension, s.Name, f.ManualTunnel)
			break
		}
	}
	if receiving && ikev2 {
		if r, ok := parseRelease(s.Release); ok && r < 113 {
			add("release", "%s is at %s: below V1R13 a stack cannot take over IKEv2 SAs as IKEv2 (V1R12 recovers them as IKEv1; HowToInitiate IKEv2 there makes takeover fail)", s.Name, s.Release)
		}
	}
	mg, rg := p.Group(s), p.Group(ref)
	switch {
	case mg.XCFGroup != rg.XCFGroup:
		add("xcf-group", "%s joins XCF group %s, %s joins %s: they never see each other", s.Name, mg.XCFGroup, ref.Name, rg.XCFGroup)
	case p.CFRM != nil && !slices.Contains(p.CFRM, mg.SWSAStructure):
		add("cf-structure", "the SWSA structure %s of %s is not in the CFRM policy", mg.SWSAStructure, s.Name)
	}
	return out
}

// noOffers finds the actions protecting addr on s whose every offer the
// plan left out (IPSEC006): the stack can never negotiate an SA with them,
// so there is nothing to recover.
func noOffers(s *Stack, addr netip.Addr) []Reason {
	var out []Reason
	for _, f := range s.SPD.Filters {
		if f.Action != IPsec || f.VPNAction == "" || !slices.Contains(f.AnchorFor, addr) {
			continue
		}
		for _, a := range s.SPD.VPNActions {
			if a.Name == f.VPNAction && len(a.Proposals) == 0 {
				out = append(out, Reason{Stack: s.Name, Code: "no-offers",
					Text: fmt.Sprintf("every IpDataOffer of %s on %s was left out of the plan: no SA for %s can be negotiated there", a.Name, s.Name, addr)})
				return out
			}
		}
	}
	if peer := keyExchangeRule(s, addr); peer != nil && len(peer.Proposals) == 0 {
		out = append(out, Reason{Stack: s.Name, Code: "no-offers",
			Text: fmt.Sprintf("every KeyExchangeOffer of rule %s on %s was left out of the plan: no IKE SA for %s can be negotiated there", peer.Rule, s.Name, addr)})
	}
	return out
}

// peerCredentials finds the remote peers that s would authenticate
// differently from ref for the address (what lint reports as SWSA013):
// after a takeover s renegotiates the SAs with each peer in the DVIPA's
// name, and a different pre-shared key or identity fails the peer's
// authentication. The keys are compared by their PSKGroup, never by value.
func peerCredentials(s, ref *Stack, addr netip.Addr) []Reason {
	var out []Reason
	mine, theirs := peerRules(s, addr), peerRules(ref, addr)
	remotes := slices.Sorted(maps.Keys(theirs))
	for _, remote := range remotes {
		m, ok := mine[remote]
		if !ok {
			continue // no rule for the peer at all: no-key-exchange-rule's business
		}
		t := theirs[remote]
		var what []string
		if m.PSKGroup != t.PSKGroup {
			what = append(what, "pre-shared key")
		}
		if m.Local.Type != t.Local.Type || m.Local.Value != t.Local.Value {
			what = append(what, "local identity")
		}
		if m.Remote.Type != t.Remote.Type || m.Remote.Value != t.Remote.Value {
			what = append(what, "identity expected of the peer")
		}
		if SignatureAuth(m.Auth) && (s.KeyRing != nil || ref.KeyRing != nil) && !m.CertPresents {
			// Seed 003: the new holder re-authenticates in the DVIPA's
			// name, so its certificate must carry the same identity.
			// Checked once the manifest maps key rings at all: without
			// them tcpipc knows nothing of the certificates.
			out = append(out, Reason{Stack: s.Name, Code: "peer-credentials",
				Text: fmt.Sprintf("KeyExchangeRule %s on %s signs as %s for peer %s, and no certificate in %s's key ring carries it: after a takeover the peer's authentication fails", m.Rule, s.Name, idText(m.Local), remote, s.Name)})
		}
		if len(what) > 0 {
			out = append(out, Reason{Stack: s.Name, Code: "peer-credentials",
				Text: fmt.Sprintf("KeyExchangeRule %s on %s authenticates peer %s with another %s than %s's rule %s: after a takeover the peer's authentication fails", m.Rule, s.Name, remote, strings.Join(what, " and "), ref.Name, t.Rule)})
		}
	}
	return out
}

// peerRules maps each remote peer (its locations) to the stack's first
// key exchange rule for it whose local endpoint covers the address.
func peerRules(s *Stack, addr netip.Addr) map[string]Peer {
	out := map[string]Peer{}
	for _, peer := range s.IKE.Peers {
		if !peer.Local.Covers(addr) {
			continue
		}
		k := strings.Join(peer.Remote.Locations, " ")
		if _, seen := out[k]; !seen {
			out[k] = peer
		}
	}
	return out
}

// SignatureAuth reports whether a HowToAuthMe value authenticates with a
// certificate: RsaSignature, ECDSA-256/384/521 or DigitalSignature (z/OS
// KeyExchangeAction statement).
func SignatureAuth(how string) bool {
	switch how {
	case "DIGITALSIGNATURE", "RSASIGNATURE", "ECDSA-256", "ECDSA-384", "ECDSA-521":
		return true
	}
	return false
}

func idText(id Identity) string {
	if id.Type == "" {
		return "the default identity"
	}
	return id.Type + " " + id.Value
}

func firstDifference(a, b []string) string {
	for i := range max(len(a), len(b)) {
		switch {
		case i >= len(a):
			return "missing " + b[i]
		case i >= len(b):
			return "extra " + a[i]
		case a[i] != b[i]:
			return fmt.Sprintf("%s instead of %s", a[i], b[i])
		}
	}
	return ""
}

var releaseRE = regexp.MustCompile(`^V(\d+)R(\d+)$`)

// parseRelease turns VnRm into n*100+m.
func parseRelease(s string) (int, bool) {
	m := releaseRE.FindStringSubmatch(s)
	if m == nil {
		return 0, false
	}
	v, _ := strconv.Atoi(m[1])
	r, _ := strconv.Atoi(m[2])
	return v*100 + r, true
}
