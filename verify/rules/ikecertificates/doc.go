// Package ikecertificates checks the certificates IKE authenticates with
// (IKE001, ike-certificates).
//
// A KeyExchangeAction with HowToAuthMe RsaSignature, ECDSA-256, ECDSA-384,
// ECDSA-521 or DigitalSignature (the default) signs with the certificate
// in the stack's key ring, and the peer accepts the signature only when
// that certificate carries the identity the rule's LocalSecurityEndpoint
// names: its subject DN for an X500DN identity, a subjectAltName entry for
// FQDN, USERFQDN and IPADDR. Off the mainframe the manifest maps each
// stack's key ring (IkeConfig KeyRing, or the only ring given) to PEM
// files. The rule reports, once the manifest maps any key ring:
//
//   - a stack that signs but has no key ring mapped;
//   - a certificate, key or CA file that is missing, unreadable, outside
//     the sysplex directory or not PEM; a key that does not belong to the
//     certificate; a key file group or others can read (a warning: git
//     checks files out that way, but the runtime refuses such a file);
//   - a certificate not valid at lint time (expired, or not yet valid),
//     or a chain that does not verify against the stack's own CA bundle
//     (no CA of the bundle issued it, or a CA or intermediate has
//     expired): peers holding the same CAs refuse it, and the stack could
//     not verify their certificates either;
//   - a certificate of the chain, the stack's own or a CA's, that expires
//     within 30 days (a warning);
//   - an identity the rule signs as that the certificate does not carry;
//   - for a DVIPA whose SAs the backups take over (seed 003), a backup
//     whose certificate does not carry the identity the owner presents:
//     after a takeover the backup renegotiates in the DVIPA's name and
//     the peers refuse it.
//
// Fix: map the key ring in sysplex.yaml (keyrings: {RING: {cert, key, ca}}),
// issue the certificate with the identity as its subject or
// subjectAltName, put its issuing CA in the CA bundle, renew it before it
// expires, give every stack that can hold the DVIPA a certificate
// with the same identity, and keep key files private (chmod 600).
package ikecertificates
