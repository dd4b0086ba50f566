package ipsec

import (
	"os"
	"path/filepath"
	"testing"
)

// TestKeyLogDir: lines, even split across writes, land in the table they
// belong to; the files are the owner's alone.
func TestKeyLogDir(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "keys")
	k, err := NewKeyLogDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	espLine := `"IPv4","*","*","0x01020304","AES-GCM with 16 octet ICV [RFC4106]","0x00","NULL",""` + "\n"
	ikeLine := "0102030405060708,0807060504030201,00,00,\"AES-GCM-128 with 16 octet ICV [RFC5282]\",,,\"NONE [RFC4306]\",\n"
	for _, part := range []string{espLine[:10], espLine[10:] + ikeLine[:5], ikeLine[5:]} {
		if _, err := k.Write([]byte(part)); err != nil {
			t.Fatal(err)
		}
	}
	if err := k.Close(); err != nil {
		t.Fatal(err)
	}
	for name, want := range map[string]string{"esp_sa": espLine, "ikev2_decryption_table": ikeLine} {
		got, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil || string(got) != want {
			t.Errorf("%s = %q (%v), want %q", name, got, err, want)
		}
		if fi, _ := os.Stat(filepath.Join(dir, name)); fi.Mode().Perm() != 0o600 {
			t.Errorf("%s mode %v", name, fi.Mode())
		}
	}
}
