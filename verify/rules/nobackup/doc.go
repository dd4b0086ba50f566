// Package nobackup reports dynamic VIPAs without any backup (DVIPA005,
// no-backup).
//
// A DVIPA that one stack VIPADEFINEs and no stack VIPABACKUPs disappears
// with that stack: it is a single point of failure. That can be deliberate
// (an application address that should only live on one image), so this is
// information, not a warning.
//
// Fix: code VIPABACKUP for the DVIPA on at least one other stack, with a
// rank, if it should survive the failure of its owner.
package nobackup
