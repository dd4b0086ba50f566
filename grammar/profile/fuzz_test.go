package profile

import (
	"testing"
	"time"
)

// FuzzParse checks that no input makes the parser panic or hang, and that
// every diagnostic points inside the file. Seeds: testdata/fuzz/FuzzParse.
func FuzzParse(f *testing.F) {
	f.Add([]byte("VIPADYNAMIC\n VIPADEFINE MOVEABLE IMMEDIATE 255.255.255.0 10.1.1.1\nENDVIPADYNAMIC\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		done := make(chan struct{})
		go func() {
			defer close(done)
			prof, ds := Parse("FUZZ", data, Options{ReadFile: func(string) ([]byte, error) { return []byte("HOME 1.1.1.1 L\n"), nil },
				Symbols: map[string]string{"SYSNAME": "MVS1", "SYSCLONE": "S1"}})
			for _, d := range ds {
				f := prof.Files[d.Range.File]
				if f != nil && d.Range.End.Offset > len(f.Text) {
					t.Errorf("diagnostic %q ends at %d beyond the file (%d bytes)", d.Summary, d.Range.End.Offset, len(f.Text))
				}
			}
		}()
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			t.Fatalf("parse of %d bytes did not finish in 10s", len(data))
		}
	})
}
