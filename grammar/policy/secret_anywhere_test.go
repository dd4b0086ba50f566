package policy

import (
	"bytes"
	"fmt"
	"strings"
	"testing"

	"github.com/tcpipc/tcpipc/diag"
)

// renderAll is every way the package shows a parsed file: the tree as
// text and JSON, diagnostics as text with snippets and as JSON, the
// snippet sources, every entry's keyword, name, texts and values
// (formatted every way and as raw Text), and the file masked for
// another language's parser.
func renderAll(t testing.TB, text string, f *File, ds diag.Diagnostics) string {
	t.Helper()
	var out bytes.Buffer
	writeTreeAndDiagnostics(t, &out, f, ds)
	for _, src := range f.Sources() {
		out.Write(src)
	}
	f.Walk(func(e, _ *Entry) {
		fmt.Fprintln(&out, e.Keyword, e.Name(), e.Texts())
		for _, v := range e.Values {
			fmt.Fprintf(&out, "%v %+v %#v %s %v\n", v, v, v, v, *v)
			if !e.Secret {
				out.WriteString(v.Text + "\n") // only a secret entry's Text is the model's to read
			}
		}
	})
	out.Write(MaskSecrets([]byte(text)))
	return out.String()
}

// writeTreeAndDiagnostics writes the parsed tree as text and JSON and the
// diagnostics as text with snippets and as JSON.
func writeTreeAndDiagnostics(t testing.TB, out *bytes.Buffer, f *File, ds diag.Diagnostics) {
	t.Helper()
	if err := f.WriteTree(out); err != nil {
		t.Fatal(err)
	}
	if err := f.WriteJSON(out); err != nil {
		t.Fatal(err)
	}
	if err := diag.WriteText(out, ds, f.Sources()); err != nil {
		t.Fatal(err)
	}
	if err := diag.WriteJSON(out, ds); err != nil {
		t.Fatal(err)
	}
}

// TestSecretAnywhereNeverShown writes a secret attribute where the lexer
// used to miss it: later on a line (after a statement and its name, with
// no braces), and joined to its value by a byte that is not a blank
// (no-break space, '=', ':'), which makes one word of the attribute and
// its key. No rendering may show the key.
func TestSecretAnywhereNeverShown(t *testing.T) {
	const key = "Zq7SECRETany"
	for name, in := range map[string]string{
		"later on the line":        "KeyExchangeRule r1 SharedKey Ascii " + key + "\n",
		"later, key on next line":  "KeyExchangeRule r1 SharedKey Ascii\n" + key + "\n",
		"later, after a ref":       "KeyExchangeRule r\n{\n  KeyExchangeActionRef a SharedKey Hex " + key + "\n}\n",
		"manual key later":         "IpManVpnAction m InboundAuthKey Hex " + key + "\n",
		"after a brace":            "KeyExchangeRule r1 { SharedKey Ascii " + key + " }\n",
		"no-break space":           "KeyExchangeRule r1\n{\n  SharedKey\u00a0Ascii\u00a0" + key + "\n}\n",
		"colon":                    "KeyExchangeRule r1\n{\n  SharedKey:Ascii:" + key + "\n}\n",
		"equals, any case":         "KeyExchangeRule r1\n{\n  sHAREDkEY=" + key + "\n}\n",
		"joined format, blank key": "KeyExchangeRule r1\n{\n  SharedKey=Ascii " + key + "\n}\n",
		"joined, at the top":       "SharedKey:Hex:" + key + "\n",
		"joined before the name":   "KeyExchangeRule r1\n{\n  x\u00a0SharedKey Ascii " + key + "\n}\n",
		"joined later on the line": "KeyExchangeRule r1 SharedKey=Ascii=" + key + "\n",
		"joined, later, as name":   "KeyExchangeRule SharedKey:" + key + "\n{\n}\n",
		"joined to a brace":        "KeyExchangeRule r1\n{SharedKey\u00a0Ascii\u00a0" + key + "}\n",
		// Unicode folds the long s to S; Policy Agent's keywords are
		// ASCII, and so is the masking.
		"long s":       "KeyExchangeRule r1\n{\n  \u017fharedKey Ascii " + key + "\n}\n",
		"long s later": "KeyExchangeRule r1 \u017fharedKey Ascii " + key + "\n",
		// A format word Unicode folds to Ascii or Ebcdic: the key on the
		// next line is still the value's.
		"folded format, key below": "KeyExchangeRule r1\n{\n  SharedKey A\u017fcii\n  " + key + "\n}\n",
		"dotless i format":         "KeyExchangeRule r1\n{\n  SharedKey Ebcd\u0131c\n  " + key + "\n}\n",
		"manual key, folded":       "IpManVpnAction m\n{\n  InboundAuthKey Hex\n  " + key + "\n}\n",
	} {
		t.Run(name, func(t *testing.T) {
			f, ds := Parse("k.policy", []byte(in), Options{Kind: IPSecPolicy})
			if out := renderAll(t, in, f, ds); strings.Contains(out, key[:8]) {
				t.Errorf("the key shows in the output of %q:\n%s", in, out)
			}
		})
	}
}
