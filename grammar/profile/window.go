package profile

import (
	"slices"

	"github.com/alecthomas/participle/v2/lexer"
)

// window is participle's view of the stretch of the stream around one
// statement that left the hand-written path: tokens [lo, hi] in
// participle's form, with token start next. Making the whole stream into
// participle's form for one statement cost a large profile more than its
// parse (900,000 tokens of 64 bytes for one bad PORT line), so participle
// is given the statement and the token after it, and a longer stretch only
// when it reads on past that (see parseWindowed).
type window struct {
	lex    *lexer.PeekingLexer
	lo, hi int
}

// streamIndex is the index in the parse's stream of token i of the window.
func (w *window) streamIndex(i lexer.RawCursor) int { return w.lo + int(i) }

// tokens is the window's tokens in participle's form, which the slices of
// them in a twin's nodes are cut from.
func (w *window) tokens() []lexer.Token {
	return w.lex.Range(0, lexer.RawCursor(w.hi-w.lo+1))
}

// complete reports whether the window reaches the end of the stream.
func (p *parser) complete(w *window) bool { return w.hi == len(p.toks)-1 }

// parseWindowed runs participle's grammar sp on the statement at start.
//
// participle's result depends only on the tokens it reads, and it reads
// one token past the last it consumes, never further; so a window that
// ends with a token participle does not consume gives the same tree,
// errors and positions as the whole stream. The window first ends at the
// next statement keyword that is no operand of this statement, where
// nearly every statement stops (participle peeks at it: its "expected"
// lists and "ends before" messages name it). The window has no EOF
// token after its last, so participle consuming that token makes it read
// past the window's end, which panics; the window is then made twice as
// long, up to the whole stream (DELETE reads the statement keyword after
// it, PORT or LINK, as its operand).
func (p *parser) parseWindowed(sp *stmtParser, start int, keyword string) (w *window, v any, err error) {
	hi := p.nextKeyword(start+1, keyword)
	for {
		w = p.window(start, hi)
		v, err, past := runWindow(sp, w, !p.complete(w))
		if !past {
			return w, v, err
		}
		p.widened++
		hi = p.nextKeyword(max(hi+1, start+2*(hi-start)), keyword)
	}
}

// runWindow runs sp over the window; past reports that participle read
// past its end, which only a window that is not complete can tell from a
// failure of participle's own (that one panics on).
func runWindow(sp *stmtParser, w *window, partial bool) (v any, err error, past bool) {
	if partial {
		defer func() {
			if r := recover(); r != nil {
				v, err, past = nil, nil, true
			}
		}()
	}
	v, err = sp.parse(w.lex)
	return v, err, false
}

// nextKeyword is the index of the first statement keyword (or the end of
// the stream) at or after i that can end a statement with the given
// keyword: where the hand-written parsers end it, reading the keywords
// that are also its operands (VIPADISTRIBUTE … PORT) as operands.
func (p *parser) nextKeyword(i int, keyword string) int {
	last := len(p.toks) - 1
	for ; i < last; i++ {
		if p.toks[i].typ == int8(Stmt) && !slices.Contains(operandKeywords[keyword], p.valueAt(i)) {
			return i
		}
	}
	return last
}

// window makes tokens [lo, hi] into participle's form, lo being the token
// before start (or start itself, at the beginning of the stream), with
// token start next.
//
// The token before start is there for participle's sake: it counts the
// tokens it has read (a cursor) and compares how far each failed branch
// got with an error depth that starts at 0. On the whole stream the
// cursor at start is start; in a window that began at start it would be
// 0, the same as no error at all, and the error participle reports could
// change. One token before start keeps every such comparison as it was.
func (p *parser) window(start, hi int) *window {
	if p.wholeStream {
		return p.wholeAt(start)
	}
	lo := max(start-1, 0)
	toks := p.tokensInto(make([]lexer.Token, 0, hi-lo+1), lo, hi)
	lx, err := lexer.Upgrade(&sliceLexer{toks: toks})
	if err != nil {
		panic(err) // a slice lexer cannot fail
	}
	// Upgrade ended the tokens with an EOF of its own: put token hi in its
	// place, so that consuming it reads past the end (see parseWindowed).
	w := &window{lex: lx, lo: lo, hi: hi}
	w.tokens()[hi-lo] = p.tokenAt(hi)
	p.participleToks += hi - lo + 1
	if start > lo {
		lx.FastForward(lexer.RawCursor(start - lo - 1))
	}
	return w
}

// wholeAt is the whole stream in participle's form with token start next,
// made once and moved forward from one statement to the next, as the
// parser did before windows (tests compare the two).
func (p *parser) wholeAt(start int) *window {
	w := p.whole
	if w == nil || int(w.lex.RawCursor()) > start {
		lx, err := lexer.Upgrade(&sliceLexer{toks: p.tokens(0, len(p.toks))})
		if err != nil {
			panic(err)
		}
		w = &window{lex: lx, lo: 0, hi: len(p.toks) - 1}
		p.whole = w
		p.participleToks += len(p.toks)
	}
	if start > 0 {
		w.lex.FastForward(lexer.RawCursor(start - 1))
	}
	return w
}
