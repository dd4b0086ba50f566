package policy

import (
	"fmt"
	"os"
	"slices"
	"strings"
	"sync"

	"github.com/alecthomas/participle/v2"
	"github.com/alecthomas/participle/v2/lexer"

	"github.com/tcpipc/tcpipc/diag"
	"github.com/tcpipc/tcpipc/grammar/source"
)

// Rule ids of the diagnostics this package reports.
const (
	RuleSyntax    = "POLICY-SYNTAX"    // text pagent or IKED cannot read
	RuleBrace     = "POLICY-BRACE"     // unbalanced or misplaced braces
	RuleUnknown   = "POLICY-UNKNOWN"   // a statement type or attribute nobody knows
	RulePlacement = "POLICY-PLACEMENT" // a known word where it does not belong
	RuleBlock     = "POLICY-BLOCK"     // a block missing, or given where none belongs
	RuleName      = "POLICY-NAME"      // a missing or malformed name
	RuleValues    = "POLICY-VALUES"    // missing values, or words past the last one
	RuleDuplicate = "POLICY-DUPLICATE" // given twice where the last one wins
	RuleRead      = "POLICY-READ"      // the file cannot be read
	// RuleUnsupported is an informational finding: a statement of a
	// policy type tcpipc keeps without checking (QoS, AT-TLS, IDS, Routing).
	RuleUnsupported = "POLICY-UNSUPPORTED"
)

// MaxNameLength is the longest policy statement name IBM accepts.
const MaxNameLength = 32

// lineParser is participle's parser of the line grammar, built the first
// time a line leaves the hand-written scanner (or the grammar is printed),
// not at every start of the CLI.
var lineParser = sync.OnceValue(func() *participle.Parser[fileNode] {
	return participle.MustBuild[fileNode](
		participle.Lexer(definition{}),
		participle.UseLookahead(1),
	)
})

// ParseFile reads and parses the file at path. A file that cannot be read
// gives one error diagnostic and an empty File.
func ParseFile(path string, opts Options) (*File, diag.Diagnostics) {
	data, err := os.ReadFile(path)
	if err != nil {
		var ds diag.Diagnostics
		ds.Errorf(RuleRead, diag.Range{File: path}, "cannot read %s", path).Detail = err.Error()
		kind := opts.Kind
		if kind == Auto {
			kind = PagentMain
		}
		return &File{Name: path, Kind: kind, Source: source.New(path, nil, source.UTF8)}, ds
	}
	return Parse(path, data, opts)
}

// Parse parses the text of a file; name is used in ranges.
func Parse(name string, data []byte, opts Options) (*File, diag.Diagnostics) {
	return parse(name, data, opts, false)
}

// parse is Parse, with the line grammar run by participle alone when
// participleOnly is set (the agreement tests compare both paths).
func parse(name string, data []byte, opts Options, participleOnly bool) (*File, diag.Diagnostics) {
	src := source.Decode(name, data, opts.Encoding)
	f := &File{Name: name, Kind: opts.Kind, Source: src}
	p := &parser{file: f, src: src}
	lx := lex(src.Text, src.Name, looksSecret, getTokens())
	f.secrets = lx.Secrets
	p.build(lx, participleOnly)
	// Nothing built keeps a token (entries copy what they need), so the
	// array can serve the next file.
	putTokens(lx.Tokens)
	if f.Kind == Auto {
		f.Kind = guessKind(f.Entries)
	}
	p.validateTop()
	p.reportUnmodelled()
	p.attachComments(lx.Comments)
	p.diags.Sort()
	return f, p.diags
}

type parser struct {
	file  *File
	src   *source.File
	diags diag.Diagnostics
	// all holds every entry in file order, for comments.
	all []*Entry
	// braceLines maps the line of a brace to the entry whose block it
	// opens or closes: one slot per line of the file, cheaper than a map.
	braceLines []*Entry
	// unmodelled are the statements of policy types tcpipc keeps without
	// modelling (AT-TLS, IDS, QoS, routing).
	unmodelled []*Entry
	nodes      nodeSlabs
}

