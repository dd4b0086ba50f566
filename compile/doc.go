// Package compile is tcpipc's compiler: it turns a model.Sysplex into the
// plan.Plan the runtime executes. The plan's types, its JSON form and its
// checks live in package plan; what failures do to a plan is package
// whatif's to derive.
//
// The decisions IBM leaves open are made here, once, and written into the
// plan as notes: the owner of a DVIPA is its VIPADEFINE stack (the first in
// manifest order when several define it), else the highest-ranked backup
// with the long form; equal ranks take over in manifest order. Policy
// rules are expanded into the simple filters each stack installs, offers
// into IKEv2 transforms (offers IKEv2 cannot carry or tcpipc refuses are
// left out with a COMPILE warning), and each DVIPA's SWSA eligibility is
// decided with plan.Plan.SWSA.
//
// compile renders nothing and runs nothing: package display prints a plan
// in the z/OS display layouts.
package compile
