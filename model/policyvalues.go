package model

import (
	"fmt"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/tcpipc/tcpipc/diag"
	"github.com/tcpipc/tcpipc/grammar/policy"
	"github.com/tcpipc/tcpipc/internal/suggest"
)

// RulePolicyValue is the id of attribute values of the IPsec policy and
// iked.conf that Policy Agent or IKED would not accept: a word outside
// the attribute's set, a number out of range, a malformed address.
const RulePolicyValue = "POLICYVALUE"

// The IBM documents the value sets come from. An attribute whose set
// names one is checked strictly: Policy Agent rejects any other value, and
// for IPsec one bad value keeps the whole policy from being installed. An
// attribute with no source is checked against what tcpipc gathered from
// IBM samples and secondary notes; a value outside it is a warning, since
// the list may lack a value IBM added. docs/policy-values.md lists both.
const (
	docGenericAction = "IP Configuration Reference, IpGenericFilterAction statement"
	docDynVpn        = "IP Configuration Reference, IpDynVpnAction statement"
	docDataOffer     = "IP Configuration Reference, IpDataOffer statement"
	docManVpn        = "IP Configuration Reference, IpManVpnAction statement"
	docKeyOffer      = "IP Configuration Reference, KeyExchangeOffer statement"
	docKeyAction     = "IP Configuration Reference, KeyExchangeAction statement"
	docFilterSample  = "IP Configuration Guide, IP filter policy (IpFilterRule sample)"
	// docICMPField is a protocol fact, not IBM's word: no message has a
	// type or code above 255, so a filter asking for one is a mistake
	// (and a plan cannot carry it).
	docICMPField = "RFC 792 and RFC 4443: ICMP's type and code are 8-bit fields"
	docGeneral   = "IP Configuration Reference, general syntax rules for Policy Agent"
	docIkeConfig = "IP Configuration Reference, IkeConfig statement"
	docIpAddr    = "IP Configuration Reference, IpAddr statement"
	docEndpoint  = "IP Configuration Reference, LocalSecurityEndpoint and RemoteSecurityEndpoint statements"
	// docRemoteEndpoint is the V2R4 RemoteSecurityEndpoint statement: its
	// Location is an address, prefix or range, or Any, Any4 or Any6.
	docRemoteEndpoint = "IP Configuration Reference, RemoteSecurityEndpoint statement"
	docRemoteIdentity = "IP Configuration Reference, RemoteIdentity statement"
)

// maxNumber is the largest number a policy attribute takes unless its
// statement says otherwise (general syntax rules for Policy Agent).
const maxNumber = 4294967295

// valueRule checks the values of one attribute. Rules are values: the
// table below is the whole of tcpipc's knowledge of policy values.
type valueRule struct {
	// doc is the IBM document that gives the set or range; "" when tcpipc
	// could not confirm it (findings are then warnings).
	doc string
	// check reports the attribute's bad values.
	check *checker
	// unchecked says why an attribute takes any value (names, labels,
	// free text); check is nil then.
	unchecked string
}

