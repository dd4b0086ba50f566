package model

import (
	"fmt"
	"net/netip"
	"slices"
	"strconv"
	"strings"

	"github.com/tcpipc/tcpipc/diag"
	"github.com/tcpipc/tcpipc/grammar/policy"
)

// Policy is a stack's installed Policy Agent IPsec policy.
type Policy struct {
	// Files are the pagent and policy files read, in processing order.
	Files []string `json:"files"`
	// Installed is false when Policy Agent would not install the policy:
	// the stack lacks IPCONFIG IPSECURITY (EZD1579I), or the files have an
	// error (for IPsec any error keeps the new policy from being
	// installed). NotInstalled says why.
	Installed    bool   `json:"installed"`
	NotInstalled string `json:"notInstalled,omitempty"`
	// Refused is set when only errors in the files keep Policy Agent from
	// installing the policy. Lint rules still evaluate such a policy as
	// written (best effort), so that one mistake does not hide findings
	// elsewhere; compile and the runtime use what the stack would.
	Refused bool `json:"refused,omitempty"`
	// FilterRules are the rules of IpFilterPolicy in order, each split
	// into simple filters (address sets and services expanded).
	FilterRules   []*FilterRule `json:"filterRules"`
	FilterLogging bool          `json:"filterLogging"`
	AllowOnDemand bool          `json:"allowOnDemand"`
	// KeyExchange is KeyExchangePolicy (nil when the policy has none).
	KeyExchange *KeyExchangePolicy `json:"keyExchange,omitempty"`
	Range       diag.Range         `json:"range"` // the IpFilterPolicy statement
}

// DynVpnAction is an IpDynVpnAction: how dynamic tunnels are negotiated.
type DynVpnAction struct {
	// Name is the action's name; an action written inline without one
	// has one made from its rule's (inlineNames) and Inline set.
	Name            string       `json:"name"`
	Inline          bool         `json:"inline,omitempty"`
	Initiation      string       `json:"initiation"` // EITHER, LOCALONLY, REMOTEONLY
	VpnLifeMinutes  int          `json:"vpnLifeMinutes"`
	InitiateWithPfs string       `json:"initiateWithPfs,omitempty"`
	AcceptablePfs   []string     `json:"acceptablePfs,omitempty"`
	HowToEncapIKEv2 string       `json:"howToEncapIKEv2,omitempty"`
	Offers          []*DataOffer `json:"offers"`
	Range           diag.Range   `json:"range"`
}

// DataOffer is an IpDataOffer: one ESP or AH proposal.
type DataOffer struct {
	Name             string     `json:"name,omitempty"`
	Encap            string     `json:"encap"`   // TUNNEL or TRANSPORT
	Encrypt          string     `json:"encrypt"` // AES_GCM_16, AES_CBC, DONOT, …
	KeyLength        int        `json:"keyLength,omitempty"`
	AuthProtocol     string     `json:"authProtocol"` // ESP or AH
	AuthAlgorithm    string     `json:"authAlgorithm"`
	LifetimeProposed int        `json:"lifetimeProposedMinutes,omitempty"`
	Range            diag.Range `json:"range"`
}

// ManVpnAction is an IpManVpnAction: a manually keyed tunnel.
type ManVpnAction struct {
	Name  string     `json:"name"` // made (inlineNames) when written inline without one
	Range diag.Range `json:"range"`
}

// KeyExchangePolicy is the stack's KeyExchangePolicy.
type KeyExchangePolicy struct {
	AllowNat bool `json:"allowNat"`
	// LivenessInterval is in seconds; nil when not coded.
	LivenessInterval *int               `json:"livenessInterval,omitempty"`
	Rules            []*KeyExchangeRule `json:"rules"`
	Range            diag.Range         `json:"range"`
}

// KeyExchangeRule pairs a local and a remote security endpoint with how to
// negotiate the IKE SA between them.
type KeyExchangeRule struct {
	// Name is the rule's name; a rule written inline without one has one
	// made from where it is written (inlineNames) and Unnamed set.
	Name      string             `json:"name"`
	Unnamed   bool               `json:"unnamed,omitempty"`
	Local     *SecurityEndpoint  `json:"local,omitempty"`
	Remote    *SecurityEndpoint  `json:"remote,omitempty"`
	Action    *KeyExchangeAction `json:"action,omitempty"`
	SharedKey Secret             `json:"sharedKey,omitzero"`
	Range     diag.Range         `json:"range"`
}

// Label names the rule in findings: "key exchange rule name", or for a
// rule written without a name where it is and the name the plan gives it.
func (r *KeyExchangeRule) Label() string {
	if r.Unnamed {
		return fmt.Sprintf("the unnamed key exchange rule at line %d (%s)", r.Range.Start.Line, r.Name)
	}
	return "key exchange rule " + r.Name
}

// SecurityEndpoint is a Local or RemoteSecurityEndpoint.
type SecurityEndpoint struct {
	Name         string     `json:"name,omitempty"`
	IdentityType string     `json:"identityType,omitempty"` // IPADDR, FQDN, USERFQDN, X500DN, KEYID
	Identity     string     `json:"identity,omitempty"`
	KeyIDFormat  string     `json:"keyIdFormat,omitempty"` // ASCII, EBCDIC, HEX for KEYID
	Locations    []AddrSel  `json:"locations,omitempty"`
	Range        diag.Range `json:"range"`
}

