package model

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tcpipc/tcpipc/diag"
)

// canary is the content of the files outside the sysplex directory: it
// must never show in anything tcpipc produces.
const canary = "CANARY-outside-the-sysplex-0123"

// writeTree writes files (path → content) under dir; content "->TARGET"
// makes a symbolic link to TARGET instead.
func writeTree(t testing.TB, dir string, files map[string]string) {
	t.Helper()
	for name, text := range files {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if target, ok := strings.CutPrefix(text, "->"); ok {
			if err := os.Symlink(target, p); err != nil {
				t.Fatal(err)
			}
			continue
		}
		if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

const plainProfile = "GLOBALCONFIG XCFGRPID 21\nIPCONFIG DYNAMICXCF 193.9.200.1 255.255.255.240 1\nHOME 10.1.1.1 ETH1\n"

// outsideTree is a directory holding a sysplex directory "plex" and, next
// to it, "outside" with files whose content is the canary.
func outsideTree(t testing.TB, plex map[string]string) (top, dir string) {
	t.Helper()
	top = t.TempDir()
	writeTree(t, top, map[string]string{
		"OUTSIDE/SECRET":        "HOME 10.9.9.9 " + canary + "\n",
		"outside/PROFILE.TCPIP": "HOME 10.9.9.9 " + canary + "\n",
		"outside/iked.conf":     "IkeConfig\n{\n  " + canary + " 1\n}\n",
		"outside/pagent.conf":   "TcpImage TCPIP FLUSH\n" + canary + " x\n",
		"outside/x.policy":      "IpLocalStartAction " + canary + "\n",
	})
	for name, text := range plex {
		writeTree(t, filepath.Join(top, "plex"), map[string]string{name: text})
	}
	return top, filepath.Join(top, "plex")
}

// rendered is everything a sysplex load can print: the model (text and
// JSON) and the diagnostics with their snippets.
func rendered(t testing.TB, sx *Sysplex, ds diag.Diagnostics) string {
	var b bytes.Buffer
	if err := sx.WriteText(&b); err != nil {
		t.Fatal(err)
	}
	if err := sx.WriteJSON(&b); err != nil {
		t.Fatal(err)
	}
	if err := diag.WriteText(&b, ds, sx.Sources); err != nil {
		t.Fatal(err)
	}
	for name, text := range sx.Sources {
		fmt.Fprintf(&b, "%s\n%s\n", name, text)
	}
	return b.String()
}

// TestConfinedToSysplexDirectory: every file reference that leads outside
// the sysplex directory — through INCLUDE, a symbolic link, the manifest's
// profile, pagent, policy, iked, root, paths or include values, or a pagent
// file statement — is an OUTSIDE diagnostic at the reference, and nothing
// of the file outside shows in any output.
func TestConfinedToSysplexDirectory(t *testing.T) {
	manifest := func(stack string) string {
		return "sysplex: PLEX1\nstacks:\n  - name: MVS1\n" + stack
	}
	const profile = "    profile: MVS1/PROFILE.TCPIP\n"
	for _, c := range []struct {
		name string
		plex map[string]string
		// want is the position and start of the OUTSIDE diagnostic.
		want string
	}{
		{"include relative", map[string]string{
			"sysplex.yaml":       manifest(profile),
			"MVS1/PROFILE.TCPIP": plainProfile + "INCLUDE ../../OUTSIDE/SECRET\n",
		}, "MVS1/PROFILE.TCPIP:4:1: error: INCLUDE ../../OUTSIDE/SECRET leads outside"},
		{"include through a symlink", map[string]string{
			"sysplex.yaml":       manifest(profile),
			"MVS1/PROFILE.TCPIP": plainProfile + "INCLUDE SECRET\n",
			"MVS1/SECRET":        "->../../OUTSIDE/SECRET",
		}, "MVS1/PROFILE.TCPIP:4:1: error: INCLUDE SECRET leads outside"},
		{"include through a symlinked directory", map[string]string{
			"sysplex.yaml":       "sysplex: PLEX1\ninclude: {USER.TCPPARMS: common}\nstacks:\n  - name: MVS1\n" + profile,
			"MVS1/PROFILE.TCPIP": plainProfile + "INCLUDE USER.TCPPARMS(SECRET)\n",
			"common":             "->../OUTSIDE",
		}, "MVS1/PROFILE.TCPIP:4:1: error: INCLUDE USER.TCPPARMS(SECRET) leads outside"},
		{"manifest include map", map[string]string{
			"sysplex.yaml":       "sysplex: PLEX1\ninclude: {USER.TCPPARMS: ../OUTSIDE}\nstacks:\n  - name: MVS1\n" + profile,
			"MVS1/PROFILE.TCPIP": plainProfile + "INCLUDE USER.TCPPARMS(SECRET)\n",
		}, "MVS1/PROFILE.TCPIP:4:1: error: INCLUDE USER.TCPPARMS(SECRET) leads outside"},
		{"manifest profile", map[string]string{
			"sysplex.yaml": manifest("    profile: ../outside/PROFILE.TCPIP\n"),
		}, "sysplex.yaml:4:14: error: profile file ../outside/PROFILE.TCPIP of stack MVS1 is outside the sysplex directory"},
		{"manifest profile through a symlink", map[string]string{
			"sysplex.yaml":       manifest(profile),
			"MVS1/PROFILE.TCPIP": "->../../outside/PROFILE.TCPIP",
		}, "sysplex.yaml:4:14: error: profile file MVS1/PROFILE.TCPIP of stack MVS1 is outside"},
		{"manifest iked", map[string]string{
			"sysplex.yaml":       manifest(profile + "    iked: ../outside/iked.conf\n"),
			"MVS1/PROFILE.TCPIP": plainProfile,
		}, "sysplex.yaml:5:11: error: iked file ../outside/iked.conf of stack MVS1 is outside"},
		{"manifest pagent", map[string]string{
			"sysplex.yaml":       manifest(profile + "    pagent: ../outside/pagent.conf\n"),
			"MVS1/PROFILE.TCPIP": plainProfile,
		}, "sysplex.yaml:5:13: error: pagent file ../outside/pagent.conf of stack MVS1 is outside"},
		{"manifest policy", map[string]string{
			"sysplex.yaml":       manifest(profile + "    policy: [ok.policy, ../outside/x.policy]\n"),
			"MVS1/PROFILE.TCPIP": plainProfile,
			"ok.policy":          "",
		}, "sysplex.yaml:5:25: error: policy file ../outside/x.policy of stack MVS1 is outside"},
		{"manifest root", map[string]string{
			"sysplex.yaml":       manifest(profile + "    root: ../outside\n    pagent: MVS1/pagent.conf\n"),
			"MVS1/PROFILE.TCPIP": plainProfile,
			"MVS1/pagent.conf":   "TcpImage TCPIP FLUSH\nIpSecConfig /x.policy\n",
		}, "sysplex.yaml:5:11: error: root directory ../outside of stack MVS1 is outside"},
		{"manifest paths", map[string]string{
			"sysplex.yaml":       manifest(profile + "    pagent: MVS1/pagent.conf\n    paths: {/etc/x.policy: ../outside/x.policy}\n"),
			"MVS1/PROFILE.TCPIP": plainProfile,
			"MVS1/pagent.conf":   "TcpImage TCPIP FLUSH\nIpSecConfig /etc/x.policy\n",
		}, "sysplex.yaml:6:28: error: paths file ../outside/x.policy of stack MVS1 is outside"},
		{"pagent IpSecConfig under root", map[string]string{
			"sysplex.yaml":        manifest(profile + "    pagent: MVS1/pagent.conf\n    root: MVS1/root\n"),
			"MVS1/PROFILE.TCPIP":  plainProfile,
			"MVS1/root/etc/.keep": "",
			"MVS1/pagent.conf":    "TcpImage TCPIP FLUSH\nIpSecConfig /../../../outside/x.policy\n",
		}, "MVS1/pagent.conf:2:13: error: IpSecConfig file /../../../outside/x.policy is outside"},
		{"pagent image file under root", map[string]string{
			"sysplex.yaml":        manifest(profile + "    pagent: MVS1/pagent.conf\n    root: MVS1/root\n"),
			"MVS1/PROFILE.TCPIP":  plainProfile,
			"MVS1/root/etc/.keep": "",
			"MVS1/pagent.conf":    "TcpImage TCPIP /../../../outside/pagent.conf FLUSH\n",
		}, "MVS1/pagent.conf:1:16: error: TcpImage file /../../../outside/pagent.conf is outside"},
		{"pagent CommonIpSecConfig through a symlink", map[string]string{
			"sysplex.yaml":       manifest(profile + "    pagent: MVS1/pagent.conf\n    root: MVS1/root\n"),
			"MVS1/PROFILE.TCPIP": plainProfile,
			"MVS1/root/x.policy": "->../../../outside/x.policy",
			"MVS1/root/y.policy": "",
			"MVS1/pagent.conf":   "TcpImage TCPIP FLUSH\nCommonIpSecConfig /x.policy\nIpSecConfig /y.policy\n",
		}, "MVS1/pagent.conf:2:19: error: CommonIpSecConfig file /x.policy is outside"},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, dir := outsideTree(t, c.plex)
			sx, ds := Load(dir, Options{})
			ds.Sort()
			var found []string
			for _, d := range ds {
				if d.Rule == RuleOutside {
					found = append(found, strings.TrimPrefix(diag.FormatText(diag.Diagnostics{d}, nil), filepath.ToSlash(dir)+"/"))
				}
			}
			if len(found) != 1 || !strings.HasPrefix(found[0], c.want) {
				t.Errorf("OUTSIDE diagnostics:\n%s\nwant one starting %q; all:\n%s", strings.Join(found, "\n"), c.want, diag.FormatText(ds, nil))
			}
			if out := rendered(t, sx, ds); strings.Contains(out, canary) {
				t.Errorf("the content of a file outside the sysplex shows:\n%s", out)
			}
		})
	}
}

