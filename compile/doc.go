// Package compile is tcpipc's compiler: it turns a model.Sysplex into the
// Plan the runtime executes, and derives from a Plan what failures and
// recoveries of stacks do.
//
// A Plan is plain, self-contained data (addresses and names as strings, no
// pointers into the model), written as versioned JSON (Version,
// plan.schema.json) and byte-for-byte deterministic. It holds the XCF group
// and coupling facility structure names; per stack its addresses, DVIPSEC,
// IKED and release, the simple filters it installs in search order (the
// anchor rules of each DVIPA marked) and its IKE peers with their proposals
// as IKEv2 transforms; and per DVIPA its owner, backup chain, distribution
// and whether its SAs are sysplex-wide (SWSA), with every reason when not.
// Applications are not in a plan: they belong to runtime scenarios.
//
// The decisions IBM leaves open are made here, once, and written into the
// plan as notes: the owner of a DVIPA is its VIPADEFINE stack (the first in
// manifest order when several define it), else the highest-ranked backup
// with the long form; equal ranks take over in manifest order.
//
// Whatif follows every DVIPA through a Scenario using the plan alone, after
// the takeover and takeback flows of the failure-recovery patent (figures
// 14 and 15): the highest-ranked surviving backup takes the DVIPA over and
// distributes with its own VIPADISTRIBUTE or, lacking one, the owner's;
// SAs move through the coupling facility when both stacks can hold them; a
// returning VIPADEFINE owner takes the DVIPA back at once (MOVEABLE
// IMMEDIATE) or once the holder is idle (WHENIDLE).
//
// WriteDisplay prints a plan in the layouts of the z/OS displays (NETSTAT
// VIPADCFG, VIPADYN, VDPT, ipsec -f display, D TCPIP,,SYSPLEX,VIPADYN).
package compile
