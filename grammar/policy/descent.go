package policy

import "github.com/alecthomas/participle/v2/lexer"

// The participle grammar in ast.go (fileNode, line, segment, statement) is
// the specification of how a policy file splits into lines and segments:
// participle builds it, prints it (grammar.ebnf) and is kept as the
// reference. Running participle over every token is slow, though (it
// allocates for every branch, capture and token), and it used to set most
// of a lint run's time, so descendLines below follows the same grammar by
// hand and builds the very same tree.
//
// The grammar is LL(1) and never backtracks: at the start of a segment the
// token alone says which alternative follows (LBrace, RBrace, or a Word
// starting a statement), and a statement takes every Word and Secret after
// its keyword. The lexer only produces streams the grammar accepts; when a
// stream is not of that form, descendLines reports it and the driver runs
// participle, so odd input still gets the specification's treatment.
// TestDescentAgreesWithParticiple and FuzzPolicyDescentAgrees check that
// both build the same tree and the same diagnostics.

// descendLines parses the lexer's tokens (ending with EOF) as
// FileNode = Line* . It returns false when the tokens do not follow the
// grammar.
func descendLines(toks []lexer.Token) ([]*line, bool) {
	if len(toks) == 0 || toks[len(toks)-1].Type != EOF {
		// Participle's lexer reads EOF past the end of the tokens.
		toks = append(toks[:len(toks):len(toks)], lexer.EOFToken(lexer.Position{}))
	}
	nLines, nSegs, nValues := countNodes(toks)
	// One allocation per node type for the whole file: a policy of tens
	// of thousands of lines would otherwise spend its time in malloc.
	lines := make([]line, nLines)
	linePtrs := make([]*line, nLines)
	segs := make([]segment, nSegs)
	segPtrs := make([]*segment, nSegs)
	stmts := make([]statement, nSegs)
	values := make([]string, nValues)
	i, li, si := 0, 0, 0
	for toks[i].Type != EOF {
		if li == len(lines) {
			return nil, false // no line end left to close this line
		}
		ln := &lines[li]
		ln.Pos = toks[i].Pos
		first := si
	segments:
		for {
			switch toks[i].Type {
			case LBrace:
				segs[si].Open = &toks[i]
				i++
			case RBrace:
				segs[si].Close = &toks[i]
				i++
			case Word:
				j := i + 1
				for toks[j].Type == Word || toks[j].Type == Secret {
					j++
				}
				st := &stmts[si]
				st.Tokens = toks[i:j:j]
				st.Keyword = toks[i].Value
				if j > i+1 {
					st.Values = values[: j-i-1 : j-i-1]
					values = values[j-i-1:]
					for k := range st.Values {
						st.Values[k] = toks[i+1+k].Value
					}
				}
				segs[si].Stmt = st
				i = j
			case Newline:
				i++
				break segments
			default:
				return nil, false // a Secret or EOF where a segment or the line end belongs
			}
			segPtrs[si] = &segs[si]
			si++
		}
		if si > first {
			ln.Segments = segPtrs[first:si:si]
		}
		linePtrs[li] = ln
		li++
	}
	if li == 0 {
		return nil, true
	}
	return linePtrs[:li], true
}

// countNodes counts the lines, segments and statement values of a token
// stream that follows the grammar (over-counting harmlessly otherwise).
func countNodes(toks []lexer.Token) (lines, segs, values int) {
	inStmt := false
	for _, t := range toks {
		switch t.Type {
		case Newline:
			lines++
			inStmt = false
		case LBrace, RBrace:
			segs++
			inStmt = false
		case Word, Secret:
			if inStmt {
				values++
			} else {
				segs++
				inStmt = true
			}
		}
	}
	return lines, segs, values
}