// TestAllowOutside: a directory the user allows may hold files the
// sysplex reads, and they are read.
func TestAllowOutside(t *testing.T) {
	top, dir := outsideTree(t, map[string]string{
		"sysplex.yaml":       "sysplex: PLEX1\nstacks:\n  - name: MVS1\n    profile: MVS1/PROFILE.TCPIP\n",
		"MVS1/PROFILE.TCPIP": plainProfile + "INCLUDE ../../OUTSIDE/OK\n",
	})
	writeTree(t, top, map[string]string{"OUTSIDE/OK": "HOME 10.2.2.2 ETH2\n"})
	sx, ds := Load(dir, Options{Allow: []string{filepath.Join(top, "OUTSIDE")}})
	if len(ds) != 0 {
		t.Fatalf("diagnostics:\n%s", diag.FormatText(ds, nil))
	}
	if len(sx.Stacks) != 1 || !strings.Contains(rendered(t, sx, ds), "10.2.2.2") {
		t.Errorf("the allowed member was not read")
	}
}

// TestLooseFilesConfined: lint PROFILE… confines each profile to its own
// directory.
func TestLooseFilesConfined(t *testing.T) {
	_, dir := outsideTree(t, map[string]string{
		"MVS1/PROFILE.TCPIP": plainProfile + "INCLUDE ../../OUTSIDE/SECRET\n",
	})
	sx, ds := LoadFiles([]string{filepath.Join(dir, "MVS1/PROFILE.TCPIP")}, Options{})
	if len(ds) != 1 || ds[0].Rule != RuleOutside || ds[0].Range.Start.Line != 4 {
		t.Fatalf("diagnostics:\n%s", diag.FormatText(ds, nil))
	}
	if out := rendered(t, sx, ds); strings.Contains(out, canary) {
		t.Errorf("the content of a file outside shows:\n%s", out)
	}
}

