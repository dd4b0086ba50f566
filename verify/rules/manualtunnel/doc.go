// Package manualtunnel checks that no manual tunnel protects DVIPA traffic
// (SWSA005, manual-tunnel).
//
// Sysplex-Wide Security Associations cover only dynamic tunnels negotiated
// by IKE. A manually keyed tunnel (IpManVpnAction) that applies to a dynamic
// VIPA's traffic is neither recovered on takeover nor shared with sysplex
// distributor targets: after the DVIPA moves, the traffic has no SA.
//
// Fix: protect DVIPA traffic with an IpDynVpnAction negotiated by IKE.
package manualtunnel