// nodeSlabs hands out entries and values a chunk at a time: a policy of
// 20,000 rules has hundreds of thousands of them, and one allocation each
// made the allocator and the collector a large share of a parse.
type nodeSlabs struct {
	entries []Entry
	values  []Value
	lists   []*Value
	blocks  []Block
	frames  []frame
	members []*Entry
}

// frame returns a new open block.
func (s *nodeSlabs) frame() *frame {
	if len(s.frames) == 0 {
		s.frames = make([]frame, slabSize)
		s.blocks = make([]Block, slabSize)
	}
	fr := &s.frames[0]
	fr.block = &s.blocks[0]
	s.frames, s.blocks = s.frames[1:], s.blocks[1:]
	// Most blocks hold a few attributes: room for them from a shared
	// chunk spares the appends their allocations (a longer block grows
	// out of it as usual).
	const room = 8
	if len(s.members) < room {
		s.members = make([]*Entry, slabSize*room)
	}
	fr.block.Entries = s.members[:0:room]
	s.members = s.members[room:]
	return fr
}

const slabSize = 256

func (s *nodeSlabs) entry() *Entry {
	if len(s.entries) == 0 {
		s.entries = make([]Entry, slabSize)
	}
	e := &s.entries[0]
	s.entries = s.entries[1:]
	return e
}

func (s *nodeSlabs) value() *Value {
	if len(s.values) == 0 {
		s.values = make([]Value, slabSize)
	}
	v := &s.values[0]
	s.values = s.values[1:]
	return v
}

// valueList returns a slice of n value pointers whose capacity ends at n,
// so that an append by a user of the tree copies instead of overwriting
// the next list.
func (s *nodeSlabs) valueList(n int) []*Value {
	if n > slabSize {
		return make([]*Value, n)
	}
	if len(s.lists) < n {
		s.lists = make([]*Value, slabSize)
	}
	l := s.lists[:n:n]
	s.lists = s.lists[n:]
	return l
}

// frame is an open block.
type frame struct {
	entry *Entry // nil for a '{' that follows no statement
	block *Block
}

// build turns the token stream into entries and blocks: the hand-written
// parser of the line grammar (descent.go) first, participle when it cannot
// (or when participleOnly is set).
func (p *parser) build(lx *Lexed, participleOnly bool) {
	p.braceLines = make([]*Entry, p.src.Lines()+1)
	if !participleOnly {
		b := p.newBlockBuilder(lx.Tokens)
		if scanLines(lx.Tokens, func(_ lexer.Token, segs []*segment) { b.line(segs) }) {
			b.finish()
			return
		}
	}
	pl, err := lexer.Upgrade(&sliceLexer{toks: lx.Tokens})
	if err == nil {
		var tree *fileNode
		tree, err = lineParser().ParseFromLexer(pl)
		if err == nil {
			p.lines(tree.Lines, lx.Tokens)
			return
		}
	}
	// The grammar accepts every token sequence the lexer produces; this
	// is a safety net, not an expected path.
	p.diags.Errorf(RuleSyntax, p.src.Range(0, 0), "cannot split the file into lines")
}

func (p *parser) lines(lines []*line, toks []lexer.Token) {
	b := p.newBlockBuilder(toks)
	for _, ln := range lines {
		b.line(ln.Segments)
	}
	b.finish()
}

// blockBuilder matches braces into blocks, one line of segments at a time.
type blockBuilder struct {
	p     *parser
	stack []*frame
	// budget is how many blocks the file leaves unclosed: the guesses
	// below close at most that many early.
	budget int
	last   *Entry // the entry a following '{' would belong to
}

func (p *parser) newBlockBuilder(toks []lexer.Token) *blockBuilder {
	return &blockBuilder{p: p, budget: unclosedCount(toks)}
}

// container is where the next entry goes.
func (b *blockBuilder) container() *[]*Entry {
	if len(b.stack) == 0 {
		return &b.p.file.Entries
	}
	return &b.stack[len(b.stack)-1].block.Entries
}

func (b *blockBuilder) closeFrame(fr *frame, end diag.Range) {
	if fr.entry == nil {
		return
	}
	fr.block.Close = end
	fr.entry.Range = b.p.span(fr.entry.KeywordRange, end)
}

