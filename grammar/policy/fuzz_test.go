package policy

import (
	"bytes"
	"testing"
	"time"

	"github.com/tcpipc/tcpipc/diag"
)

// FuzzParse checks that no input makes the parser panic or hang, that
// every range lies inside the file, that rendering works, and that
// whatever follows a secret attribute name is hidden (secretsHidden).
// Seeds: testdata/fuzz/FuzzParse.
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
			secretsHidden(t, file)
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

// secretsHidden checks, for any input, that a schema secret name hides
// what follows it wherever it is written: on a line without '#' (a
// comment may mention SharedKey), every byte after such a name is blank
// or masked in the snippet sources, and no keyword or value shows a word
// with text joined after the name.
func secretsHidden(t *testing.T, file *File) {
	masked := file.Sources()[file.Name]
	for off, text := 0, file.Source.Text; off < len(text); {
		end := bytes.IndexByte(text[off:], '\n')
		if end < 0 {
			end = len(text) - off
		}
		line := text[off : off+end]
		if n := secretNameEnd(line); n >= 0 && bytes.IndexByte(line, '#') < 0 {
			for i := off + n; i < off+end; i++ {
				if c := masked[i]; c != '*' && !isBlank(c) {
					t.Fatalf("line %q: byte %d after a secret name is shown in %q", line, i-off, masked[off:off+end])
				}
			}
		}
		off += end + 1
	}
	file.Walk(func(e, _ *Entry) {
		if v, ok := JoinedSecret(e.Keyword); ok && e.Keyword != v+Redacted {
			t.Fatalf("keyword %q carries a joined secret", e.Keyword)
		}
		for _, v := range e.Values {
			_, inText := JoinedSecret(v.Text)
			if _, ok := JoinedSecret(v.String()); ok || (inText && !e.Secret) {
				t.Fatalf("value %q of %s carries a joined secret", v.Text, e.Keyword)
			}
		}
	})
}
