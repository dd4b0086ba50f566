package ipsec

import (
	"os"
	"path/filepath"
	"syscall"
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

// TestKeyLogDirIsPrivate: under umask 0 a new key log directory is 0700;
// an existing esp_sa of mode 0644 is tightened to 0600 before keys go in;
// a key table that is a symbolic link is refused, its target untouched; an
// existing directory others can enter is refused and left as it was.
func TestKeyLogDirIsPrivate(t *testing.T) {
	old := syscall.Umask(0)
	defer syscall.Umask(old)
	base := t.TempDir()

	dir := filepath.Join(base, "new")
	k, err := NewKeyLogDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	k.Close()
	if fi, _ := os.Stat(dir); fi.Mode().Perm() != 0o700 {
		t.Errorf("new directory mode %v, want 0700", fi.Mode().Perm())
	}

	if err := os.WriteFile(filepath.Join(dir, "esp_sa"), []byte("old\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(filepath.Join(dir, "esp_sa"), 0o644); err != nil {
		t.Fatal(err)
	}
	k, err = NewKeyLogDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	k.Close()
	if fi, _ := os.Stat(filepath.Join(dir, "esp_sa")); fi.Mode().Perm() != 0o600 {
		t.Errorf("existing esp_sa mode %v, want 0600", fi.Mode().Perm())
	}

	target := filepath.Join(base, "elsewhere")
	if err := os.WriteFile(target, []byte("keep"), 0o644); err != nil {
		t.Fatal(err)
	}
	os.Remove(filepath.Join(dir, "ikev2_decryption_table"))
	if err := os.Symlink(target, filepath.Join(dir, "ikev2_decryption_table")); err != nil {
		t.Fatal(err)
	}
	if k, err := NewKeyLogDir(dir); err == nil {
		k.Close()
		t.Error("a key table that is a symbolic link was accepted")
	}
	if b, _ := os.ReadFile(target); string(b) != "keep" {
		t.Errorf("the link's target was written: %q", b)
	}

	open := filepath.Join(base, "open")
	if err := os.Mkdir(open, 0o755); err != nil {
		t.Fatal(err)
	}
	if k, err := NewKeyLogDir(open); err == nil {
		k.Close()
		t.Error("a directory others can enter was accepted")
	}
	if fi, _ := os.Stat(open); fi.Mode().Perm() != 0o755 {
		t.Errorf("the existing directory's mode changed to %v", fi.Mode().Perm())
	}
}
