// Package distributedefinition checks VIPADISTRIBUTE definitions (DIST001,
// distribute-definition).
//
// The sysplex distributor can only route connections for a dynamic VIPA
// that the same stack owns or backs up, so VIPADISTRIBUTE needs a VIPADEFINE
// or VIPABACKUP of that address in the same profile. Its DESTIP list names
// target stacks by their dynamic XCF addresses: an address that is no
// stack's IPCONFIG DYNAMICXCF address is a target that never receives a
// connection, and DESTIP ALL or any distribution needs DYNAMICXCF on the
// distributing stack to forward anything at all. A TIER1 distributor is the
// exception: its targets are tier-2 groups or, with GRE, appliances outside
// z/OS, named by their own addresses.
//
// IBM rejects some option combinations: WEIGHT only means something with
// DISTMETHOD WEIGHTEDACTIVE (the stack ignores it otherwise, EZZ0799I);
// PREFERRED, BACKUP, AUTOSWITCHBACK and
// HEALTHSWITCH only with DISTMETHOD HOTSTANDBY (EZZ0831I — the stack then
// ignores the statement and the rest of the VIPADYNAMIC block), and
// HOTSTANDBY rejects DESTIP ALL (EZZ0165I) and wants exactly one PREFERRED
// and at least one, at most 31, BACKUP targets, the PREFERRED one not
// among them (EZZ0826I, EZZ0827I, EZZ0829I, EZZ0830I; tcpipc leaves such a distribution out of the plan, as the stack
// does). A DESTIP address listed twice is a warning. TIER1 and TIER2 exclude
// each other; PROCTYPE belongs to BASEWLM, PROCXCOST and ILWEIGHTING to
// SERVERWLM; OPTLOCAL takes 0–16; ports are 1–65535 with ranges written low
// to high.
//
// Fix: define or back up the DVIPA on the distributing stack, list targets
// by their DYNAMICXCF addresses, code DYNAMICXCF, and use the options that
// belong to the chosen DISTMETHOD.
package distributedefinition