// policyValueRules maps "Statement.Attribute" (canonical spellings) to the
// attribute's rule, and a one-line pagent statement's name to its rule. Reference attributes (…Ref), inline blocks and secrets
// are not values and have no entry; TestEveryPolicyAttributeHasAValueRule
// keeps the table complete.
var policyValueRules = func() map[string]valueRule {
	yesNo := oneOf("Yes", "No")
	onOff := oneOf("On", "Off")
	dh := []string{"Group1", "Group2", "Group5", "Group14", "Group19", "Group20", "Group21", "Group24"}
	pfs := append([]string{"None"}, dh...)
	granularity := oneOf("Rule", "Packet")
	minutes := number(1, maxNumber)
	lifesize := noneOr(numbers(1, 0, maxNumber))
	accepted := numbers(2, 0, maxNumber)
	dataEncrypt := encryption("DES", "3DES", "AES", "AES_CBC", "AES_GCM_16", "DoNot")
	dataAuth := words2(oneOf("AH", "ESP"), oneOf("Null", "AES_GMAC_128", "AES_GMAC_256", "AES128_XCBC_96",
		"HMAC_MD5", "HMAC_SHA", "HMAC_SHA1", "HMAC_SHA2_256_128", "HMAC_SHA2_384_192", "HMAC_SHA2_512_256"))
	addrs := addresses()
	free := func(why string) valueRule { return valueRule{unchecked: why} }
	r := map[string]valueRule{
		"IpFilterPolicy.FilterLogging":        {check: onOff},
		"IpFilterPolicy.AllowOnDemand":        {check: yesNo},
		"IpFilterPolicy.PreDecap":             {check: oneOf("Permit", "Deny", "Off", "On")},
		"IpFilterPolicy.NatKeepAliveInterval": {doc: docGeneral, check: number(0, maxNumber)},
		"IpFilterPolicy.FIPS140":              {check: yesNo},
		// The IP Configuration Guide names ImplicitDiscardAction as the
		// implicit deny rules' DiscardAction; its values are taken from
		// DiscardAction's, unconfirmed like IpFilterLogImplicit's.
		"IpFilterPolicy.IpFilterLogImplicit":   {check: yesNo},
		"IpFilterPolicy.ImplicitDiscardAction": {check: oneOf("Silent", "ICMP")},

		"IpGenericFilterAction.IpFilterAction":  {doc: docGenericAction, check: oneOf("Permit", "Deny", "IpSec")},
		"IpGenericFilterAction.IpFilterLogging": {doc: docGenericAction, check: oneOf("Yes", "No", "LogPermit", "LogDeny")},
		"IpGenericFilterAction.DiscardAction":   {doc: docGenericAction, check: oneOf("Silent", "ICMP")},

		"IpDynVpnAction.Pfs":             {doc: docDynVpn, check: oneOf(pfs...)},
		"IpDynVpnAction.Initiation":      {doc: docDynVpn, check: oneOf("Either", "LocalOnly", "RemoteOnly")},
		"IpDynVpnAction.VpnLife":         {doc: docDynVpn, check: minutes},
		"IpDynVpnAction.InitiateWithPfs": {check: oneOf(pfs...)},
		"IpDynVpnAction.AcceptablePfs":   {check: oneOf(pfs...)},
		"IpDynVpnAction.HowToEncapIKEv2": {check: oneOf("Either", "Tunnel", "Transport")},
		"IpDynVpnAction.PassthroughDF":   {check: words2(yesNo, oneOf("Clear", "Set"))},
		"IpDynVpnAction.PassthroughDSCP": {check: yesNo},

		"IpDataOffer.HowToEncap":              {doc: docDataOffer, check: oneOf("Tunnel", "Transport")},
		"IpDataOffer.HowToEncrypt":            {doc: docDataOffer, check: dataEncrypt},
		"IpDataOffer.HowToAuth":               {doc: docDataOffer, check: dataAuth},
		"IpDataOffer.RefreshLifetimeProposed": {doc: docDataOffer, check: minutes},
		"IpDataOffer.RefreshLifetimeAccepted": {doc: docDataOffer, check: accepted},
		"IpDataOffer.RefreshLifesizeProposed": {doc: docDataOffer, check: lifesize},
		"IpDataOffer.RefreshLifesizeAccepted": {doc: docDataOffer, check: noneOr(accepted)},

		"IpManVpnAction.Active":                     {check: yesNo},
		"IpManVpnAction.HowToEncap":                 {doc: docDataOffer, check: oneOf("Tunnel", "Transport")},
		"IpManVpnAction.HowToEncrypt":               {check: dataEncrypt},
		"IpManVpnAction.HowToAuth":                  {check: dataAuth},
		"IpManVpnAction.TunnelId":                   free("a tunnel name"),
		"IpManVpnAction.LocalSecurityEndpointAddr":  {doc: docManVpn, check: endpointAddr},
		"IpManVpnAction.RemoteSecurityEndpointAddr": {doc: docManVpn, check: endpointAddr},
		"IpManVpnAction.PassthroughDF":              {doc: docManVpn, check: words2(yesNo, oneOf("Clear", "Set"))},
		"IpManVpnAction.PassthroughDSCP":            {doc: docManVpn, check: yesNo},
		"IpManVpnAction.InboundAuthSPI":             {check: number(256, maxNumber)},
		"IpManVpnAction.OutboundAuthSPI":            {check: number(256, maxNumber)},
		"IpManVpnAction.InboundEncryptSPI":          {check: number(256, maxNumber)},
		"IpManVpnAction.OutboundEncryptSPI":         {check: number(256, maxNumber)},

		"IpLocalStartAction.AllowOnDemand":                 {check: yesNo},
		"IpLocalStartAction.LocalIpGranularity":            {check: granularity},
		"IpLocalStartAction.RemoteIpGranularity":           {check: granularity},
		"IpLocalStartAction.LocalPortGranularity":          {check: granularity},
		"IpLocalStartAction.RemotePortGranularity":         {check: granularity},
		"IpLocalStartAction.ProtocolGranularity":           {check: granularity},
		"IpLocalStartAction.IcmpTypeGranularity":           {check: granularity},
		"IpLocalStartAction.IcmpCodeGranularity":           {check: granularity},
		"IpLocalStartAction.MobilityHeaderTypeGranularity": {check: granularity},

		"IpService.SourcePortRange":         {doc: docFilterSample, check: valueRange("port", 0, 65535)},
		"IpService.DestinationPortRange":    {doc: docFilterSample, check: valueRange("port", 0, 65535)},
		"IpService.Protocol":                {doc: docFilterSample, check: serviceProtocol},
		"IpService.Direction":               {doc: docFilterSample, check: direction},
		"IpService.Routing":                 {doc: docFilterSample, check: routing},
		"IpService.SecurityClass":           {doc: docFilterSample, check: number(0, 255)},
		"IpService.TypeRange":               {doc: docICMPField, check: valueRange("type", 0, 255)},
		"IpService.CodeRange":               {doc: docICMPField, check: valueRange("code", 0, 255)},
		"IpService.MobilityHeaderTypeRange": {check: valueRange("type", 0, 255)},

		"IpAddr.Addr":      {doc: docIpAddr, check: singleAddress},
		"IpAddrSet.Prefix": {doc: docFilterSample, check: addrs},
		"IpAddrSet.Range":  {doc: docFilterSample, check: addrs},

		"IpTimeCondition.ConditionTimeRange": free("a time range; tcpipc does not model time conditions"),
		"IpTimeCondition.TimeOfDayRange":     free("a time range; tcpipc does not model time conditions"),
		"IpTimeCondition.DayOfMonthMask":     free("a mask; tcpipc does not model time conditions"),
		"IpTimeCondition.MonthOfYearMask":    free("a mask; tcpipc does not model time conditions"),
		"IpTimeCondition.DayOfWeekMask":      free("a mask; tcpipc does not model time conditions"),
		"IpTimeCondition.TimeZone":           {check: oneOf("Local", "UTC")},

		"KeyExchangePolicy.AllowNat":             {check: yesNo},
		"KeyExchangePolicy.NatKeepAliveInterval": {doc: docGeneral, check: number(0, maxNumber)},
		"KeyExchangePolicy.LivenessInterval":     {doc: docGeneral, check: number(0, maxNumber)},
		"KeyExchangePolicy.RevocationChecking":   {check: oneOf("None", "Loose", "Strict")},
		"KeyExchangePolicy.HowToInitiate":        {doc: docKeyAction, check: oneOf("Main", "Aggressive", "IKEv2", "DoNot")},
		"KeyExchangePolicy.HowToRespondIKEv1":    {doc: docKeyAction, check: oneOf("Either", "Main", "Aggressive")},
		"KeyExchangePolicy.ReauthInterval":       {doc: docGeneral, check: number(0, maxNumber)},

		"KeyExchangeAction.HowToInitiate":     {doc: docKeyAction, check: oneOf("Main", "Aggressive", "IKEv2", "DoNot")},
		"KeyExchangeAction.HowToRespond":      {doc: docKeyAction, check: oneOf("Either", "Main", "Aggressive")},
		"KeyExchangeAction.AllowNat":          {doc: docKeyAction, check: yesNo},
		"KeyExchangeAction.HowToRespondIKEv1": {doc: docKeyAction, check: oneOf("Either", "Main", "Aggressive")},
		"KeyExchangeAction.HowToAuthMe": {doc: docKeyAction, check: oneOf("DigitalSignature", "PresharedKey", "RsaSignature",
			"ECDSA-256", "ECDSA-384", "ECDSA-521")},
		"KeyExchangeAction.ReauthInterval":   {doc: docKeyAction, check: number(0, maxNumber)},
		"KeyExchangeAction.FilterByIdentity": {check: yesNo},
		// IBM's IKEv2 key exchange example 3 codes BypassIpValidation Yes
		// (IP Configuration Guide); Yes | No is not confirmed.
		"KeyExchangeAction.BypassIpValidation": {check: yesNo},

		"KeyExchangeOffer.HowToEncrypt":  {doc: docKeyOffer, check: encryption("DES", "3DES", "AES", "AES_CBC", "AES_GCM_16")},
		"KeyExchangeOffer.HowToAuthMsgs": {check: oneOf("MD5", "SHA1", "SHA2_256", "SHA2_384", "SHA2_512")},
		"KeyExchangeOffer.HowToVerifyMsgs": {check: oneOf("HMAC_MD5_96", "HMAC_SHA1_96", "AES128_XCBC_96",
			"HMAC_SHA2_256_128", "HMAC_SHA2_384_192", "HMAC_SHA2_512_256")},
		"KeyExchangeOffer.PseudoRandomFunction": {check: oneOf("HMAC_MD5", "HMAC_SHA1", "AES128_XCBC", "HMAC_SHA2_256",
			"HMAC_SHA2_384", "HMAC_SHA2_512")},
		"KeyExchangeOffer.HowToAuthPeers": {check: oneOf("PresharedKey", "RsaSignature", "DigitalSignature",
			"ECDSA-256", "ECDSA-384", "ECDSA-521")},
		"KeyExchangeOffer.DHGroup":                 {check: oneOf(dh...)},
		"KeyExchangeOffer.RefreshLifetimeProposed": {doc: docKeyOffer, check: minutes},
		"KeyExchangeOffer.RefreshLifetimeAccepted": {doc: docKeyOffer, check: accepted},
		"KeyExchangeOffer.RefreshLifesizeProposed": {doc: docKeyOffer, check: lifesize},
		"KeyExchangeOffer.RefreshLifesizeAccepted": {doc: docKeyOffer, check: noneOr(accepted)},

		"LocalSecurityEndpoint.Identity":  {doc: docEndpoint, check: localIdentity},
		"LocalSecurityEndpoint.Location":  {check: addrs},
		"RemoteSecurityEndpoint.Identity": {doc: docEndpoint, check: endpointIdentity},
		"RemoteSecurityEndpoint.Location": {doc: docRemoteEndpoint, check: locations},
		"RemoteIdentity.Identity":         {doc: docRemoteIdentity, check: remoteIdentity},
		"RemoteSecurityEndpoint.CaLabel":  free("a certificate authority label"),

		"LocalDynVpnRule.LocalIp":        {check: addrs},
		"LocalDynVpnRule.RemoteIp":       {check: addrs},
		"LocalDynVpnRule.LocalDataPort":  {check: number(0, 65535)},
		"LocalDynVpnRule.RemoteDataPort": {check: number(0, 65535)},
		"LocalDynVpnRule.Protocol":       {check: protocol},
		"LocalDynVpnRule.AutoActivate":   {check: yesNo},

		"IkeConfig.IkeSyslogLevel":              {check: number(0, 255)},
		"IkeConfig.PagentSyslogLevel":           {check: number(0, 255)},
		"IkeConfig.SMF119":                      {doc: docIkeConfig, check: oneOf("None", "IKEALL", "IKETunnel", "DynTunnel")},
		"IkeConfig.IkeRetries":                  {check: number(1, 10)},
		"IkeConfig.IkeInitWait":                 {check: number(1, 120)},
		"IkeConfig.FIPS140":                     {check: yesNo},
		"IkeConfig.KeyRing":                     free("a key ring name"),
		"IkeConfig.Echo":                        {check: yesNo},
		"IkeConfig.NetworkSecurityServer":       free("a host and port; tcpipc reads only the host"),
		"IkeConfig.NetworkSecurityServerBackup": free("a host and port; tcpipc reads only the host"),
		"IkeConfig.NssWaitLimit":                {check: number(0, maxNumber)},
		"IkeConfig.NssWaitRetries":              {check: number(0, maxNumber)},
		"IkeConfig.PagentWait":                  {check: number(0, maxNumber)},
		"IkeConfig.SupportedCertAuth":           free("a certificate authority label"),
		"NssStackConfig.ClientName":             free("a client name"),
		"NssStackConfig.ServiceType":            {check: oneOf("Cert", "RemoteMgmt", "NetworkMgmt")},
	}
	// One-line statements of the pagent main and image files, keyed by
	// the statement alone (values from IBM's sample EZAPAGCO).
	r["LogLevel"] = valueRule{check: number(0, 511)}
	r["Codepage"] = valueRule{check: oneOf("IBM-037", "IBM-273", "IBM-274", "IBM-275", "IBM-277", "IBM-278", "IBM-280",
		"IBM-281", "IBM-282", "IBM-284", "IBM-285", "IBM-297", "IBM-500", "IBM-871", "IBM-1047", "IBM-1140", "IBM-1141",
		"IBM-1142", "IBM-1143", "IBM-1144", "IBM-1145", "IBM-1146", "IBM-1147", "IBM-1148", "IBM-1149")}
	r["ClientConnection"] = valueRule{check: number(1, 65535)}
	// TcpImage and PEPInstance: the stack name, an optional image file,
	// then FLUSH|NOFLUSH, PURGE|NOPURGE and the refresh interval in
	// seconds (IBM's sample EZAPAGCO; the forms could not be confirmed on
	// an IBM page, so findings are warnings).
	r["TcpImage"] = valueRule{check: imageOptions}
	r["PEPInstance"] = valueRule{check: imageOptions}
	// A policy type's file statement: the file, then at most FLUSH or
	// NOFLUSH and PURGE or NOPURGE (IP Configuration Guide, "FLUSH and
	// PURGE parameters", which names TTLSConfig and IDSConfig as where
	// they are configured; IBM's samples write nothing else after the
	// file).
	for _, stmt := range []string{"TTLSConfig", "IDSConfig", "QoSConfig", "RoutingConfig", "ZERTConfig"} {
		r[stmt] = valueRule{check: configOptions}
	}
	r["IpSecConfig"] = valueRule{check: ipsecConfigOptions}
	for _, side := range []string{"IpSource", "IpDest"} {
		for _, stmt := range []string{"IpFilterRule", "IpFilterGroup"} {
			r[stmt+"."+side+"Addr"] = valueRule{doc: docFilterSample, check: addrs}
			r[stmt+"."+side+"AddrSet"] = valueRule{doc: docFilterSample, check: addrs}
		}
	}
	return r
}()

