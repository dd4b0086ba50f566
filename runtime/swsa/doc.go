// Package swsa keeps the Sysplex-Wide Security Associations records: what
// the stack holding a DVIPSEC DVIPA writes to the coupling facility for
// every dynamic tunnel whose local end is the DVIPA, so that the stack
// that takes the DVIPA over (or back) can have its IKE daemon negotiate the
// same tunnel again with the same security service characteristics.
//
// The package is the foundation of SWSA in the runtime; nothing in the
// runtime calls it yet (see docs/swsa.md for the rest). It has four parts:
//
//   - Record (record.go): the versioned, documented record of one tunnel,
//     its JSON wire form and Decode, which validates every field. A record
//     holds no key material: the SAs are renegotiated, never copied, so
//     the type has nowhere to put a key and Decode refuses any field it
//     does not know.
//   - Store (store.go): the records in the EZBDVIPAvvtt structure of
//     runtime/cf, one entry per tunnel under a prefix per DVIPA, written
//     with compare-and-swap so records follow rekeys and deletes. A
//     structure missing from the CFRM policy and a coupling facility
//     fault are distinct errors; a failed write is reported as z/OS
//     reports it (EZD0831I).
//   - Journal (journal.go): how the IPsec endpoint reports SA events,
//     and CFJournal, which turns them into record writes off the packet
//     path (a bounded, per-tunnel coalescing queue with counted drops).
//   - Recover (planner.go): pure decisions, per tunnel, of what a new
//     holder of the DVIPA renegotiates or why it cannot, with the reason
//     codes of plan.CanHold and whatif so that run and whatif agree.
//
// The flows follow seed 003: figure 14 (blocks 326 to 336, takeover: read
// the records, renegotiate, write new records, remove the old) and figure
// 15 (blocks 340 to 368, takeback: the backup deletes its SAs using the
// records' SPIs, the owner renegotiates).
package swsa
