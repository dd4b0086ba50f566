// Package peercredentials checks that the owner of an IPsec-protected
// dynamic VIPA and each of its backups authenticate a remote peer the same
// way (SWSA013, peer-credentials).
//
// After a takeover the backup's IKE daemon renegotiates the sysplex-wide
// SAs with every peer, in the DVIPA's name. The peer still holds the
// pre-shared key and expects the identity it negotiated with the owner: if
// the backup's KeyExchangeRule for that peer has a different SharedKey, a
// different local identity (the DVIPA's identity the peer checks) or a
// different identity for the peer, the negotiation fails with an
// authentication error and the protected traffic stops although the DVIPA
// moved. Keys are compared in constant time and never shown.
//
// Fix: give the KeyExchangeRule for each peer the same SharedKey and the
// same local and remote identities on the owner and on every backup (keep
// it in a common policy file).
package peercredentials