// Covers reports whether one of the endpoint's locations contains a.
func (e *SecurityEndpoint) Covers(a netip.Addr) bool {
	if e == nil {
		return false
	}
	for _, l := range e.Locations {
		if l.Contains(a) {
			return true
		}
	}
	return false
}

// KeyExchangeAction says how to initiate and answer IKE and how to
// authenticate.
type KeyExchangeAction struct {
	// Name is the action's name, or one made for it when it is written
	// inline without one (inlineNames), with Inline set.
	Name              string              `json:"name,omitempty"`
	Inline            bool                `json:"inline,omitempty"`
	HowToInitiate     string              `json:"howToInitiate"` // MAIN (default), AGGRESSIVE, IKEV2, DONOT
	HowToRespondIKEv1 string              `json:"howToRespondIKEv1,omitempty"`
	HowToAuthMe       string              `json:"howToAuthMe"` // DIGITALSIGNATURE (default), PRESHAREDKEY, …
	Offers            []*KeyExchangeOffer `json:"offers"`
	// ReauthInterval is how often, in minutes, IKEv2 SAs of the rule are
	// authenticated again (0: never); nil when neither the action nor the
	// KeyExchangePolicy codes it.
	ReauthInterval *int       `json:"reauthIntervalMinutes,omitempty"`
	Range          diag.Range `json:"range"`
}

// IKEv2 reports whether the action initiates with IKEv2.
func (a *KeyExchangeAction) IKEv2() bool { return a != nil && a.HowToInitiate == "IKEV2" }

// KeyExchangeOffer is one IKE SA proposal.
type KeyExchangeOffer struct {
	Name                 string     `json:"name,omitempty"`
	HowToEncrypt         string     `json:"howToEncrypt"`
	KeyLength            int        `json:"keyLength,omitempty"`
	HowToAuthMsgs        string     `json:"howToAuthMsgs,omitempty"`
	HowToVerifyMsgs      string     `json:"howToVerifyMsgs,omitempty"`
	PseudoRandomFunction string     `json:"prf,omitempty"`
	HowToAuthPeers       string     `json:"howToAuthPeers,omitempty"`
	DHGroup              string     `json:"dhGroup,omitempty"`
	LifetimeProposed     int        `json:"lifetimeProposedMinutes,omitempty"`
	Range                diag.Range `json:"range"`
}

// policyBuilder turns one stack's policy files into a Policy.
type policyBuilder struct {
	t  *objectTable
	ds *diag.Diagnostics
	// services memoizes what each IpService sets on a rule.
	services map[*policy.Entry]serviceFields
	// timed holds the rules whose time condition was reported, opaque
	// the services whose Protocol Opaque was.
	timed, opaque map[*policy.Entry]bool
	// names are the names made for statements written inline without
	// one (inlineNames).
	names namesOf
}

// attr returns the last attribute of an entry's block with the keyword.
func attr(e *policy.Entry, keyword string) *policy.Entry {
	if e == nil || e.Block == nil {
		return nil
	}
	var found *policy.Entry
	for _, a := range e.Block.Entries {
		if strings.EqualFold(a.Keyword, keyword) {
			found = a
		}
	}
	return found
}

// attrs returns every attribute of an entry's block with the keyword.
func attrs(e *policy.Entry, keyword string) []*policy.Entry {
	if e == nil || e.Block == nil {
		return nil
	}
	var out []*policy.Entry
	for _, a := range e.Block.Entries {
		if strings.EqualFold(a.Keyword, keyword) {
			out = append(out, a)
		}
	}
	return out
}

// blockEntries returns the entries of an entry's block; a statement written
// without its block (reported by the parser) has none.
func blockEntries(e *policy.Entry) []*policy.Entry {
	if e == nil || e.Block == nil {
		return nil
	}
	return e.Block.Entries
}

// value returns the i-th value of an attribute, upper-cased, or "".
func value(e *policy.Entry, i int) string {
	if e == nil || len(e.Values) <= i || e.Secret {
		return ""
	}
	return strings.ToUpper(e.Values[i].Text)
}

func intValue(e *policy.Entry, i int) int {
	n, _ := strconv.Atoi(value(e, i))
	return n
}

// object returns the object an entry names through keyword+"Ref", or the
// inline block of that statement type.
func (b *policyBuilder) object(e *policy.Entry, typ string) *policy.Entry {
	if ref := attr(e, typ+"Ref"); ref != nil {
		return b.t.find(typ, ref.Name())
	}
	if inline := attr(e, typ); inline != nil && inline.Block != nil {
		return inline
	}
	return nil
}

// objects returns every object of a type an entry names by reference or
// inline, in order.
func (b *policyBuilder) objects(e *policy.Entry, typ string) []*policy.Entry {
	if e == nil || e.Block == nil {
		return nil
	}
	var out []*policy.Entry
	for _, a := range e.Block.Entries {
		switch {
		case strings.EqualFold(a.Keyword, typ+"Ref"):
			if o := b.t.find(typ, a.Name()); o != nil {
				out = append(out, o)
			}
		case strings.EqualFold(a.Keyword, typ) && a.Block != nil:
			out = append(out, a)
		}
	}
	return out
}

