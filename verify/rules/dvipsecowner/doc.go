// Package dvipsecowner checks that the owner of an IPsec-protected dynamic VIPA
// enables Sysplex-Wide Security Associations (SWSA001, dvipsec-owner).
//
// When IPsec policy protects traffic to a DVIPA, the stack that owns it
// (VIPADEFINE) negotiates the security associations through its IKE daemon.
// Only with IPSEC DVIPSEC does it keep the information needed to re-create
// them in the coupling facility and distribute shadow SAs to sysplex
// distributor targets; without it the SAs die with the stack, and
// distributed IPsec traffic cannot be serviced on the targets.
//
// Fix: code IPSEC DVIPSEC (with IPCONFIG IPSECURITY) in the owner's initial
// profile; DVIPSEC cannot be turned on by OBEYFILE.
package dvipsecowner
