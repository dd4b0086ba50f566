// Package control is the ctl protocol: the commands `tcpipc ctl` sends to
// a running sysplex (NETSTAT, SYSPLEX and ipsec displays of the live
// state, the operator's failures and recoveries), and the Unix socket
// they travel on, private to the user who runs the sysplex.
//
// control.go is what the commands mean; it reads the sysplex through its
// query API (runtime/sysplex query.go) and renders with package display.
// controlsock.go is the socket as a resource of the host: where it lives,
// who may talk on it (peercred_*.go, owner_*.go) and how many clients it
// holds for how long.
package control
