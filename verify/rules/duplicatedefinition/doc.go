// Package duplicatedefinition checks that each dynamic VIPA is defined once
// (DVIPA003, duplicate-definition).
//
// Within one profile a DVIPA may appear in only one VIPADEFINE or
// VIPABACKUP; to give it again, a VIPADELETE must come first, otherwise the
// stack rejects the later statement and the first definition stays — often
// not the one the author meant. Across the sysplex, two stacks that both
// VIPADEFINE the same DVIPA compete for it: whichever activates it first owns
// it, and the other becomes, in effect, an unranked backup.
//
// Fix: remove the second definition, or put a VIPADELETE before it; keep one
// VIPADEFINE per DVIPA in the sysplex and make the other stacks VIPABACKUPs.
package duplicatedefinition
