// Package ipsecconfig checks that the profile's IPSEC block takes effect
// (IPSEC001, ipsec-config).
//
// The stack ignores the whole IPSEC statement unless IPCONFIG IPSECURITY is
// coded in the initial profile, and IPv6 rules (IPSEC6RULE) need IPCONFIG6
// IPSECURITY as well. Only the first IPSEC block of a profile is used; later
// ones are ignored with an informational message. In each case the filter
// rules, and DVIPSEC with them, silently do nothing: no filtering, no
// Sysplex-Wide Security Associations.
//
// Fix: code IPCONFIG IPSECURITY (and IPCONFIG6 IPSECURITY for IPv6) in the
// initial profile, and merge all rules into a single IPSEC block.
package ipsecconfig
