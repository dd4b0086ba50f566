package policy

import (
	"strings"
	"testing"
)

// TestMaskSecretsAnywhereOnLine hands MaskSecrets texts whose only
// secret attribute is not the first word of its line: the text must come
// back with the key blanked, as the policy lexer blanks it.
func TestMaskSecretsAnywhereOnLine(t *testing.T) {
	const key = "Zq7SECRETmask"
	for _, text := range []string{
		"KeyExchangeRule r1 { SharedKey Ascii " + key + " }\n",
		"KeyExchangeRule r1 {SharedKey Ascii " + key + "}\n",
		"IpManVpnAction m { InboundAuthKey Hex " + key + " }\n",
		"HOME 10.1.1.1 L1\n  } sharedkey ascii " + key + "\n",
	} {
		got := string(MaskSecrets([]byte(text)))
		if strings.Contains(got, key[:8]) {
			t.Errorf("MaskSecrets(%q) = %q: the key shows", text, got)
		}
		if len(got) != len(text) || strings.Count(got, "\n") != strings.Count(text, "\n") {
			t.Errorf("MaskSecrets(%q) = %q: length or line ends changed", text, got)
		}
	}
}

// TestSecretNamesEndInKey holds secretNameEnd's shortcut to the schema:
// it only looks before a "key" for a secret name.
func TestSecretNamesEndInKey(t *testing.T) {
	for _, n := range secretNames {
		if !strings.HasSuffix(strings.ToUpper(n), "KEY") || strings.Trim(strings.ToUpper(n), "ABCDEFGHIJKLMNOPQRSTUVWXYZ") != "" {
			t.Errorf("secret attribute %s: secretNameEnd expects letters ending in Key", n)
		}
	}
}

func TestSecretNameEnd(t *testing.T) {
	for w, want := range map[string]int{
		"SharedKey": 9, "sharedkey=Ascii": 9, "r1\u00a0SHAREDKEY": 13, "xInboundAuthKeyy": 15,
		"Shared": -1, "KeyExchangeRule": -1, "ShardKey": -1, "": -1, "key": -1,
	} {
		if got := secretNameEnd(w); got != want {
			t.Errorf("secretNameEnd(%q) = %d, want %d", w, got, want)
		}
	}
}
