// Package keyexchangeagreement checks that stacks of the sysplex that are IKE peers of
// each other can agree (IPSEC005, key-exchange-agreement).
//
// When the key exchange rules of two stacks name each other — each rule's
// remote security endpoint covers the other's local one, as for IPsec
// between images of the sysplex — IKE can only bring up an SA if the two
// rules share at least one KeyExchangeOffer (the same encryption and key
// length, integrity, pseudo-random function and Diffie-Hellman group) and,
// with pre-shared keys, the same key. Otherwise every negotiation between
// them fails with NO_PROPOSAL_CHOSEN or AUTHENTICATION_FAILED.
//
// Fix: give both rules a common KeyExchangeOffer (put it in the common
// policy file) and the same SharedKey.
package keyexchangeagreement
