// Package xcf is the runtime's cross-system coupling facility (XCF)
// signalling: the point-to-point links between the stacks of a sysplex,
// and the group services the stacks use over them.
//
// # Links
//
// Dynamic XCF gives every stack one XCF address and a point-to-point link
// to each other stack. A Link joins two Nodes; each end is a Port whose
// link.Endpoint is attached to the node's netstack as a NIC. Every IP
// datagram on an XCF link travels GRE-encapsulated (RFC 2784): an outer
// IPv4 header (RFC 791) from the sender's XCF address to the receiver's,
// protocol 47, a 4-byte GRE header with protocol type 0x0800 or 0x86DD, and
// the inner datagram. Seed 003 encapsulates only the distributed IPsec
// traffic; carrying everything the same way costs 24 bytes a packet and
// gives every datagram the same receive check:
//
// On receive, a frame whose outer source is not the XCF address of the
// node at the other end of this link is a spoof and is discarded and
// counted (seed 003, figure 11, block 222; figure 13, block 275): the
// physical link a frame arrives on must match the XCF source it claims.
//
// Links can be cut and restored to inject faults. A cut takes down the
// IP link only: datagrams between the two nodes go through a third node
// whose links to both are up (or are lost when there is none), and the
// group services, which travel on XCF signalling, go on. Signalling
// between two nodes can be lost on its own (LoseSignalling).
//
// # Groups
//
// Members of an XCF group (the TCP/IP stacks join one, as EZBTCPCS does on
// z/OS) send a heartbeat over signalling to every linked node each
// interval and declare a peer failed when FailAfter heartbeats in a row
// are missing (seed 003 figure 14, block 310: the other stacks are
// notified of the failure). Missing is counted in the observer's healthy
// time: time in which the observer's own heartbeat ran late (the process
// stalled) is no evidence against anyone (detector.go). A member that comes back, or signalling that
// is restored, shows up as a new join. Members also exchange typed messages (the runtime's VIPA lists,
// SRVSTAT, NEWCONN and ownership changes of seed 003 figures 10 to 15) as
// a Message: a type tag and opaque payload bytes.
//
// Signals are delivered synchronously to the receiving member's state and
// then queued, in order, for its Events channel. Under a manual clock, the
// membership a test reads after clock.Manual.Advance is therefore exact.
package xcf
