// Package sharedkey turns a pre-shared key as the IPsec policy writes it
// (KeyExchangeRule SharedKey: Ascii text, Hex digits or Ebcdic text) into
// the bytes IKE authenticates with. Lint compares keys with it and the
// runtime keys its IKE daemon with it, so the two never disagree on
// whether an owner and its backup hold the same key.
package sharedkey