func (b *policyBuilder) build(files []*policy.File) *Policy {
	p := &Policy{}
	b.names = inlineNames(files, b.t)
	var fp, kp, lp *policy.Entry
	for _, f := range files {
		for _, e := range f.Entries {
			switch e.Keyword {
			case "IpFilterPolicy":
				fp = e // the stack file's replaces the common file's
			case "KeyExchangePolicy":
				kp = e
			case "LocalDynVpnPolicy":
				lp = e
			}
		}
	}
	if fp == nil {
		if len(files) > 0 {
			d := b.ds.Errorf(RulePolicyRef, diag.Range{File: files[len(files)-1].Name, Start: diag.Pos{Line: 1, Column: 1}, End: diag.Pos{Line: 1, Column: 1}},
				"IPsec policy has no IpFilterPolicy")
			d.Detail = "Without IpFilterPolicy Policy Agent installs nothing and the stack keeps its default (profile IPSEC) filter rules."
		}
	} else {
		p.Range = fp.KeywordRange
		p.FilterLogging = value(attr(fp, "FilterLogging"), 0) != "OFF"
		p.AllowOnDemand = value(attr(fp, "AllowOnDemand"), 0) != "NO"
		for _, a := range blockEntries(fp) {
			switch {
			case strings.EqualFold(a.Keyword, "IpFilterRuleRef"):
				if r := b.t.find("IpFilterRule", a.Name()); r != nil {
					p.FilterRules = append(p.FilterRules, b.filterRule(r, nil)...)
				}
			case strings.EqualFold(a.Keyword, "IpFilterRule") && a.Block != nil:
				p.FilterRules = append(p.FilterRules, b.filterRule(a, nil)...)
			case strings.EqualFold(a.Keyword, "IpFilterGroupRef"), strings.EqualFold(a.Keyword, "IpFilterGroup") && a.Block != nil:
				g := a
				if a.Block == nil {
					g = b.t.find("IpFilterGroup", a.Name())
				}
				p.FilterRules = append(p.FilterRules, b.group(g, nil)...)
			}
		}
	}
	if kp != nil {
		p.KeyExchange = b.keyExchangePolicy(kp)
	}
	if lp != nil {
		d := b.ds.Infof(policy.RuleUnsupported, lp.KeywordRange, "LocalDynVpnPolicy is not modelled by tcpipc")
		d.Detail = "Its rules name the SAs to start when the stack and IKED come up (AutoActivate Yes) or on the ipsec command; tcpipc starts none of them."
	}
	return p
}

// group expands an IpFilterGroup: its rules in order, each taking the
// group's addresses where it has none of its own. in lists the groups
// being expanded around it: a group that refers back to one of them is an
// error, and the reference is not followed.
func (b *policyBuilder) group(g *policy.Entry, in []*policy.Entry) []*FilterRule {
	if g == nil {
		return nil
	}
	in = append(in, g)
	var out []*FilterRule
	for _, a := range blockEntries(g) {
		switch {
		case strings.EqualFold(a.Keyword, "IpFilterRuleRef"):
			out = append(out, b.filterRule(b.t.find("IpFilterRule", a.Name()), g)...)
		case strings.EqualFold(a.Keyword, "IpFilterRule") && a.Block != nil:
			out = append(out, b.filterRule(a, g)...)
		case strings.EqualFold(a.Keyword, "IpFilterGroupRef"):
			inner := b.t.find("IpFilterGroup", a.Name())
			if slices.Contains(in, inner) {
				d := b.ds.Errorf(RulePolicyRef, a.KeywordRange, "IpFilterGroup %s refers to %s, which contains it: the groups form a cycle", g.Name(), a.Name())
				d.Detail = "A filter group cannot contain itself, directly or through other groups; remove this reference."
				continue
			}
			out = append(out, b.group(inner, in)...)
		}
	}
	return out
}

// filterRule splits an IpFilterRule into simple filters: one per source
// address, destination address and service.
func (b *policyBuilder) filterRule(r *policy.Entry, group *policy.Entry) []*FilterRule {
	if r == nil || r.Block == nil {
		return nil
	}
	name := b.names.of(r)
	srcs, srcWritten := b.addrs(r, "IpSource")
	if !srcWritten && group != nil {
		srcs, srcWritten = b.addrs(group, "IpSource")
	}
	dsts, dstWritten := b.addrs(r, "IpDest")
	if !dstWritten && group != nil {
		dsts, dstWritten = b.addrs(group, "IpDest")
	}
	// Addresses written but none readable (a POLICYVALUE error says
	// which): the rule is kept as matching all addresses on that side, so
	// the checks of what protects a DVIPA still see it, and marked, so no
	// check takes it for a rule that covers all traffic.
	var unread []string
	if srcWritten && len(srcs) == 0 {
		unread = append(unread, "source")
	}
	if dstWritten && len(dsts) == 0 {
		unread = append(unread, "destination")
	}
	if len(srcs) == 0 {
		srcs = []AddrSel{{All: true}}
	}
	if len(dsts) == 0 {
		dsts = []AddrSel{{All: true}}
	}
	services := b.objects(r, "IpService")
	for _, sg := range b.objects(r, "IpServiceGroup") {
		services = append(services, b.objects(sg, "IpService")...)
	}
	services, opaque := b.withoutOpaque(services)
	if len(services) == 0 {
		if opaque {
			return nil // its services match only packets tcpipc never sees
		}
		services = []*policy.Entry{nil} // all traffic
	}
	b.timeCondition(r, name)
	ga := b.object(r, "IpGenericFilterAction")
	if ga == nil {
		if attr(r, "IpGenericFilterActionRef") == nil {
			d := b.ds.Errorf(RulePolicyRef, r.KeywordRange, "IpFilterRule %s has no IpGenericFilterAction", name)
			d.Detail = "Policy Agent discards a rule without an action; give it IpGenericFilterActionRef."
		}
		return nil // discarded, like a rule whose action reference is broken
	}
	action := value(attr(ga, "IpFilterAction"), 0)
	log := value(attr(ga, "IpFilterLogging"), 0) == "YES"
	var dyn *DynVpnAction
	var man *ManVpnAction
	if e := b.object(r, "IpDynVpnAction"); e != nil {
		dyn = b.dynVpn(e)
	}
	if e := b.object(r, "IpManVpnAction"); e != nil {
		man = &ManVpnAction{Name: b.names.of(e), Range: e.KeywordRange}
	}
	granularity, start, groupName := "", "", ""
	if ls := b.object(r, "IpLocalStartAction"); ls != nil {
		granularity, start = value(attr(ls, "LocalIpGranularity"), 0), b.names.of(ls)
	}
	if group != nil {
		groupName = b.names.of(group)
	}
	var out []*FilterRule
	n := 0
	for _, s := range srcs {
		for _, d := range dsts {
			for _, svc := range services {
				n++
				fr := &FilterRule{Name: name, Unnamed: r.Name() == "", Extension: n, V6: s.isV6() || d.isV6(), Src: s, Dst: d, Protocol: AnyProtocol,
					Routing: "LOCAL", Direction: "BIDIRECTIONAL", Log: log, Action: action, Range: r.KeywordRange,
					DynVPN: dyn, ManVPN: man, Policy: true, LocalIPGranularity: granularity, Unread: strings.Join(unread, " and "),
					Group: groupName, LocalStartAction: start}
				b.service(fr, svc)
				out = append(out, fr)
			}
		}
	}
	return out
}