func (b *blockBuilder) unclosed(fr *frame) {
	p := b.p
	d := p.diags.Errorf(RuleBrace, fr.block.Open, "'{' is never closed")
	if fr.entry != nil {
		d.Summary = fmt.Sprintf("the block of %s is never closed", fr.entry.Keyword)
		if n := len(fr.block.Entries); n > 0 {
			fr.entry.Range = p.span(fr.entry.KeywordRange, fr.block.Entries[n-1].Range)
		} else {
			fr.entry.Range = p.span(fr.entry.KeywordRange, fr.block.Open)
		}
	}
	d.Detail = "Add a '}' on a line of its own where the block ends. Policy Agent cannot read a file with unbalanced braces."
}

// line takes the segments of one line.
func (b *blockBuilder) line(segments []*segment) {
	p := b.p
	if len(segments) > 1 {
		for _, s := range segments {
			var t *lexer.Token
			if s.Open != nil {
				t = s.Open
			} else if s.Close != nil {
				t = s.Close
			}
			if t != nil {
				d := p.diags.Errorf(RuleBrace, p.tokRange(*t), "'%s' must be on a line of its own", t.Value)
				d.Detail = "Policy Agent and IKED read one statement or attribute per line and ignore the rest of the line, " +
					"so a brace next to other text is lost. Put each brace on a separate line; tcpipc reads it as if you had."
				break
			}
		}
	}
	for _, s := range segments {
		switch {
		case s.Stmt != nil:
			e := p.entry(s.Stmt)
			// A file with an unclosed block: when a top-level statement
			// turns up inside a block that cannot hold it, the block
			// was most likely left open.
			for b.budget > 0 && len(b.stack) > 0 && (p.closesBlock(e.Keyword, b.stack[len(b.stack)-1]) || dedented(e, b.stack[len(b.stack)-1])) {
				b.unclosed(b.stack[len(b.stack)-1])
				b.stack = b.stack[:len(b.stack)-1]
				b.budget--
			}
			c := b.container()
			*c = append(*c, e)
			p.all = append(p.all, e)
			b.last = e
		case s.Open != nil:
			r := p.tokRange(*s.Open)
			fr := p.nodes.frame()
			fr.block.Open = r
			if b.last != nil && b.last.Block == nil {
				fr.entry = b.last
				b.last.Block = fr.block
				p.braceLines[r.Start.Line] = b.last
			} else {
				d := p.diags.Errorf(RuleBrace, r, "'{' does not follow a statement")
				d.Detail = "A block belongs to the statement or attribute on the line before it; tcpipc ignores what is inside this one."
			}
			b.stack = append(b.stack, fr)
			b.last = nil
		case s.Close != nil:
			b.close(p.tokRange(*s.Close))
			b.last = nil
		}
	}
}

// close takes a '}' at r.
func (b *blockBuilder) close(r diag.Range) {
	p := b.p
	if len(b.stack) == 0 {
		d := p.diags.Errorf(RuleBrace, r, "'}' does not close any block")
		d.Detail = "There is no open block for this brace to close; remove it, or add the '{' it was meant to match."
		return
	}
	// With an unclosed block in the file, a '}' lined up with an outer
	// block's statement closes that block: the inner ones were left open.
	if b.budget > 0 {
		if i := outerMatch(b.stack, r.Start.Column); i >= 0 {
			for len(b.stack)-1 > i && b.budget > 0 {
				b.unclosed(b.stack[len(b.stack)-1])
				b.stack = b.stack[:len(b.stack)-1]
				b.budget--
			}
		}
	}
	fr := b.stack[len(b.stack)-1]
	b.stack = b.stack[:len(b.stack)-1]
	b.closeFrame(fr, r)
	if fr.entry != nil {
		p.braceLines[r.Start.Line] = fr.entry
	}
}

// finish reports the blocks still open at the end of the file.
func (b *blockBuilder) finish() {
	for i := len(b.stack) - 1; i >= 0; i-- {
		b.unclosed(b.stack[i])
	}
}

