package ikesa

import "testing"

func TestParseProposal(t *testing.T) {
	for _, c := range []struct {
		in   string
		ike  bool
		want string
	}{
		{"aes128-sha256-ecp256", true, "AES_CBC_128-HMAC_SHA2_256_128-PRF_HMAC_SHA2_256-ECP_256"},
		{"aes256gcm16-prfsha384-x25519", true, "AES_GCM_16_256-PRF_HMAC_SHA2_384-CURVE25519"},
		{"aes128gcm16", false, "AES_GCM_16_128"},
		{"aes256-sha1", false, "AES_CBC_256-HMAC_SHA1_96"},
		{"aes128gcm16-ecp256", false, "AES_GCM_16_128-ECP_256"},
	} {
		su, err := ParseProposal(c.in, c.ike)
		if err != nil {
			t.Errorf("%s: %v", c.in, err)
			continue
		}
		if got := su.String(); got != c.want && got != c.want+"-NOESN" {
			t.Errorf("%s = %s, want %s", c.in, got, c.want)
		}
	}
	for _, c := range []struct {
		in  string
		ike bool
	}{
		{"3des-md5-modp1024", true}, {"aes128", false}, {"aes128gcm16-sha256", false},
		{"aes128-sha256", true}, {"aes128gcm16-prfsha256", false}, {"", false},
	} {
		if _, err := ParseProposal(c.in, c.ike); err == nil {
			t.Errorf("%q (ike %v) accepted", c.in, c.ike)
		}
	}
}
