// Package vipamask checks that every stack that can activate a dynamic VIPA
// gives it the same mask (DVIPA007, vipa-mask).
//
// The owner activates a DVIPA with the mask of its VIPADEFINE; a backup that
// codes VIPABACKUP MOVEABLE with a mask (and any other VIPADEFINE of the
// address) activates it with its own mask when it takes over or when it is
// the first to start. The DVIPA then belongs to a different subnet depending
// on which stack holds it: routes advertised for it, subnet-based VIPARANGE
// and SOURCEVIPA choices, and the address's own network and broadcast
// addresses change with a takeover.
//
// Fix: code the same mask on the VIPADEFINE and on every VIPABACKUP with
// MOVEABLE of the DVIPA.
package vipamask
