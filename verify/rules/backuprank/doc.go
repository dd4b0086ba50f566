// Package backuprank checks VIPABACKUP ranks (DVIPA002, backup-rank).
//
// When the owner of a dynamic VIPA fails, the active backup with the highest
// rank takes it over; ranks run from 1 (end of the chain) to 254 (first in
// line), and the default is 1. IBM does not document which of two backups
// with the same rank wins, so equal ranks leave the takeover order — and the
// stack that ends up owning the DVIPA and renegotiating its security
// associations — to chance. A rank outside 1–254 is rejected by the stack.
//
// Fix: give every backup of a DVIPA a distinct rank between 1 and 254, the
// preferred backup the highest.
package backuprank