// timeCondition reports, once per rule, a time condition tcpipc does not
// act on: Policy Agent installs the rule's filters whatever the time
// ("For the IPSec type, both active and inactive IP filtering policies
// are installed in the TCP/IP stack", IP Configuration Guide, "Policy
// types"), and they match only while the condition holds.
func (b *policyBuilder) timeCondition(r *policy.Entry, name string) {
	tc := attr(r, "IpTimeConditionRef")
	if tc == nil {
		tc = attr(r, "IpTimeCondition")
	}
	if tc == nil || b.timed[r] {
		return
	}
	if b.timed == nil {
		b.timed = map[*policy.Entry]bool{}
	}
	b.timed[r] = true
	d := b.ds.Infof(policy.RuleUnsupported, r.KeywordRange, "IpFilterRule %s has a time condition, which tcpipc does not model", name)
	d.Detail = "The stack matches the rule's filters only while the condition holds; compile, whatif and run take the rule as active at all times."
	d.Related = []diag.Related{{Range: tc.KeywordRange, Message: "the time condition"}}
}

func (s AddrSel) isV6() bool {
	switch {
	case s.IsRange():
		return s.From.Is6()
	case s.Prefix.IsValid():
		return s.Prefix.Addr().Is6()
	}
	return false
}

// addrs returns the address selectors of the IpSource… or IpDest…
// attributes of an entry, and whether the entry has any such attribute
// (written, even when no value of it could be read).
func (b *policyBuilder) addrs(e *policy.Entry, side string) (out []AddrSel, written bool) {
	for _, k := range [...]string{"Addr", "AddrRef", "AddrSet", "AddrSetRef", "AddrGroupRef"} {
		written = written || attr(e, side+k) != nil
	}
	if a := attr(e, side+"Addr"); a != nil {
		if s, ok := b.addrSel(a, 0); ok {
			out = append(out, s)
		}
	}
	if a := attr(e, side+"AddrRef"); a != nil {
		if o := b.t.find("IpAddr", a.Name()); o != nil {
			if s, ok := b.addrSel(attr(o, "Addr"), 0); ok {
				out = append(out, s)
			}
		}
	}
	for _, set := range append(attrs(e, side+"AddrSet"), setRefs(b, e, side)...) {
		out = append(out, b.setSels(set)...)
	}
	if a := attr(e, side+"AddrGroupRef"); a != nil {
		out = append(out, b.groupSels(b.t.find("IpAddrGroup", a.Name()))...)
	}
	return out, written
}

// groupSels reads an IpAddrGroup: its IpAddr and IpAddrSet statements,
// referenced or inline, in order.
func (b *policyBuilder) groupSels(g *policy.Entry) []AddrSel {
	var out []AddrSel
	for _, ip := range b.objects(g, "IpAddr") {
		if s, ok := b.addrSel(attr(ip, "Addr"), 0); ok {
			out = append(out, s)
		}
	}
	for _, set := range b.objects(g, "IpAddrSet") {
		out = append(out, b.setSels(set)...)
	}
	return out
}

func setRefs(b *policyBuilder, e *policy.Entry, side string) []*policy.Entry {
	var out []*policy.Entry
	if a := attr(e, side+"AddrSetRef"); a != nil {
		if o := b.t.find("IpAddrSet", a.Name()); o != nil {
			out = append(out, o)
		}
	}
	return out
}

// setSels reads an IpAddrSet (its Prefix and Range attributes), or an
// IpSourceAddrSet/IpDestAddrSet attribute whose values are the addresses.
func (b *policyBuilder) setSels(set *policy.Entry) []AddrSel {
	var out []AddrSel
	if set.Block == nil {
		return b.addrSels(set)
	}
	for _, kw := range []string{"Prefix", "Range"} {
		for _, a := range attrs(set, kw) {
			if s, ok := b.addrSel(a, 0); ok {
				out = append(out, s)
			}
		}
	}
	return out
}

