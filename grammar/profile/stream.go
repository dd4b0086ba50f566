package profile

import (
	"reflect"
	"unsafe"

	"github.com/alecthomas/participle/v2/lexer"

	"github.com/tcpipc/tcpipc/grammar/source"
)

// stream is the token stream of a parse: the compact tokens of every file
// in the order the stack reads them (INCLUDEs spliced in), and what their
// positions and values refer to. The syntax tree's nodes made by the
// hand-written parsers refer to it by index (Node.first, Node.end), so a
// Profile keeps it.
type stream struct {
	toks []tok // ending with an EOF token
	// fileList and texts are indexed by tok.file: the file, and the text its
	// values are substrings of (as lexed: a credential hidden later in
	// the file's text is not in it, and its token's value is replaced).
	fileList []*source.File
	texts    []string
	// bases holds the values that are no substring of a text (tok.val
	// of a based tok).
	bases []string
}

// typeAt is the type of token i.
func (s *stream) typeAt(i int) lexer.TokenType { return lexer.TokenType(s.toks[i].typ) }

// eofAt reports whether token i is the end of the stream.
func (s *stream) eofAt(i int) bool { return s.toks[i].typ == int8(EOF) }

// valueAt is the value of token i: its text folded to upper case and a
// keyword in full form (see Lex).
func (s *stream) valueAt(i int) string { return s.value(&s.toks[i]) }

func (s *stream) value(t *tok) string {
	if t.based() {
		return s.bases[t.val]
	}
	start := int(t.off) + int(t.skip)
	return s.texts[t.file][start : start+int(t.val)]
}

// valueLen is the length of a token's value.
func (s *stream) valueLen(t *tok) int {
	if t.based() {
		return len(s.bases[t.val])
	}
	return int(t.val)
}

// col is a token's column: its offset from the start of its line, plus
// one (a byte column, as the lexer counts them).
func (s *stream) col(t *tok) int {
	return int(t.off) - s.fileList[t.file].Offset(int(t.line), 1) + 1
}

// fileOf is the file of token i.
func (s *stream) fileOf(i int) *source.File { return s.fileList[s.toks[i].file] }

// offsetAt is the offset of token i in its file.
func (s *stream) offsetAt(i int) int { return int(s.toks[i].off) }

// tokenAt makes token i into participle's form.
func (s *stream) tokenAt(i int) lexer.Token { return s.token(&s.toks[i]) }

func (s *stream) token(t *tok) lexer.Token {
	out := lexer.Token{Type: lexer.TokenType(t.typ),
		Pos: lexer.Position{Filename: s.fileList[t.file].Name, Offset: int(t.off), Line: int(t.line), Column: s.col(t)}}
	if t.typ != int8(EOF) {
		out.Value = s.value(t)
	}
	return out
}

// tokens makes tokens [start, end) into participle's form.
func (s *stream) tokens(start, end int) []lexer.Token {
	return s.tokensInto(make([]lexer.Token, 0, end-start), start, end)
}

// tokensInto appends tokens [start, end) in participle's form to dst.
func (s *stream) tokensInto(dst []lexer.Token, start, end int) []lexer.Token {
	for i := start; i < end; i++ {
		dst = append(dst, s.tokenAt(i))
	}
	return dst
}

// setValue replaces token i's value (with "<redacted>").
func (s *stream) setValue(i int, v string) {
	s.bases = append(s.bases, v)
	s.toks[i].val = uint32(len(s.bases) - 1)
	s.toks[i].skip = tokBased
}

// view is what the parsers look at in a token: its type and value.
type view struct {
	Type  lexer.TokenType
	Value string
}

// EOF reports whether the token is the end of the stream.
func (v view) EOF() bool { return v.Type == EOF }

// viewAt is token i's type and value.
func (s *stream) viewAt(i int) view {
	t := &s.toks[i]
	if t.typ == int8(EOF) {
		return view{Type: EOF}
	}
	return view{Type: lexer.TokenType(t.typ), Value: s.value(t)}
}

