package ikecrypto

import (
	"bytes"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"log/slog"
	"strings"
	"testing"

	"github.com/tcpipc/tcpipc/internal/ike/wire"
)

// TestKeysNeverPrinted formats every key-holding type with every common
// verb and checks that no rendering of the key bytes appears.
func TestKeysNeverPrinted(t *testing.T) {
	secret := Key(bytes.Repeat([]byte{0xa7}, 20))
	encr, _ := LookupEncr(wire.ENCR_AES_GCM_16, 128)
	ike := &IKEKeys{D: secret, Ei: secret, Er: secret, Pi: secret, Pr: secret}
	child := &ChildKeys{EncrI: secret, EncrR: secret}
	sk, err := NewSKCipher(encr, nil, secret, nil)
	if err != nil {
		t.Fatal(err)
	}
	dh, _ := LookupDH(wire.Curve25519)
	dhKey, _ := dh.GenerateKey(nil)
	type holder struct{ K Key }

	leaks := []string{"a7a7", "A7A7", "167 167", "\xa7\xa7", "p6en"} // hex, decimal, raw, base64
	for name, v := range map[string]any{
		"Key": secret, "IKEKeys": ike, "IKEKeys value": *ike, "ChildKeys": child, "ChildKeys value": *child,
		"SKCipher": sk, "DHKey": dhKey, "struct with a Key field": holder{secret},
	} {
		var outs []string
		for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%x", "%X", "%d", "%q"} {
			outs = append(outs, fmt.Sprintf(verb, v))
		}
		j, _ := json.Marshal(v)
		var log bytes.Buffer
		slog.New(slog.NewTextHandler(&log, nil)).Info("x", "v", v)
		outs = append(outs, string(j), log.String())
		for _, out := range outs {
			for _, leak := range leaks {
				if strings.Contains(out, leak) {
					t.Errorf("%s printed as %q", name, out)
				}
			}
		}
	}
	// The DH private scalar must not show either; check its own bytes.
	if out := fmt.Sprintf("%+v %#v", dhKey, *dhKey); strings.Contains(out, hex.EncodeToString(dhKey.ec.Bytes()[:4])) {
		t.Errorf("DH key printed as %q", out)
	}
}
