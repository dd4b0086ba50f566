// Package sysplex runs a compiled plan as an embedded sysplex in one
// process: one gVisor netstack per TCP/IP stack, a LAN fabric between
// remote clients and the stacks on which routing follows DVIPA ownership,
// XCF links between every pair of stacks (GRE with the XCF source, and the
// group messages), the coupling facility, DVIPA ownership with takeover and
// takeback (package dvipa), and the sysplex distributor on each routing
// stack (package distributor), as seed 003 figures 9 to 15 describe.
package sysplex
