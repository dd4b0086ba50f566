// Package ipsec is one IPsec endpoint of a simulated z/OS TCP/IP stack: an
// IKEv2 daemon, an ESP data plane and NAT traversal on one pair of UDP
// ports (500 and 4500) and, for plain ESP, IP protocol 50, driven by a
// Security Policy Database.
//
// The pieces and the RFC sections they follow:
//
//   - The SPD (spd.go) is the ordered filter list of RFC 4301 §4.4.1: the
//     first filter that matches a packet's addresses, protocol and ports
//     decides whether it is sent in the clear (PERMIT), discarded (DENY)
//     or protected by ESP (IPSEC, with a tunnel template naming the peer);
//     ICMP filters match on type and code too.
//     Packets leaving through Endpoint.Outbound are looked up as outbound
//     traffic (RFC 4301 §5.1); cleartext arrivals are checked with
//     Endpoint.InboundClear (§5.2: traffic the policy wants protected must
//     not arrive unprotected).
//   - IKEv2 (RFC 7296) runs in package ikesa. An outbound packet that needs
//     protection and has no SA is queued and starts negotiation on demand
//     (RFC 4301 §4.4.1.1, RFC 7296 §1.1.1); the queue is flushed when the
//     child SA arrives; a child narrowed below the packet that asked for
//     it answers that filter's acquire (narrowed.go). Child SAs become two
//     esp.SAs: the inbound one goes
//     into the SAD keyed by our SPI (RFC 4301 §4.4.2), the outbound one is
//     kept per peer. A rekeyed child (RFC 7296 §2.8) takes over outbound
//     traffic at once, while the old inbound SA stays until its Delete is
//     answered so that packets in flight still decrypt. ESP soft lifetimes
//     start the rekey, hard lifetimes delete the child (RFC 4301 §4.4.2.1).
//   - ESP (RFC 4303 §3.4) runs in package esp. After decryption the inner
//     packet must fit the traffic selectors of the SA that carried it
//     (RFC 4301 §5.2 step 4) and match an IPSEC filter of the SA's peer;
//     otherwise it is dropped and counted.
//   - NAT traversal (RFC 7296 §2.23, RFC 3948): IKE is answered on whichever
//     port it arrived at, with the non-ESP marker on 4500 (RFC 3948 §2.2).
//     As initiator the endpoint floats to port 4500 after IKE_SA_INIT. ESP
//     travels in UDP on port 4500 (RFC 3948 §2.1) when NAT detection found
//     a NAT, else as plain ESP through the PacketConn's ESPConn; a packet
//     arriving the other way is dropped (espconn.go). Where ESP is sent
//     follows the NAT mapping
//     of the child's IKE SA (a peer configured for a range is many
//     remotes, each with its own), which moves only on IKE messages the
//     daemon authenticated (RFC 7296 §2.23). Behind a NAT the endpoint
//     sends one-byte NAT keepalives (RFC 3948 §4) every Config.Keepalive.
//   - Liveness (RFC 7296 §2.4): with Config.Liveness set, every established
//     IKE SA gets an empty INFORMATIONAL request that often; a peer that
//     never answers has its IKE SA and children torn down.
//
// Every datagram is handled under its own recover, and every drop is
// counted by reason (Stats), so no input can stop a receive loop.
//
// With Config.KeyLog set, the endpoint writes Wireshark's esp_sa and
// ikev2_decryption_table lines (keylog.go) so tshark can decrypt a capture;
// keys appear nowhere else.
//
// SAs returns what `ipsec -k display` (IKE tunnels) and `ipsec -y display`
// (dynamic tunnels) show.
//
// Reading order: config.go, spd.go and packet.go, endpoint.go (receive side),
// espconn.go (plain ESP and the encapsulation check), outbound.go (send
// side), narrowed.go (acquires the peer narrowed), child.go (SA
// installation, rekey, lifetimes), nat.go (ports, mappings, keepalives),
// keylog.go, display.go, udp.go (real sockets). Tests run endpoints on internal/testkit/memnet.
package ipsec
