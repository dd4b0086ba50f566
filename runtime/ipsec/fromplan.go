package ipsec

import (
	"encoding/hex"
	"errors"
	"fmt"
	"math"
	"net/netip"
	"slices"
	"strings"
	"time"

	"github.com/tcpipc/tcpipc/internal/sharedkey"

	"github.com/tcpipc/tcpipc/internal/esp"
	"github.com/tcpipc/tcpipc/internal/ike/certid"
	"github.com/tcpipc/tcpipc/internal/ike/ikesa"
	"github.com/tcpipc/tcpipc/internal/ike/wire"
	"github.com/tcpipc/tcpipc/plan"
)

// FromPlan builds the configuration of the endpoint a stack runs on one of
// its addresses (a DVIPA, a home address) from the stack's plan:
//
//   - the SPD is the stack's simple filters in search order, keeping those
//     whose local side can be the address (z/OS searches one list; filters
//     for other local addresses never match this endpoint's traffic);
//   - the peers are the key exchange rules (KeyExchangeRule) whose local
//     security endpoint is the address, with their identities, pre-shared
//     keys or signature methods (HowToAuthMe) and locations as traffic
//     selectors; a remote location that is one address is where we
//     initiate to, a wider one means "any";
//   - when a rule for the address signs, the credentials are the stack's
//     key ring, read from the files the plan names (credentials.go);
//   - the IKE suites are those rules' proposals and the ESP suites those of
//     the dynamic VPN actions (with their PFS group for CREATE_CHILD_SA),
//     in order, without repeats.
//
// IPSEC filters name their tunnel's peer through the rule whose locations
// cover both their sides. The plan must carry the pre-shared keys
// (compile --include-secrets); Conn, Clock and the callbacks are the
// caller's.
func FromPlan(st *plan.Stack, local netip.Addr) (Config, error) {
	cfg := Config{Local: local}
	var errs []error
	var creds *ikesa.Credentials
	if signsFor(st, local) {
		// Read the key only for an address whose rules sign: a key ring
		// problem must not take down pre-shared-key peers.
		var err error
		if creds, err = credentialsFromPlan(st); err != nil {
			errs = append(errs, err)
		}
	}
	cfg.Credentials = creds
	errs = append(errs, cfg.peersFromPlan(st, creds)...)
	if st.IKE.LivenessSeconds > 0 {
		cfg.Liveness = time.Duration(st.IKE.LivenessSeconds) * time.Second
	}
	lifetimes, usable := espFromPlan(&cfg, st.SPD.VPNActions)
	var filters []Filter
	for _, f := range st.SPD.Filters {
		lr, err := addrRange(f.Local)
		if err != nil {
			errs = append(errs, fmt.Errorf("filter %s: local %w", f.Name, err))
			continue
		}
		if !lr.contains(local) {
			continue
		}
		out, err := filterFromPlan(f, lr)
		if err != nil {
			errs = append(errs, fmt.Errorf("filter %s: %w", f.Name, err))
			continue
		}
		if out.Action == ActionIPsec {
			if f.VPNAction != "" && !usable[f.VPNAction] {
				errs = append(errs, fmt.Errorf("filter %s: VPN action %s has no ESP offer tcpipc implements: %s", f.Name, f.VPNAction, cfg.leftOutList()))
				continue
			}
			out.Tunnel = Tunnel{Peer: peerFor(cfg.Peers, local, out.Remote), Lifetime: lifetimes[f.VPNAction]}
			if out.Tunnel.Peer == "" {
				errs = append(errs, fmt.Errorf("filter %s: no IKEv2 key exchange rule covers %s to %s", f.Name, local, f.Remote))
				continue
			}
		}
		filters = append(filters, out)
	}
	if len(cfg.ESP) == 0 {
		cfg.ESP = nil // the defaults
	}
	if len(cfg.IKE) == 0 {
		cfg.IKE = nil
	}
	spd, err := NewSPD(filters...)
	if err != nil {
		errs = append(errs, err)
	}
	cfg.SPD = spd
	if err := errors.Join(errs...); err != nil {
		return Config{}, fmt.Errorf("ipsec: stack %s, %s: %w", st.Name, local, err)
	}
	return cfg, nil
}