// operandTokens is tokens [start, end) in participle's form for the
// operand grammars of vocabulary.go, in a buffer the next call reuses.
func (p *parser) operandTokens(start, end int) []lexer.Token {
	p.scratch = p.tokensInto(p.scratch[:0], start, end)
	return p.scratch
}

// tokenView is a participle token's type and value.
func tokenView(t lexer.Token) view { return view{Type: t.Type, Value: t.Value} }

// fromParticiple copies the twin participle filled (a *P of build, see
// twins.go) from window w into a new node of the tree's type t, with the
// indexes of its tokens in the stream instead of slices of participle's
// copy of it. Both parsers then build the same tree
// (FuzzDescentAgreesWithParticiple compares them), and the copy is not
// kept alive by the tree.
func (p *parser) fromParticiple(v any, t reflect.Type, w *window) Statement {
	out := reflect.New(t)
	copyTwin(reflect.ValueOf(v).Elem(), out.Elem(), w)
	return out.Interface().(Statement)
}

// copyTwin copies a twin's fields into the tree's node of the same name.
func copyTwin(from, to reflect.Value, w *window) {
	ft := from.Type()
	for i := 0; i < ft.NumField(); i++ {
		f := ft.Field(i)
		if f.Type == pNodeType {
			n := to.FieldByName("Node").Addr().Interface().(*Node)
			*n = spanOf(from.Field(i).Field(0).Interface().([]lexer.Token), w) // pNode.Tokens
			continue
		}
		copyValue(from.Field(i), to.FieldByName(f.Name), w)
	}
}

// copyValue copies a twin's field: a twin node into a new tree node, a
// leaf (Addr, Name, Operand, Option, which participle fills as they are,
// their nodes indexes in the window: see take), a number or a string as
// it is.
func copyValue(from, to reflect.Value, w *window) {
	switch {
	case from.Type() == to.Type():
		to.Set(from)
		if w.lo > 0 {
			// A leaf's node is set only when it matched, so it has a
			// token; an empty node is no leaf's and stays as it is.
			spans(to, func(n *Node) {
				if n.end > n.first {
					n.first += uint32(w.lo)
					n.end += uint32(w.lo)
				}
			})
		}
	case from.Kind() == reflect.Pointer:
		if !from.IsNil() {
			n := reflect.New(to.Type().Elem())
			copyTwin(from.Elem(), n.Elem(), w)
			to.Set(n)
		}
	case from.Kind() == reflect.Slice:
		if !from.IsNil() {
			n := reflect.MakeSlice(to.Type(), from.Len(), from.Len())
			for i := range from.Len() {
				copyValue(from.Index(i), n.Index(i), w)
			}
			to.Set(n)
		}
	default:
		panic("profile: no copy from " + from.Type().String() + " to " + to.Type().String())
	}
}

// spanOf is the node of toks, a slice of the window's tokens.
func spanOf(toks []lexer.Token, w *window) Node {
	if toks == nil {
		return Node{}
	}
	all := w.tokens()
	base := uintptr(unsafe.Pointer(unsafe.SliceData(all)))
	at := (uintptr(unsafe.Pointer(unsafe.SliceData(toks))) - base) / unsafe.Sizeof(lexer.Token{})
	if len(toks) == 0 && cap(toks) == 0 {
		at = uintptr(len(all)) // an empty slice at the array's end
	}
	at += uintptr(w.lo)
	return Node{first: uint32(at), end: uint32(int(at) + len(toks))}
}

var pNodeType = reflect.TypeOf(pNode{})

// spans calls f for every Node in v.
func spans(v reflect.Value, f func(*Node)) {
	switch v.Kind() {
	case reflect.Pointer, reflect.Interface:
		if !v.IsNil() {
			spans(v.Elem(), f)
		}
	case reflect.Slice:
		for i := 0; i < v.Len(); i++ {
			spans(v.Index(i), f)
		}
	case reflect.Struct:
		if v.Type() == nodeType {
			f(v.Addr().Interface().(*Node))
			return
		}
		for i := 0; i < v.NumField(); i++ {
			if v.Type().Field(i).IsExported() {
				spans(v.Field(i), f)
			}
		}
	}
}