// TestReadErrors: a file that exists but cannot be read is a READ
// diagnostic with the operating system's reason, not "does not exist";
// a missing one still says it does not exist.
func TestReadErrors(t *testing.T) {
	for _, c := range []struct {
		name  string
		files map[string]string
		rule  string
		want  string
	}{
		{"profile is a directory", map[string]string{"MVS1/PROFILE.TCPIP/.keep": ""}, RuleRead, "is a directory"},
		{"stack directory is a file", map[string]string{"MVS1": "not a directory\n"}, RuleRead, "not a directory"},
		{"symbolic link loop", map[string]string{"MVS1/PROFILE.TCPIP": "->PROFILE.TCPIP"}, RuleRead, "too many"},
		{"missing", map[string]string{"MVS1/.keep": ""}, RuleManifest, "profile file MVS1/PROFILE.TCPIP of stack MVS1 does not exist"},
	} {
		t.Run(c.name, func(t *testing.T) {
			dir := t.TempDir()
			c.files["sysplex.yaml"] = "sysplex: PLEX1\nstacks:\n  - name: MVS1\n    profile: MVS1/PROFILE.TCPIP\n"
			writeTree(t, dir, c.files)
			_, ds := Load(dir, Options{})
			if len(ds) != 1 || ds[0].Rule != c.rule || !strings.Contains(ds[0].Summary, c.want) || ds[0].Range.Start.Line != 4 {
				t.Fatalf("want one %s diagnostic at line 4 containing %q, got:\n%s", c.rule, c.want, diag.FormatText(ds, nil))
			}
		})
	}
}