// peersFromPlan adds the stack's IKEv2 key exchange rules for cfg.Local
// as peers, with their offers as IKE suites.
func (cfg *Config) peersFromPlan(st *plan.Stack, creds *ikesa.Credentials) []error {
	var errs []error
	for _, p := range st.IKE.Peers {
		if !p.Local.Covers(cfg.Local) {
			continue
		}
		if p.Version != "IKEv2" {
			continue // tcpipc speaks IKEv2 only; lint reports IKEv1 rules
		}
		peer, err := peerFromPlan(p, creds)
		if err != nil {
			errs = append(errs, fmt.Errorf("key exchange rule %s: %w", p.Rule, err))
			continue
		}
		if len(cfg.Peers) == 0 {
			if cfg.ID, err = identity(p.Local, cfg.Local, false); err != nil {
				errs = append(errs, fmt.Errorf("key exchange rule %s: local identity: %w", p.Rule, err))
			}
		}
		cfg.Peers = append(cfg.Peers, peer)
		if len(p.Proposals) > 0 && !cfg.addSuites(&cfg.IKE, p.Proposals, true, nil) {
			errs = append(errs, fmt.Errorf("key exchange rule %s: no offer tcpipc implements: %s", p.Rule, cfg.leftOutList()))
		}
	}
	return errs
}

// espFromPlan appends the ESP suites of the dynamic VPN actions to
// cfg.ESP, in order and without repeats, and returns each action's SA
// lifetime by name, and whether it has an offer tcpipc implements (an
// action without one is an error where a filter of this address uses it,
// not for the stack's other addresses).
func espFromPlan(cfg *Config, actions []plan.VPNAction) (map[string]esp.Lifetime, map[string]bool) {
	lifetimes, usable := map[string]esp.Lifetime{}, map[string]bool{}
	for _, a := range actions {
		var offers []plan.Proposal
		for _, pr := range a.Proposals {
			if pr.Protocol == "ESP" { // tcpipc has no AH
				offers = append(offers, pr)
			}
		}
		pfs := func(su *ikesa.Suite) {
			if a.PFS != nil { // InitiateWithPfs: the rekeys' DH group
				su.DH = wire.DHGroup(a.PFS.ID)
			}
		}
		usable[a.Name] = len(offers) == 0 || cfg.addSuites(&cfg.ESP, offers, false, pfs)
		lifetimes[a.Name] = lifetime(a.LifetimeSeconds)
	}
	return lifetimes, usable
}

// addSuites appends the suites of offers that tcpipc implements to list,
// in order and without repeats, after adjust (when set) has had its say,
// and names the others in cfg.LeftOut. It reports whether any offer was
// kept.
func (cfg *Config) addSuites(list *[]ikesa.Suite, offers []plan.Proposal, ike bool, adjust func(*ikesa.Suite)) bool {
	kept := false
	for _, pr := range offers {
		su := suite(pr)
		if adjust != nil {
			adjust(&su)
		}
		if err := ikesa.CheckSuite(su, ike); err != nil {
			left := fmt.Sprintf("%s offer %s (%v)", map[bool]string{true: "IKE", false: "ESP"}[ike], su, err)
			if !slices.Contains(cfg.LeftOut, left) {
				cfg.LeftOut = append(cfg.LeftOut, left)
			}
			continue
		}
		*list, kept = appendSuite(*list, su), true
	}
	return kept
}

// leftOutList is cfg.LeftOut on one line.
func (cfg *Config) leftOutList() string { return strings.Join(cfg.LeftOut, "; ") }

