// Package play plays a scenario on a running sysplex: it starts the
// scenario's applications (package workload) and clients, applies the
// timeline's events at their times on the sysplex's clock, samples the
// owners the expectations name, and returns a Report whose checks say
// what held and what each counted.
//
// play.go is the player and the checks; report.go the report's text;
// lateness.go how late the player applied an event. The golden reports
// in testdata/golden pin what the figure 9 takeover and IPsec scenarios
// decide (TCPIPC_UPDATE=1 rewrites them).
package play
