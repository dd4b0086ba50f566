package ipsec

import (
	"testing"

	"github.com/tcpipc/tcpipc/internal/esp"
	"github.com/tcpipc/tcpipc/internal/ike/wire"
	"github.com/tcpipc/tcpipc/plan"
)

// TestTransformIDsAgree: the plan defines the IANA transform numbers once
// (plan/transforms.go) and the runtime converts a plan's ids straight into
// the IKE codec's and the ESP data plane's types (suite), so every number
// those packages define must be the plan's. A change to either side that
// drifts from the other fails here.
func TestTransformIDsAgree(t *testing.T) {
	for _, c := range []struct {
		name       string
		plan, code int
	}{
		{"ENCR_AES_CBC", int(plan.EncrAESCBC), int(wire.ENCR_AES_CBC)},
		{"ENCR_AES_CTR", int(plan.EncrAESCTR), int(wire.ENCR_AES_CTR)},
		{"ENCR_AES_GCM_8", int(plan.EncrAESGCM8), int(wire.ENCR_AES_GCM_8)},
		{"ENCR_AES_GCM_12", int(plan.EncrAESGCM12), int(wire.ENCR_AES_GCM_12)},
		{"ENCR_AES_GCM_16", int(plan.EncrAESGCM16), int(wire.ENCR_AES_GCM_16)},
		{"ENCR_CHACHA20_POLY1305", int(plan.EncrChaCha20Poly1305), int(wire.ENCR_CHACHA20_POLY1305)},
		{"PRF_HMAC_SHA1", int(plan.PRFHMACSHA1), int(wire.PRF_HMAC_SHA1)},
		{"PRF_AES128_XCBC", int(plan.PRFAES128XCBC), int(wire.PRF_AES128_XCBC)},
		{"PRF_HMAC_SHA2_256", int(plan.PRFHMACSHA2_256), int(wire.PRF_HMAC_SHA2_256)},
		{"PRF_HMAC_SHA2_384", int(plan.PRFHMACSHA2_384), int(wire.PRF_HMAC_SHA2_384)},
		{"PRF_HMAC_SHA2_512", int(plan.PRFHMACSHA2_512), int(wire.PRF_HMAC_SHA2_512)},
		{"AUTH_NONE", int(plan.IntegNone), int(wire.AUTH_NONE)},
		{"AUTH_HMAC_SHA1_96", int(plan.IntegHMACSHA1_96), int(wire.AUTH_HMAC_SHA1_96)},
		{"AUTH_AES_XCBC_96", int(plan.IntegAESXCBC96), int(wire.AUTH_AES_XCBC_96)},
		{"AUTH_HMAC_SHA2_256_128", int(plan.IntegHMACSHA2_256_128), int(wire.AUTH_HMAC_SHA2_256_128)},
		{"AUTH_HMAC_SHA2_384_192", int(plan.IntegHMACSHA2_384_192), int(wire.AUTH_HMAC_SHA2_384_192)},
		{"AUTH_HMAC_SHA2_512_256", int(plan.IntegHMACSHA2_512_256), int(wire.AUTH_HMAC_SHA2_512_256)},
		{"DH none", int(plan.DHNone), int(wire.DHNone)},
		{"MODP_2048", int(plan.DHMODP2048), int(wire.MODP2048)},
		{"ECP_256", int(plan.DHECP256), int(wire.ECP256)},
		{"ECP_384", int(plan.DHECP384), int(wire.ECP384)},
		{"Curve25519", int(plan.DHCurve25519), int(wire.Curve25519)},
		{"NO_ESN", int(plan.ESNNo), int(wire.ESNNo)},
		{"ESN", int(plan.ESNYes), int(wire.ESNYes)},
		{"esp AES_CBC", int(plan.EncrAESCBC), int(esp.AESCBC)},
		{"esp AES_GCM_16", int(plan.EncrAESGCM16), int(esp.AESGCM16)},
		{"esp no integrity", int(plan.IntegNone), int(esp.NoIntegrity)},
		{"esp HMAC_SHA1_96", int(plan.IntegHMACSHA1_96), int(esp.HMACSHA1_96)},
		{"esp HMAC_SHA2_256_128", int(plan.IntegHMACSHA2_256_128), int(esp.HMACSHA2_256_128)},
	} {
		if c.plan != c.code {
			t.Errorf("%s: the plan says %d, the runtime's code %d", c.name, c.plan, c.code)
		}
	}
}
