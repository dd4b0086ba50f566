package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestReadErrorExitCodes: a file of the sysplex that exists but cannot be
// read is an I/O error (exit 2, with the operating system's reason) in
// every command that reads a sysplex; a missing file or a reference outside
// the sysplex directory is a finding (exit 1).
func TestReadErrorExitCodes(t *testing.T) {
	dir := t.TempDir()
	manifest := "sysplex: PLEX1\nstacks:\n  - name: MVS1\n    profile: MVS1/PROFILE.TCPIP\n"
	for name, files := range map[string]map[string]string{
		"isdir":   {"sysplex.yaml": manifest, "MVS1/PROFILE.TCPIP/.keep": ""},
		"notdir":  {"sysplex.yaml": manifest, "MVS1": "a file\n"},
		"missing": {"sysplex.yaml": manifest, "MVS1/.keep": ""},
		"outside": {"sysplex.yaml": strings.Replace(manifest, "MVS1/PROFILE", "../PROFILE", 1), "MVS1/.keep": ""},
	} {
		for p, text := range files {
			p = filepath.Join(dir, name, p)
			if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
				t.Fatal(err)
			}
			writeFile(t, p, text)
		}
	}
	writeFile(t, filepath.Join(dir, "PROFILE.TCPIP"), "HOME 10.1.1.1 ETH1\n")
	for _, c := range []struct {
		args []string
		want int
		text string
	}{
		{[]string{"lint", dir + "/isdir"}, ExitUsage, "is a directory"},
		{[]string{"lint", "--format", "sarif", dir + "/notdir"}, ExitUsage, "not a directory"},
		{[]string{"model", dir + "/isdir"}, ExitUsage, "is a directory"},
		{[]string{"compile", "--force", dir + "/isdir"}, ExitUsage, "is a directory"},
		{[]string{"show", dir + "/notdir", "vipadcfg"}, ExitUsage, "not a directory"},
		{[]string{"parse", dir + "/isdir/MVS1/PROFILE.TCPIP"}, ExitUsage, "is a directory"},
		{[]string{"lint", dir + "/missing"}, ExitFindings, "does not exist"},
		{[]string{"lint", dir + "/outside"}, ExitFindings, "outside the sysplex directory"},
		{[]string{"lint", "--allow-outside", dir, dir + "/outside"}, ExitClean, ""},
	} {
		var out, errb strings.Builder
		got := run(c.args, &out, &errb)
		if got != c.want || !strings.Contains(out.String()+errb.String(), c.text) {
			t.Errorf("tcpipc %v: exit %d, want %d and %q\nstdout %s\nstderr %s", c.args, got, c.want, c.text, out.String(), errb.String())
		}
	}
}