// unclosedCount is how many '{' the file never closes.
func unclosedCount(toks []lexer.Token) int {
	depth := 0
	for _, t := range toks {
		switch t.Type {
		case LBrace:
			depth++
		case RBrace:
			if depth > 0 {
				depth--
			}
		}
	}
	return depth
}

// indented reports whether a block's entries are indented deeper than the
// statement that owns it: only then does indentation say anything.
func indented(fr *frame) bool {
	return fr.entry != nil && len(fr.block.Entries) > 0 &&
		fr.block.Entries[0].KeywordRange.Start.Column > fr.entry.KeywordRange.Start.Column
}

// dedented reports whether e, inside fr's indented block, is written no
// deeper than the statement owning the block.
func dedented(e *Entry, fr *frame) bool {
	return indented(fr) && e.KeywordRange.Start.Column <= fr.entry.KeywordRange.Start.Column
}

// outerMatch returns the index of the innermost open block, below the top
// one, whose statement or '{' is in column col, when the top block is
// indented and col is left of its '{'; -1 otherwise.
func outerMatch(stack []*frame, col int) int {
	top := stack[len(stack)-1]
	if !indented(top) || col >= top.block.Open.Start.Column {
		return -1
	}
	for i := len(stack) - 2; i >= 0; i-- {
		fr := stack[i]
		if fr.entry != nil && (fr.entry.KeywordRange.Start.Column == col || fr.block.Open.Start.Column == col) {
			return i
		}
	}
	return -1
}

// closesBlock reports whether keyword, found inside fr's block, is a
// top-level statement the block's statement type cannot hold.
func (p *parser) closesBlock(keyword string, fr *frame) bool {
	spec, ok := LookupStatement(keyword)
	if !ok || !spec.TopLevel || fr.entry == nil {
		return false
	}
	outer := blockSpec(fr.entry, nil)
	if outer == nil {
		return false
	}
	_, isAttr := outer.Attr(keyword)
	return !isAttr
}

func previousSibling(es []*Entry) *Entry {
	if len(es) == 0 {
		return nil
	}
	return es[len(es)-1]
}

func (p *parser) knownWord(w string) bool { return canonical(w) != "" }

// entry makes an Entry of a statement segment.
func (p *parser) entry(st *statement) *Entry {
	kw := st.Tokens[0]
	e := p.nodes.entry()
	*e = Entry{Keyword: kw.Value, KeywordRange: p.tokRange(kw)}
	if c := canonical(kw.Value); c != "" {
		e.Keyword = c
		e.Secret = isSecretCanonical(c) // looksSecret, without a second lookup
	} else if visible, ok := JoinedSecret(kw.Value); ok {
		e.Keyword, e.Secret = visible+Redacted, true
	} else {
		e.Secret = looksSecret(kw.Value)
	}
	if n := len(st.Tokens) - 1; n > 0 {
		e.Values = p.nodes.valueList(n)
		for i, t := range st.Tokens[1:] {
			v := p.nodes.value()
			*v = Value{Text: t.Value, Range: p.tokRange(t), Secret: e.Secret || t.Type == Secret}
			if t.Type == Secret && !e.Secret {
				// A key later on the line of another entry: no reader
				// of this entry has a use for it, and many quote values.
				v.Text = Redacted
			}
			e.Values[i] = v
		}
	}
	e.Range = e.KeywordRange
	if n := len(e.Values); n > 0 {
		e.Range = p.span(e.KeywordRange, e.Values[n-1].Range)
		if e.Secret && e.Values[n-1].Range.Start.Line != e.KeywordRange.Start.Line {
			p.splitSecret(e)
		}
	}
	return e
}

// splitSecret reports a secret value the lexer followed onto a later line.
// The diagnostic points at the keyword and never quotes the value.
func (p *parser) splitSecret(e *Entry) {
	d := p.diags.Errorf(RuleValues, e.KeywordRange, "the value of %s continues on the next line", e.Keyword)
	d.Detail = "Policy Agent reads one attribute and its values per line, and IBM documents no continuation character: " +
		"it would read " + e.Keyword + " with the text of its own line only and the next line as an attribute of its own. " +
		"Write the whole value on the line of " + e.Keyword + ". tcpipc treats the following line as part of the key and never shows it."
}