// PolicyValueRule reports how tcpipc checks an attribute's values: the
// IBM document the set comes from ("" when unconfirmed), whether it is
// checked at all, and why not. For tests and docs/policy-values.md.
func PolicyValueRule(statement, attribute string) (doc string, checked bool, unchecked string, ok bool) {
	r, ok := policyValueRules[statement+"."+attribute]
	return r.doc, r.check != nil, r.unchecked, ok
}

// PolicyValuesTable renders the value table as Markdown, one row per
// attribute: what it accepts and the IBM document the set comes from.
// docs/policy-values.md embeds it (a test keeps it current).
func PolicyValuesTable() string {
	keys := make([]string, 0, len(policyValueRules))
	for k := range policyValueRules {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var b strings.Builder
	b.WriteString("| statement | attribute | accepts | source |\n|---|---|---|---|\n")
	for _, k := range keys {
		r := policyValueRules[k]
		stmt, attr, ok := strings.Cut(k, ".")
		if !ok {
			stmt, attr = k+" (pagent)", "—"
		}
		accepts, source := "any value: "+r.unchecked, "—"
		if r.check != nil {
			accepts, source = r.check.says, r.doc
			if source == "" {
				source = "unconfirmed (warning)"
			}
		}
		fmt.Fprintf(&b, "| %s | %s | %s | %s |\n", stmt, attr, accepts, source)
	}
	return b.String()
}

// checkPolicyValues checks every attribute value of a parsed policy or
// iked.conf file against policyValueRules.
func checkPolicyValues(f *policy.File, ds *diag.Diagnostics) {
	if f.Kind != policy.IPSecPolicy && f.Kind != policy.Iked && f.Kind != policy.PagentMain {
		return
	}
	f.Walk(func(e, parent *policy.Entry) {
		switch {
		case e.Block == nil:
		case e.Keyword == "IpService":
			checkServiceSelectors(e, ds)
		case e.Keyword == "IpGenericFilterAction":
			checkLogging(e, ds)
		}
		if e.Secret || len(e.Values) == 0 {
			return
		}
		key := e.Keyword // a one-line statement of a pagent file
		if parent != nil {
			key = parent.Keyword + "." + e.Keyword
		} else if f.Kind != policy.PagentMain {
			return
		}
		r, ok := policyValueRules[key]
		if !ok || r.check == nil {
			return
		}
		r.check.fn(&valueCheck{attr: e.Keyword, doc: r.doc, ds: ds}, e.Values)
	})
}

// checkServiceSelectors reports port ranges on an ICMP service and ICMP
// types or codes on a TCP or UDP one: IBM's IpService diagram ties
// SourcePortRange and DestinationPortRange to Tcp and Udp, TypeRange and
// CodeRange to Icmp and Icmpv6. The filter builder would read the one as
// the other (ICMP type 80 for port 80).
func checkServiceSelectors(e *policy.Entry, ds *diag.Diagnostics) {
	proto, err := ParsePolicyProtocol(value(attr(e, "Protocol"), 0))
	if err != nil {
		return // reported as a value
	}
	var wrong []string
	switch proto {
	case 6, 17:
		wrong = []string{"TypeRange", "CodeRange"}
	case 1, 58:
		wrong = []string{"SourcePortRange", "DestinationPortRange"}
	}
	for _, name := range wrong {
		if a := attr(e, name); a != nil {
			d := ds.Errorf(RulePolicyValue, a.KeywordRange, "%s does not apply to Protocol %s", name, attr(e, "Protocol").Values[0].Text)
			d.Detail = "Ports go with Tcp and Udp, TypeRange and CodeRange with Icmp and Icmpv6 (IP Configuration Reference, IpService statement); Policy Agent refuses the service."
		}
	}
}

// checkLogging reports LogPermit or LogDeny on a Permit or Deny action:
// in IBM's IpGenericFilterAction diagram those two follow IpSec only,
// and Permit and Deny take Yes or No.
func checkLogging(e *policy.Entry, ds *diag.Diagnostics) {
	action, logging := attr(e, "IpFilterAction"), attr(e, "IpFilterLogging")
	if action == nil || logging == nil || len(action.Values) == 0 || len(logging.Values) == 0 {
		return
	}
	a, l := value(action, 0), value(logging, 0)
	if (a == "PERMIT" || a == "DENY") && (l == "LOGPERMIT" || l == "LOGDENY") {
		d := ds.Errorf(RulePolicyValue, logging.Values[0].Range, "IpFilterLogging %s applies to IpFilterAction IpSec, not %s", logging.Values[0].Text, action.Values[0].Text)
		d.Detail = "With Permit or Deny, IpFilterLogging is Yes or No (" + docGenericAction + "); Policy Agent refuses the action."
	}
}

// checker is one way of checking values: what it accepts, in words for
// docs/policy-values.md, and the check itself.
type checker struct {
	says string
	fn   func(c *valueCheck, vs []*policy.Value)
}

// valueCheck reports bad values of one attribute.
type valueCheck struct {
	attr string
	doc  string
	ds   *diag.Diagnostics
}

// report adds a finding at v: an error when IBM documents the set, a
// warning otherwise.
func (c *valueCheck) report(v *policy.Value, detail, format string, args ...any) {
	var d *diag.Diagnostic
	switch {
	case c.doc == docICMPField:
		d = c.ds.Errorf(RulePolicyValue, v.Range, format, args...)
		detail += fmt.Sprintf(" No packet can match it (%s).", c.doc)
	case c.doc != "":
		d = c.ds.Errorf(RulePolicyValue, v.Range, format, args...)
		detail += fmt.Sprintf(" Policy Agent rejects the value (%s); an error in an IPsec policy keeps the whole policy from being installed.", c.doc)
	default:
		d = c.ds.Warnf(RulePolicyValue, v.Range, format, args...)
		detail += " tcpipc could not confirm IBM's full list for this attribute, so this is a warning; see docs/policy-values.md."
	}
	d.Detail = strings.TrimSpace(detail)
}

// oneOf accepts one word of a set, in any case.
func oneOf(set ...string) *checker {
	return &checker{strings.Join(set, " \\| "), func(c *valueCheck, vs []*policy.Value) { c.word(vs[0], set) }}
}

// word checks one value against a set; it reports whether it is in it.
func (c *valueCheck) word(v *policy.Value, set []string) bool {
	for _, w := range set {
		if strings.EqualFold(v.Text, w) {
			return true
		}
	}
	detail := ""
	if s := suggest.Closest(v.Text, set, nil); s != "" {
		detail = "Did you mean " + s + "?"
	}
	c.report(v, detail, "%s %s is not %s", c.attr, v.Text, listWords(set))
	return false
}

// listWords is "A", "Yes or No", or "one of A, B or C".
func listWords(set []string) string {
	switch len(set) {
	case 1:
		return set[0]
	case 2:
		return set[0] + " or " + set[1]
	}
	return "one of " + strings.Join(set[:len(set)-1], ", ") + " or " + set[len(set)-1]
}

// words2 checks a word and an optional second word (HowToAuth ESP
// HMAC_SHA1, PassthroughDF No Clear).
func words2(first, second *checker) *checker {
	return &checker{first.says + ", then " + second.says, func(c *valueCheck, vs []*policy.Value) {
		first.fn(c, vs)
		if len(vs) > 1 {
			// Messages name the second word with the first: HowToAuth ESP x.
			second.fn(&valueCheck{attr: c.attr + " " + vs[0].Text, doc: c.doc, ds: c.ds}, vs[1:])
		}
	}}
}

// imageOptions checks the operands of TcpImage after the stack name: the
// image file (the word after the stack name that is no option and no
// number), the FLUSH and PURGE options and the refresh interval; a word
// after those that is none of them is reported (an interval written
// "30m", a misspelt NOFLUSH).
var imageOptions = &checker{"stack name, [image file], [FLUSH|NOFLUSH], [PURGE|NOPURGE], [interval 1-2147483647]",
	func(c *valueCheck, vs []*policy.Value) {
		for i, v := range vs {
			switch {
			case i == 0 || i == 1 && imageFileWord(v.Text):
				// the stack name, the image file
			case isFlushPurge(v.Text):
			case strings.Trim(v.Text, "0123456789") == "":
				c.number(v, 1, 2147483647)
			default:
				notFlushPurge(c, v, "FLUSH, NOFLUSH, PURGE, NOPURGE or an interval",
					"After the stack name and its image file come FLUSH or NOFLUSH, PURGE or NOPURGE, and the refresh interval in seconds.")
			}
		}
	}}

// configOptions checks the words after a policy file statement's file:
// each must be FLUSH, NOFLUSH, PURGE or NOPURGE (a second file, a misspelt
// NOPURGE).
var configOptions = &checker{"file, [FLUSH|NOFLUSH], [PURGE|NOPURGE]",
	func(c *valueCheck, vs []*policy.Value) {
		for _, v := range vs[min(1, len(vs)):] {
			if !isFlushPurge(v.Text) {
				notFlushPurge(c, v, "FLUSH, NOFLUSH, PURGE or NOPURGE", "After the policy file come only FLUSH or NOFLUSH and PURGE or NOPURGE.")
			}
		}
	}}

// ipsecConfigOptions checks IpSecConfig as configOptions does, and notes
// that FLUSH, NOFLUSH, PURGE and NOPURGE change nothing there: "Local
// IPSec policies: Not supported"; IPsec policy acts as if FLUSH and
// NOPURGE were coded (IP Configuration Guide, "FLUSH and PURGE
// considerations", tables 1 and 2).
var ipsecConfigOptions = &checker{"file (FLUSH, NOFLUSH, PURGE and NOPURGE have no effect)",
	func(c *valueCheck, vs []*policy.Value) {
		for _, v := range vs[min(1, len(vs)):] {
			if !isFlushPurge(v.Text) {
				notFlushPurge(c, v, "FLUSH, NOFLUSH, PURGE or NOPURGE", "After the policy file come only FLUSH or NOFLUSH and PURGE or NOPURGE.")
				continue
			}
			d := c.ds.Infof(RulePolicyValue, v.Range, "%s: %s has no effect on IPsec policy", c.attr, strings.ToUpper(v.Text))
			d.Detail = "Policy Agent does not support FLUSH and PURGE for local IPsec policy: it always replaces the stack's IPsec policy on start and refresh " +
				"and leaves it in place when it ends, as if FLUSH and NOPURGE were coded (IP Configuration Guide, \"FLUSH and PURGE considerations\"). Remove the word."
		}
	}}

// flushPurge are the options after an image file or a policy file.
var flushPurge = []string{"FLUSH", "NOFLUSH", "PURGE", "NOPURGE"}

func isFlushPurge(w string) bool {
	return slices.ContainsFunc(flushPurge, func(o string) bool { return strings.EqualFold(o, w) })
}

// notFlushPurge reports v where one of want belongs (FLUSH, NOFLUSH, …),
// suggesting the option it may misspell.
func notFlushPurge(c *valueCheck, v *policy.Value, want, detail string) {
	if s := suggest.Closest(strings.ToUpper(v.Text), flushPurge, nil); s != "" {
		detail = "Did you mean " + s + "? " + detail
	}
	c.report(v, detail, "%s: %s is not %s", c.attr, v.Text, want)
}

// imageFileWord reports whether the word after a TcpImage stack name can
// be its image file: any word but an option or a number (imageFile).
func imageFileWord(w string) bool {
	return !isFlushPurge(w) && strings.Trim(w, "0123456789") != ""
}

// number accepts one decimal number in [min, max].
func number(min, max int64) *checker {
	return numbers(1, min, max)
}

// numbers accepts up to n numbers in [min, max].
func numbers(n int, min, max int64) *checker {
	says := fmt.Sprintf("number %d-%d", min, max)
	if n > 1 {
		says = fmt.Sprintf("%d numbers %d-%d", n, min, max)
	}
	return &checker{says, func(c *valueCheck, vs []*policy.Value) {
		for _, v := range vs[:minInt(n, len(vs))] {
			c.number(v, min, max)
		}
	}}
}

func (c *valueCheck) number(v *policy.Value, min, max int64) {
	n, err := strconv.ParseInt(v.Text, 10, 64)
	switch {
	case err != nil || strings.HasPrefix(v.Text, "+") || strings.HasPrefix(v.Text, "-"):
		c.report(v, fmt.Sprintf("%s takes a decimal number from %d to %d.", c.attr, min, max), "%s %s is not a number", c.attr, v.Text)
	case n < min || n > max:
		c.report(v, "", "%s %d is out of range (%d-%d)", c.attr, n, min, max)
	}
}

// noneOr accepts None or what next accepts.
func noneOr(next *checker) *checker {
	return &checker{"None or " + next.says, func(c *valueCheck, vs []*policy.Value) {
		if !strings.EqualFold(vs[0].Text, "None") {
			next.fn(c, vs)
		}
	}}
}

// valueRange accepts "a", "a b", "a-b" or "a:b" with min <= a <= b <= max
// (ports, ICMP types and codes).
func valueRange(what string, min, max int64) *checker {
	return &checker{fmt.Sprintf("%s or range of %ss %d-%d (a, a b, a-b, a:b)", what, what, min, max), func(c *valueCheck, vs []*policy.Value) {
		var ends []*policy.Value
		for _, v := range vs {
			parts := strings.FieldsFunc(v.Text, func(r rune) bool { return r == '-' || r == ':' })
			if len(parts) == 0 {
				continue
			}
			for _, p := range parts {
				ends = append(ends, &policy.Value{Text: p, Range: v.Range})
			}
		}
		if len(ends) == 0 { // separators alone: "-", ":"
			c.report(vs[0], fmt.Sprintf("%s takes one %s or a range of them, %d to %d.", c.attr, what, min, max),
				"%s %s is not a %s (%d-%d)", c.attr, vs[0].Text, what, min, max)
			return
		}
		var nums []int64
		for _, v := range ends[:minInt(2, len(ends))] {
			n, err := strconv.ParseInt(v.Text, 10, 64)
			if err != nil || n < min || n > max {
				c.report(v, fmt.Sprintf("%s takes one %s or a range of them, %d to %d.", c.attr, what, min, max),
					"%s %s is not a %s (%d-%d)", c.attr, v.Text, what, min, max)
				return
			}
			nums = append(nums, n)
		}
		if len(nums) == 2 && nums[0] > nums[1] {
			c.report(ends[1], "Write the lower end first.", "%s %d %d is an empty range", c.attr, nums[0], nums[1])
		}
	}}
}

// encryption accepts an algorithm and, for the AES modes, KeyLength 128
// or 256.
func encryption(algs ...string) *checker {
	return &checker{strings.Join(algs, " \\| ") + ", then optionally KeyLength 128 \\| 256", func(c *valueCheck, vs []*policy.Value) {
		if !c.word(vs[0], algs) || len(vs) < 2 {
			return
		}
		if !strings.EqualFold(vs[1].Text, "KeyLength") {
			c.report(vs[1], "Only KeyLength may follow the algorithm.", "%s: %s is not KeyLength", c.attr, vs[1].Text)
			return
		}
		if len(vs) < 3 {
			c.report(vs[1], "Give the key length in bits: 128 or 256.", "%s: KeyLength has no value", c.attr)
			return
		}
		if vs[2].Text != "128" && vs[2].Text != "256" {
			c.report(vs[2], "AES keys are 128 or 256 bits long here.", "KeyLength %s is not one of 128 or 256", vs[2].Text)
		}
	}}
}
