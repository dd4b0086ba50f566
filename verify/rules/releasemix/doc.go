// Package releasemix checks the release levels of backups of DVIPAs with
// IKEv2 tunnels (SWSA011, release-mix).
//
// Sysplex-Wide Security Associations support IKEv2 tunnels from z/OS V1R13.
// A V1R12 or earlier backup that takes over such a DVIPA recovers its IKEv2
// tunnels as IKEv1 for the life of the SA, losing the attributes only IKEv2
// has (port ranges, opaque selectors, ICMP types and codes). If the backup's
// own key exchange action says HowToInitiate IKEv2, the takeover fails.
//
// Fix: run backups of IKEv2-protected DVIPAs at V1R13 or later, or code
// HowToInitiate Main or Aggressive on the older backups.
package releasemix
