// Package offerleftout reports the offers the plan leaves out (IPSEC006,
// offer-left-out).
//
// Policy Agent accepts DES, 3DES, HMAC_MD5 and Diffie-Hellman groups 1, 2,
// 5 and 24, but tcpipc's runtime refuses them, and some offers cannot be
// written as IKEv2 transforms at all (no integrity algorithm without
// AES-GCM, no DHGroup on a KeyExchangeOffer). compile leaves such an
// offer out of the plan with a COMPILE warning; this rule reports the same
// offers, from the same mapping, where they are written and once even when
// several stacks read the file. When every offer of an action is left out,
// the runtime can never bring up an SA with it, and whatif reports the
// DVIPA's SAs as lost rather than recovered.
//
// Fix: offer AES_CBC or AES_GCM_16 with HMAC_SHA2 integrity and PRF and DH
// group 14, 19 or 20, before or instead of the legacy offer.
package offerleftout
