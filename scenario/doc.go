// Package scenario is the scenario language `tcpipc run --scenario` plays
// on a compiled sysplex: the applications that bind DVIPA ports on which
// stacks, the remote clients that connect to them, a timeline of events
// (fail or recover a stack, LEAVEGROUP/JOINGROUP, deactivate or reactivate
// a DVIPA, cut or restore an XCF link, partition, stop an application) and
// the expectations the run must meet (owner of a DVIPA at a time,
// connections reset at most N, every byte echoed intact, takeover within
// a time). It runs nothing.
//
// Applications and clients belong here, not in the plan: the plan says
// what the configuration is, a scenario what happens to it. The format is
// YAML, documented by scenario.schema.json next to this file and read by
// scenario/scenarioyaml. The reader lives in its own package so that the
// runtime, which plays a Scenario, never depends on the grammar layer that
// reads YAML. Check and CheckPlan report mistakes with positions in the
// file, before the run.
package scenario
