// Package ikedcoverage checks that IKE can negotiate for an IPsec-protected
// dynamic VIPA wherever the DVIPA can be owned (SWSA008, iked-coverage).
//
// The IKE daemon of the stack that owns (and distributes) a DVIPA performs
// every negotiation for it; on takeover the backup's IKE daemon renegotiates
// the SAs from the coupling facility. So IKED must run, with key exchange
// policy that covers the DVIPA, on the distributor and on every backup. A
// stack without iked.conf, or whose KeyExchangePolicy has no rule whose
// local security endpoint includes the DVIPA, cannot negotiate its SAs.
//
// Fix: configure IKED (iked.conf, started by AutoMonitorApps) and a
// KeyExchangeRule with a LocalSecurityEndpoint Location that includes the
// DVIPA on the owner and on every backup.
package ikedcoverage
