package profile

import (
	"testing"

	"github.com/tcpipc/tcpipc/grammar/source"
)

// FuzzLex checks the lexer's fast paths against their plain forms: every
// word gets the type and value classify gives its text as written, and
// maxTokens bounds the number of tokens and counts the comments (the
// slices are sized by them).
// Seeds: testdata/fuzz/FuzzLex.
func FuzzLex(f *testing.F) {
	f.Add([]byte("vipadyn\n viparange define 255.255.255.0 10.1.1.1 ; c\"o\nENDVIPADYNAMIC\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		lx := Lex(source.New("FUZZ", data, source.UTF8))
		bound, comments := maxTokens(data)
		if n := len(lx.Tokens); n > bound+1 {
			t.Errorf("%d tokens, more than maxTokens' bound %d", n, bound+1)
		}
		if n := len(lx.Comments); n != comments {
			t.Errorf("%d comments, maxTokens counted %d", n, comments)
		}
		for _, tok := range lx.Tokens {
			if tok.EOF() || tok.Type == String {
				continue
			}
			raw := RawText(data, tok.Pos.Offset)
			typ, val := classify(raw)
			if typ != tok.Type || val != tok.Value {
				t.Errorf("%q at %d lexed as %s %q, classify says %s %q",
					raw, tok.Pos.Offset, TokenTypeName(tok.Type), tok.Value, TokenTypeName(typ), val)
			}
		}
	})
}