// tokRange is the range of a token. The lexer has counted lines and
// columns already, and a token never spans a line end, so the range is
// made from its position without searching the file's line table; it
// equals p.src.Range(offset, offset+len) (TestTokenRanges).
func (p *parser) tokRange(t lexer.Token) diag.Range {
	start := diag.Pos{Line: t.Pos.Line, Column: t.Pos.Column, Offset: t.Pos.Offset}
	end := start
	end.Column += len(t.Value)
	end.Offset += len(t.Value)
	return diag.Range{File: p.src.Name, Start: start, End: end}
}

// span is the range from the start of a to the end of b.
func (p *parser) span(a, b diag.Range) diag.Range {
	return diag.Range{File: a.File, Start: a.Start, End: b.End}
}

// guessKind picks the kind of a file from its top-level statements (see
// guessFileKind in others.go).
func guessKind(es []*Entry) Kind { return guessFileKind(es) }

// blockSpec is the statement type an entry's block holds, given the
// statement type of the block the entry sits in (nil at the top level).
func blockSpec(e *Entry, in *StatementSpec) *StatementSpec {
	if in != nil {
		a, ok := in.Attr(e.Keyword)
		if !ok || !a.Inline {
			// Misplaced: still check its contents as what it names.
			if s, ok := LookupStatement(e.Keyword); ok && s.Block {
				return s
			}
			return nil
		}
		return schema[a.Name]
	}
	if s, ok := LookupStatement(e.Keyword); ok && s.Block {
		return s
	}
	return nil
}

// validateTop checks the top-level entries against the schema.
func (p *parser) validateTop() {
	kind := p.file.Kind
	seen := map[string]*Entry{}
	for _, e := range p.file.Entries {
		spec, ok := LookupStatement(e.Keyword)
		switch {
		case !ok && canonical(e.Keyword) != "":
			d := p.diags.Errorf(RulePlacement, e.KeywordRange, "%s is an attribute, not a statement", e.Keyword)
			d.Detail = fmt.Sprintf("%s belongs inside the { } block of %s; a '}' too many before it may have closed its block early.",
				e.Keyword, owners(e.Keyword))
		case !ok && otherStatements[strings.ToUpper(e.Keyword)].name != "":
			p.otherStatement(e, otherStatements[strings.ToUpper(e.Keyword)], kind)
		case !ok:
			p.unknown(e, fmt.Sprintf("unknown statement %s", e.Keyword), topLevelCandidates(kind), topLevelCandidates(Auto), true)
		case !spec.TopLevel:
			d := p.diags.Errorf(RulePlacement, e.KeywordRange, "%s is not valid at the top level", e.Keyword)
			d.Detail = fmt.Sprintf("%s only appears inside the block of %s.", e.Keyword, owners(e.Keyword))
		case !validIn(spec, kind):
			d := p.diags.Errorf(RulePlacement, e.KeywordRange, "%s is not valid in %s", e.Keyword, kind.describe())
			d.Detail = fmt.Sprintf("%s is a statement of %s.", e.Keyword, spec.File.describe())
		default:
			if spec.Unique {
				if prev := seen[spec.Type]; prev != nil {
					d := p.diags.Warnf(RuleDuplicate, e.KeywordRange, "%s appears more than once; the last one is used", spec.Type)
					d.Related = append(d.Related, diag.Related{Range: prev.KeywordRange, Message: "an earlier " + spec.Type})
				}
				seen[spec.Type] = e
			}
			p.checkStatement(e, spec, true, false)
		}
		if ok && spec.Block && e.Block != nil {
			p.validateBlock(e.Block, spec)
			if validIn(spec, kind) {
				p.checkNeeds(e, spec)
			}
		} else if !ok && e.Block != nil {
			p.validateBlock(e.Block, nil)
		}
	}
}

