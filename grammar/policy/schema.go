package policy

import (
	"slices"
	"sort"
	"strings"
	"unicode/utf8"

	textsuggest "github.com/tcpipc/tcpipc/internal/suggest"
)

// AttrSpec is one attribute a statement type accepts inside its block.
type AttrSpec struct {
	// Name is the canonical spelling (IpFilterRuleRef, SharedKey).
	Name string
	// Repeatable attributes accumulate; a second occurrence of any other
	// attribute replaces the first (with a warning).
	Repeatable bool
	// RefTo is the statement type a …Ref attribute names; "" otherwise.
	RefTo string
	// Inline attributes are written as an inline block of statement type
	// Name: `IpService [name]` followed by { … }.
	Inline bool
	// NeedsName is set for inline forms that must carry a name (an
	// IpFilterRule inlined in an IpFilterGroup).
	NeedsName bool
	// Secret attributes carry key material; renderers print <redacted>.
	Secret bool
	// Bare attributes are written alone, without values (NoKeyRing).
	Bare bool
}

// StatementSpec is what one statement type accepts.
type StatementSpec struct {
	// Type is the canonical spelling of the statement type.
	Type string
	// NamedGlobal statements take a name when they stand at the top level
	// (inline ones may leave it out).
	NamedGlobal bool
	// Attrs are the attributes accepted inside the block, in schema order.
	Attrs []AttrSpec
	// File is the kind of file the statement belongs to.
	File Kind
	// Block statements are followed by { … }; the others are one line.
	Block bool
	// TopLevel is false for statement types that only appear inline
	// (AppName inside AutoMonitorApps, PolicyType inside
	// DynamicConfigPolicyLoad).
	TopLevel bool
	// Unique statements are expected once per file; for a second one the
	// last wins.
	Unique bool
	// Needs lists groups of attributes of which the block must have one
	// (IpDynVpnAction: IpDataOffer or IpDataOfferRef); Policy Agent
	// refuses the statement without.
	Needs [][]string
	// Complete is set when IBM documents the full attribute list: any
	// other attribute is an error. For the others an unknown attribute
	// that is not a likely misspelling is only a warning, since tcpipc's
	// list may lack attributes IBM added.
	Complete bool
	// MinValues and MaxValues bound the words after the keyword of a
	// statement that has no block (MaxValues 0: not checked).
	MinValues, MaxValues int

	attrs map[string]*AttrSpec // by upper-case name
}

// Attr returns the attribute spec for a name, case-insensitively.
func (s *StatementSpec) Attr(name string) (*AttrSpec, bool) {
	return lookupFolded(s.attrs, name)
}

