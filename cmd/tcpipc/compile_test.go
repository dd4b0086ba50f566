package main

import (
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

// TestPlanCommandExitCodes pins the exit codes of compile, show and whatif.
func TestPlanCommandExitCodes(t *testing.T) {
	const fig9 = "../../testdata/profiles/figure9"
	bad := t.TempDir()
	writeFile(t, filepath.Join(bad, "sysplex.yaml"), "sysplex: BAD\nstacks:\n  - {name: SYSA, profile: PROFILE}\n")
	writeFile(t, filepath.Join(bad, "PROFILE"), "IPCONFIG DYNAMICXCF 10.0.0.1 255.255.255.0 1\nVIPADYNAMIC\n  VIPADEFINE 255.255.255.0 10.9.9.1\n  VIPADISTRIBUTE 10.9.9.1 PORT 80 DESTIP 10.0.0.77\nENDVIPADYNAMIC\n")
	plan := filepath.Join(t.TempDir(), "plan.json")
	for _, c := range []struct {
		args []string
		want int
	}{
		{[]string{"compile", "-o", plan, fig9}, ExitClean},
		{[]string{"compile", bad}, ExitFindings},
		{[]string{"compile", "--force", bad}, ExitClean},
		{[]string{"compile", fig9 + "/nope"}, ExitUsage},
		{[]string{"show", fig9, "vipadyn"}, ExitClean},
		{[]string{"show", plan, "vdpt"}, ExitClean},
		{[]string{"show", bad, "vipadyn"}, ExitFindings},
		{[]string{"show", fig9, "nope"}, ExitUsage},
		{[]string{"show", "--stack", "MVS9", fig9, "vipadyn"}, ExitUsage},
		{[]string{"whatif", fig9, "--fail", "MVS1,MVS5", "--recover", "MVS5"}, ExitClean},
		{[]string{"whatif", plan, "--all-single"}, ExitClean},
		{[]string{"whatif", fig9}, ExitUsage},
		{[]string{"whatif", fig9, "--fail", "MVS9"}, ExitUsage},
	} {
		var out, errb strings.Builder
		if got := run(c.args, &out, &errb); got != c.want {
			t.Errorf("tcpipc %v: exit %d, want %d (stderr %q)", c.args, got, c.want, errb.String())
		}
	}
	if data, err := os.ReadFile(plan); err != nil || !strings.Contains(string(data), `"version": "tcpipc.plan/v1"`) {
		t.Errorf("compile -o wrote no plan (%v)", err)
	}
}

// TestCompileSecretsFileIsPrivate: compile --include-secrets -o writes the
// plan 0600 even under umask 0, tightens an existing 0644 file, and
// refuses (exit 2) a symbolic link at the path without touching its
// target. The plan does hold the key: the mode is what protects it.
func TestCompileSecretsFileIsPrivate(t *testing.T) {
	const fig9 = "../../testdata/profiles/figure9"
	old := syscall.Umask(0)
	defer syscall.Umask(old)
	dir := t.TempDir()
	compileTo := func(path string) (int, string) {
		var out, errb strings.Builder
		code := run([]string{"compile", "--include-secrets", "-o", path, fig9}, &out, &errb)
		return code, errb.String()
	}
	mode := func(path string) os.FileMode {
		fi, err := os.Lstat(path)
		if err != nil {
			t.Fatal(err)
		}
		return fi.Mode().Perm()
	}

	fresh := filepath.Join(dir, "fresh.json")
	if code, stderr := compileTo(fresh); code != ExitClean {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	if m := mode(fresh); m != 0o600 {
		t.Errorf("new plan with secrets has mode %v, want 0600", m)
	}
	if data, _ := os.ReadFile(fresh); !strings.Contains(string(data), "figure9-demo-psk-0001") {
		t.Errorf("--include-secrets plan has no key")
	}

	existing := filepath.Join(dir, "existing.json")
	writeFile(t, existing, "old")
	if err := os.Chmod(existing, 0o644); err != nil {
		t.Fatal(err)
	}
	if code, stderr := compileTo(existing); code != ExitClean {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	if m := mode(existing); m != 0o600 {
		t.Errorf("existing plan file kept mode %v, want 0600", m)
	}

	target := filepath.Join(dir, "target")
	writeFile(t, target, "keep")
	link := filepath.Join(dir, "link.json")
	if err := os.Symlink(target, link); err != nil {
		t.Fatal(err)
	}
	if code, stderr := compileTo(link); code != ExitUsage || !strings.Contains(stderr, "symbolic link") {
		t.Errorf("through a symlink: exit %d, stderr %q; want %d and a refusal", code, stderr, ExitUsage)
	}
	if data, _ := os.ReadFile(target); string(data) != "keep" {
		t.Errorf("the link's target was overwritten")
	}
}

// TestCompileKeyWithoutFormatShowsNoWord: a SharedKey written without its
// format word (Ascii, Ebcdic, Hex) is an error, and no word of it shows in
// the plan (it used to be taken for the format and printed as pskFormat)
// or the diagnostics.
func TestCompileKeyWithoutFormatShowsNoWord(t *testing.T) {
	dir := t.TempDir()
	for _, f := range []string{"sysplex.yaml", "common.policy", "MVS1.policy", "MVS5.policy",
		"MVS1/PROFILE.TCPIP", "MVS1/iked.conf", "MVS1/pagent.conf", "MVS2/PROFILE.TCPIP", "MVS3/PROFILE.TCPIP",
		"MVS4/PROFILE.TCPIP", "MVS5/PROFILE.TCPIP", "MVS5/iked.conf", "MVS5/pagent.conf"} {
		data, err := os.ReadFile(filepath.Join("../../testdata/profiles/figure9", f))
		if err != nil {
			t.Skip(err)
		}
		text := strings.ReplaceAll(string(data), "Ascii figure9-demo-psk-0001", "figure9demo psk0001")
		if err := os.MkdirAll(filepath.Dir(filepath.Join(dir, f)), 0o755); err != nil {
			t.Fatal(err)
		}
		writeFile(t, filepath.Join(dir, f), text)
	}
	var out, errb strings.Builder
	run([]string{"compile", "--force", dir}, &out, &errb)
	if !strings.Contains(out.String(), "tcpipc.plan/v1") || !strings.Contains(errb.String(), "SharedKey has no format") {
		t.Fatalf("no plan, or the missing format is not reported:\n%s", errb.String())
	}
	if all := strings.ToUpper(out.String() + errb.String()); strings.Contains(all, "FIGURE9DEMO") || strings.Contains(all, "PSK0001") {
		t.Errorf("a word of the key shows:\n%s", out.String())
	}
}
