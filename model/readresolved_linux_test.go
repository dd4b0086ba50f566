package model

import (
	"os"
	"path/filepath"
	"testing"

	"golang.org/x/sys/unix"
)

// TestReadWithoutOpenat2: where the kernel lacks openat2 (ENOSYS) or a
// seccomp sandbox refuses it (EPERM), files are still read; only the
// check against a link swapped in meanwhile is lost. Every read failed
// under such a sandbox.
func TestReadWithoutOpenat2(t *testing.T) {
	dir := t.TempDir()
	prof := filepath.Join(dir, "PROFILE.TCPIP")
	if err := os.WriteFile(prof, []byte("HOME 10.1.1.1 ETH1\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	defer func(orig func(int, string, *unix.OpenHow) (int, error)) { openat2 = orig }(openat2)
	for _, errno := range []unix.Errno{unix.ENOSYS, unix.EPERM} {
		openat2 = func(int, string, *unix.OpenHow) (int, error) { return -1, errno }
		if data, err := NewRoot(dir, nil).ReadFile(prof); err != nil || len(data) == 0 {
			t.Errorf("openat2 failing with %v: read %q, %v", errno, data, err)
		}
	}
}