// schemaSource is the schema in a compact notation, one statement type
// per entry. Flags: block, top (valid at top level), named, unique,
// complete, min=N, max=N, needs=A|B (one of the attributes is required). Attributes: a name, then '*' repeatable,
// '>Type' a reference to Type, '{}' inline block ('{}!' with a required
// name), '$' secret, '.' written without values.
//
// Confidence follows the reference: attribute lists marked complete are
// documented in full by IBM; the others are what the documentation and
// IBM samples show, so unknown attributes there are accepted with a
// warning unless they look like a misspelling.
var schemaSource = []struct {
	typ   string
	kind  Kind
	flags string
	attrs string
}{
	// Policy Agent main configuration and image files.
	{"TcpImage", PagentMain, "top min=1 max=5", ""},
	{"PEPInstance", PagentMain, "top min=1 max=5", ""},
	{"LogLevel", PagentMain, "top unique min=1 max=1", ""},
	{"Codepage", PagentMain, "top unique min=1 max=1", ""},
	{"IpSecConfig", PagentMain, "top unique min=1 max=3", ""},
	{"CommonIpSecConfig", PagentMain, "top unique min=1 max=1", ""},
	{"TTLSConfig", PagentMain, "top unique min=1 max=3", ""},
	{"CommonTTLSConfig", PagentMain, "top unique min=1 max=1", ""},
	{"IDSConfig", PagentMain, "top unique min=1 max=3", ""},
	{"CommonIDSConfig", PagentMain, "top unique min=1 max=1", ""},
	{"RoutingConfig", PagentMain, "top unique min=1 max=3", ""},
	{"CommonRoutingConfig", PagentMain, "top unique min=1 max=1", ""},
	{"QoSConfig", PagentMain, "top unique min=1 max=3", ""},
	{"CommonQoSConfig", PagentMain, "top unique min=1 max=1", ""},
	{"ZERTConfig", PagentMain, "top unique min=1 max=3", ""},
	{"CommonZERTConfig", PagentMain, "top unique min=1 max=1", ""},
	{"ClientConnection", PagentMain, "top unique min=1 max=1", ""},
	{"AutoMonitorApps", PagentMain, "block top unique", "AppName*{}!"},
	{"AppName", PagentMain, "block named", "ProcName JobName StartParms EnvVar*"},
	{"AutoMonitorParms", PagentMain, "block top unique", "MonitorInterval RetryLimitCount RetryLimitPeriod"},
	{"ServicesConnection", PagentMain, "block top unique complete", "Port ImageName Security Trace Keyring"},
	{"ServerConnection", PagentMain, "block top unique", "ServerHostName ServerPort ServerSSL ServerSSLKeyring ServerSSLRing ServerSSLV3 ServerSSLCipher ClientName ImageName Trace"},
	{"PolicyServer", PagentMain, "block top unique", "Port ImageName Security Keyring Trace ConnectionLimit"},
	{"DynamicConfigPolicyLoad", PagentMain, "block top named", "PolicyType*{}! RefreshInterval"},
	{"PolicyType", PagentMain, "block named", "CommonPolicyLoad PolicyLoad*"},

	// IPsec policy files.
	// IpFilterLogImplicit logs the implicit deny rules Policy Agent adds
	// (the profile IPSEC statement's LOGIMPLICIT); ImplicitDiscardAction is
	// their DiscardAction (IP Configuration Guide, "IP filter discard
	// action").
	{"IpFilterPolicy", IPSecPolicy, "block top unique needs=IpFilterRule|IpFilterRuleRef|IpFilterGroup|IpFilterGroupRef", "FilterLogging IpFilterLogImplicit ImplicitDiscardAction AllowOnDemand PreDecap NatKeepAliveInterval FIPS140 " +
		"IpFilterRuleRef*>IpFilterRule IpFilterGroupRef*>IpFilterGroup IpFilterRule*{} IpFilterGroup*{}"},
	{"IpFilterRule", IPSecPolicy, "block top named", addrAttrs + " IpServiceRef*>IpService IpServiceGroupRef*>IpServiceGroup IpService*{} " +
		"IpTimeConditionRef>IpTimeCondition IpTimeCondition{} " +
		"IpGenericFilterActionRef>IpGenericFilterAction IpGenericFilterAction{} " +
		"IpManVpnActionRef>IpManVpnAction IpManVpnAction{} IpDynVpnActionRef>IpDynVpnAction IpDynVpnAction{} " +
		"IpLocalStartActionRef>IpLocalStartAction IpLocalStartAction{}"},
	{"IpFilterGroup", IPSecPolicy, "block top named", addrAttrs + " IpFilterRuleRef*>IpFilterRule IpFilterRule*{}! IpFilterGroupRef*>IpFilterGroup"},
	{"IpGenericFilterAction", IPSecPolicy, "block top named complete needs=IpFilterAction", "IpFilterAction IpFilterLogging DiscardAction"},
	{"IpDynVpnAction", IPSecPolicy, "block top named needs=IpDataOffer|IpDataOfferRef", "Pfs Initiation VpnLife InitiateWithPfs AcceptablePfs* HowToEncapIKEv2 " +
		"PassthroughDF PassthroughDSCP IpDataOfferRef*>IpDataOffer IpDataOffer*{}"},
	{"IpDataOffer", IPSecPolicy, "block top named complete", "HowToEncap HowToEncrypt HowToAuth RefreshLifetimeProposed " +
		"RefreshLifetimeAccepted RefreshLifesizeProposed RefreshLifesizeAccepted"},
	// IpManVpnAction statement (V2R1 diagram): a manual tunnel's ends are
	// addresses (…SecurityEndpointAddr a|Any|Any4|Any6, or …AddrRef an
	// IpAddr), not security endpoint statements. An IpTimeCondition on
	// the action says when the tunnel is installed (the page's text,
	// V2R1 and V2R3).
	{"IpManVpnAction", IPSecPolicy, "block top named", "Active HowToEncap HowToEncrypt HowToAuth TunnelId " +
		"LocalSecurityEndpointAddr LocalSecurityEndpointAddrRef>IpAddr RemoteSecurityEndpointAddr RemoteSecurityEndpointAddrRef>IpAddr " +
		"PassthroughDF PassthroughDSCP IpTimeConditionRef>IpTimeCondition IpTimeCondition{} " +
		"InboundAuthSPI OutboundAuthSPI InboundEncryptSPI OutboundEncryptSPI " +
		"InboundAuthKey$ OutboundAuthKey$ InboundEncryptKey$ OutboundEncryptKey$"},
	{"IpLocalStartAction", IPSecPolicy, "block top named", "AllowOnDemand LocalIpGranularity RemoteIpGranularity " +
		"LocalPortGranularity RemotePortGranularity ProtocolGranularity IcmpTypeGranularity IcmpCodeGranularity " +
		"MobilityHeaderTypeGranularity"},
	{"IpService", IPSecPolicy, "block top named", "SourcePortRange DestinationPortRange Protocol Direction Routing " +
		"SecurityClass TypeRange CodeRange MobilityHeaderTypeRange"},
	{"IpServiceGroup", IPSecPolicy, "block top named", "IpServiceRef*>IpService IpService*{}"},
	{"IpAddr", IPSecPolicy, "block top named", "Addr"},
	{"IpAddrSet", IPSecPolicy, "block top named", "Prefix* Range*"},
	{"IpAddrGroup", IPSecPolicy, "block top named", "IpAddrRef*>IpAddr IpAddrSetRef*>IpAddrSet IpAddr*{} IpAddrSet*{}"},
	{"IpTimeCondition", IPSecPolicy, "block top named", "ConditionTimeRange TimeOfDayRange DayOfMonthMask MonthOfYearMask " +
		"DayOfWeekMask TimeZone"},
	{"KeyExchangePolicy", IPSecPolicy, "block top unique", "AllowNat NatKeepAliveInterval LivenessInterval RevocationChecking " +
		"HowToInitiate HowToRespondIKEv1 ReauthInterval " +
		"KeyExchangeRuleRef*>KeyExchangeRule KeyExchangeGroupRef*>KeyExchangeGroup KeyExchangeRule*{} KeyExchangeGroup*{}"},
	{"KeyExchangeRule", IPSecPolicy, "block top named", "LocalSecurityEndpointRef>LocalSecurityEndpoint LocalSecurityEndpoint{} " +
		"RemoteSecurityEndpointRef>RemoteSecurityEndpoint RemoteSecurityEndpoint{} " +
		"KeyExchangeActionRef>KeyExchangeAction KeyExchangeAction{} SharedKey$"},
	{"KeyExchangeGroup", IPSecPolicy, "block top named", "KeyExchangeRuleRef*>KeyExchangeRule KeyExchangeRule*{}!"},
	{"KeyExchangeAction", IPSecPolicy, "block top named", "HowToInitiate HowToRespond AllowNat HowToRespondIKEv1 HowToAuthMe " +
		"KeyExchangeOfferRef*>KeyExchangeOffer KeyExchangeOffer*{} ReauthInterval FilterByIdentity BypassIpValidation"},
	{"KeyExchangeOffer", IPSecPolicy, "block top named", "HowToEncrypt HowToAuthMsgs HowToVerifyMsgs PseudoRandomFunction " +
		"HowToAuthPeers DHGroup RefreshLifetimeProposed RefreshLifetimeAccepted RefreshLifesizeProposed RefreshLifesizeAccepted"},
	{"LocalSecurityEndpoint", IPSecPolicy, "block top named", "Identity Location"},
	// IP Configuration Reference (V2R4), RemoteSecurityEndpoint statement:
	// the locations are Location, LocationRef (an IpAddr), LocationSetRef
	// (an IpAddrSet) or LocationGroupRef (an IpAddrGroup).
	{"RemoteSecurityEndpoint", IPSecPolicy, "block top named", "Identity Location LocationRef>IpAddr LocationSetRef>IpAddrSet " +
		"LocationGroupRef>IpAddrGroup CaLabel*"},
	// RemoteIdentity statement (V1R12 and later): one remote identity,
	// a wildcard allowed, that a RemoteSecurityEndpoint names with
	// Identity RemoteIdentityRef name.
	{"RemoteIdentity", IPSecPolicy, "block top named complete", "Identity"},
	{"LocalDynVpnPolicy", IPSecPolicy, "block top unique", "LocalDynVpnRuleRef*>LocalDynVpnRule LocalDynVpnRule*{}"},
	{"LocalDynVpnRule", IPSecPolicy, "block top named", "LocalIp RemoteIp LocalDataPort RemoteDataPort Protocol AutoActivate " +
		"IpDynVpnActionRef>IpDynVpnAction"},

	// iked.conf.
	{"IkeConfig", Iked, "block top unique complete", "IkeSyslogLevel PagentSyslogLevel SMF119* IkeRetries IkeInitWait FIPS140 " +
		"KeyRing NoKeyRing. Echo NetworkSecurityServer NetworkSecurityServerBackup NssWaitLimit NssWaitRetries PagentWait SupportedCertAuth*"},
	{"NssStackConfig", Iked, "block top named", "ClientName ServiceType*"},
}

