// Package sysplexmonitor checks GLOBALCONFIG SYSPLEXMONITOR choices that
// matter for DVIPA availability (PLEX001, sysplex-monitor).
//
// With RECOVERY, a stack that detects a sysplex problem (VTAM or XCF
// trouble, lost connectivity, critical storage shortage) leaves the XCF
// group, deletes its DVIPAs so the backups take them over, and saves its
// VIPADYNAMIC configuration. Without AUTOREJOIN it stays out of the group
// after the problem clears, until an operator issues VARY TCPIP,,SYSPLEX,
// JOINGROUP: the DVIPAs it owns never come back by themselves.
//
// A stack that runs OMPROUTE advertises its DVIPAs through dynamic routing.
// Without DELAYJOIN it joins the group, and may take DVIPAs over, before
// OMPROUTE is up, so the addresses are unreachable for a while; DELAYJOIN
// holds DVIPA processing until OMPROUTE is initialised. Conversely, a stack
// with DELAYJOIN whose profile starts no OMPROUTE (no AUTOLOG or PORT
// entry) joins only if something else starts OMPROUTE; otherwise its
// DVIPAs never activate and it takes none over. tcpipc's whatif and run
// take every stack as joined.
//
// Fix: code SYSPLEXMONITOR RECOVERY AUTOREJOIN, and DELAYJOIN on stacks that
// run OMPROUTE and only on those.
package sysplexmonitor
