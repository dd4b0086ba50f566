// Package sourcevipadestination checks that no dynamic VIPA that can be a destination
// is also a stack's source address (SWSA007, source-vipa-destination).
//
// With Sysplex-Wide Security Associations a security association cannot be
// negotiated when a connection's source and destination are the same dynamic
// VIPA. IBM therefore warns against coding a DVIPA that can be a
// destination as IPCONFIG TCPSTACKSOURCEVIPA or as a SRCIP source address on
// a stack that uses DVIPSEC: connections between applications of the
// sysplex would then go out and come back with one DVIPA on both ends.
//
// Fix: use a static VIPA, or a DVIPA that is never a destination, as the
// stack's source address.
package sourcevipadestination