// addrAttrs are the source and destination address forms of filter rules
// and filter groups.
const addrAttrs = "IpSourceAddr IpSourceAddrSet IpSourceAddrRef>IpAddr IpSourceAddrSetRef>IpAddrSet IpSourceAddrGroupRef>IpAddrGroup " +
	"IpDestAddr IpDestAddrSet IpDestAddrRef>IpAddr IpDestAddrSetRef>IpAddrSet IpDestAddrGroupRef>IpAddrGroup"

var (
	schema = buildSchema()
	// words maps the upper-case spelling of every statement type and
	// attribute name to its canonical spelling.
	// Statement types come first, then attributes in schema order, so a
	// word spelt two ways (KeyRing, Keyring) maps the same way every run;
	// inside a block the statement's own spelling is used.
	words = func() map[string]string {
		out := map[string]string{}
		for _, src := range schemaSource {
			out[strings.ToUpper(src.typ)] = src.typ
		}
		for _, src := range schemaSource {
			for _, a := range schema[src.typ].Attrs {
				if u := strings.ToUpper(a.Name); out[u] == "" {
					out[u] = a.Name
				}
			}
		}
		return out
	}()
	secretNames = func() []string {
		seen := map[string]bool{}
		var out []string
		for _, s := range schema {
			for _, a := range s.Attrs {
				if a.Secret && !seen[a.Name] {
					seen[a.Name] = true
					out = append(out, a.Name)
				}
			}
		}
		sort.Strings(out)
		return out
	}()
)

