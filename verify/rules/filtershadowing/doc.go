// Package filtershadowing finds IP filter rules that can never match (IPSEC002,
// filter-shadowing).
//
// A z/OS stack compares each packet with its filter rules in order and
// applies the first rule that matches; `ipsec -f display` lists the
// filters in that order. A rule is dead when one earlier rule of the same
// set matches every packet it would match: the earlier rule's source and
// destination addresses contain the later rule's, its protocol is the same
// or any (*), its ports (or ICMP type and code) contain the later rule's,
// its routing is the same or EITHER (which covers LOCAL and ROUTED; ROUTED
// FRAGMENTSONLY matches only fragments), its direction is the same or
// BIDIRECTIONAL (which covers INBOUND and OUTBOUND; a rule restricted to
// INBCONNECT or OUTBCONNECT covers only rules with the same restriction),
// its security class is the same or 0 (every class), and both are IPv4 or
// both IPv6. Addresses are compared as the rules write them: a
// bidirectional rule and a one-direction rule both name the local side as
// the source. A policy rule whose source and destination are both All is
// compared with IPv4 rules only, so an IPv6 rule after it is not reported.
//
// Two sets are checked on each stack: the Policy Agent IPsec policy's
// IpFilterPolicy when the policy is installed, else the profile's IPSEC
// block (IPSECRULE and IPSEC6RULE, shown as SYSDEFAULTRULE.n), which is the
// stack's default policy. A policy rule with several addresses or services
// becomes several simple filters (rule.1, rule.2, …); the rule is reported
// once, at its IpFilterRule statement, naming the filters that are dead. A
// filter covered only by a sibling filter of the same rule is not reported:
// the sibling has the same action, so the rule still does everything it
// says, and the overlap (a subnet and a host inside it in one address set)
// is harmless. A rule referenced twice is reported at its second use.
//
// A dead rule is never harmless on purpose: it usually means that
// protection somebody meant to add is missing. When the earlier rule has a
// different action the finding says so: the later rule's traffic is
// permitted in the clear where it was meant to be protected by IPsec, or
// denied where it was meant to pass, and that is what happens on the
// stack today.
//
// Fix: if the later rule is an exception to the earlier one, move it before
// the earlier rule (more specific rules first); if it only repeats what the
// earlier rule already does, remove it.
package filtershadowing
