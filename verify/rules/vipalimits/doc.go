// Package vipalimits checks the stack's documented limits on dynamic VIPAs
// (DVIPA006, vipa-limits).
//
// A stack holds at most 1024 dynamic VIPAs that are configured
// (VIPADEFINE, VIPABACKUP) or that it is a distribution target for; DVIPAs
// beyond that are not created. A profile may code at most 1024 VIPARANGE
// statements up to z/OS V2R2 and 4096 from V2R3.
//
// Fix: consolidate dynamic VIPAs, or spread them over more stacks; use fewer,
// wider VIPARANGE statements.
package vipalimits
