package policy

import (
	"io"
	"strings"

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
}

// Lex splits a decoded file into tokens.
//
//   - '#' at the start of a word begins a comment that runs to the end of
//     the line; inside a word it is text, because '#' is a national
//     character in z/OS names (job names, RACF key rings);
//   - '{' and '}' are tokens of their own wherever they appear, so a brace
//     written next to other text is still seen (and reported) as a brace;
//   - after a secret-bearing attribute (SharedKey) the rest of the line is
//     Secret words: braces there are part of the key, and a trailing
//     comment is dropped, since it might be part of the key too.
func Lex(f *source.File) *Lexed {
	src := f.Text
	out := &Lexed{Tokens: make([]lexer.Token, 0, len(src)/6+8)}
	line, lineStart := 1, 0
	pos := func(off int) lexer.Position {
		return lexer.Position{Filename: f.Name, Offset: off, Line: line, Column: off - lineStart + 1}
	}
	segStart, secret := true, false
	for i := 0; i < len(src); {
		c := src[i]
		switch {
		case c == '\n':
			out.Tokens = append(out.Tokens, lexer.Token{Type: Newline, Value: "\n", Pos: pos(i)})
			i++
			line, lineStart = line+1, i
			segStart, secret = true, false
			continue
		case isBlank(c):
			i++
			continue
		case c == '#':
			j := i + 1
			for j < len(src) && src[j] != '\n' {
				j++
			}
			if !secret {
				out.Comments = append(out.Comments, Comment{Offset: i, Line: line,
					Text: strings.TrimSpace(strings.TrimRight(string(src[i+1:j]), "\r"))})
			}
			i = j
			continue
		case !secret && (c == '{' || c == '}'):
			typ := LBrace
			if c == '}' {
				typ = RBrace
			}
			out.Tokens = append(out.Tokens, lexer.Token{Type: typ, Value: string(c), Pos: pos(i)})
			i++
			segStart = true
			continue
		}
		j := i
		for j < len(src) && !isBlank(src[j]) && src[j] != '\n' && (secret || (src[j] != '{' && src[j] != '}')) {
			j++
		}
		w := string(src[i:j])
		typ := Word
		if secret {
			typ = Secret
		} else if segStart && looksSecret(w) {
			secret = true
		}
		out.Tokens = append(out.Tokens, lexer.Token{Type: typ, Value: w, Pos: pos(i)})
		segStart = false
		i = j
	}
	if n := len(out.Tokens); n == 0 || out.Tokens[n-1].Type != Newline || len(src) == 0 || src[len(src)-1] != '\n' {
		out.Tokens = append(out.Tokens, lexer.Token{Type: Newline, Pos: pos(len(src))})
	}
	out.Tokens = append(out.Tokens, lexer.Token{Type: EOF, Pos: pos(len(src))})
	return out
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
