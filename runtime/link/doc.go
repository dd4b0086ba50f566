// Package link is the runtime's link layer: a gVisor stack.LinkEndpoint that
// moves raw IP packets between a simulated TCP/IP stack and whatever sits
// below it (another stack, an XCF link, the ESP encapsulation of ipsec0).
//
// gVisor's own channel.Endpoint drops a packet silently when its queue is
// full (reference/ipsec.md §6). A simulated sysplex must not lose packets
// that a real one would deliver, so this Endpoint applies back-pressure
// instead: WritePackets blocks the stack's writer until the packet has been
// handed on, and returns early only when the endpoint closes. The only drops
// are on shutdown and on explicit fault injection (SetDown), each counted
// with its reason (Stats).
//
// Outbound packets go to a Handler, either inline in the writer's goroutine
// (QueueLen 0: for a consumer that does its work synchronously, like ESP
// encapsulation, reference/ipsec.md §8.2) or through a bounded queue and
// a pump goroutine (QueueLen > 0: for a link to another stack, so each
// direction runs on its own). The pump runs only while packets are queued,
// so the many idle links of a large sysplex hold no goroutine. Pipe joins
// two queued endpoints back to back.
// Inbound packets enter with Inject.
//
// Packets cross the boundary as raw IP datagrams with no link header (the
// pcap LINKTYPE_RAW shape), so a Tap sees exactly what a capture file will
// hold, and PcapWriter writes one. The default MTU is 1400, which leaves
// room for the ESP and GRE overhead added below this layer.
//
// Lifecycle: the stack that a NIC belongs to owns its endpoint and closes
// it (netstack.Stack does). Close releases blocked writers and stops the
// pump; Wait waits for the pump.
package link
