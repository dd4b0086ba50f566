package policy

import (
	"io"
	"strings"
	"sync"
	"unicode/utf8"

	"github.com/alecthomas/participle/v2/lexer"

	"github.com/tcpipc/tcpipc/grammar/source"
)

// Token types. Policy files are line-oriented, so the line end is a token.
const (
	EOF     = lexer.EOF
	Word    = lexer.TokenType(iota + 1) // a run of non-blank text
	Secret                              // a word after a secret-bearing attribute
	LBrace                              // {
	RBrace                              // }
	Newline                             // end of a line (also added after a last line without one)
)

// tokenNames returns the symbols the participle grammar uses for token
// types. A function, so that it is ready while package variables are built.
func tokenNames() map[string]lexer.TokenType {
	return map[string]lexer.TokenType{
		"EOF": EOF, "Word": Word, "Secret": Secret, "LBrace": LBrace, "RBrace": RBrace, "Newline": Newline,
	}
}

// TokenTypeName returns the symbol participle uses for a token type.
func TokenTypeName(t lexer.TokenType) string {
	for n, v := range tokenNames() {
		if v == t {
			return n
		}
	}
	return "?"
}

// Comment is a '#' comment: where it starts and its text without the '#'.
type Comment struct {
	Offset int
	Line   int
	Text   string
}

// Lexed is a file's tokens and comments.
type Lexed struct {
	Tokens   []lexer.Token // every line ends with a Newline token; then EOF
	Comments []Comment
	// Secrets are the byte ranges of key material in the text, one per
	// line a secret value is written on: from the first word after the
	// secret-bearing attribute (or the first word of a line the value
	// continues on) to the end of that line. Redaction blanks exactly
	// these, wherever the value is.
	Secrets []Span
}

// Span is the byte range [Start, End) of a file's text.
type Span struct{ Start, End int }

// Lex splits a decoded file into tokens.
//
//   - '#' at the start of a word begins a comment that runs to the end of
//     the line; inside a word it is text, because '#' is a national
//     character in z/OS names (job names, RACF key rings);
//   - '{' and '}' are tokens of their own wherever they appear, so a brace
//     written next to other text is still seen (and reported) as a brace;
//   - after a secret-bearing attribute (SharedKey) the rest of the line is
//     Secret words: braces there are part of the key, and a trailing
//     comment is dropped, since it might be part of the key too. A schema
//     secret name counts wherever it is on the line, also joined to other
//     text in one word (SharedKey:Ascii:key, a no-break space): the text
//     after the name in that word is secret as well;
//   - a secret value continues on the next line when its line ends with a
//     backslash, or when it is not complete yet (SharedKey alone, or
//     SharedKey Ascii, with no key) and the next line does not start with a
//     brace or a known statement or attribute name. No Newline
//     token separates the lines then, so the continuation is a value of the
//     same entry, Secret like the rest; the parser reports the split.
func Lex(f *source.File) *Lexed { return lex(f.Text, f.Name, looksSecret, nil) }

// lex is Lex with the test for a secret-bearing first word given, and the
// tokens written into buf when it has room (else into a new array).
func lex(src []byte, name string, isSecret func(string) bool, buf []lexer.Token) *Lexed {
	if n := tokenBound(src); cap(buf) < n {
		buf = make([]lexer.Token, 0, n)
	}
	out := &Lexed{Tokens: buf[:0]}
	// Token values are slices of one copy of the text: a string per word
	// would be an allocation per word.
	text := string(src)
	line, lineStart := 1, 0
	pos := func(off int) lexer.Position {
		return lexer.Position{Filename: name, Offset: off, Line: line, Column: off - lineStart + 1}
	}
	segStart := true
	var sec secretValue
	for i := 0; i < len(src); {
		c := src[i]
		switch {
		case c == '\n':
			if sec.active {
				out.Secrets = sec.endLine(src, i, out.Secrets)
				if sec.continues(src, i+1) {
					sec.newLine = true
					i++
					line, lineStart = line+1, i
					continue
				}
				sec = secretValue{}
			}
			out.Tokens = append(out.Tokens, lexer.Token{Type: Newline, Value: "\n", Pos: pos(i)})
			i++
			line, lineStart = line+1, i
			segStart = true
			continue
		case isBlank(c):
			i++
			continue
		case c == '#':
			j := i + 1
			for j < len(src) && src[j] != '\n' {
				j++
			}
			if sec.active {
				sec.mark(i)
			} else {
				out.Comments = append(out.Comments, Comment{Offset: i, Line: line,
					Text: strings.TrimSpace(strings.TrimRight(text[i+1:j], "\r"))})
			}
			i = j
			continue
		case !sec.active && (c == '{' || c == '}'):
			typ := LBrace
			if c == '}' {
				typ = RBrace
			}
			out.Tokens = append(out.Tokens, lexer.Token{Type: typ, Value: string(c), Pos: pos(i)})
			i++
			segStart = true
			continue
		}
		ends := &wordEnds
		if sec.active {
			ends = &secretWordEnds // braces are part of a key
		}
		j := i
		for j < len(src) && !ends[src[j]] {
			j++
		}
		w := text[i:j]
		typ := Word
		if sec.active {
			typ = Secret
			sec.word(i, w)
		} else if end := secretNameIn(w); end >= 0 || (segStart && isSecret(w)) {
			sec = secretValue{active: true, spanStart: -1, isSecret: isSecret}
			if end >= 0 && end < len(w) {
				// The value is joined to the name (SharedKey:Ascii:key):
				// the word carries key material. A keyword stays a Word
				// (the parser hides it); a later word is a Secret.
				sec.joined(i+end, w[end:])
				if !segStart {
					typ = Secret
				}
			}
		}
		out.Tokens = append(out.Tokens, lexer.Token{Type: typ, Value: w, Pos: pos(i)})
		segStart = false
		i = j
	}
	if sec.active {
		out.Secrets = sec.endLine(src, len(src), out.Secrets)
	}
	if n := len(out.Tokens); n == 0 || out.Tokens[n-1].Type != Newline || len(src) == 0 || src[len(src)-1] != '\n' {
		out.Tokens = append(out.Tokens, lexer.Token{Type: Newline, Pos: pos(len(src))})
	}
	out.Tokens = append(out.Tokens, lexer.Token{Type: EOF, Pos: pos(len(src))})
	return out
}

