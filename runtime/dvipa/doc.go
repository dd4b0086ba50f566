// Package dvipa decides who owns each dynamic VIPA of a running sysplex, as
// the stacks do among themselves through XCF (reference §7.1, seed 003
// figures 14 and 15):
//
//   - at start the stack that VIPADEFINEs the DVIPA owns it (a backup with
//     the long form, MOVEABLE and a mask, creates it when no owner is up;
//     a backup without them never creates a DVIPA that is active nowhere);
//   - when the owner fails, leaves the group or deactivates the DVIPA, the
//     highest-ranked backup that is up takes it over;
//   - when the owner comes back it takes the DVIPA back: at once with
//     MOVEABLE IMMEDIATE (the stack that held it keeps serving the
//     connections it has, in Moving state, until they end), or with
//     MOVEABLE WHENIDLE only once the holder has no connections left.
//
// An Owner is pure decision logic: it is told which stacks are up and how
// many connections each holds, and returns the ownership changes to carry
// out. The runtime applies them to the netstacks.
package dvipa
