package policy

import (
	"bytes"
	"strings"
	"testing"
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
// value, written the way attr and sep choose, after lead on its line and
// joined to its value by join. By construction the key is the value of
// the attribute: at most one format word comes before it, so the value
// has no key until fuzzKey and every line end before it either follows a
// backslash or leaves the value incomplete.
//
// lead is any text without a line end or '#' (a comment would swallow the
// attribute). A schema secret name counts anywhere, joined to lead or not;
// the other attributes (misspellings, passwords) count where a segment
// starts, so a '{' separates them from lead. join is any bytes but a line
// end (pieces add those): a blank, or bytes that join the attribute and
// its value into one word (no-break space, '=', ':', a brace…; joinBytes).
func secretLine(lead []byte, attr byte, join, sep []byte) string {
	var b strings.Builder
	name := secretAttrs[int(attr)%len(secretAttrs)]
	lead = bytes.Map(func(r rune) rune {
		if r == '\n' || r == '#' {
			return -1
		}
		return r
	}, lead)
	b.Write(lead)
	if len(lead) > 0 && !isSecretName(name) {
		b.WriteString(" { ")
	}
	b.WriteString(name)
	if j := joinBytes(join); len(j) > 0 {
		b.Write(j)
	} else {
		b.WriteByte(' ')
	}
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

// joinBytes is join without line ends, at most four bytes, ending at its
// first blank, and with no letter or digit after its first byte: a letter
// first makes the name run on (SharedKeys), but joined after another byte,
// or any text after a blank, would be a word of the value, the key, before
// fuzzKey.
func joinBytes(join []byte) []byte {
	var out []byte
	for i, c := range join {
		if len(out) == 4 || (i > 0 && isAlnum(c)) {
			break
		}
		if c != '\n' {
			out = append(out, c)
		}
		if isBlank(c) {
			break
		}
	}
	return out
}

// FuzzRedaction puts a known key into a fuzzed policy file as the value
// of a secret attribute, anywhere on its line, joined to it by any bytes,
// written and continued in any way the grammar allows, and checks that no
// rendering of the file shows it (renderAll): the syntax tree as text and
// JSON, diagnostics as text (with snippets) and JSON, the file's snippet
// sources, Entry and Value formatting, and the file read by another
// language's parser (MaskSecrets). Seeds: testdata/fuzz/FuzzRedaction.
func FuzzRedaction(f *testing.F) {
	f.Add([]byte("KeyExchangeRule r\n{\n"), []byte(""), byte(0), []byte(" "), []byte{2}, []byte("}\n"))
	f.Add([]byte("KeyExchangeRule r\n{\n  "), []byte(""), byte(0), []byte(""), []byte{6, 2}, []byte("  KeyExchangeActionRef a\n}\n"))
	f.Add([]byte("IpManVpnAction m\n{\n"), []byte(""), byte(2), []byte("\t"), []byte{3, 5, 5}, []byte("}\n"))
	f.Add([]byte(""), []byte(""), byte(4), []byte(" "), []byte{8, 2, 1}, []byte("{\n}\n"))
	f.Add([]byte("ReadFromDirectory\n{\n"), []byte(""), byte(5), []byte(" "), []byte{0}, []byte("  # why\n}\n"))
	f.Add([]byte("KeyExchangeRule r\n{\n  SharedKey\n"), []byte(""), byte(1), []byte(" "), []byte{9, 7, 2}, []byte("  }\n{\n"))
	f.Add([]byte(""), []byte("KeyExchangeRule r1 { "), byte(0), []byte(" "), []byte{2}, []byte(""))
	f.Add([]byte("KeyExchangeRule r1\n{\n"), []byte("  "), byte(0), []byte("\u00a0"), []byte{}, []byte("}\n"))
	f.Add([]byte(""), []byte("KeyExchangeRule r1 "), byte(1), []byte("="), []byte{2}, []byte(""))
	f.Fuzz(func(t *testing.T, prefix, lead []byte, attr byte, join, sep, suffix []byte) {
		for _, s := range [][]byte{prefix, lead, join, suffix} {
			if bytes.Contains(s, []byte(fuzzKey[:10])) {
				return // the key outside its secret position may show
			}
		}
		text := string(prefix) + "\n" + secretLine(lead, attr, join, sep) + string(suffix)
		file, ds := Parse("FUZZ", []byte(text), Options{})
		out := renderAll(t, "", file, ds)
		// Another language's parser masks the schema's secret attributes
		// (only those: see MaskSecrets).
		if name := secretAttrs[int(attr)%len(secretAttrs)]; isSecretName(name) || name == "ShardKey" {
			out += string(MaskSecrets([]byte(strings.ReplaceAll(text, "ShardKey", "SharedKey"))))
		}
		if i := strings.Index(out, fuzzKey[:10]); i >= 0 {
			t.Fatalf("the key shows in the output of\n%q\nat\n%s", text, out[max(0, i-200):min(len(out), i+100)])
		}
	})
}
