// Package liveness checks LivenessInterval on stacks that own or back up
// DVIPAs with IKEv2 tunnels (SWSA012, liveness).
//
// When a DVIPA moves, the new owner's IKE daemon renegotiates its SAs. With
// IKEv1 the peer sees a normal refresh; with IKEv2 it sees a new SA, and the
// old one stays on the peer until liveness checking (RFC 7296 dead peer
// detection, KeyExchangePolicy LivenessInterval) finds it dead. Without
// LivenessInterval stale SAs pile up on the peers after every takeover.
//
// Fix: code LivenessInterval in the KeyExchangePolicy of every stack that
// owns or backs up a DVIPA with IKEv2 tunnels.
package liveness
