package policy

import (
	"testing"
	"time"

	"github.com/tcpipc/tcpipc/diag"
)

// FuzzParse checks that no input makes the parser panic or hang, that
// every range lies inside the file, and that rendering works. Seeds:
// testdata/fuzz/FuzzParse.
func FuzzParse(f *testing.F) {
	f.Add([]byte("IpFilterPolicy\n{\n  IpFilterRule r\n  {\n    IpService\n    {\n      Protocol tcp\n    }\n  }\n}\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		done := make(chan struct{})
		go func() {
			defer close(done)
			file, ds := Parse("FUZZ", data, Options{})
			n := len(file.Source.Text)
			inside := func(what string, r diag.Range) {
				if r.IsZero() {
					return
				}
				if r.Start.Offset < 0 || r.End.Offset > n || r.Start.Offset > r.End.Offset {
					t.Errorf("%s range %d-%d outside the file (%d bytes)", what, r.Start.Offset, r.End.Offset, n)
				}
			}
			for _, d := range ds {
				inside("diagnostic "+d.Summary, d.Range)
			}
			file.Walk(func(e, _ *Entry) {
				inside(e.Keyword, e.Range)
				inside(e.Keyword+" keyword", e.KeywordRange)
				if e.Range.Start.Offset != e.KeywordRange.Start.Offset {
					t.Errorf("%s: range does not start at the keyword", e.Keyword)
				}
				for _, v := range e.Values {
					inside(e.Keyword+" value", v.Range)
				}
				if e.Block != nil {
					inside(e.Keyword+" {", e.Block.Open)
					inside(e.Keyword+" }", e.Block.Close)
				}
			})
			var sink discard
			if err := file.WriteTree(&sink); err != nil {
				t.Error(err)
			}
			_ = file.JSON()
			_ = diag.FormatText(ds, file.Sources())
		}()
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			t.Fatalf("parse of %d bytes did not finish in 10s", len(data))
		}
	})
}

type discard struct{}

func (discard) Write(p []byte) (int, error) { return len(p), nil }
