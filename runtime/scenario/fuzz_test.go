package scenario

import (
	"testing"

	"github.com/tcpipc/tcpipc/diag"
)

// FuzzParse: no scenario text makes the parser panic, and every
// diagnostic points inside the file. Seeds: testdata/fuzz/FuzzParse.
func FuzzParse(f *testing.F) {
	f.Add([]byte("name: x\nsysplex: ../p\napplications:\n  - {name: A, stacks: [S1], bind: 10.1.1.1:80, behaviour: echo}\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		_, file, ds := Parse("FUZZ", data)
		if file == nil {
			t.Fatal("no source file")
		}
		n := len(file.Text)
		for _, d := range ds {
			r := d.Range
			if r.IsZero() {
				continue
			}
			if r.Start.Offset < 0 || r.End.Offset > n || r.Start.Offset > r.End.Offset {
				t.Errorf("diagnostic %q range %d-%d outside the file (%d bytes)", d.Summary, r.Start.Offset, r.End.Offset, n)
			}
			_ = diag.FormatText(diag.Diagnostics{d}, diag.Sources{file.Name: file.Text})
		}
	})
}
