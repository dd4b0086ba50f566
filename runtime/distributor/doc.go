// Package distributor is the sysplex distributor of one dynamic VIPA on its
// routing stack (seed 003 figures 10, 12 and 13): the destination port
// table (DPT), built from the SRVSTAT messages of targets with a server
// bound and listening, and the connection routing table (CRT) that pins
// each connection to the target chosen when its SYN arrived (or adopted
// from a NEWCONN message after a takeover).
//
// Targets are chosen by the VIPADISTRIBUTE DISTMETHOD: ROUNDROBIN,
// WEIGHTEDACTIVE (active connections in proportion to the WEIGHTs),
// HOTSTANDBY (the PREFERRED target while it is ready, else the highest
// ranked BACKUP; back to the preferred one with AUTOSWITCHBACK), and
// BASEWLM, SERVERWLM and TARGCONTROLLED by simulated WLM weights (smooth
// weighted round robin, equal weights unless a scenario sets them), and
// TIMEDAFFINITY keeps a client on its last target for the given seconds.
// OPTLOCAL changes nothing here: IBM applies it to connections that a
// target stack's own applications open, which the distributor never sees.
//
// A Distributor holds no sockets: the runtime asks it where a packet goes
// and carries the packet there.
package distributor
