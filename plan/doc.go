// Package plan is the contract between tcpipc's compiler and everything
// that uses a compiled sysplex: whatif, the displays and the runtime. It
// imports nothing of tcpipc but diag, so the runtime can read a plan
// without pulling in the grammars, the model or the rules.
//
// A Plan is plain, self-contained data (no pointers into the model),
// written as versioned JSON (Version, plan.schema.json) by WriteJSON and
// read back by Read, which checks a plan someone may have edited against
// everything the schema says and what it cannot say (Validate). It holds
// the XCF group and coupling facility structure names; per stack its
// addresses, DVIPSEC, IKED and release, the simple filters it installs in
// search order (the anchor rules of each DVIPA marked) and its IKE peers
// with their proposals as IKEv2 transforms; and per DVIPA its owner,
// backup chain, distribution and whether its SAs are sysplex-wide (SWSA),
// with every reason when not.
//
// Selector is the one address selector every filter decision matches
// with; Plan.SWSA and Plan.CanHold are the SWSA conditions, decided from
// the plan alone, that the compiler writes into a plan and whatif applies
// when a DVIPA moves.
package plan
