// Package anchorrules checks that the filter rules for a dynamic VIPA's traffic
// are the same on every stack that can own it (SWSA004, anchor-rules).
//
// The stack-side anchor rules of IPsec — the filter rules that apply to a
// DVIPA's traffic — decide which packets a sysplex-wide SA protects. When
// the DVIPA moves, the new owner applies its own rules to the renegotiated
// SAs and to the traffic. IBM requires the rules applicable to DVIPA traffic
// to be identical on each image, and in an order that applies the policy
// consistently: otherwise traffic that was protected before a takeover can
// flow in the clear after it, be denied, or miss its SA. This holds for the
// owner, every backup and, for a distributed DVIPA, every target that
// filters.
//
// Fix: keep the DVIPA rules in a common policy file that every stack reads
// (CommonIpSecConfig), or make them identical, in the same order, on every
// stack; the finding shows the difference.
package anchorrules