// owners lists the statement types that accept an attribute.
func owners(attr string) string {
	var out []string
	for _, t := range topLevelNames(Auto) {
		if _, ok := schema[t].Attr(attr); ok {
			out = append(out, t)
		}
	}
	for t, s := range schema {
		if _, ok := s.Attr(attr); ok && !s.TopLevel {
			out = append(out, t)
		}
	}
	switch len(out) {
	case 0:
		return "another statement"
	case 1:
		return out[0]
	}
	if len(out) > 4 {
		out = append(out[:4], "others")
	}
	return strings.Join(out[:len(out)-1], ", ") + " or " + out[len(out)-1]
}

// checkStatement checks a block statement's header or a one-line
// statement: its block, its name and the number of its values. global is
// set at the top level, where a named statement must carry its name.
func (p *parser) checkStatement(e *Entry, spec *StatementSpec, global, needsName bool) {
	switch {
	case spec.Block && e.Block == nil:
		d := p.diags.Errorf(RuleBlock, e.KeywordRange, "%s has no { } block", e.Keyword)
		d.Detail = fmt.Sprintf("%s is a block statement: put '{' on the next line, its attributes one per line, then '}'.", e.Keyword)
	case !spec.Block && e.Block != nil:
		d := p.diags.Errorf(RuleBlock, e.Block.Open, "%s does not take a { } block", e.Keyword)
		d.Detail = fmt.Sprintf("%s is a one-line statement; remove the braces and what is between them.", e.Keyword)
	}
	if !spec.Block {
		p.checkCount(e, spec.MinValues, spec.MaxValues)
		return
	}
	if spec.NamedGlobal {
		if len(e.Values) == 0 {
			if global || needsName {
				d := p.diags.Errorf(RuleName, e.KeywordRange, "%s has no name", e.Keyword)
				if global {
					d.Detail = fmt.Sprintf("%s %s that stands at the top level needs a name, so that other statements can refer to it.", upperFirst(article(e.Keyword)), e.Keyword)
				} else {
					d.Detail = fmt.Sprintf("%s %s written inline here needs a name.", upperFirst(article(e.Keyword)), e.Keyword)
				}
			}
		} else {
			p.checkName(e, e.Values[0])
		}
		p.checkCount(e, 0, 1)
		return
	}
	p.checkCount(e, 0, 0)
	if len(e.Values) > 0 && !e.Secret {
		d := p.diags.Warnf(RuleValues, e.Values[0].Range, "%s takes no name; the rest of the line is ignored", e.Keyword)
		d.Range = p.span(e.Values[0].Range, e.Values[len(e.Values)-1].Range)
	}
}

// checkCount reports too few values (error) or words past the last value
// the schema allows (warning: pagent ignores them). max 0 with min 0
// leaves the count unchecked.
func (p *parser) checkCount(e *Entry, min, max int) {
	if len(e.Values) < min {
		d := p.diags.Errorf(RuleValues, e.Range, "%s has no value", e.Keyword)
		if min > 1 {
			d.Summary = fmt.Sprintf("%s needs at least %d values", e.Keyword, min)
		}
		return
	}
	if max > 0 && len(e.Values) > max {
		r := p.span(e.Values[max].Range, e.Values[len(e.Values)-1].Range)
		d := p.diags.Warnf(RuleValues, r, "%s: text after its value is ignored", e.Keyword)
		if max > 1 {
			d.Summary = fmt.Sprintf("%s: text after its %d values is ignored", e.Keyword, max)
		}
		d.Detail = "Policy Agent reads one attribute and its values per line and ignores the rest of the line; " +
			"if this is a comment, start it with '#'."
	}
}

// checkName applies IBM's naming rules to a policy name (a statement's own
// name or a reference to one).
func (p *parser) checkName(e *Entry, v *Value) {
	if p.file.Kind != IPSecPolicy || e.Secret {
		return
	}
	var problem string
	switch {
	case len([]rune(v.Text)) > MaxNameLength:
		problem = fmt.Sprintf("is %d characters long; names are limited to %d", len([]rune(v.Text)), MaxNameLength)
	case strings.HasPrefix(v.Text, "-"):
		problem = "starts with '-'"
	case strings.Contains(v.Text, ","):
		problem = "contains ','"
	default:
		return
	}
	d := p.diags.Errorf(RuleName, v.Range, "name %s %s", quoteName(v.Text), problem)
	d.Detail = fmt.Sprintf("Policy Agent rejects IPsec policy names longer than %d characters, starting with '-' or containing ','; "+
		"an error in one statement means no new IPsec policy is installed at all.", MaxNameLength)
}

