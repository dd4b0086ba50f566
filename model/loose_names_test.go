package model

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestLooseProfileNamedByItsDirectory: `tcpipc lint PROFILE.TCPIP` run in
// the system's directory names the stack after that directory, as it does
// for MVS1/PROFILE.TCPIP; the file's own name made a stack "PROFILET" that
// every message then named.
func TestLooseProfileNamedByItsDirectory(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "mvs7")
	if err := os.Mkdir(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "PROFILE.TCPIP"), []byte("HOME 10.1.1.1 ETH1\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	t.Chdir(dir)
	for _, p := range []string{"PROFILE.TCPIP", "./PROFILE.TCPIP"} {
		sx, _ := LoadFiles([]string{p}, Options{})
		if len(sx.Stacks) != 1 || sx.Stacks[0].Name != "MVS7" {
			var names []string
			for _, s := range sx.Stacks {
				names = append(names, s.Name)
			}
			t.Errorf("lint %s in mvs7/: stacks %q, want [MVS7]", p, names)
		}
	}
}

// TestNoSysplexPointsAtTheOneProfile: a directory holding PROFILE.TCPIP
// itself is not a sysplex (stacks are its subdirectories), and the error
// says how to lint that one stack instead of leaving the user to guess.
func TestNoSysplexPointsAtTheOneProfile(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "PROFILE.TCPIP"), []byte("HOME 10.1.1.1 ETH1\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	_, ds := Load(dir, Options{})
	want := "tcpipc lint " + filepath.ToSlash(filepath.Join(dir, "PROFILE.TCPIP"))
	if len(ds) != 1 || !strings.Contains(ds[0].Detail, want) {
		t.Errorf("diagnostics %+v, want one whose detail suggests %q", ds, want)
	}
}
