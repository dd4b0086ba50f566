// Package display renders the z/OS display layouts tcpipc prints: NETSTAT
// VIPADCFG, VIPADYN, VDPT, VCRT and CONN, ipsec -f, -k and -y display,
// D TCPIP,,SYSPLEX,VIPADYN, and tcpipc's own backup-chain table.
//
// Every layout is rendered from a state, never from a running sysplex
// directly: a plan gives the state expected once every stack has started
// (tcpipc show), and a running sysplex gives its live state as a plan of
// what holds now plus the counters only it knows (Live, the connection
// tables, the SA lists) for tcpipc ctl. So show and ctl share one renderer
// and print the same layout for the same state.
//
// Where IBM documents a display's fields but not its exact layout, the
// layout is tcpipc's reading of the documented fields; show --help says
// which.
package display