// addrSel reads the address selector at value i of an attribute. A
// malformed one is reported by the value checks (POLICYVALUE), so the
// builder only leaves it out.
func (b *policyBuilder) addrSel(e *policy.Entry, i int) (AddrSel, bool) {
	if e == nil || e.Secret {
		return AddrSel{}, false
	}
	s, _, _, ok := parseAddrSel(e.Values, i)
	return s, ok
}

// addrSels reads every address selector of an attribute.
func (b *policyBuilder) addrSels(e *policy.Entry) []AddrSel {
	var out []AddrSel
	for i := 0; e != nil && !e.Secret && i < len(e.Values); {
		s, _, n, ok := parseAddrSel(e.Values, i)
		if ok {
			out = append(out, s)
		}
		i += n
	}
	return out
}

// parseAddrSel reads All, All4, All6, a, a/len or a-b from value i; "a - b"
// written with blanks spans three values. It returns the text read and
// how many values it took (at least one).
func parseAddrSel(vs []*policy.Value, i int) (AddrSel, string, int, bool) {
	if i >= len(vs) {
		return AddrSel{}, "", 1, false
	}
	text, n := vs[i].Text, 1
	if i+2 < len(vs) && vs[i+1].Text == "-" {
		text, n = text+"-"+vs[i+2].Text, 3
	}
	switch strings.ToUpper(text) {
	case "ALL":
		return AddrSel{All: true}, text, n, true
	case "ALL4":
		return AddrSel{Prefix: netip.MustParsePrefix("0.0.0.0/0")}, text, n, true
	case "ALL6":
		return AddrSel{Prefix: netip.MustParsePrefix("::/0")}, text, n, true
	}
	if from, to, ok := strings.Cut(text, "-"); ok {
		f, err1 := netip.ParseAddr(from)
		t, err2 := netip.ParseAddr(to)
		if err1 == nil && err2 == nil && f.BitLen() == t.BitLen() && !t.Less(f) {
			return AddrSel{From: f, To: t}, text, n, true
		}
	} else if p, err := netip.ParsePrefix(text); err == nil {
		return AddrSel{Prefix: p}, text, n, true
	} else if a, err := netip.ParseAddr(text); err == nil {
		return AddrSel{Prefix: netip.PrefixFrom(a, a.BitLen())}, text, n, true
	}
	return AddrSel{}, text, n, false
}

// service applies an IpService to a filter (nil: all traffic).
func (b *policyBuilder) service(fr *FilterRule, svc *policy.Entry) {
	if svc == nil {
		return
	}
	sv, ok := b.services[svc]
	if !ok {
		sv = readService(svc)
		if b.services == nil {
			b.services = map[*policy.Entry]serviceFields{}
		}
		b.services[svc] = sv
	}
	sv.apply(fr)
}

// withoutOpaque leaves out the services whose protocol is Opaque, saying
// so once per service, and reports whether it left any out. Opaque
// matches IPv6 fragments whose protocol cannot be determined (IP
// Configuration Guide, "Routed traffic and fragmented packets"); tcpipc
// models no such packet, so those filters could never match.
func (b *policyBuilder) withoutOpaque(services []*policy.Entry) ([]*policy.Entry, bool) {
	out := services[:0:0]
	dropped := false
	for _, svc := range services {
		p := attr(svc, "Protocol")
		if p == nil || len(p.Values) == 0 || !isOpaque(p.Values[0].Text) {
			out = append(out, svc)
			continue
		}
		dropped = true
		if !b.opaque[svc] {
			if b.opaque == nil {
				b.opaque = map[*policy.Entry]bool{}
			}
			b.opaque[svc] = true
			d := b.ds.Infof(policy.RuleUnsupported, p.Values[0].Range, "Protocol Opaque matches only IPv6 fragments whose protocol cannot be determined; tcpipc models no such packet and leaves this service's filters out")
			d.Detail = "The stack installs them, and they match such fragments; compile, whatif and run have no filter for this service."
		}
	}
	return out, dropped
}

// serviceFields are what an IpService sets on a filter rule, read once per
// service: thousands of rules share a handful of services. The has* flags
// say which attributes the service codes; the rule keeps its defaults for
// the others.
type serviceFields struct {
	hasProtocol, hasDirection, hasRouting, hasSecClass bool

	protocol           Protocol
	srcPorts, dstPorts PortSel
	icmpType, icmpCode *TypeSel
	direction, connect string
	routing            string
	// fragmentsOnly is Routing Routed FragmentsOnly: fragments alone.
	fragmentsOnly bool
	secClass      int
}

func readService(svc *policy.Entry) serviceFields {
	var sv serviceFields
	if p := attr(svc, "Protocol"); p != nil {
		// A protocol that does not parse is reported by the value checks
		// (POLICYVALUE) and keeps the policy from being installed.
		sv.hasProtocol = true
		sv.protocol, _ = ParsePolicyProtocol(value(p, 0))
	}
	sv.srcPorts = portSel(attr(svc, "SourcePortRange"))
	sv.dstPorts = portSel(attr(svc, "DestinationPortRange"))
	sv.icmpType = typeRange(attr(svc, "TypeRange"))
	sv.icmpCode = typeRange(attr(svc, "CodeRange"))
	if d := attr(svc, "Direction"); d != nil {
		sv.hasDirection = true
		sv.direction, sv.connect = value(d, 0), value(d, 1)
	}
	if r := attr(svc, "Routing"); r != nil {
		sv.hasRouting = true
		sv.routing = value(r, 0)
		sv.fragmentsOnly = sv.routing == "ROUTED" && value(r, 1) == "FRAGMENTSONLY"
	}
	if s := attr(svc, "SecurityClass"); s != nil {
		sv.hasSecClass = true
		sv.secClass = intValue(s, 0)
	}
	return sv
}

