package profile

import (
	"testing"
	"time"
)

// FuzzParse checks that no input makes the parser panic or hang, that
// every diagnostic points inside the file, and that streaming the tree
// (StreamFile) writes what parsing it whole does. Seeds:
// testdata/fuzz/FuzzParse.
func FuzzParse(f *testing.F) {
	f.Add([]byte("VIPADYNAMIC\n VIPADEFINE MOVEABLE IMMEDIATE 255.255.255.0 10.1.1.1\nENDVIPADYNAMIC\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		done := make(chan struct{})
		go func() {
			defer close(done)
			opts := Options{ReadFile: func(string) ([]byte, error) { return []byte("HOME 1.1.1.1 L ; member\n"), nil },
				Symbols: map[string]string{"SYSNAME": "MVS1", "SYSCLONE": "S1"}}
			prof, ds := Parse("FUZZ", data, opts)
			for _, d := range ds {
				f := prof.Files[d.Range.File]
				if f != nil && d.Range.End.Offset > len(f.Text) {
					t.Errorf("diagnostic %q ends at %d beyond the file (%d bytes)", d.Summary, d.Range.End.Offset, len(f.Text))
				}
			}
			streamAgrees(t, "FUZZ", map[string][]byte{"FUZZ": data})
		}()
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			t.Fatalf("parse of %d bytes did not finish in 10s", len(data))
		}
	})
}
