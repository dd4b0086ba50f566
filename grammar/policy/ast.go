package policy

import (
	"github.com/alecthomas/participle/v2/lexer"

	"github.com/tcpipc/tcpipc/diag"
	"github.com/tcpipc/tcpipc/grammar/source"
)

// Redacted is what renderers print in place of a secret value.
const Redacted = "<redacted>"

// File is a parsed policy, pagent or iked file.
type File struct {
	Name   string
	Kind   Kind // the kind asked for, or the one guessed
	Source *source.File
	// Entries are the top-level statements in file order.
	Entries []*Entry
	// TrailingComments are the comments after the last entry.
	TrailingComments []string

	// secrets are the byte ranges of key material the lexer found.
	secrets []Span
}

// Entry is one statement or attribute: a keyword, the words after it on
// its line and, for a block statement, the block that follows.
type Entry struct {
	// Keyword is the schema's canonical spelling, or the text as written
	// when the schema does not know the word.
	Keyword      string
	KeywordRange diag.Range
	// Values are the words after the keyword on its line; for a block
	// statement, its optional name.
	Values []*Value
	// Block is set when { … } follows the entry.
	Block *Block
	// Range runs from the keyword to the last value, or to the closing
	// brace of the block (to the block's last entry when it is unclosed).
	Range diag.Range
	// Comments are the '#' comments on the lines before the entry (since
	// the previous entry) and at the end of its line.
	Comments []string
	// Secret is set for key material (SharedKey …): renderers print every
	// value as <redacted>.
	Secret bool
}

// Block is the { … } after a block statement or inline attribute.
type Block struct {
	Open, Close diag.Range // Close is zero when the block is never closed
	Entries     []*Entry
}

// Value is one word after a keyword.
type Value struct {
	Text  string
	Range diag.Range
	// Secret values print as <redacted> (String, GoString, renderers).
	Secret bool
}

// String returns the text, or <redacted> for a secret.
func (v Value) String() string {
	if v.Secret {
		return Redacted
	}
	return v.Text
}

// GoString keeps %#v from printing a secret.
func (v Value) GoString() string { return "policy.Value{" + v.String() + "}" }

// Name returns the first value's text ("" when there is none): the name of
// a block statement.
func (e *Entry) Name() string {
	if len(e.Values) == 0 || e.Secret {
		return ""
	}
	return e.Values[0].Text
}

// Texts returns the values' texts (redacted for a secret entry).
func (e *Entry) Texts() []string {
	out := make([]string, len(e.Values))
	for i, v := range e.Values {
		out[i] = v.String()
	}
	return out
}

// Walk calls fn for every entry of the file, depth first in file order,
// with the entry that holds it (nil at the top level).
func (f *File) Walk(fn func(e, parent *Entry)) {
	var walk func(es []*Entry, parent *Entry)
	walk = func(es []*Entry, parent *Entry) {
		for _, e := range es {
			fn(e, parent)
			if e.Block != nil {
				walk(e.Block.Entries, e)
			}
		}
	}
	walk(f.Entries, nil)
}

// Sources returns the file's text for diagnostic snippets, with every
// byte of key material the lexer found replaced by '*', so that a snippet
// can never show a key, whatever line the value is on.
func (f *File) Sources() diag.Sources {
	if f.Source == nil {
		return diag.Sources{}
	}
	return diag.Sources{f.Name: maskSpans(f.Source.Text, f.secrets)}
}

// maskSpans returns a copy of text with the bytes of spans replaced by
// '*' (line ends kept, so positions stay valid); text itself when there
// is nothing to mask.
func maskSpans(text []byte, spans []Span) []byte {
	if len(spans) == 0 {
		return text
	}
	out := append([]byte(nil), text...)
	for _, s := range spans {
		for i := max(s.Start, 0); i < min(s.End, len(out)); i++ {
			if out[i] != '\n' && out[i] != '\r' {
				out[i] = '*'
			}
		}
	}
	return out
}

// The participle grammar: a file is a list of lines; a line is a list of
// segments (a brace, or a keyword with its words) ended by a line end.

// line is one line of the file.
type line struct {
	Pos      lexer.Position
	Segments []*segment `parser:"@@* Newline"`
}

// segment is a brace or a statement.
type segment struct {
	Open  *lexer.Token `parser:"  @LBrace"`
	Close *lexer.Token `parser:"| @RBrace"`
	Stmt  *statement   `parser:"| @@"`
}

// statement is a keyword and the words after it.
type statement struct {
	Tokens  []lexer.Token
	Keyword string   `parser:"@Word"`
	Values  []string `parser:"@(Word | Secret)*"`
}

// fileNode is the whole token stream.
type fileNode struct {
	Lines []*line `parser:"@@*"`
}
