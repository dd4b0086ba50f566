// Package ipsecwithoutvpn checks that filter rules that say IpSec name a tunnel
// (IPSEC003, ipsec-without-vpn).
//
// An IpGenericFilterAction with IpFilterAction IpSec tells the stack to
// protect the traffic, but how is the job of an IpDynVpnAction (negotiated
// by IKE) or IpManVpnAction (manual keys) on the same IpFilterRule. Without
// one, Policy Agent rejects the rule.
//
// Fix: add IpDynVpnActionRef (or an inline IpDynVpnAction) to the rule.
package ipsecwithoutvpn
