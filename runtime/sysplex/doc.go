// Package sysplex runs a compiled plan as an embedded sysplex in one
// process: one gVisor netstack per TCP/IP stack, a LAN fabric between
// remote clients and the stacks on which routing follows DVIPA ownership,
// XCF links between every pair of stacks (GRE with the XCF source, and the
// group messages), DVIPA ownership with takeover and takeback (package
// dvipa), application DVIPAs from VIPARANGE binds, and the sysplex
// distributor on each routing stack (package distributor) with its CRT
// copied to the coupling facility, as seed 003 figures 9 to 15 describe.
//
// Where to start: sysplex.go builds and starts the stacks; stack.go is one
// stack (activation, hand-over, the XCF messages, the LAN packet path);
// play.go plays a scenario and report.go prints its report; query.go is
// what the ctl protocol (runtime/control) and the displays may ask.
package sysplex