// article is "an" before a vowel (IpService, IkeConfig), else "a".
func article(word string) string {
	if word != "" && strings.ContainsRune("AEIOUaeiou", rune(word[0])) {
		return "an"
	}
	return "a"
}

func upperFirst(s string) string { return strings.ToUpper(s[:1]) + s[1:] }

func quoteName(s string) string {
	if len(s) > 48 {
		s = s[:45] + "..."
	}
	return fmt.Sprintf("%q", s)
}

// validateBlock checks the entries of a block of statement type spec (nil
// when the statement is unknown: its entries are kept unchecked).
// checkNeeds reports a block that lacks every attribute of one of its
// statement's required groups (StatementSpec.Needs).
func (p *parser) checkNeeds(e *Entry, spec *StatementSpec) {
	for _, group := range spec.Needs {
		found := false
		for _, a := range e.Block.Entries {
			found = found || slices.ContainsFunc(group, func(n string) bool { return strings.EqualFold(n, a.Keyword) })
		}
		if found {
			continue
		}
		what := strings.Join(group, " or ")
		d := p.diags.Errorf(RuleValues, e.KeywordRange, "%s has no %s", strings.TrimSpace(spec.Type+" "+e.Name()), what)
		d.Detail = fmt.Sprintf("Policy Agent refuses %s without %s (IP Configuration Reference, %s statement).", spec.Type, what, spec.Type)
	}
}

func (p *parser) validateBlock(b *Block, spec *StatementSpec) {
	if spec == nil {
		return
	}
	seen := map[string]*Entry{}
	for _, e := range b.Entries {
		a, ok := spec.Attr(e.Keyword)
		if ok {
			e.Keyword = a.Name
		} else {
			p.misplaced(e, spec)
			if e.Block != nil {
				p.validateBlock(e.Block, blockSpec(e, spec))
			}
			continue
		}
		if !a.Repeatable {
			if prev := seen[a.Name]; prev != nil {
				d := p.diags.Warnf(RuleDuplicate, e.KeywordRange, "%s is given twice in %s; the last one is used", a.Name, spec.Type)
				d.Related = append(d.Related, diag.Related{Range: prev.KeywordRange, Message: "the first " + a.Name})
			}
			seen[a.Name] = e
		}
		switch {
		case a.Inline:
			inner := schema[a.Name]
			if e.Block == nil {
				d := p.diags.Errorf(RuleBlock, e.KeywordRange, "inline %s has no { } block", a.Name)
				d.Detail = fmt.Sprintf("Write %s's attributes in a { } block on the following lines", a.Name)
				if ref, ok := spec.Attr(a.Name + "Ref"); ok {
					d.Detail += fmt.Sprintf(", or use %s to name %s %s defined elsewhere", ref.Name, article(a.Name), a.Name)
				}
				d.Detail += "."
			} else {
				p.checkStatement(e, inner, false, a.NeedsName)
				p.validateBlock(e.Block, inner)
				p.checkNeeds(e, inner)
			}
		case e.Block != nil:
			d := p.diags.Errorf(RuleBlock, e.Block.Open, "%s does not take a { } block", a.Name)
			d.Detail = fmt.Sprintf("%s is an attribute of %s with values on its own line; its block is not read.", a.Name, spec.Type)
		case a.RefTo != "":
			if len(e.Values) == 0 {
				d := p.diags.Errorf(RuleName, e.KeywordRange, "%s names no %s", a.Name, a.RefTo)
				d.Detail = fmt.Sprintf("Give the name of %s %s statement after %s.", article(a.RefTo), a.RefTo, a.Name)
			} else {
				p.checkName(e, e.Values[0])
				p.checkCount(e, 1, 1)
			}
		case a.Bare:
			if len(e.Values) > 0 {
				d := p.diags.Warnf(RuleValues, p.span(e.Values[0].Range, e.Values[len(e.Values)-1].Range),
					"%s takes no value; the rest of the line is ignored", a.Name)
				d.Detail = "Policy Agent reads the attribute alone; if this is a comment, start it with '#'."
			}
		default:
			p.checkCount(e, 1, 0)
			if a.Name == "SharedKey" {
				p.checkKeyFormat(e)
			}
		}
	}
}

