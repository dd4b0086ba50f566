package policy

import "github.com/alecthomas/participle/v2/lexer"

// The participle grammar in ast.go (fileNode, line, segment, statement) is
// the specification of how a policy file splits into lines and segments:
// participle builds it, prints it (grammar.ebnf) and is kept as the
// reference. Running participle over every token is slow, though (it
// allocates for every branch, capture and token), and it used to set most
// of a lint run's time, so scanLines below follows the same grammar by
// hand, one line at a time, and the driver builds entries from each line
// without keeping a line tree; descendLines builds the very tree
// participle builds from scanLines' lines, for the tests.
//
// The grammar is LL(1) and never backtracks: at the start of a segment the
// token alone says which alternative follows (LBrace, RBrace, or a Word
// starting a statement), and a statement takes every Word and Secret after
// its keyword. The lexer only produces streams the grammar accepts; when a
// stream is not of that form, scanLines reports it and the driver runs
// participle, so odd input still gets the specification's treatment.
// TestDescentAgreesWithParticiple and FuzzPolicyDescentAgrees check that
// both build the same tree (descendLines) and the same File and
// diagnostics.

// scanLines parses the lexer's tokens as FileNode = Line* . and calls fn
// with each line: its first token and its segments, which are only valid
// during the call (the driver builds entries from them; nothing of the
// line tree is kept, so nothing of it is allocated per line). It returns
// false, without calling fn, when the tokens do not follow the grammar.
func scanLines(toks []lexer.Token, fn func(first lexer.Token, segs []*segment)) bool {
	if len(toks) == 0 || toks[len(toks)-1].Type != EOF {
		// Participle's lexer reads EOF past the end of the tokens.
		toks = append(toks[:len(toks):len(toks)], lexer.EOFToken(lexer.Position{}))
	}
	if !grammatical(toks) {
		return false
	}
	var (
		segs  []segment
		stmts []statement
		ptrs  []*segment
	)
	for i := 0; toks[i].Type != EOF; {
		first := toks[i]
		segs, stmts, ptrs = segs[:0], stmts[:0], ptrs[:0]
		for toks[i].Type != Newline {
			switch toks[i].Type {
			case LBrace:
				segs = append(segs, segment{Open: &toks[i]})
				i++
			case RBrace:
				segs = append(segs, segment{Close: &toks[i]})
				i++
			default: // a Word: Statement = <word> (<word> | <secret>)* .
				j := i + 1
				for toks[j].Type == Word || toks[j].Type == Secret {
					j++
				}
				stmts = append(stmts, statement{Tokens: toks[i:j:j], Keyword: toks[i].Value})
				segs = append(segs, segment{})
				i = j
			}
		}
		i++ // the line end
		// Pointers last: the appends above may have moved the arrays.
		k := 0
		for n := range segs {
			if segs[n].Open == nil && segs[n].Close == nil {
				segs[n].Stmt = &stmts[k]
				k++
			}
			ptrs = append(ptrs, &segs[n])
		}
		fn(first, ptrs)
	}
	return true
}

// grammatical reports whether a token stream ending in EOF follows the
// line grammar: a segment never starts with a Secret, and every line
// (every token before EOF) is ended by a Newline.
func grammatical(toks []lexer.Token) bool {
	segStart := true
	for _, t := range toks[:len(toks)-1] {
		switch t.Type {
		case Newline, LBrace, RBrace:
			segStart = true
		case Word:
			segStart = false
		case Secret:
			if segStart {
				return false
			}
		default:
			return false // EOF inside the stream
		}
	}
	return len(toks) == 1 || toks[len(toks)-2].Type == Newline
}

// descendLines builds the line tree participle builds (fileNode.Lines),
// with scanLines: the agreement tests compare the two.
func descendLines(toks []lexer.Token) ([]*line, bool) {
	var lines []*line
	ok := scanLines(toks, func(first lexer.Token, segs []*segment) {
		ln := &line{Pos: first.Pos}
		for _, s := range segs {
			c := *s
			if s.Stmt != nil {
				st := *s.Stmt
				for _, t := range st.Tokens[1:] {
					st.Values = append(st.Values, t.Value)
				}
				c.Stmt = &st
			}
			ln.Segments = append(ln.Segments, &c)
		}
		lines = append(lines, ln)
	})
	if !ok {
		return nil, false
	}
	return lines, true
}
