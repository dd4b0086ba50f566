// Package workload runs what a scenario puts on the sysplex: the
// applications (servers bound to a DVIPA port on their stacks, which die
// with their stack and start again when it recovers) and the byte pattern
// clients write, so a misrouted or reordered byte shows.
//
// Echo and sink servers and the clients' connections are steps run by a
// netstack.Poller, not a goroutine each: a goroutine blocked in a read
// keeps the stack gVisor's send path grew, and the 32-stack scenario's
// 6,200 of them were a third of its memory.
//
// It knows the stacks only through the small Stacks interface, so the
// sysplex, the scenario player and the ctl protocol can all hold the same
// applications.
package workload
