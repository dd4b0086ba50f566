package model

import (
	"os"
	"path/filepath"
	"testing"
)

// FuzzReadManifest: no sysplex.yaml makes the manifest reader panic, and
// every diagnostic about the manifest points inside it. Seeds:
// testdata/fuzz/FuzzReadManifest.
func FuzzReadManifest(f *testing.F) {
	f.Add([]byte("sysplex: PLEX1\nstacks:\n  - {name: MVS1, profile: MVS1/PROFILE.TCPIP}\n"))
	dir := f.TempDir()
	path := filepath.Join(dir, "sysplex.yaml")
	f.Fuzz(func(t *testing.T, data []byte) {
		if err := os.WriteFile(path, data, 0o644); err != nil {
			t.Fatal(err)
		}
		_, file, ds := ReadManifest(path)
		if file == nil {
			t.Fatal("no source file for a readable manifest")
		}
		for _, d := range ds {
			r := d.Range
			if r.File != file.Name {
				continue // a referenced file that is missing
			}
			if r.Start.Offset < 0 || r.End.Offset > len(file.Text) || r.Start.Offset > r.End.Offset {
				t.Errorf("diagnostic %q range %d-%d outside the manifest (%d bytes)", d.Summary, r.Start.Offset, r.End.Offset, len(file.Text))
			}
		}
	})
}
