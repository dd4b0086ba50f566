// Package dvipsecbackup checks that every backup of an IPsec-protected
// dynamic VIPA enables Sysplex-Wide Security Associations (SWSA002,
// dvipsec-backup).
//
// On takeover the backup reads the SA information the owner stored in the
// coupling facility and its IKE daemon renegotiates the SAs. IBM requires
// DVIPSEC on the owner and on every backup: both the stack the DVIPA moves
// from and the one it moves to. A backup without DVIPSEC takes the DVIPA
// over without the SAs, so protected traffic stops until the peers start
// new negotiations themselves — and not at all where only the sysplex side
// can initiate.
//
// Fix: code IPSEC DVIPSEC (with IPCONFIG IPSECURITY) on every VIPABACKUP
// stack of the DVIPA.
package dvipsecbackup