func (sv serviceFields) apply(fr *FilterRule) {
	if sv.hasProtocol {
		fr.Protocol = sv.protocol
	}
	fr.SrcPorts, fr.DstPorts = sv.srcPorts, sv.dstPorts
	fr.ICMPType, fr.ICMPCode = sv.icmpType, sv.icmpCode
	if sv.hasDirection {
		fr.Direction, fr.Connect = sv.direction, sv.connect
	}
	if sv.hasRouting {
		fr.Routing, fr.FragmentsOnly = sv.routing, sv.fragmentsOnly
	}
	if sv.hasSecClass {
		fr.SecClass = sv.secClass
	}
}

// portSeparators turns "a-b" and "a:b" into "a b"; built once, as a
// Replacer builds its tables on first use.
var portSeparators = strings.NewReplacer("-", " ", ":", " ")

// portSel reads a port range; 0 alone, or 0-65535, is any port.
func portSel(e *policy.Entry) PortSel {
	from, to, ok := valueRangeOf(e)
	if !ok || from == 0 && (to == 0 || to == 65535) {
		return PortSel{}
	}
	return PortSel{From: from, To: to}
}

// typeRange reads TypeRange or CodeRange: nil when not coded, else the
// values, 0 included (type 0 is echo reply, not any).
func typeRange(e *policy.Entry) *TypeSel {
	from, to, ok := valueRangeOf(e)
	if !ok {
		return nil
	}
	return &TypeSel{From: from, To: to}
}

// valueRangeOf reads "a", "a b", "a-b" or "a:b"; ok is false when the
// attribute is missing or holds separators alone (a value error,
// POLICYVALUE).
func valueRangeOf(e *policy.Entry) (from, to int, ok bool) {
	if e == nil || len(e.Values) == 0 {
		return 0, 0, false
	}
	f := strings.Fields(portSeparators.Replace(strings.Join(e.Texts(), " ")))
	if len(f) == 0 {
		return 0, 0, false
	}
	from, _ = strconv.Atoi(f[0])
	to = from
	if len(f) > 1 {
		to, _ = strconv.Atoi(f[1])
	}
	return from, to, true
}

func (b *policyBuilder) dynVpn(e *policy.Entry) *DynVpnAction {
	a := &DynVpnAction{Name: b.names.of(e), Inline: e.Name() == "", Initiation: "EITHER", VpnLifeMinutes: 1440, Range: e.KeywordRange}
	if v := attr(e, "Initiation"); v != nil {
		a.Initiation = value(v, 0)
	}
	if v := attr(e, "VpnLife"); v != nil {
		a.VpnLifeMinutes = intValue(v, 0)
	}
	a.InitiateWithPfs = value(attr(e, "InitiateWithPfs"), 0)
	for _, p := range attrs(e, "AcceptablePfs") {
		a.AcceptablePfs = append(a.AcceptablePfs, value(p, 0))
	}
	a.HowToEncapIKEv2 = value(attr(e, "HowToEncapIKEv2"), 0)
	for _, o := range b.objects(e, "IpDataOffer") {
		a.Offers = append(a.Offers, dataOffer(o, b.names.of(o)))
	}
	return a
}

func dataOffer(e *policy.Entry, name string) *DataOffer {
	// Defaults of V2R2 and later: tunnel, AES_CBC 128, ESP HMAC_SHA1.
	o := &DataOffer{Name: name, Encap: "TUNNEL", Encrypt: "AES_CBC", KeyLength: 128, AuthProtocol: "ESP", AuthAlgorithm: "HMAC_SHA1", Range: e.KeywordRange}
	if v := attr(e, "HowToEncap"); v != nil {
		o.Encap = value(v, 0)
	}
	if v := attr(e, "HowToEncrypt"); v != nil {
		o.Encrypt, o.KeyLength = value(v, 0), keyLength(v)
	}
	if v := attr(e, "HowToAuth"); v != nil {
		o.AuthProtocol, o.AuthAlgorithm = value(v, 0), value(v, 1)
	}
	o.LifetimeProposed = intValue(attr(e, "RefreshLifetimeProposed"), 0)
	return o
}

// keyLength reads "… KeyLength n" from an encryption attribute.
func keyLength(e *policy.Entry) int {
	for i := 0; i+1 < len(e.Values); i++ {
		if strings.EqualFold(e.Values[i].Text, "KeyLength") {
			n, _ := strconv.Atoi(e.Values[i+1].Text)
			return n
		}
	}
	return 0
}

func (b *policyBuilder) keyExchangePolicy(e *policy.Entry) *KeyExchangePolicy {
	kp := &KeyExchangePolicy{AllowNat: value(attr(e, "AllowNat"), 0) == "YES", Range: e.KeywordRange}
	kp.LivenessInterval = optionalInt(attr(e, "LivenessInterval"))
	defer kp.defaultReauth(optionalInt(attr(e, "ReauthInterval")))
	for _, a := range blockEntries(e) {
		switch {
		case strings.EqualFold(a.Keyword, "KeyExchangeRuleRef"):
			if r := b.t.find("KeyExchangeRule", a.Name()); r != nil {
				kp.Rules = append(kp.Rules, b.keyExchangeRule(r))
			}
		case strings.EqualFold(a.Keyword, "KeyExchangeRule") && a.Block != nil:
			kp.Rules = append(kp.Rules, b.keyExchangeRule(a))
		case strings.EqualFold(a.Keyword, "KeyExchangeGroupRef"):
			if g := b.t.find("KeyExchangeGroup", a.Name()); g != nil {
				kp.Rules = append(kp.Rules, b.keyExchangeGroup(g)...)
			}
		case strings.EqualFold(a.Keyword, "KeyExchangeGroup") && a.Block != nil:
			kp.Rules = append(kp.Rules, b.keyExchangeGroup(a)...)
		}
	}
	return kp
}

