// Package clock is the source of time for everything in tcpipc that waits:
// heartbeats, retransmissions, lifetimes, takeover timers.
//
// Production code takes a Clock and never calls time.Now or time.AfterFunc
// directly, so tests can drive time by hand with a Manual clock and get the
// same result on a loaded two-core CI machine as on a laptop.
package clock
