package profile

import (
	"fmt"
	"strings"

	"github.com/alecthomas/participle/v2"
	"github.com/alecthomas/participle/v2/lexer"
)

// The leaf nodes match one token (Option: a keyword and the values after
// it) by type. Their productions are listed in the pinned grammar by
// leafGrammar, from the same tables Parse uses.
var (
	addrTypes    = []lexer.TokenType{IPv4, IPv6, Symbolic}
	nameTypes    = []lexer.TokenType{Word, Number, Symbolic}
	operandTypes = []lexer.TokenType{Word, Number, Size, IPv4, IPv6, Prefix, Bits, Range, String, Star, Dash, Equals, Symbolic}
	valueTypes   = []lexer.TokenType{Number, Size, IPv4, IPv6, Prefix, Bits, Range, String, Star, Symbolic}
)

func oneOf(t lexer.TokenType, set []lexer.TokenType) bool {
	for _, x := range set {
		if x == t {
			return true
		}
	}
	return false
}

// take consumes the next token if its type is in set, recording it in n.
func take(lex *lexer.PeekingLexer, n *Node, set []lexer.TokenType) (string, bool) {
	t := lex.Peek()
	if t.EOF() || !oneOf(t.Type, set) {
		return "", false
	}
	raw := lex.RawCursor()
	lex.Next()
	// participle's raw cursor is the token's index in the window of the
	// stream it was given; fromParticiple adds the window's start.
	n.first, n.end = uint32(raw), uint32(raw+1)
	return t.Value, true
}

// Parse implements participle.Parseable.
func (a *Addr) Parse(lex *lexer.PeekingLexer) error { return leaf(lex, &a.Node, &a.Text, addrTypes) }

// Parse implements participle.Parseable.
func (n *Name) Parse(lex *lexer.PeekingLexer) error { return leaf(lex, &n.Node, &n.Text, nameTypes) }

// Parse implements participle.Parseable.
func (o *Operand) Parse(lex *lexer.PeekingLexer) error {
	return leaf(lex, &o.Node, &o.Text, operandTypes)
}

func leaf(lex *lexer.PeekingLexer, n *Node, text *string, set []lexer.TokenType) error {
	v, ok := take(lex, n, set)
	if !ok {
		return participle.NextMatch
	}
	*text = v
	return nil
}

// Parse implements participle.Parseable: a keyword and its values.
func (o *Option) Parse(lex *lexer.PeekingLexer) error {
	start := lex.RawCursor()
	name, ok := take(lex, &o.Node, []lexer.TokenType{Word})
	if !ok {
		return participle.NextMatch
	}
	o.Name = name
	for {
		var n Node
		v, ok := take(lex, &n, valueTypes)
		if !ok {
			break
		}
		o.Values = append(o.Values, v)
	}
	o.first, o.end = uint32(start), uint32(lex.RawCursor())
	return nil
}

// leafGrammar renders the leaf productions in EBNF.
func leafGrammar() string {
	alt := func(set []lexer.TokenType) string {
		var parts []string
		for _, t := range set {
			parts = append(parts, "<"+strings.ToLower(TokenTypeName(t))+">")
		}
		return strings.Join(parts, " | ")
	}
	var b strings.Builder
	fmt.Fprintf(&b, "Addr = %s .\n", alt(addrTypes))
	fmt.Fprintf(&b, "Name = %s .\n", alt(nameTypes))
	fmt.Fprintf(&b, "Operand = %s .\n", alt(operandTypes))
	fmt.Fprintf(&b, "Option = <word> (%s)* .\n", alt(valueTypes))
	return b.String()
}