// tokenBuffers keeps token arrays between parses. The parser drops a
// file's tokens once its entries are built (entries keep no token), and
// lint parses one policy file after another: reusing the array spares
// allocating, zeroing and collecting some 12 bytes of tokens per byte of
// policy.
var tokenBuffers sync.Pool

// maxPooledTokens bounds the arrays kept (16 MiB): a huge file's array is
// left to the collector rather than held for the next, small one.
const maxPooledTokens = 1 << 18

// getTokens returns an empty token array from the pool, or nil.
func getTokens() []lexer.Token {
	if b, ok := tokenBuffers.Get().(*[]lexer.Token); ok {
		return *b
	}
	return nil
}

// putTokens returns an array to the pool, cleared so that it holds on to
// no file's text.
func putTokens(toks []lexer.Token) {
	if cap(toks) == 0 || cap(toks) > maxPooledTokens {
		return
	}
	clear(toks)
	toks = toks[:0]
	tokenBuffers.Put(&toks)
}

// tokenBound is an upper bound of the number of tokens in src (words,
// braces, line ends, the final line end and EOF), counted in one cheap
// pass: growing the token slice while lexing copied every token several
// times, and a policy file has many short tokens.
func tokenBound(src []byte) int {
	n, inWord := 2, false
	for _, c := range src {
		switch {
		case c == '\n' || c == '{' || c == '}':
			n++
			inWord = false
		case isBlank(c):
			inWord = false
		case !inWord:
			n++
			inWord = true
		}
	}
	return n
}

// secretValue follows the value of a secret-bearing attribute while the
// lexer reads it: how many words it has, whether its line ends with a
// continuation backslash, and where on the current line the secret text
// starts.
type secretValue struct {
	active    bool
	words     int
	first     string // the first word: a format (Ascii, Hex, Ebcdic) or the key
	backslash bool   // the last word read ends with '\'
	spanStart int    // offset of the first secret byte on this line, -1 for none
	newLine   bool   // no word read yet on a line the value continues on
	isSecret  func(string) bool
}

// word records one word of the value at offset off. A backslash alone
// is only the continuation mark, and a secret-bearing word first on a line
// the value continues on (SharedKey, then LDAP_AuthPassword on the next
// line, or a word with a secret name in it) may start a value of its own:
// neither counts as a word of the key, so the value is followed on until
// it has one. Both stay hidden.
func (s *secretValue) word(off int, w string) {
	s.mark(off)
	s.backslash = strings.HasSuffix(w, "\\")
	first := s.newLine
	s.newLine = false
	if w == "\\" || (first && (s.isSecret(w) || secretNameIn(w) >= 0)) {
		return
	}
	if s.words == 0 {
		s.first = w
	}
	s.words++
}

// joined records rest, the text joined to a secret attribute name in one
// word. Joined by a byte that is no letter or digit (a no-break space,
// '=', ':'), it is the value's first word; only for telling a format from
// a key are those bytes left out ("=Ascii" is a format still waiting for
// its key). A name that runs on (SharedKeys, SharedKey0) or joining bytes
// alone have no word of the value yet: the value is followed further,
// erring on the side of hiding.
func (s *secretValue) joined(off int, rest string) {
	value := strings.TrimFunc(rest, func(r rune) bool { return r >= utf8.RuneSelf || !isAlnum(byte(r)) })
	if value == "" || isAlnum(rest[0]) {
		s.mark(off)
		s.backslash = strings.HasSuffix(rest, "\\")
		return
	}
	s.word(off, rest)
	s.first = value
}

