// Package sysplex runs a compiled plan as an embedded sysplex in one
// process: one gVisor netstack per TCP/IP stack on the LAN fabric (package
// lan), XCF links between every pair of stacks (GRE with the XCF source,
// and the group messages), DVIPA ownership with takeover and takeback
// (package dvipa), application DVIPAs from VIPARANGE binds, and the
// sysplex distributor on each routing stack (package distributor) with its
// CRT copied to the coupling facility, as seed 003 figures 9 to 15
// describe.
//
// Where to start, by concept:
//
//   - sysplex.go builds the stacks and applies the operator's events
//     (fail, recover, cut, partition, leave and join the group);
//   - stack.go is one stack's lifecycle: start, fail, leave and join;
//   - groupview.go is a stack's view of the XCF group, grace.go how long
//     a starting stack assumes an unheard-of peer is up;
//   - takeover.go is where takeover and takeback happen: each stack
//     decides every DVIPA's holder from its view, activates what is now
//     its own and hands over what is not;
//   - routing.go is the routing role of one DVIPA on one stack (its
//     distributor, its router, Moving, its IPsec endpoint) with its own
//     lock, taken after the stack's;
//   - messages.go is the typed XCF messages, their codec and the dispatch
//     table; target.go the target side (SRVSTAT, NEWCONN to the routing
//     stack); lanpath.go the packets the LAN brings for a DVIPA;
//     sockets.go the applications' listeners;
//   - viparange.go is VIPARANGE, viparangefail.go its DVIPAs when their
//     holder fails; cfcrt.go the CRT copy in the coupling
//     facility; ipsec.go puts the IPsec endpoints on the packet path;
//   - query.go and snapshot.go are what the ctl protocol (package control)
//     and the displays may ask of a running sysplex;
//   - Apply (sysplex.go) carries out one timeline event, for the scenario
//     player (package play) and the ctl protocol alike.
package sysplex
