// Package netstack is one simulated z/OS TCP/IP stack: a gVisor netstack
// (gvisor.dev/gvisor/pkg/tcpip/stack) with IPv4 and IPv6, TCP, UDP and
// ICMP, and the handful of operations the runtime performs on a stack.
//
//   - NICs are attached by name (an XCF link, the ipsec0 tunnel, a LAN
//     pipe); a stack may have a VIPA NIC, a loopback-like device that holds
//     the /32 (or /128) of each virtual IP address it currently owns.
//   - Addresses are added and removed at runtime: that is how a DVIPA moves
//     during takeover (seed 003 figures 14 and 15) — the backup adds the
//     /32, the failed or giving-back owner removes it.
//   - Routes are managed by destination, and a whole table can be swapped
//     in one step, so the routing stack can redirect a DVIPA to its new
//     owner without a window where the route is missing.
//   - Forwarding can be switched on for routing stacks. Transit packets
//     are forwarded by this package (forward.go): gVisor's own IPv4
//     forwarding reads a buffer it has already released, at the pinned
//     version; what needs more than a hop count decremented still goes
//     to gVisor.
//   - Sockets are gonet adapters (net.Conn, net.Listener, net.PacketConn).
//     A TCP connection is a Conn, which also reads and writes without
//     blocking and calls back when it may have become readable or
//     writable, so that a Poller serves thousands of connections on a few
//     goroutines (the scenario's servers and clients do).
//
// TCP is tuned as reference/ipsec.md §6 recommends for in-process links:
// SACK on (RFC 2018), RACK off, Reno congestion control (RFC 5681),
// moderated receive buffers up to 8 MiB and send buffers up to 6 MiB.
//
// gVisor keeps its own wall-clock time for TCP timers: retransmission has
// to work in real time for connections to survive a takeover gap. The
// runtime's injected clock drives the sysplex protocols above it.
//
// Close tears the stack down and waits for every goroutine it owns,
// including the pumps of link endpoints attached to it.
package netstack