func isAlnum(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9'
}

// secretNameIn returns the offset in w just after a secret attribute name
// of the schema written in it, or -1: SharedKey itself, or SharedKey
// joined by some byte to the text before or after it. Such a name starts
// a secret value wherever it is on a line. A word of the schema that
// merely contains a secret name is no secret (none does today).
func secretNameIn(w string) int {
	end := secretNameEnd(w)
	if end < 0 && !isASCII(w) && secretNameEnd(strings.ToUpper(w)) >= 0 {
		// A name Unicode folds to a secret one (ſharedKey): Policy
		// Agent would not know it, but its value is key material all
		// the same; the whole word is hidden.
		return 0
	}
	if end < 0 {
		return -1
	}
	if c := canonical(w); c != "" && !isSecretCanonical(c) {
		return -1
	}
	return end
}

// JoinedSecret reports whether a word holds a secret attribute name joined
// to text after it (SharedKey=Ascii=key): the rest of the word is key
// material and never shown. It returns the word's visible part.
func JoinedSecret(w string) (visible string, ok bool) {
	if end := secretNameIn(w); end >= 0 && end < len(w) {
		return w[:end], true
	}
	return w, false
}

// mark notes that secret text starts at off, unless it started earlier.
func (s *secretValue) mark(off int) {
	if s.spanStart < 0 {
		s.spanStart = off
	}
}

// endLine closes the current line of the value at offset end (its line
// end) and adds the line's secret bytes to spans.
func (s *secretValue) endLine(src []byte, end int, spans []Span) []Span {
	if s.spanStart >= 0 {
		for end > s.spanStart && isBlank(src[end-1]) {
			end--
		}
		spans = append(spans, Span{Start: s.spanStart, End: end})
	}
	s.spanStart = -1
	return spans
}

// complete reports whether the value has its key: a format word and a key,
// or a key alone (a word that names no format). For hiding, a word Unicode
// folds to a format (Aſcii) counts as one too: the key may follow it.
func (s *secretValue) complete() bool {
	return s.words >= 2 || (s.words == 1 && !IsKeyFormat(s.first) && !keyFormats[strings.ToUpper(s.first)])
}

// keyFormats are the ways IBM lets a SharedKey be written.
var keyFormats = map[string]bool{"ASCII": true, "EBCDIC": true, "HEX": true}

// IsKeyFormat reports whether word names a key format (Ascii, Ebcdic or
// Hex, in any case): the first word of a SharedKey value, when it is one.
func IsKeyFormat(word string) bool {
	is, _ := lookupFolded(keyFormats, word)
	return is
}

// continues reports whether the value goes on on the line starting at
// next: after a continuation backslash always; when the value is not
// complete, unless that line starts with a brace or a word of the schema
// (then the key is simply missing). Blank and comment lines are passed
// over (and hidden): the key may follow them.
func (s *secretValue) continues(src []byte, next int) bool {
	if next >= len(src) {
		return false
	}
	if s.backslash {
		s.backslash = false
		return true
	}
	if s.complete() {
		return false
	}
	i := next
	for i < len(src) && isBlank(src[i]) {
		i++
	}
	if i >= len(src) {
		return false
	}
	if src[i] == '\n' {
		return true // a blank line: look at the next one then
	}
	if src[i] == '{' || src[i] == '}' {
		return false
	}
	j := i
	for j < len(src) && !isBlank(src[j]) && src[j] != '\n' && src[j] != '{' && src[j] != '}' {
		j++
	}
	return canonical(string(src[i:j])) == ""
}

// wordEnds are the bytes that end a word; secretWordEnds those that end
// a word of a secret value. Tables, because the lexer tests every byte.
var wordEnds, secretWordEnds = byteSet(" \t\r\f\v\x00\n{}"), byteSet(" \t\r\f\v\x00\n")

func byteSet(chars string) (set [256]bool) {
	for i := 0; i < len(chars); i++ {
		set[chars[i]] = true
	}
	return set
}

func isBlank(c byte) bool {
	switch c {
	case ' ', '\t', '\r', '\f', '\v', 0:
		return true
	}
	return false
}

// definition adapts Lex to participle's lexer.Definition so the grammar
// can be built and printed; Parse feeds the tokens directly.
type definition struct{}

func (definition) Symbols() map[string]lexer.TokenType { return tokenNames() }

func (definition) Lex(filename string, r io.Reader) (lexer.Lexer, error) {
	data, err := io.ReadAll(r)
	if err != nil {
		return nil, err
	}
	return &sliceLexer{toks: Lex(source.New(filename, data, source.UTF8)).Tokens}, nil
}

type sliceLexer struct {
	toks []lexer.Token
	i    int
}

func (l *sliceLexer) Next() (lexer.Token, error) {
	if l.i >= len(l.toks) {
		return lexer.EOFToken(lexer.Position{}), nil
	}
	t := l.toks[l.i]
	l.i++
	return t, nil
}
