// Package lan is the LAN of the embedded sysplex: an in-process fabric
// that carries IP packets between ports (stacks and remote clients) and
// routes each destination to the port that advertises it, so routing
// follows DVIPA ownership; the remote clients, each with a netstack of
// its own and, optionally, an IPsec endpoint; and the UDP sockets such an
// endpoint uses on the fabric.
package lan
