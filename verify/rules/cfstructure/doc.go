// Package cfstructure checks that stacks sharing dynamic VIPAs meet in one
// XCF group and one coupling-facility structure (SWSA009, cf-structure).
//
// Stacks only see each other when they join the same TCP/IP XCF group,
// EZBTvvtt, named from VTAM's XCFGRPID start option (vv) and the profile's
// GLOBALCONFIG XCFGRPID (tt). A backup or distribution target in another
// group never hears of the DVIPA. Sysplex-Wide Security Associations keep
// their recovery records in the CF structure EZBDVIPAvvtt, and SYSPLEXPORTS
// needs EZBEPORTvvtt; a structure that is not in the CFRM policy leaves
// SWSA (or SYSPLEXPORTS) without its shared state.
//
// Fix: code the same GLOBALCONFIG XCFGRPID on every stack that shares
// DVIPAs (and start VTAM with the same XCFGRPID), and define the structures
// in the CFRM policy (the manifest's cfrm list says which are defined).
package cfstructure
