package secretfile

import (
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

func mode(t *testing.T, path string) os.FileMode {
	t.Helper()
	fi, err := os.Lstat(path)
	if err != nil {
		t.Fatal(err)
	}
	return fi.Mode().Perm()
}

// TestCreateIsPrivateWhateverTheUmask creates a file under umask 0 (where
// os.Create gives 0666) and checks it is 0600.
func TestCreateIsPrivateWhateverTheUmask(t *testing.T) {
	old := syscall.Umask(0)
	defer syscall.Umask(old)
	p := filepath.Join(t.TempDir(), "plan.json")
	if err := WriteFile(p, []byte("key")); err != nil {
		t.Fatal(err)
	}
	if m := mode(t, p); m != FileMode {
		t.Errorf("mode %v, want %v", m, FileMode)
	}
}

// TestCreateTightensAnExistingFile: a 0644 file is 0600 afterwards and
// holds only the new content.
func TestCreateTightensAnExistingFile(t *testing.T) {
	p := filepath.Join(t.TempDir(), "esp_sa")
	if err := os.WriteFile(p, []byte("old content, longer than the new"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(p, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := WriteFile(p, []byte("new")); err != nil {
		t.Fatal(err)
	}
	if m := mode(t, p); m != FileMode {
		t.Errorf("mode %v, want %v", m, FileMode)
	}
	if b, _ := os.ReadFile(p); string(b) != "new" {
		t.Errorf("content %q", b)
	}
}

// TestCreateRefusesSymlinks: a link at the path, to an existing file or
// to none, is refused and its target is neither created nor written.
func TestCreateRefusesSymlinks(t *testing.T) {
	dir := t.TempDir()
	target := filepath.Join(dir, "target")
	if err := os.WriteFile(target, []byte("keep"), 0o644); err != nil {
		t.Fatal(err)
	}
	for name, to := range map[string]string{"existing": target, "dangling": filepath.Join(dir, "new")} {
		t.Run(name, func(t *testing.T) {
			link := filepath.Join(dir, "link-"+name)
			if err := os.Symlink(to, link); err != nil {
				t.Fatal(err)
			}
			err := WriteFile(link, []byte("key"))
			if err == nil || !strings.Contains(err.Error(), "symbolic link") {
				t.Fatalf("err = %v, want a refusal", err)
			}
		})
	}
	if b, _ := os.ReadFile(target); string(b) != "keep" {
		t.Errorf("the link's target was written: %q", b)
	}
	if _, err := os.Lstat(filepath.Join(dir, "new")); err == nil {
		t.Error("the dangling link's target was created")
	}
}

// TestCreateRefusesNonRegularFiles: a directory or a FIFO at the path is
// refused, a FIFO without a reader at once rather than by blocking.
func TestCreateRefusesNonRegularFiles(t *testing.T) {
	dir := t.TempDir()
	fifo := filepath.Join(dir, "fifo")
	if err := syscall.Mkfifo(fifo, 0o644); err != nil {
		t.Skip("no FIFOs here:", err)
	}
	if err := WriteFile(fifo, []byte("key")); err == nil {
		t.Error("a FIFO without a reader was accepted")
	}
	r, err := os.OpenFile(fifo, os.O_RDONLY|syscall.O_NONBLOCK, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	if err := WriteFile(fifo, []byte("key")); err == nil || !strings.Contains(err.Error(), "not a regular file") {
		t.Errorf("FIFO with a reader: err = %v", err)
	}
	if err := WriteFile(dir, []byte("key")); err == nil {
		t.Error("a directory was accepted")
	}
}

// TestMkdirPrivate: a new directory (and its parents) is 0700 under umask
// 0; an existing private one is accepted; an existing group- or
// world-accessible one, a symbolic link and a file are refused, and the
// mode of an existing directory is never changed.
func TestMkdirPrivate(t *testing.T) {
	old := syscall.Umask(0)
	defer syscall.Umask(old)
	base := t.TempDir()
	fresh := filepath.Join(base, "a", "keys")
	if err := MkdirPrivate(fresh); err != nil {
		t.Fatal(err)
	}
	if m := mode(t, fresh); m != DirMode {
		t.Errorf("new directory mode %v", m)
	}
	if err := MkdirPrivate(fresh); err != nil {
		t.Errorf("an existing private directory: %v", err)
	}
	open := filepath.Join(base, "open")
	if err := os.Mkdir(open, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := MkdirPrivate(open); err == nil || !strings.Contains(err.Error(), "chmod 700") {
		t.Errorf("0755 directory: err = %v", err)
	}
	if m := mode(t, open); m != 0o755 {
		t.Errorf("the existing directory's mode was changed to %v", m)
	}
	link := filepath.Join(base, "link")
	if err := os.Symlink(fresh, link); err != nil {
		t.Fatal(err)
	}
	if err := MkdirPrivate(link); err == nil || !strings.Contains(err.Error(), "symbolic link") {
		t.Errorf("symlink: err = %v", err)
	}
	file := filepath.Join(base, "file")
	if err := os.WriteFile(file, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := MkdirPrivate(file); err == nil {
		t.Error("a file was accepted as a directory")
	}
}

// TestRefusesWhatAnotherUserOwns: a file or directory another user owns
// is refused even by root, whose chmod would succeed: the owner could
// chmod it back and read the keys.
func TestRefusesWhatAnotherUserOwns(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("needs root to give a file to another user")
	}
	const nobody = 65534
	dir := t.TempDir()
	keyDir := filepath.Join(dir, "kl")
	if err := os.Mkdir(keyDir, 0o700); err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(keyDir, "esp_sa")
	if err := os.WriteFile(file, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{keyDir, file} {
		if err := os.Chown(p, nobody, nobody); err != nil {
			t.Fatal(err)
		}
	}
	if err := MkdirPrivate(keyDir); err == nil || !strings.Contains(err.Error(), "owned by uid 65534") {
		t.Errorf("MkdirPrivate of another user's directory: %v", err)
	}
	if _, err := Create(file); err == nil || !strings.Contains(err.Error(), "owned by uid 65534") {
		t.Errorf("Create over another user's file: %v", err)
	}
}