// defaultReauth gives the actions that code no ReauthInterval the
// KeyExchangePolicy's, as its other parameters are defaults for the
// actions (the inheritance is unconfirmed; see README).
func (kp *KeyExchangePolicy) defaultReauth(minutes *int) {
	if minutes == nil {
		return
	}
	for _, r := range kp.Rules {
		if r.Action != nil && r.Action.ReauthInterval == nil {
			r.Action.ReauthInterval = minutes
		}
	}
}

// optionalInt is an attribute's number, nil when it is not coded.
func optionalInt(e *policy.Entry) *int {
	if e == nil {
		return nil
	}
	n := intValue(e, 0)
	return &n
}

// keyExchangeGroup is the rules of a KeyExchangeGroup, referenced or
// written inline in the KeyExchangePolicy.
func (b *policyBuilder) keyExchangeGroup(g *policy.Entry) []*KeyExchangeRule {
	var out []*KeyExchangeRule
	for _, r := range b.objects(g, "KeyExchangeRule") {
		out = append(out, b.keyExchangeRule(r))
	}
	return out
}

func (b *policyBuilder) keyExchangeRule(e *policy.Entry) *KeyExchangeRule {
	r := &KeyExchangeRule{Name: b.names.of(e), Unnamed: e.Name() == "", Range: e.KeywordRange}
	r.Local = b.endpoint(b.object(e, "LocalSecurityEndpoint"))
	r.Remote = b.endpoint(b.object(e, "RemoteSecurityEndpoint"))
	if a := b.object(e, "KeyExchangeAction"); a != nil {
		r.Action = b.keyExchangeAction(a)
	}
	if k := attr(e, "SharedKey"); k != nil && len(k.Values) > 0 {
		// Without a format word the whole value is the key: its first
		// word must not become a Format that plans print.
		format, words := "", k.Values
		if policy.IsKeyFormat(k.Values[0].Text) {
			format, words = strings.ToUpper(k.Values[0].Text), k.Values[1:]
		}
		parts := make([]string, 0, len(words))
		for _, v := range words {
			parts = append(parts, v.Text)
		}
		r.SharedKey = NewSecret(format, strings.Join(parts, " "))
	}
	return r
}

func (b *policyBuilder) endpoint(e *policy.Entry) *SecurityEndpoint {
	if e == nil {
		return nil
	}
	ep := &SecurityEndpoint{Name: b.names.of(e), Range: e.KeywordRange}
	remote := strings.EqualFold(e.Keyword, "RemoteSecurityEndpoint")
	id := attr(e, "Identity")
	if v, ok := remoteIdentityRef(e, id); ok {
		// Identity RemoteIdentityRef name: the RemoteIdentity statement's
		// identity (an undefined name is reported by the table).
		id = attr(b.t.find("RemoteIdentity", v.Text), "Identity")
	}
	if id != nil {
		ep.IdentityType, ep.KeyIDFormat, ep.Identity = identityOf(id)
		if remote {
			ep.Identity = anyAddrIdentity(ep.IdentityType, ep.Identity)
		}
	}
	for _, l := range attrs(e, "Location") {
		if remote {
			ep.Locations = append(ep.Locations, locationSels(l)...)
		} else {
			ep.Locations = append(ep.Locations, b.addrSels(l)...)
		}
	}
	if !remote {
		return ep
	}
	if a := attr(e, "LocationRef"); a != nil {
		if s, ok := b.addrSel(attr(b.t.find("IpAddr", a.Name()), "Addr"), 0); ok {
			ep.Locations = append(ep.Locations, s)
		}
	}
	if a := attr(e, "LocationSetRef"); a != nil {
		if set := b.t.find("IpAddrSet", a.Name()); set != nil {
			ep.Locations = append(ep.Locations, b.setSels(set)...)
		}
	}
	if a := attr(e, "LocationGroupRef"); a != nil {
		ep.Locations = append(ep.Locations, b.groupSels(b.t.find("IpAddrGroup", a.Name()))...)
	}
	return ep
}

// remoteIdentityRef returns the name in a RemoteSecurityEndpoint's
// Identity RemoteIdentityRef name (IP Configuration Reference,
// RemoteSecurityEndpoint statement), which names a RemoteIdentity
// statement.
func remoteIdentityRef(endpoint, id *policy.Entry) (*policy.Value, bool) {
	if endpoint == nil || id == nil || id.Secret || len(id.Values) < 2 ||
		!strings.EqualFold(endpoint.Keyword, "RemoteSecurityEndpoint") || !strings.EqualFold(id.Values[0].Text, "RemoteIdentityRef") {
		return nil, false
	}
	return id.Values[1], true
}

