package model

import (
	"net/netip"
	"slices"
	"strings"

	"github.com/tcpipc/tcpipc/grammar/policy"
	"github.com/tcpipc/tcpipc/internal/ike/certid"
)

// localIdentity and remoteIdentity check a security endpoint's Identity
// against IBM's syntax (IP Configuration Reference, LocalSecurityEndpoint
// and RemoteSecurityEndpoint statements): a type, a KeyID's format, and a
// value of that type's form (a warning when only the form is wrong). Only a
// remote identity may be a wildcard (an IpAddr subnet or range, or a name
// with '*'); see wildcard.
var (
	localIdentity  = &checker{identitySays, func(c *valueCheck, vs []*policy.Value) { checkIdentity(c, vs, false) }}
	remoteIdentity = &checker{identitySays, func(c *valueCheck, vs []*policy.Value) { checkIdentity(c, vs, true) }}
	// endpointIdentity is a RemoteSecurityEndpoint's: one of the types, or
	// RemoteIdentityRef and the name of a RemoteIdentity statement.
	endpointIdentity = &checker{identitySays + " \\| RemoteIdentityRef name", checkEndpointIdentity}
)

const identitySays = "IpAddr address \\| KeyID Ascii\\|Ebcdic\\|Hex key \\| Fqdn name \\| UserAtFqdn user@name \\| X500dn DN"

// checkEndpointIdentity checks a RemoteSecurityEndpoint's Identity: an
// identity type and value, as checkIdentity does for a remote identity, or
// RemoteIdentityRef and the name of a RemoteIdentity statement (whose
// definition the object table checks).
func checkEndpointIdentity(c *valueCheck, vs []*policy.Value) {
	if !strings.EqualFold(vs[0].Text, "RemoteIdentityRef") {
		if c.word(vs[0], append(slices.Clip(identityTypes), "RemoteIdentityRef")) {
			checkIdentity(c, vs, true)
		}
		return
	}
	if len(vs) < 2 {
		c.report(vs[0], "Name the RemoteIdentity statement: Identity RemoteIdentityRef name.", "Identity RemoteIdentityRef has no name")
	}
}

func checkIdentity(c *valueCheck, vs []*policy.Value, remote bool) {
	if !c.word(vs[0], identityTypes) || len(vs) < 2 {
		return
	}
	typ, v := strings.ToUpper(vs[0].Text), vs[1]
	if typ == "KEYID" {
		checkKeyID(c, vs)
		return
	}
	text := v.Text
	if typ == "X500DN" {
		words := make([]string, 0, len(vs)-1)
		for _, w := range vs[1:] {
			words = append(words, w.Text)
		}
		text = strings.Join(words, " ")
	}
	if typ == "IPADDR" {
		checkIdentityAddr(c, v, remote)
		return
	}
	if strings.Contains(text, "*") {
		wildcard(c, v, typ, text, remote)
		return
	}
	switch typ {
	case "FQDN":
		if !isDomainName(text) {
			formWarn(c, v, "An Fqdn identity is a domain name such as gw.example.com; a user@domain identity is UserAtFqdn.",
				"Identity Fqdn %s is not a domain name", text)
		}
	case "USERATFQDN":
		at := strings.LastIndexByte(text, '@')
		if at <= 0 || !isDomainName(text[at+1:]) {
			formWarn(c, v, "A UserAtFqdn identity is an e-mail style name, user@domain.", "Identity UserAtFqdn %s is not user@domain", text)
		}
	case "X500DN":
		if _, err := certid.DN(text); err != nil {
			formWarn(c, v, "An X500dn identity is a distinguished name of type=value parts, such as CN=gw,O=Example,C=US.",
				"Identity X500dn %s is not a distinguished name", text)
		}
	}
}

func checkIdentityAddr(c *valueCheck, v *policy.Value, remote bool) {
	if _, err := netip.ParseAddr(v.Text); err == nil {
		return
	}
	if remote && isAddrSet(v.Text) {
		wildcard(c, v, "IPADDR", v.Text, true)
		return
	}
	c.report(v, "An IpAddr identity is one IPv4 or IPv6 address; only a remote identity may be a subnet or range.",
		"Identity IpAddr %s is not an address", v.Text)
}

// isAddrSet reports whether s is a prefix or an a-b range.
func isAddrSet(s string) bool {
	if _, err := netip.ParsePrefix(s); err == nil {
		return true
	}
	a, b, ok := strings.Cut(s, "-")
	if !ok {
		return false
	}
	x, err1 := netip.ParseAddr(a)
	y, err2 := netip.ParseAddr(b)
	return err1 == nil && err2 == nil && x.BitLen() == y.BitLen()
}

func checkKeyID(c *valueCheck, vs []*policy.Value) {
	if !strings.EqualFold(vs[1].Text, "Ascii") && !strings.EqualFold(vs[1].Text, "Ebcdic") && !strings.EqualFold(vs[1].Text, "Hex") {
		c.report(vs[1], "Write the key ID's format first: Identity KeyID Ascii|Ebcdic|Hex key.",
			"Identity KeyID %s is not Ascii, Ebcdic or Hex", vs[1].Text)
		return
	}
	if len(vs) < 3 {
		c.report(vs[1], "Write the key ID after its format.", "Identity KeyID %s has no key ID", vs[1].Text)
		return
	}
	if _, err := KeyIDBytes(vs[1].Text, vs[2].Text); err != nil {
		formWarn(c, vs[2], "", "Identity KeyID %s %s", vs[1].Text, err.Error())
	}
}

// wildcard reports a wildcard identity: an error on the local side. On
// the remote side IBM allows it, and tcpipc's runtime matches IpAddr,
// Fqdn and UserAtFqdn wildcards; an X500dn one it cannot run is a warning.
func wildcard(c *valueCheck, v *policy.Value, typ, text string, remote bool) {
	if !remote {
		// An error, as for a local IpAddr subnet (checkIdentityAddr):
		// IBM allows wildcards on the remote side only, and the runtime
		// refuses the rule.
		c.report(v, "Only a RemoteSecurityEndpoint identity can be a wildcard; the local identity is the one this stack sends.",
			"Identity %s: a local identity cannot be a wildcard", text)
		return
	}
	if typ == "X500DN" {
		d := c.ds.Warnf(RulePolicyValue, v.Range, "Identity X500dn %s: wildcard distinguished names are not run by tcpipc", text)
		d.Detail = "IBM allows a RemoteSecurityEndpoint identity to stand for a set of peers. tcpipc's runtime matches IpAddr subnets and ranges and Fqdn and UserAtFqdn names with '*', but not distinguished names, so it refuses this key exchange rule's peer; lint and compile still read the rule."
	}
}

// formWarn reports a value whose form is wrong for its type. IBM's syntax
// diagram names the types and KeyID's formats (errors when wrong) but not
// whether Policy Agent checks the form of the value itself, so this is a
// warning: no peer can present such an identity.
func formWarn(c *valueCheck, v *policy.Value, detail, format string, args ...any) {
	d := c.ds.Warnf(RulePolicyValue, v.Range, format, args...)
	d.Detail = strings.TrimSpace(detail + " IBM's syntax does not say whether Policy Agent refuses it; no IKE peer can match it as written.")
}

// isDomainName reports whether s is a dotted name of letters, digits,
// hyphens and underscores with no empty label (a final dot allowed).
func isDomainName(s string) bool {
	s = strings.TrimSuffix(s, ".")
	if s == "" {
		return false
	}
	for _, label := range strings.Split(s, ".") {
		if label == "" {
			return false
		}
		for _, r := range label {
			if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '_') {
				return false
			}
		}
	}
	return true
}
