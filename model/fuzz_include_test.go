package model

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// FuzzIncludeConfined: whatever a profile INCLUDEs, tcpipc reads no file
// outside the sysplex directory — directly, through ../, through symbolic
// links to a file or a directory outside — and nothing of such a file
// shows in the model, the diagnostics or their snippets; and the work is
// bounded: members that include each other four times over, eight levels
// deep, stop at the INCLUDE limits. Seeds: testdata/fuzz/FuzzIncludeConfined.
func FuzzIncludeConfined(f *testing.F) {
	for _, seed := range []string{
		"INCLUDE ../../SECRET\n",
		"HOME 10.1.1.1 ETH1\nINCLUDE LINK\n",
		"INCLUDE LINKDIR/SECRET\n",
		"INCLUDE A\nINCLUDE A\n",
		"INCLUDE ../MVS1/../../OUTSIDE/SECRET\n",
		"INCLUDE 'USER.TCPPARMS(SECRET)'\n",
		"INCLUDE ../../../../../../../../../../PROC/SELF/ENVIRON\n",
	} {
		f.Add([]byte(seed))
	}
	top := f.TempDir()
	plex := filepath.Join(top, "plex")
	files := map[string]string{
		"SECRET":         "HOME 10.9.9.9 " + canary + "\n",
		"secret":         "HOME 10.9.9.9 " + canary + "\n",
		"OUTSIDE/SECRET": "HOME 10.9.9.9 " + canary + "\n",
		"plex/sysplex.yaml": "sysplex: PLEX1\ninclude: {USER.TCPPARMS: ..}\nstacks:\n" +
			"  - name: MVS1\n    profile: MVS1/PROFILE.TCPIP\n",
		"plex/MVS1/LINK":    "->../../SECRET",
		"plex/MVS1/LINKDIR": "->../../OUTSIDE",
	}
	// A includes B four times, B includes C four times, ... H: 4^7
	// inclusions of H without a limit.
	for i := 'A'; i <= 'H'; i++ {
		text := fmt.Sprintf("HOME 10.1.1.%d ETH1\n", i)
		if i < 'H' {
			text += strings.Repeat(fmt.Sprintf("INCLUDE %c\n", i+1), 4)
		}
		files["plex/MVS1/"+string(i)] = text
	}
	writeTree(f, top, files)
	profilePath := filepath.Join(plex, "MVS1", "PROFILE.TCPIP")
	opts := Options{MaxIncludes: 200, MaxIncludeBytes: 16 << 10}
	realPlex, err := filepath.EvalSymlinks(plex)
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		if err := os.WriteFile(profilePath, data, 0o644); err != nil {
			t.Fatal(err)
		}
		done := make(chan struct{})
		var out string
		var sources []string
		var statements int
		go func() {
			defer close(done)
			sx, ds := Load(plex, opts)
			out = rendered(t, sx, ds)
			for name := range sx.Sources {
				sources = append(sources, name)
			}
			for _, s := range sx.Stacks {
				if s.Profile != nil {
					statements += len(s.Profile.Statements)
				}
			}
		}()
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			t.Fatalf("load did not end within 10s")
		}
		if strings.Contains(out, canary) || bytes.Contains([]byte(out), []byte("CANARY-OUTSIDE")) {
			t.Fatalf("a file outside the sysplex shows in the output")
		}
		for _, name := range sources {
			real, err := filepath.EvalSymlinks(name)
			if err != nil {
				real = name
			}
			if !within(real, realPlex) {
				t.Errorf("read %s, outside %s", name, realPlex)
			}
		}
		// Every statement is at least one byte of the profile, or one of
		// the at most five of each member the limit lets it include.
		if max := len(data) + 5*opts.MaxIncludes; statements > max {
			t.Errorf("%d statements from %d bytes of profile and at most %d INCLUDEs", statements, len(data), opts.MaxIncludes)
		}
	})
}
