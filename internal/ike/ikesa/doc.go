// Package ikesa is the IKE SA state machine of tcpipc's IKE daemon: it runs
// the IKE_SA_INIT and IKE_AUTH exchanges of RFC 7296 sections 1.2 and 2.15
// as initiator and as responder, authenticating with pre-shared keys or
// certificates (see below) and creating the first child SA (section 2.17 keys, section 2.9 traffic
// selector narrowing), and answers INFORMATIONAL exchanges for deletion and
// liveness (sections 1.4 and 2.4).
//
// Message IDs follow section 2.2 with a window of one in each direction:
// our requests are retransmitted with exponential backoff until answered
// (section 2.1), and a retransmitted request from the peer gets the cached
// response again, byte for byte, without being processed twice. NAT
// detection follows section 2.23; moving to UDP port 4500 is the job of the
// transport underneath, which sees the result in ChildSA.UDPEncap.
//
// A Daemon owns the IKE SAs of one local identity. Datagrams come in
// through HandleDatagram and go out through the Transport in Config; time
// comes from a clock.Clock, so tests drive retransmissions with a manual
// clock and connect daemons on internal/testkit/memnet. Each datagram is handled under
// its own recover, so malformed input is counted and dropped and can never
// stop the caller's receive loop.
//
// CREATE_CHILD_SA (section 1.3) works in both roles: more children, child
// rekeying with optional PFS (section 2.8) and IKE SA rekeying (section
// 2.18). When both ends rekey the same SA at once, each answers the
// other's request with TEMPORARY_FAILURE (section 2.25) instead of
// comparing nonces as section 2.8.1 describes, so both attempts fail and
// the caller retries. When both ends reauthenticate one IKE SA at once
// (section 2.8.3), the new SA whose IKE_SA_INIT holds the lowest nonce is
// deleted by its initiator, RedundantSADelay later, as for colliding
// rekeys (reauth_collision.go).
//
// Certificate authentication (Config.Credentials, Peer.AuthMe and
// Peer.CertAuth) sends our chain in CERT payloads (X.509, encoding 4) and
// asks for the peer's with a CERTREQ of our CAs' key hashes; AUTH is
// RSA_SIG (method 1, PKCS#1 v1.5), ECDSA (methods 9 to 11, RFC 4754) or
// DIGITAL_SIGNATURE (method 14, RFC 7427, when both ends announced
// SIGNATURE_HASH_ALGORITHMS; an RSA key pads with RSASSA-PSS when our CA
// signed our certificate so, and we verify PSS from any peer). The peer's
// chain must lead to our CAs at the clock's time and its certificate must
// carry the identity it claims (subject DN or subjectAltName); any failure
// is AUTHENTICATION_FAILED and counted in Stats.AuthFailed. An initiator
// that refuses the responder says so in an INFORMATIONAL (section
// 2.21.2), and a responder told so ends the SA.
//
// As responder the daemon resists floods of IKE_SA_INIT (cookies.go):
// past InitLimits.CookieThreshold half-open SAs it answers a request that
// carries no valid cookie with only a COOKIE and keeps nothing (RFC 7296
// section 2.6), and it caps the half-open SAs of one address and of the
// daemon; what it turns away is counted in Stats.
//
// Child SAs are handed to the caller as ChildSA values through callbacks;
// the ESP data plane lives elsewhere.
package ikesa
