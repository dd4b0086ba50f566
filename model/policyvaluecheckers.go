package model

import (
	"net/netip"
	"strings"

	"github.com/tcpipc/tcpipc/grammar/policy"
)

// direction accepts Inbound, Outbound or Bidirectional, the last one
// optionally followed by InboundConnect or OutboundConnect.
var direction = &checker{"Inbound \\| Outbound \\| Bidirectional [InboundConnect \\| OutboundConnect]", checkDirection}

func checkDirection(c *valueCheck, vs []*policy.Value) {
	if !c.word(vs[0], []string{"Inbound", "Outbound", "Bidirectional"}) || len(vs) < 2 {
		return
	}
	if !strings.EqualFold(vs[0].Text, "Bidirectional") {
		c.report(vs[1], "A one-way rule has no connection direction; write Bidirectional "+vs[1].Text+" or drop the word.",
			"%s only follows Bidirectional", vs[1].Text)
		return
	}
	c.word(vs[1], []string{"InboundConnect", "OutboundConnect"})
}

// protocol accepts what the filter builder reads: a protocol name or
// number, or All.
var protocol = &checker{"All, a protocol name or a number 0-255", checkProtocol}

func checkProtocol(c *valueCheck, vs []*policy.Value) {
	if _, err := ParsePolicyProtocol(vs[0].Text); err != nil {
		c.report(vs[0], "Use All, a protocol name (Tcp, Udp, Icmp, Icmpv6, Ospf, MIPv6, Ip, Ipip, Ah, Esp, Igmp) or a number 0-255.",
			"%s %s is not a protocol", c.attr, vs[0].Text)
	}
}

// serviceProtocol is an IpService's protocol: protocol's, or Opaque,
// which matches IPv6 fragments whose protocol cannot be determined (IP
// Configuration Guide, "Routed traffic and fragmented packets").
var serviceProtocol = &checker{"All, Opaque, a protocol name or a number 0-255", func(c *valueCheck, vs []*policy.Value) {
	if !isOpaque(vs[0].Text) {
		checkProtocol(c, vs)
	}
}}

// isOpaque reports whether a protocol word is Opaque.
func isOpaque(word string) bool { return strings.EqualFold(word, "Opaque") }

// routing is an IpService's Routing: Local, Routed or Either (IBM's
// sample), Routed perhaps followed by FragmentsOnly. The IP Configuration
// Guide says an IpService can match fragments alone; the word is the
// profile's (ROUTING ROUTED FRAGMENTSONLY), unconfirmed for IpService, so
// a second word is checked as unconfirmed: a warning.
var routing = &checker{"Local \\| Routed [FragmentsOnly] \\| Either", func(c *valueCheck, vs []*policy.Value) {
	if !c.word(vs[0], []string{"Local", "Routed", "Either"}) || len(vs) < 2 {
		return
	}
	second := &valueCheck{attr: c.attr + " " + vs[0].Text, ds: c.ds}
	if !strings.EqualFold(vs[0].Text, "Routed") {
		second.report(vs[1], "Only routed traffic is matched by fragment; write Routed "+vs[1].Text+" or drop the word.", "%s only follows Routed", vs[1].Text)
		return
	}
	second.word(vs[1], []string{"FragmentsOnly"})
}}

// singleAddress accepts one IPv4 or IPv6 address: "Use the IpAddr
// statement to encapsulate a single IP address specification … Addr: A
// single IP address" (IpAddr statement); prefixes and ranges belong in
// IpAddrSet.
var singleAddress = &checker{"an IPv4 or IPv6 address", func(c *valueCheck, vs []*policy.Value) {
	if _, err := netip.ParseAddr(vs[0].Text); err != nil {
		c.report(vs[0], "Write one address here; put prefixes and ranges in an IpAddrSet (Prefix, Range).", "%s %s is not a single IP address", c.attr, vs[0].Text)
	}
}}

// endpointAddr accepts a manual tunnel's end: one address, Any, Any4 or
// Any6 (IpManVpnAction statement).
var endpointAddr = &checker{"address \\| Any \\| Any4 \\| Any6", func(c *valueCheck, vs []*policy.Value) {
	switch strings.ToUpper(vs[0].Text) {
	case "ANY", "ANY4", "ANY6":
		return
	}
	if _, err := netip.ParseAddr(vs[0].Text); err != nil {
		c.report(vs[0], "A manual tunnel's end is one address; Any, Any4 or Any6 leave it open.", "%s %s is not an address, Any, Any4 or Any6", c.attr, vs[0].Text)
	}
}}

// addresses accepts address selectors (All, All4, All6, a, a/len, a-b,
// "a - b"), each value or value triple in turn.
func addresses() *checker {
	return &checker{"All \\| All4 \\| All6 \\| address \\| address/prefix \\| address-address", func(c *valueCheck, vs []*policy.Value) {
		for i := 0; i < len(vs); {
			_, text, n, ok := parseAddrSel(vs, i)
			if !ok {
				c.report(vs[i], "", "%s %s is not All, an address, address/prefix or address range", c.attr, text)
			}
			i += n
		}
	}}
}

// locations accepts a RemoteSecurityEndpoint's locations: Any, Any4,
// Any6, a, a/len, a-b (parseLocation). All, All4 and All6 are the filter
// rules' words, not a location's.
var locations = &checker{"Any \\| Any4 \\| Any6 \\| address \\| address/prefix \\| address-address", func(c *valueCheck, vs []*policy.Value) {
	for i := 0; i < len(vs); {
		_, text, n, ok := parseLocation(vs, i)
		if !ok {
			detail := ""
			if w := strings.ToUpper(text); strings.HasPrefix(w, "ALL") {
				detail = "Did you mean Any" + text[3:] + "? All is a filter rule's word; a location is Any, Any4 or Any6."
			}
			c.report(vs[i], detail, "%s %s is not Any, Any4, Any6, an address, address/prefix or address range", c.attr, text)
		}
		i += n
	}
}}

func minInt(a, b int) int {
	if a < b {
		return a
	}
	return b
}
