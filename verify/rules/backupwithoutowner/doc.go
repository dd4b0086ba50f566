// Package backupwithoutowner checks that every VIPABACKUP can ever become active
// (DVIPA001, backup-without-owner).
//
// A backup stack takes over a dynamic VIPA when its owner fails. It learns
// the DVIPA's mask and MOVEABLE option from the stack that VIPADEFINEs it.
// A VIPABACKUP written without a mask (the short form, addresses only) has
// nothing to create the DVIPA from when no stack in the sysplex VIPADEFINEs
// it: the backup waits for an owner that never comes, and the address never
// exists anywhere.
//
// Fix: VIPADEFINE the DVIPA on its intended owner, or give the backup the
// long form, VIPABACKUP rank MOVEABLE IMMEDIATE mask address, so it can
// create the DVIPA itself.
package backupwithoutowner
