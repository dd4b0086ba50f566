package scenarioyaml

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/tcpipc/tcpipc/diag"
)

// FuzzParse: no scenario text makes the parser or the check against the
// figure 9 plan panic, and every diagnostic points inside the file.
// Seeds: testdata/fuzz/FuzzParse and the scenarios of testdata/check.
func FuzzParse(f *testing.F) {
	f.Add([]byte("name: x\nsysplex: ../p\napplications:\n  - {name: A, stacks: [S1], bind: 10.1.1.1:80, behaviour: echo}\n"))
	files, _ := filepath.Glob("testdata/check/*.yaml")
	for _, file := range files {
		text, err := os.ReadFile(file)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(text)
	}
	plan := figure9Plan(f)
	f.Fuzz(func(t *testing.T, data []byte) {
		sc, file, ds := Parse("FUZZ", data)
		if file == nil {
			t.Fatal("no source file")
		}
		ds = append(ds, sc.CheckPlan(plan)...)
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
