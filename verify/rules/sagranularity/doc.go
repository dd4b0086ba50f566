// Package sagranularity checks that dynamic SAs for DVIPA traffic are no
// coarser than the host on the local side (SWSA003, sa-granularity).
//
// A sysplex-wide SA must be able to move from one stack to another with its
// DVIPA. When a filter rule's local address is a subnet or range that
// contains a DVIPA, and the dynamic SA takes its local address from the rule
// (IpLocalStartAction LocalIpGranularity Rule) instead of from the packet,
// the SA covers the DVIPA and other addresses at once. It could then apply
// to the backup and the primary host at the same time, so the stack marks it
// as not movable: it is not a Sysplex-Wide SA and is not recovered on
// takeover.
//
// Fix: give DVIPA traffic its own filter rule with the DVIPA as a single
// local address, or use LocalIpGranularity Packet.
package sagranularity
