// Package whatif derives from a plan alone what failures and recoveries of
// stacks do to every DVIPA: the new owner, whether it stays distributed,
// whether its SAs are recovered through the coupling facility, and what
// the stacks do as they come back. It reads nothing but the plan, so what
// it predicts is what the runtime, which runs the same plan, must show
// (runtime/sysplex's ownership property test holds the two together).
//
// Derive follows every DVIPA through a Scenario, after the takeover and
// takeback flows of the failure-recovery patent (figures 14 and 15): the
// highest-ranked surviving backup of the owner's XCF group takes the DVIPA
// over and distributes with its own VIPADISTRIBUTE or, lacking one, the
// owner's; SAs move through the coupling facility when both stacks can
// hold them (plan.Plan.CanHold); a returning VIPADEFINE owner takes the
// DVIPA back at once (MOVEABLE IMMEDIATE) or once the holder is idle
// (WHENIDLE). A backup without MOVEABLE and a mask only takes over a
// DVIPA that is active (IBM technote dwa1433874), so with the owner and
// its only such backup down, the DVIPA stays unavailable until the owner
// returns.
//
// The DVIPAs applications create in a VIPARANGE are not in the plan, so
// for each range prefix it says where they can go (ranges.go): lost with
// a failing stack that holds one, taken over by a surviving NONDISRUPTIVE
// stack whose server still binds it, else active nowhere until a bind.
//
// Outcomes print for people (WriteText, WriteMatrix) and as JSON following
// whatif.schema.json (version tcpipc.whatif/v1).
package whatif
