// Package duplicatedefinition checks that each dynamic VIPA is defined once
// (DVIPA003, duplicate-definition).
//
// Within one profile a DVIPA may appear in only one VIPADEFINE or
// VIPABACKUP; to give it again, a VIPADELETE must come first, otherwise the
// stack rejects the later statement and the first definition stays — often
// not the one the author meant. Across the sysplex, two stacks that both
// VIPADEFINE the same DVIPA compete for it; IBM's table of dynamic VIPA
// creation results decides which keeps it, and tcpipc could not confirm
// what the other stack then does. compile takes the first in manifest
// order as the owner and leaves the others out of the takeover chain (the
// plan says so in a note), so whatif and run show no takeover by them.
//
// Fix: remove the second definition, or put a VIPADELETE before it; keep one
// VIPADEFINE per DVIPA in the sysplex and make the other stacks VIPABACKUPs.
package duplicatedefinition
