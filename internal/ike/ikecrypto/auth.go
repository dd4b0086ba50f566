package ikecrypto

import (
	"crypto/hmac"
	"crypto/sha1"
	"encoding/binary"
	"net/netip"
)

// keyPad is the fixed string RFC 7296 section 2.15 mixes into a
// pre-shared key before it authenticates anything.
const keyPad = "Key Pad for IKEv2"

// SignedOctets returns the octets an AUTH payload covers (RFC 7296 section
// 2.15): the sender's IKE_SA_INIT message exactly as sent, the peer's nonce
// and prf(SK_p, RestOfIDPayload) of the sender's own ID. The initiator uses
// its request, Nr, SK_pi and IDi; the responder its response, Ni, SK_pr and
// IDr.
func SignedOctets(prf *PRF, skp, initMessage, peerNonce, idBody []byte) []byte {
	out := append([]byte{}, initMessage...)
	out = append(out, peerNonce...)
	return append(out, prf.Sum(skp, idBody)...)
}

// PSKAuth returns the AUTH data for shared key authentication:
// prf(prf(PSK, "Key Pad for IKEv2"), signed octets).
func PSKAuth(prf *PRF, psk, signed []byte) []byte {
	return prf.Sum(prf.Sum(psk, []byte(keyPad)), signed)
}

// VerifyPSKAuth reports whether got is the AUTH data for psk and signed,
// comparing in constant time.
func VerifyPSKAuth(prf *PRF, psk, signed, got []byte) bool {
	return hmac.Equal(PSKAuth(prf, psk, signed), got)
}

// NATDetectionHash returns SHA-1(SPIi | SPIr | IP | port), the data of a
// NAT_DETECTION_SOURCE_IP or _DESTINATION_IP notification (RFC 7296
// section 2.23). The SPIs are those of the message's own header, so SPIr is
// zero in an IKE_SA_INIT request.
func NATDetectionHash(spii, spir uint64, ap netip.AddrPort) []byte {
	h := sha1.New()
	var b [16]byte
	binary.BigEndian.PutUint64(b[0:8], spii)
	binary.BigEndian.PutUint64(b[8:16], spir)
	h.Write(b[:])
	h.Write(ap.Addr().Unmap().AsSlice())
	binary.BigEndian.PutUint16(b[:2], ap.Port())
	h.Write(b[:2])
	return h.Sum(nil)
}