func buildSchema() map[string]*StatementSpec {
	out := map[string]*StatementSpec{}
	for _, src := range schemaSource {
		s := &StatementSpec{Type: src.typ, File: src.kind, attrs: map[string]*AttrSpec{}}
		for _, f := range strings.Fields(src.flags) {
			switch {
			case f == "block":
				s.Block = true
			case f == "top":
				s.TopLevel = true
			case f == "named":
				s.NamedGlobal = true
			case f == "unique":
				s.Unique = true
			case f == "complete":
				s.Complete = true
			case strings.HasPrefix(f, "min="):
				s.MinValues = atoi(f[4:])
			case strings.HasPrefix(f, "max="):
				s.MaxValues = atoi(f[4:])
			case strings.HasPrefix(f, "needs="):
				s.Needs = append(s.Needs, strings.Split(f[6:], "|"))
			default:
				panic("policy schema: bad flag " + f)
			}
		}
		for _, f := range strings.Fields(src.attrs) {
			var a AttrSpec
			if ref, target, ok := strings.Cut(f, ">"); ok {
				f, a.RefTo = ref, target
			}
			if n, ok := strings.CutSuffix(f, "$"); ok {
				f, a.Secret = n, true
			}
			if n, ok := strings.CutSuffix(f, "."); ok {
				f, a.Bare = n, true
			}
			if n, ok := strings.CutSuffix(f, "{}!"); ok {
				f, a.Inline, a.NeedsName = n, true, true
			} else if n, ok := strings.CutSuffix(f, "{}"); ok {
				f, a.Inline = n, true
			}
			if n, ok := strings.CutSuffix(f, "*"); ok {
				f, a.Repeatable = n, true
			}
			a.Name = f
			s.Attrs = append(s.Attrs, a)
		}
		for i := range s.Attrs {
			s.attrs[strings.ToUpper(s.Attrs[i].Name)] = &s.Attrs[i]
		}
		out[s.Type] = s
	}
	for _, s := range out {
		for _, a := range s.Attrs {
			if (a.RefTo != "" && out[a.RefTo] == nil) || (a.Inline && out[a.Name] == nil) {
				panic("policy schema: " + s.Type + "." + a.Name + " names an unknown statement type")
			}
		}
	}
	return out
}