func peerFromPlan(p plan.Peer, creds *ikesa.Credentials) (Peer, error) {
	out := Peer{Name: p.Rule, IKELifetime: DefaultIKELifetime, ReauthInterval: seconds(p.ReauthSeconds)}
	if life := p.ProposedLifetime(); life > 0 {
		out.IKELifetime = seconds(life)
	}
	var err error
	if p.Auth == "PRESHAREDKEY" {
		if out.PSK, err = pskFromPlan(p); err != nil {
			return Peer{}, err
		}
	} else if out.AuthMe, err = authMethod(p.Auth, creds); err != nil {
		return Peer{}, err
	}
	// z/OS IKEv2 accepts whichever method the peer authenticates with
	// among those it can verify: a certificate when the stack has a key
	// ring, the shared key when the rule has one.
	out.CertAuth = creds != nil
	if out.PSK == nil && p.PSK != "" && p.PSK != plan.Redacted {
		if out.PSK, err = pskFromPlan(p); err != nil {
			return Peer{}, err
		}
	}
	if out.ID, err = identity(p.Remote, netip.Addr{}, true); err != nil {
		return Peer{}, fmt.Errorf("remote identity: %w", err)
	}
	if out.LocalTS, err = locationPrefixes(p.Local.Locations); err != nil {
		return Peer{}, fmt.Errorf("local location: %w", err)
	}
	if out.RemoteTS, err = locationPrefixes(p.Remote.Locations); err != nil {
		return Peer{}, fmt.Errorf("remote location: %w", err)
	}
	if len(out.RemoteTS) == 1 && out.RemoteTS[0].IsSingleIP() {
		out.Addr = out.RemoteTS[0].Addr()
	}
	return out, nil
}

// identity turns a security endpoint's Identity into an IKE identity; an
// endpoint without one is known by its address (def). A remote identity
// may be a wildcard (IBM: an IpAddr subnet or range, a name with '*'),
// which stands for every peer it covers; ours is sent, so it may not.
func identity(id plan.Identity, def netip.Addr, remote bool) (ikesa.Identity, error) {
	if wild := strings.Contains(id.Value, "*") || id.Type == "IPADDR" && strings.ContainsAny(id.Value, "/-"); wild {
		if !remote {
			return ikesa.Identity{}, fmt.Errorf("%s %q: our own identity cannot be a wildcard", id.Type, id.Value)
		}
		return wildcardIdentity(id)
	}
	switch id.Type {
	case "IPADDR":
		a, err := netip.ParseAddr(id.Value)
		if err != nil {
			return ikesa.Identity{}, fmt.Errorf("IpAddr %q: %w", id.Value, err)
		}
		return AddrIdentity(a), nil
	case "FQDN":
		return ikesa.Identity{Type: wire.ID_FQDN, Data: []byte(id.Value)}, nil
	case "USERFQDN":
		return ikesa.Identity{Type: wire.ID_RFC822_ADDR, Data: []byte(id.Value)}, nil
	case "KEYID": // the plan carries the key ID's bytes in hex
		b, err := hex.DecodeString(id.Value)
		if err != nil || len(b) == 0 {
			return ikesa.Identity{}, fmt.Errorf("KEYID %q is not the key ID's bytes in hex", id.Value)
		}
		return ikesa.Identity{Type: wire.ID_KEY_ID, Data: b}, nil
	case "X500DN":
		der, err := certid.DN(id.Value)
		if err != nil {
			return ikesa.Identity{}, err
		}
		return ikesa.Identity{Type: wire.ID_DER_ASN1_DN, Data: der}, nil
	case "":
		if def.IsValid() {
			return AddrIdentity(def), nil
		}
		return ikesa.Identity{}, errors.New("no identity")
	}
	return ikesa.Identity{}, fmt.Errorf("identity type %s is not supported", id.Type)
}

// wildcardIdentity is a remote identity standing for many peers: the
// addresses of an IpAddr prefix or a-b range, or the names an Fqdn or
// UserAtFqdn pattern matches ('*': any run of characters).
func wildcardIdentity(id plan.Identity) (ikesa.Identity, error) {
	switch id.Type {
	case "FQDN":
		return ikesa.Identity{Type: wire.ID_FQDN, Data: []byte(id.Value), Wildcard: true}, nil
	case "USERFQDN":
		return ikesa.Identity{Type: wire.ID_RFC822_ADDR, Data: []byte(id.Value), Wildcard: true}, nil
	case "IPADDR":
		first, last, err := addrSpan(id.Value)
		if err != nil {
			return ikesa.Identity{}, fmt.Errorf("IpAddr %q: %w", id.Value, err)
		}
		return ikesa.Identity{Type: AddrIdentity(first).Type, Wildcard: true, First: first, Last: last}, nil
	}
	return ikesa.Identity{}, fmt.Errorf("%s %q: tcpipc matches wildcards in IpAddr, Fqdn and UserAtFqdn identities only", id.Type, id.Value)
}

