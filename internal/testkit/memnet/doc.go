// Package memnet is an in-memory UDP network for tests of the IKE daemon
// and the IPsec endpoint: sockets in one process, a NAT in front of some
// hosts, a tap that sees every datagram and a hook that loses some.
//
// It knows nothing of IKE or IPsec. An Endpoint (one address and port,
// delivering to a handler on its own goroutine) has the shape of the IKE
// daemon's Transport; a Host (one address, several ports, read by the
// caller) has the shape of the IPsec endpoint's PacketConn. Delivery is
// asynchronous through bounded queues that drop when full, as socket
// buffers do, so a receiver never runs on the sender's stack.
package memnet