func atoi(s string) int {
	n := 0
	for _, c := range s {
		n = n*10 + int(c-'0')
	}
	return n
}

// Schema returns the statement types by canonical name. The map and its
// specs are shared: do not modify them.
func Schema() map[string]*StatementSpec { return schema }

// LookupStatement finds a statement type by name, case-insensitively.
func LookupStatement(word string) (*StatementSpec, bool) {
	s, ok := schema[canonical(word)]
	return s, ok
}

// canonical returns the schema's spelling of a statement type or attribute
// name, or "" when the word is neither.
func canonical(word string) string {
	c, _ := lookupFolded(words, word)
	return c
}

// lookupFolded is m[word upper-cased], ASCII letters only. The parser
// looks up every keyword of a file, and policy keywords are written in
// mixed case, so words are upper-cased into a buffer on the stack: the
// lookup then allocates nothing. Keywords are ASCII (Policy Agent reads
// EBCDIC): a word with any other character is none, even one Unicode
// folds to a keyword (ſharedKey), which the secret masking, matching
// ASCII, would not recognise either.
func lookupFolded[V any](m map[string]V, word string) (V, bool) {
	var zero V
	var buf [64]byte
	if len(word) > len(buf) {
		return zero, false // no keyword is that long
	}
	for i := 0; i < len(word); i++ {
		c := word[i]
		if c >= utf8.RuneSelf {
			return zero, false
		}
		if 'a' <= c && c <= 'z' {
			c -= 'a' - 'A'
		}
		buf[i] = c
	}
	v, ok := m[string(buf[:len(word)])]
	return v, ok
}

// looksSecret reports whether a line starting with word carries key
// material: a secret attribute, or an unknown word that is probably one
// misspelt (ShardKey) or named like one (…Key), or a password of a
// statement tcpipc keeps without modelling it (ReadFromDirectory's
// LDAP_AuthPassword: IBM's Policy Agent logs in to its LDAP server with a
// user ID and password given there; AT-TLS GSK_LDAP_Password, KeyringPw).
// It errs on the side of hiding a value.
func looksSecret(word string) bool {
	if c := canonical(word); c != "" {
		return isSecretCanonical(c)
	}
	u := strings.ToUpper(word)
	for _, part := range []string{"KEY", "SHARED", "PASSWORD", "PASSWD"} {
		if strings.Contains(u, part) {
			return true
		}
	}
	return strings.HasSuffix(u, "PW") || suggest(word, secretNames) != ""
}

// topLevelNames returns the schema's statement types valid at the top
// level of a file of kind k (every kind for Auto), sorted.
func topLevelNames(k Kind) []string {
	var out []string
	for _, s := range schema {
		if s.TopLevel && (k == Auto || s.File == k) {
			out = append(out, s.Type)
		}
	}
	sort.Strings(out)
	return out
}

// topLevelCandidates is what a misspelt top-level word in a file of kind
// k may have meant: the schema's statements and those of the policy types
// tcpipc recognises without modelling them.
func topLevelCandidates(k Kind) []string {
	out := topLevelNames(k)
	for _, s := range schema {
		if s.TopLevel && !k.Modelled() && reusable[s.Type] {
			out = append(out, s.Type)
		}
	}
	for _, o := range otherStatements {
		if k == Auto || o.validIn(k) {
			out = append(out, o.name)
		}
	}
	sort.Strings(out)
	return slices.Compact(out)
}

// attrNames lists a statement type's attribute names.
func (s *StatementSpec) attrNames() []string {
	out := make([]string, len(s.Attrs))
	for i, a := range s.Attrs {
		out[i] = a.Name
	}
	return out
}

// suggest returns the candidate closest to word, or "" when none is close
// enough to be a likely typo.
func suggest(word string, candidates []string) string {
	return textsuggest.Closest(word, candidates, nil)
}