// addrSpan reads a prefix or an a-b range as its first and last address.
func addrSpan(s string) (first, last netip.Addr, err error) {
	if pf, err := netip.ParsePrefix(s); err == nil {
		r := PrefixRange(pf)
		return r.First, r.Last, nil
	}
	a, b, _ := strings.Cut(s, "-")
	if first, err = netip.ParseAddr(a); err == nil {
		last, err = netip.ParseAddr(b)
	}
	if err == nil && (first.BitLen() != last.BitLen() || last.Less(first)) {
		err = errors.New("not a prefix or a range from low to high")
	}
	return first, last, err
}

// ParseIdentity reads an identity as a scenario writes it: an address
// (ID_IPV4_ADDR, ID_IPV6_ADDR) or a host name (ID_FQDN).
func ParseIdentity(s string) ikesa.Identity {
	if a, err := netip.ParseAddr(s); err == nil {
		return AddrIdentity(a)
	}
	return ikesa.FQDN(s)
}

// AddrIdentity is an ID_IPV4_ADDR or ID_IPV6_ADDR identity.
func AddrIdentity(a netip.Addr) ikesa.Identity {
	if a.Is4() {
		return ikesa.Identity{Type: wire.ID_IPV4_ADDR, Data: a.AsSlice()}
	}
	return ikesa.Identity{Type: wire.ID_IPV6_ADDR, Data: a.AsSlice()}
}

// signsFor reports whether an IKEv2 key exchange rule for local
// authenticates us with a certificate.
func signsFor(st *plan.Stack, local netip.Addr) bool {
	for _, p := range st.IKE.Peers {
		if p.Local.Covers(local) && p.Version == "IKEv2" && plan.SignatureAuth(p.Auth) {
			return true
		}
	}
	return false
}

// pskFromPlan is the rule's pre-shared key as the bytes IKE uses.
func pskFromPlan(p plan.Peer) ([]byte, error) {
	if p.PSK == "" || p.PSK == plan.Redacted {
		return nil, errors.New("no pre-shared key in the plan (compile with --include-secrets)")
	}
	return sharedkey.Material(p.PSKFormat, p.PSK)
}

// suite converts a plan proposal (IANA transform ids) into a suite.
func suite(pr plan.Proposal) ikesa.Suite {
	var s ikesa.Suite
	for _, t := range pr.Transforms {
		switch t.Type {
		case plan.TypeENCR:
			s.Encr, s.KeyBits = wire.EncrID(t.ID), t.KeyLength
		case plan.TypeINTEG:
			s.Integ = wire.IntegID(t.ID)
		case plan.TypePRF:
			s.PRF = wire.PRFID(t.ID)
		case plan.TypeDH:
			s.DH = wire.DHGroup(t.ID)
		case plan.TypeESN:
			s.ESN = t.ID == plan.ESNYes
		}
	}
	return s
}

func appendSuite(list []ikesa.Suite, s ikesa.Suite) []ikesa.Suite {
	for _, have := range list {
		if have == s {
			return list
		}
	}
	return append(list, s)
}

// seconds is n seconds as a Duration; 0 (never) for a span longer than a
// Duration holds (292 years), which policy values in minutes can reach.
func seconds(n int) time.Duration {
	if n <= 0 || int64(n) > math.MaxInt64/int64(time.Second) {
		return 0
	}
	return time.Duration(n) * time.Second
}

// lifetime is an ESP SA lifetime: rekey at nine tenths of it.
func lifetime(n int) esp.Lifetime {
	hard := seconds(n)
	if hard == 0 {
		return esp.Lifetime{}
	}
	return esp.Lifetime{SoftTime: hard * 9 / 10, HardTime: hard}
}

