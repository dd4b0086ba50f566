// Package runtime runs a compiled plan as an embedded sysplex: one netstack
// per stack, XCF links, the coupling facility, DVIPA takeover, the sysplex
// distributor, IKEv2 and ESP. The runtime milestones (issues 6 and 7) fill it.
package runtime