// anyAddrIdentity reads a remote IpAddr identity of 0.0.0.0 or :: as
// every address of its family (0.0.0.0/0, ::/0). IBM support tells
// Configuration Assistant users whose remote IKE peers share no subnet
// to code the remote identity as 0.0.0.0 (or 0.0.0.0/0) and list the
// peers in the location group (Q&A "IP Address Group for the Remote
// Security Endpoint", ibm.com/support/pages/node/6135159); the
// Configuration Assistant then writes Identity IpAddr 0.0.0.0.
func anyAddrIdentity(typ, id string) string {
	if typ != "IPADDR" {
		return id
	}
	if a, err := netip.ParseAddr(id); err == nil && a.IsUnspecified() {
		return netip.PrefixFrom(a, 0).String()
	}
	return id
}

// locationSels reads a RemoteSecurityEndpoint's Location: an address,
// prefix or range (as in filter rules), or Any (every address), Any4 or
// Any6 (IP Configuration Reference, RemoteSecurityEndpoint statement;
// Any4 is the default). Any is written as the IPv4 and IPv6 prefixes, so
// that every reader of the plan knows the locations as prefixes.
func locationSels(e *policy.Entry) []AddrSel {
	var out []AddrSel
	for i := 0; e != nil && !e.Secret && i < len(e.Values); {
		sels, _, n, _ := parseLocation(e.Values, i)
		out = append(out, sels...)
		i += n
	}
	return out
}

// parseLocation reads the location at value i: Any, Any4, Any6 or an
// address selector other than the filter rules' All, All4 and All6.
func parseLocation(vs []*policy.Value, i int) ([]AddrSel, string, int, bool) {
	any4 := AddrSel{Prefix: netip.MustParsePrefix("0.0.0.0/0")}
	any6 := AddrSel{Prefix: netip.MustParsePrefix("::/0")}
	switch strings.ToUpper(vs[i].Text) {
	case "ANY":
		return []AddrSel{any4, any6}, vs[i].Text, 1, true
	case "ANY4":
		return []AddrSel{any4}, vs[i].Text, 1, true
	case "ANY6":
		return []AddrSel{any6}, vs[i].Text, 1, true
	}
	s, text, n, ok := parseAddrSel(vs, i)
	if !ok || strings.HasPrefix(strings.ToUpper(text), "ALL") {
		return nil, text, n, false
	}
	return []AddrSel{s}, text, n, true
}

func (b *policyBuilder) keyExchangeAction(e *policy.Entry) *KeyExchangeAction {
	a := &KeyExchangeAction{Name: b.names.of(e), Inline: e.Name() == "", HowToInitiate: "MAIN", HowToAuthMe: "DIGITALSIGNATURE", Range: e.KeywordRange}
	if v := attr(e, "HowToInitiate"); v != nil {
		a.HowToInitiate = value(v, 0)
	}
	a.HowToRespondIKEv1 = value(attr(e, "HowToRespondIKEv1"), 0)
	a.ReauthInterval = optionalInt(attr(e, "ReauthInterval"))
	if v := attr(e, "HowToAuthMe"); v != nil {
		a.HowToAuthMe = value(v, 0)
	}
	for _, o := range b.objects(e, "KeyExchangeOffer") {
		ko := &KeyExchangeOffer{Name: b.names.of(o), Range: o.KeywordRange}
		if v := attr(o, "HowToEncrypt"); v != nil {
			ko.HowToEncrypt, ko.KeyLength = value(v, 0), keyLength(v)
		}
		ko.HowToAuthMsgs = value(attr(o, "HowToAuthMsgs"), 0)
		ko.HowToVerifyMsgs = value(attr(o, "HowToVerifyMsgs"), 0)
		ko.PseudoRandomFunction = value(attr(o, "PseudoRandomFunction"), 0)
		ko.HowToAuthPeers = value(attr(o, "HowToAuthPeers"), 0)
		ko.DHGroup = value(attr(o, "DHGroup"), 0)
		ko.LifetimeProposed = intValue(attr(o, "RefreshLifetimeProposed"), 0)
		a.Offers = append(a.Offers, ko)
	}
	// IKEv1 (Main and Aggressive mode) takes the authentication method
	// from the offers (HowToAuthPeers); HowToAuthMe is IKEv2's (IBM,
	// "Peer authentication": KeyExchangeOffer for IKEv1,
	// KeyExchangeAction for IKEv2).
	if a.HowToInitiate == "MAIN" || a.HowToInitiate == "AGGRESSIVE" {
		if m := ikev1Auth(a.Offers); m != "" {
			a.HowToAuthMe = m
		}
	}
	return a
}

// ikev1Auth is the authentication method of IKEv1 offers: PRESHAREDKEY
// when any offer uses a pre-shared key (the rule then needs its
// SharedKey), else the first method an offer names.
func ikev1Auth(offers []*KeyExchangeOffer) string {
	first := ""
	for _, o := range offers {
		if o.HowToAuthPeers == "PRESHAREDKEY" {
			return o.HowToAuthPeers
		}
		if first == "" {
			first = o.HowToAuthPeers
		}
	}
	return first
}

func (a *DynVpnAction) String() string {
	var offers []string
	for _, o := range a.Offers {
		s := strings.ToLower(o.AuthProtocol) + " " + o.Encrypt
		if o.KeyLength > 0 {
			s += fmt.Sprintf("/%d", o.KeyLength)
		}
		if o.AuthAlgorithm != "" && o.AuthAlgorithm != "NULL" {
			s += " " + o.AuthAlgorithm
		}
		offers = append(offers, s+" "+strings.ToLower(o.Encap))
	}
	return fmt.Sprintf("%s (%s)", a.Name, strings.Join(offers, ", "))
}