func filterFromPlan(f plan.Filter, local AddrRange) (Filter, error) {
	out := Filter{Name: f.Name, Local: local}
	var err error
	if out.Remote, err = addrRange(f.Remote); err != nil {
		return Filter{}, fmt.Errorf("remote %w", err)
	}
	switch f.Direction {
	case plan.Inbound:
		out.Direction = Inbound
	case plan.Outbound:
		out.Direction = Outbound
	default:
		return Filter{}, fmt.Errorf("direction %q", f.Direction)
	}
	switch f.Action {
	case plan.Permit:
		out.Action = ActionPermit
	case plan.Deny:
		out.Action = ActionDeny
	case plan.IPsec:
		out.Action = ActionIPsec
	default:
		return Filter{}, fmt.Errorf("action %q", f.Action)
	}
	if f.Protocol > 0 && f.Protocol < 256 {
		out.Protocol = uint8(f.Protocol)
	}
	switch {
	case f.Connect.Inbound():
		out.Connect = Inbound
	case f.Connect.Outbound():
		out.Connect = Outbound
	}
	out.LocalPorts = PortRange{uint16(f.LocalPorts.From), uint16(f.LocalPorts.To)}
	out.RemotePorts = PortRange{uint16(f.RemotePorts.From), uint16(f.RemotePorts.To)}
	out.ICMPType, out.ICMPCode = icmpRange(f.ICMPType), icmpRange(f.ICMPCode)
	if f.OSPFType != nil {
		out.OSPFType = icmpRange(&plan.PortRange{From: *f.OSPFType, To: *f.OSPFType})
	}
	return out, nil
}

// icmpRange reads a plan's ICMP type or code range; nil, or one that
// covers every value, matches any.
func icmpRange(r *plan.PortRange) ICMPRange {
	switch {
	case r == nil || r.From <= 0 && r.To >= 255:
		return ICMPRange{}
	case r.From > 255 || r.To < r.From:
		return ICMPRange{Set: true, First: 1, Last: 0} // no type or code is in it
	}
	return ICMPRange{Set: true, First: uint8(max(r.From, 0)), Last: uint8(min(r.To, 255))}
}

// addrRange reads a filter side with the plan's one selector parser.
func addrRange(s string) (AddrRange, error) {
	sel, err := plan.ParseSelector(s)
	switch {
	case err != nil:
		return AddrRange{}, err
	case sel.All:
		return AddrRange{}, nil
	}
	return AddrRange{sel.Lo, sel.Hi}, nil
}

// locationPrefixes turns an endpoint's locations (an address, a prefix
// or a range a-b, as plan.ParseSelector reads them) into the prefixes
// that cover exactly the same addresses.
func locationPrefixes(locs []string) ([]netip.Prefix, error) {
	var out []netip.Prefix
	for _, loc := range locs {
		sel, err := plan.ParseSelector(loc)
		switch {
		case err != nil:
			return nil, err
		case sel.All:
			out = append(out, netip.MustParsePrefix("0.0.0.0/0"), netip.MustParsePrefix("::/0"))
		default:
			out = append(out, rangePrefixes(sel.Lo, sel.Hi)...)
		}
	}
	return out, nil
}

// rangePrefixes splits the range lo-hi into the fewest prefixes: from lo
// on, each time the largest block that starts there and ends by hi.
func rangePrefixes(lo, hi netip.Addr) []netip.Prefix {
	var out []netip.Prefix
	for lo.IsValid() && lo.Compare(hi) <= 0 {
		for bits := 0; bits <= lo.BitLen(); bits++ {
			p := netip.PrefixFrom(lo, bits)
			if r := PrefixRange(p); p.Masked().Addr() == lo && r.Last.Compare(hi) <= 0 {
				out = append(out, p)
				lo = r.Last.Next() // invalid past the family's last address
				break
			}
		}
	}
	return out
}

// peerFor names the first peer whose selectors hold the local address and
// the whole remote side of a filter.
func peerFor(peers []Peer, local netip.Addr, remote AddrRange) string {
	for _, p := range peers {
		localOK, remoteOK := false, false
		for _, ts := range p.LocalTS {
			localOK = localOK || ts.Contains(local)
		}
		for _, ts := range p.RemoteTS {
			r := PrefixRange(ts)
			remoteOK = remoteOK || !remote.any() && r.contains(remote.First) && r.contains(remote.Last)
		}
		if localOK && remoteOK {
			return p.Name
		}
	}
	return ""
}