// checkKeyFormat reports a SharedKey value that does not start with its
// format (IBM: SharedKey Ascii|Ebcdic|Hex, then the key). A backslash
// before it is the continuation the lexer followed, reported already.
func (p *parser) checkKeyFormat(e *Entry) {
	for _, v := range e.Values {
		if v.Text == "\\" {
			continue
		}
		if !IsKeyFormat(v.Text) {
			d := p.diags.Errorf(RuleValues, e.KeywordRange, "SharedKey has no format before its key")
			d.Detail = "Write SharedKey Ascii, SharedKey Ebcdic or SharedKey Hex, then the key; without the format Policy Agent cannot read the key. " +
				"(The value is not shown.)"
		}
		return
	}
}

// misplaced reports an entry whose keyword is not an attribute of spec.
func (p *parser) misplaced(e *Entry, spec *StatementSpec) {
	if c := canonical(e.Keyword); c != "" {
		d := p.diags.Errorf(RulePlacement, e.KeywordRange, "%s is not valid in %s", c, spec.Type)
		if o := owners(c); o != "another statement" {
			d.Detail = fmt.Sprintf("%s is an attribute of %s, not of %s.", c, o, spec.Type)
		} else {
			d.Detail = fmt.Sprintf("%s is a top-level statement; a '}' may be missing before it.", c)
		}
		return
	}
	p.unknown(e, "unknown attribute "+e.Keyword+" in "+spec.Type, spec.attrNames(), nil, spec.Complete)
}

// unknown reports a word the schema does not know: an error when it is
// probably a misspelling or the list it was checked against is complete,
// otherwise a warning.
func (p *parser) unknown(e *Entry, summary string, candidates, more []string, complete bool) {
	s := suggest(e.Keyword, candidates)
	if s == "" {
		s = suggest(e.Keyword, more)
	}
	var d *diag.Diagnostic
	if strings.HasSuffix(e.Keyword, Redacted) {
		d = p.diags.Errorf(RuleUnknown, e.KeywordRange, "%s", summary)
		d.Detail = "A secret attribute is joined to the text after it by a character that is not a blank " +
			"(a no-break space, '=' or ':'), so Policy Agent reads one unknown word and no key. " +
			"Separate the attribute, the format and the key with blanks. (The rest of the word is not shown.)"
		return
	}
	if complete || s != "" {
		d = p.diags.Errorf(RuleUnknown, e.KeywordRange, "%s", summary)
	} else {
		d = p.diags.Warnf(RuleUnknown, e.KeywordRange, "%s", summary)
		d.Detail = "tcpipc's list of this statement's attributes follows IBM's documentation and may be incomplete; " +
			"check the spelling against the IP Configuration Reference."
	}
	if s != "" {
		d.Detail = "Did you mean " + s + "?"
	}
}

// attachComments gives each entry the comments on the lines before it
// (after the previous entry) and at the end of its line; a comment on the
// line of a brace goes to the entry whose block the brace opens or closes.
func (p *parser) attachComments(comments []Comment) {
	byLine := make([]*Entry, p.src.Lines()+1)
	for _, e := range p.all {
		byLine[e.KeywordRange.Start.Line] = e
	}
	j := 0
	for _, c := range comments {
		if e := byLine[c.Line]; e != nil && e.KeywordRange.Start.Offset < c.Offset {
			e.Comments = append(e.Comments, c.Text)
			continue
		}
		if e := p.braceLines[c.Line]; e != nil {
			e.Comments = append(e.Comments, c.Text)
			continue
		}
		for j < len(p.all) && p.all[j].KeywordRange.Start.Offset < c.Offset {
			j++
		}
		if j < len(p.all) {
			p.all[j].Comments = append(p.all[j].Comments, c.Text)
		} else {
			p.file.TrailingComments = append(p.file.TrailingComments, c.Text)
		}
	}
}
