// Package presharedkeywithoutkey checks that pre-shared key authentication has a key
// (IPSEC004, presharedkey-without-key).
//
// A KeyExchangeAction with HowToAuthMe PresharedKey authenticates with the
// SharedKey of the KeyExchangeRule that uses it. A rule without SharedKey
// leaves IKE nothing to authenticate with, and every negotiation under it
// fails with AUTHENTICATION_FAILED.
//
// Fix: add SharedKey Ascii|Hex|Ebcdic value to the KeyExchangeRule.
package presharedkeywithoutkey
