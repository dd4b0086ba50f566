// Package ikecrypto is the cryptography of IKEv2: a registry of the
// transforms tcpipc negotiates and the computations RFC 7296 builds from
// them — prf and prf+ (section 2.13), SKEYSEED and the seven SK_* keys
// (section 2.14), child SA key material with and without PFS (section
// 2.17), the rekeyed SKEYSEED (section 2.18), pre-shared-key AUTH (section
// 2.15), signature AUTH (RSA_SIG, the ECDSA methods of RFC 4754 and RFC
// 7427 DIGITAL_SIGNATURE with PKCS#1 v1.5, RSASSA-PSS or ECDSA), the
// NAT_DETECTION hash (section 2.23), and sealing and opening the
// Encrypted payload (section 3.14) with AES-CBC plus HMAC or with AES-GCM
// as RFC 5282 specifies.
//
// Everything comes from the standard library's crypto packages; this
// package only arranges them. The transforms are:
//
//	ENCR   AES-CBC (12) and AES-GCM with a 16-byte ICV (20), 128 and 256 bit keys
//	INTEG  HMAC-SHA1-96 (2), HMAC-SHA2-256-128 (12), -384-192 (13), -512-256 (14)
//	PRF    HMAC-SHA1 (2), HMAC-SHA2-256 (5), -384 (6), -512 (7)
//	DH     MODP-2048 (14), ECP-256 (19), ECP-384 (20), ECP-521 (21), Curve25519 (31)
//	ESN    no (0) and yes (1), which only the ESP data plane acts on
//
// Key material is held in Key, whose formatting methods never print the
// bytes; every type here that holds keys formats the same way, so a key
// cannot reach a log line through %v.
//
// The MODP group uses math/big, whose exponentiation is not constant time.
// That is acceptable for a simulator whose peers are local test processes.
// The private exponent is 256 bits, inside the 220 to 320 bits RFC 3526
// section 8 estimates for this group, which keeps a handshake fast.
package ikecrypto
