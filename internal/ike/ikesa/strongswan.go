package ikesa

import (
	"fmt"
	"strings"

	"github.com/tcpipc/tcpipc/internal/ike/wire"
)

// ParseProposal reads a proposal the way strongSwan writes one, so a
// scenario can give a client its own offers: algorithms joined by "-",
// e.g. "aes128-sha256-ecp256" or "aes256gcm16-prfsha384-x25519" for IKE
// (ike true: a PRF and a DH group are required; the PRF defaults to the
// integrity algorithm's hash) and "aes128gcm16", "aes256-sha1-esn" or
// "aes128gcm16-ecp256" (a PFS group for rekeys) for ESP. Only algorithms
// tcpipc implements are accepted.
func ParseProposal(s string, ike bool) (Suite, error) {
	var su Suite
	var integPRF wire.PRFID
	for _, tok := range strings.Split(strings.ToLower(strings.TrimSpace(s)), "-") {
		switch tok {
		case "aes128", "aes256":
			su.Encr, su.KeyBits = wire.ENCR_AES_CBC, keyBits(tok)
		case "aes128gcm16", "aes256gcm16", "aes128gcm128", "aes256gcm128":
			su.Encr, su.KeyBits = wire.ENCR_AES_GCM_16, keyBits(tok)
		case "sha1", "sha":
			su.Integ, integPRF = wire.AUTH_HMAC_SHA1_96, wire.PRF_HMAC_SHA1
		case "sha256", "sha2_256":
			su.Integ, integPRF = wire.AUTH_HMAC_SHA2_256_128, wire.PRF_HMAC_SHA2_256
		case "sha384", "sha2_384":
			su.Integ, integPRF = wire.AUTH_HMAC_SHA2_384_192, wire.PRF_HMAC_SHA2_384
		case "sha512", "sha2_512":
			su.Integ, integPRF = wire.AUTH_HMAC_SHA2_512_256, wire.PRF_HMAC_SHA2_512
		case "prfsha1":
			su.PRF = wire.PRF_HMAC_SHA1
		case "prfsha256":
			su.PRF = wire.PRF_HMAC_SHA2_256
		case "prfsha384":
			su.PRF = wire.PRF_HMAC_SHA2_384
		case "prfsha512":
			su.PRF = wire.PRF_HMAC_SHA2_512
		case "modp2048":
			su.DH = wire.MODP2048
		case "ecp256":
			su.DH = wire.ECP256
		case "ecp384":
			su.DH = wire.ECP384
		case "ecp521":
			su.DH = wire.ECP521
		case "x25519", "curve25519":
			su.DH = wire.Curve25519
		case "esn":
			su.ESN = true
		case "noesn":
			su.ESN = false
		default:
			return Suite{}, fmt.Errorf("proposal %q: unknown or unsupported algorithm %q", s, tok)
		}
	}
	switch {
	case su.Encr == 0:
		return Suite{}, fmt.Errorf("proposal %q names no encryption algorithm", s)
	case su.Encr == wire.ENCR_AES_CBC && su.Integ == wire.AUTH_NONE:
		return Suite{}, fmt.Errorf("proposal %q: AES-CBC needs an integrity algorithm", s)
	case su.Encr == wire.ENCR_AES_GCM_16 && su.Integ != wire.AUTH_NONE && !ike:
		return Suite{}, fmt.Errorf("proposal %q: AES-GCM carries its own integrity", s)
	}
	if ike {
		if su.PRF == 0 {
			su.PRF = integPRF
		}
		if su.Encr == wire.ENCR_AES_GCM_16 {
			su.Integ = wire.AUTH_NONE // combined mode: the hash names the PRF only
		}
		if su.PRF == 0 || su.DH == 0 {
			return Suite{}, fmt.Errorf("proposal %q: IKE needs a PRF and a Diffie-Hellman group", s)
		}
	} else if su.PRF != 0 {
		return Suite{}, fmt.Errorf("proposal %q: an ESP proposal has no PRF", s)
	}
	return su, nil
}

func keyBits(tok string) int {
	if strings.HasPrefix(tok, "aes256") {
		return 256
	}
	return 128
}