// TestReadPermissionDenied: an unreadable stack directory reports the
// permission problem. Root reads everything, so as root it cannot be set up.
func TestReadPermissionDenied(t *testing.T) {
	if os.Geteuid() == 0 {
		t.Skip("running as root: permissions do not stop root from reading; TestReadErrors covers the other I/O errors")
	}
	dir := t.TempDir()
	writeTree(t, dir, map[string]string{
		"sysplex.yaml":       "sysplex: PLEX1\nstacks:\n  - name: MVS1\n    profile: MVS1/PROFILE.TCPIP\n",
		"MVS1/PROFILE.TCPIP": plainProfile,
	})
	if err := os.Chmod(filepath.Join(dir, "MVS1"), 0); err != nil {
		t.Fatal(err)
	}
	defer os.Chmod(filepath.Join(dir, "MVS1"), 0o755)
	_, ds := Load(dir, Options{})
	if len(ds) != 1 || ds[0].Rule != RuleRead || !strings.Contains(ds[0].Summary, "permission denied") {
		t.Fatalf("diagnostics:\n%s", diag.FormatText(ds, nil))
	}
}

// TestReadFileRaceWithSymlinkSwap: a file checked inside the root and
// replaced, before it is read, by a symbolic link leading outside is not
// read through the link (the read goes through an os.Root of the
// directory). Checking the path and then opening it by name had read the
// outside file.
func TestReadFileRaceWithSymlinkSwap(t *testing.T) {
	base := t.TempDir()
	plex, outside := filepath.Join(base, "plex"), filepath.Join(base, "outside")
	for _, d := range []string{plex, outside} {
		if err := os.Mkdir(d, 0o700); err != nil {
			t.Fatal(err)
		}
	}
	secret := filepath.Join(outside, "SECRET")
	if err := os.WriteFile(secret, []byte("outside the sysplex"), 0o600); err != nil {
		t.Fatal(err)
	}
	prof := filepath.Join(plex, "PROFILE.TCPIP")
	if err := os.WriteFile(prof, []byte("HOME 10.1.1.1 ETH1\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	r := NewRoot(plex, nil)
	r.betweenCheckAndRead = func() {
		if err := os.Remove(prof); err != nil {
			t.Fatal(err)
		}
		if err := os.Symlink(secret, prof); err != nil {
			t.Fatal(err)
		}
	}
	data, err := r.ReadFile(prof)
	if strings.Contains(string(data), "outside") {
		t.Fatalf("read the file outside through a link swapped in after the check: %q", data)
	}
	var out *OutsideError
	if !errors.As(err, &out) {
		t.Errorf("error %v, want the path reported outside", err)
	}
}

// TestReadFileAllowedOutsideAsAFile: --allow-outside may name a single
// file; it is read (an os.Root of the allowed "directory" had failed on
// it: not a directory).
func TestReadFileAllowedOutsideAsAFile(t *testing.T) {
	base := t.TempDir()
	shared := filepath.Join(base, "SHARED.MEMBER")
	if err := os.WriteFile(shared, []byte("PORT 21 TCP FTPD1\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	r := NewRoot(filepath.Join(base, "plex"), []string{shared})
	data, err := r.ReadFile(shared)
	if err != nil || string(data) != "PORT 21 TCP FTPD1\n" {
		t.Fatalf("read %q, %v", data, err)
	}
}
