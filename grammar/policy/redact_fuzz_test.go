package policy

import (
	"bytes"
	"fmt"
	"strings"
	"testing"

	"github.com/tcpipc/tcpipc/diag"
)

// fuzzKey is the key every FuzzRedaction input carries in a secret
// position; no output may contain it, or its first ten characters.
const fuzzKey = "Zq7K3ySECRET0001"

// secretPieces are what may stand between a secret-bearing attribute and
// its key, each a way the value can legitimately be written or continued:
// blanks, the format word, a continuation backslash, line ends and comment
// lines while the value has no key yet.
var secretPieces = []string{" ", "\t", " Ascii ", " Hex ", " Ebcdic ", " \\\n", "\n", "\r\n", "\n\n  ", "  \\\r\n", "\n  # note\n"}

// secretAttrs are the attributes the key is given to.
var secretAttrs = []string{"SharedKey", "sharedkey", "InboundAuthKey", "OutboundEncryptKey", "ShardKey", "LDAP_AuthPassword"}

// secretLine builds the text of a secret attribute with fuzzKey as its
// value, written the way attr and sep choose. By construction the key is
// the value of the attribute: at most one format word comes before it, so
// the value has no key until fuzzKey and every line end before it either
// follows a backslash or leaves the value incomplete.
func secretLine(attr byte, sep []byte) string {
	var b strings.Builder
	b.WriteString(secretAttrs[int(attr)%len(secretAttrs)])
	b.WriteByte(' ')
	format := false
	for _, c := range sep {
		p := secretPieces[int(c)%len(secretPieces)]
		if isFormat := strings.TrimSpace(p) != "" && !strings.ContainsAny(p, "\\#"); isFormat {
			if format {
				continue // a second word would be the key
			}
			format = true
		}
		b.WriteString(p)
	}
	b.WriteString(" " + fuzzKey + "\n")
	return b.String()
}

// FuzzRedaction puts a known key into a fuzzed policy file as the value
// of a secret attribute, written and continued in any way the grammar
// allows, and checks that no rendering of the file shows it: the syntax
// tree as text and JSON, diagnostics as text (with snippets) and JSON, the
// file's snippet sources, Entry and Value formatting, and the file read by
// another language's parser (MaskSecrets). Seeds: testdata/fuzz/FuzzRedaction.
func FuzzRedaction(f *testing.F) {
	f.Add([]byte("KeyExchangeRule r\n{\n"), byte(0), []byte{2}, []byte("}\n"))
	f.Add([]byte("KeyExchangeRule r\n{\n  "), byte(0), []byte{6, 2}, []byte("  KeyExchangeActionRef a\n}\n"))
	f.Add([]byte("IpManVpnAction m\n{\n"), byte(2), []byte{3, 5, 5}, []byte("}\n"))
	f.Add([]byte(""), byte(4), []byte{8, 2, 1}, []byte("{\n}\n"))
	f.Add([]byte("ReadFromDirectory\n{\n"), byte(5), []byte{0}, []byte("  # why\n}\n"))
	f.Add([]byte("KeyExchangeRule r\n{\n  SharedKey\n"), byte(1), []byte{9, 7, 2}, []byte("  }\n{\n"))
	f.Fuzz(func(t *testing.T, prefix []byte, attr byte, sep, suffix []byte) {
		if bytes.Contains(prefix, []byte(fuzzKey[:10])) || bytes.Contains(suffix, []byte(fuzzKey[:10])) {
			return // the key outside its secret position may show
		}
		text := string(prefix) + "\n" + secretLine(attr, sep) + string(suffix)
		file, ds := Parse("FUZZ", []byte(text), Options{})
		var out bytes.Buffer
		if err := file.WriteTree(&out); err != nil {
			t.Fatal(err)
		}
		if err := file.WriteJSON(&out); err != nil {
			t.Fatal(err)
		}
		if err := diag.WriteText(&out, ds, file.Sources()); err != nil {
			t.Fatal(err)
		}
		if err := diag.WriteJSON(&out, ds); err != nil {
			t.Fatal(err)
		}
		for _, src := range file.Sources() {
			out.Write(src)
		}
		file.Walk(func(e, _ *Entry) {
			fmt.Fprintln(&out, e.Keyword, e.Name(), e.Texts())
			for _, v := range e.Values {
				fmt.Fprintf(&out, "%v %+v %#v %s\n", v, v, v, v)
			}
		})
		// Another language's parser masks the schema's secret attributes
		// (only those: see MaskSecrets).
		if name := secretAttrs[int(attr)%len(secretAttrs)]; isSecretName(name) || name == "ShardKey" {
			out.Write(MaskSecrets([]byte(strings.ReplaceAll(text, "ShardKey", "SharedKey"))))
		}
		if i := strings.Index(out.String(), fuzzKey[:10]); i >= 0 {
			t.Fatalf("the key shows in the output of\n%q\nat\n%s", text, out.String()[max(0, i-200):min(out.Len(), i+100)])
		}
	})
}
