package profile

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"reflect"
	"slices"
	"sort"
	"strings"

	"github.com/alecthomas/participle/v2"
	"github.com/alecthomas/participle/v2/lexer"

	"github.com/tcpipc/tcpipc/diag"
	"github.com/tcpipc/tcpipc/grammar/source"
)

// Rule ids of the diagnostics this package reports.
const (
	RuleSyntax      = "SYNTAX"      // the stack would reject this
	RuleUnsupported = "UNSUPPORTED" // recognised, not modelled by tcpipc
	RuleInclude     = "INCLUDE"     // an INCLUDE that cannot be resolved, a cycle, a limit
	RuleOutside     = "OUTSIDE"     // a file reference that leads outside the sysplex directory
	RuleRead        = "READ"        // a file that exists but cannot be read (an I/O error)
	RuleSequence    = "SEQNUM"      // sequence numbers in columns 73-80
	RuleComment     = "COMMENT"     // a ';' comment with no blank after the word before it
	RuleIgnored     = "IGNORED"     // the stack ignores this statement
)

// MaxIncludeDepth bounds INCLUDE nesting.
const MaxIncludeDepth = 16

// Default bounds on what one profile may include in all. A member may be
// included many times (each INCLUDE reads it again, as the stack does), so
// a few small members that include each other several times would
// otherwise expand without end; real profiles include a few dozen members.
const (
	DefaultMaxIncludes     = 10000   // INCLUDE statements followed
	DefaultMaxIncludeBytes = 4 << 20 // bytes of included text, counted per inclusion
)

// ErrOutside marks a file reference that leads outside the directories a
// profile may read from; the Resolver or ReadFile of Options return an
// error that matches it (errors.Is) and the INCLUDE is reported as
// RuleOutside, without reading the file.
var ErrOutside = errors.New("outside the sysplex directory")

// Options control how a profile is read.
type Options struct {
	// Encoding of every file read; Auto detects EBCDIC per file.
	Encoding source.Encoding
	// Resolver maps INCLUDE data set names to files; nil means DirResolver{}.
	Resolver Resolver
	// ReadFile reads an included file (and, for ParseFile, the profile);
	// nil means os.ReadFile. The parse keeps references into the bytes it
	// returns instead of copying them, so they must not change afterwards.
	ReadFile func(path string) ([]byte, error)
	// MaxIncludes and MaxIncludeBytes bound the INCLUDEs followed and the
	// bytes they splice in, over the whole profile; 0 means the defaults.
	MaxIncludes, MaxIncludeBytes int
	// Symbols holds the stack's MVS system symbols (by name, without & and
	// period) for the data set names of INCLUDEs; nil means tcpipc does not
	// know them, and an INCLUDE that uses one is reported.
	Symbols map[string]string
}

// Profile is a parsed profile with everything it included.
type Profile struct {
	// Main is the name of the profile file itself.
	Main string
	// Files holds every file read, by name, for snippets and ranges.
	Files map[string]*source.File
	// Statements in the order the stack processes them, included
	// statements spliced in after their INCLUDE.
	Statements []Statement
	// TrailingComments are comments after the last statement.
	TrailingComments []string

	// stream holds the tokens the nodes of the hand-written parsers
	// refer to.
	stream *stream
}

// Sources returns the files' text for diagnostic snippets.
func (p *Profile) Sources() diag.Sources {
	out := diag.Sources{}
	for n, f := range p.Files {
		out[n] = f.Text
	}
	return out
}

// ParseFile reads and parses the profile at path.
func ParseFile(path string, opts Options) (*Profile, diag.Diagnostics) {
	read := opts.ReadFile
	if read == nil {
		read = os.ReadFile
	}
	data, err := read(path)
	if err != nil {
		var ds diag.Diagnostics
		ds.Errorf(readRule(err), diag.Range{File: path}, "cannot read profile: %v", err)
		return &Profile{Main: path, Files: map[string]*source.File{}}, ds
	}
	prof, p := parseData(path, data, opts, defaultMode, true, nil)
	return prof, p.diags
}

// StreamFile parses the profile at path as ParseFile does and calls emit
// with each top-level statement, in order, as soon as nothing later in
// the parse can change it (a comment at the end of a statement's line is
// attached when its file's next statement is finished), instead of
// keeping it: the Profile returned has no Statements. A caller that
// writes each statement out and drops it lets the collector reuse its
// memory, so a large profile's tree is never in memory whole. n is the
// number of top-level statements.
func StreamFile(path string, opts Options, emit func(Statement)) (prof *Profile, ds diag.Diagnostics, n int) {
	read := opts.ReadFile
	if read == nil {
		read = os.ReadFile
	}
	data, err := read(path)
	if err != nil {
		ds.Errorf(readRule(err), diag.Range{File: path}, "cannot read profile: %v", err)
		return &Profile{Main: path, Files: map[string]*source.File{}}, ds, 0
	}
	count := func(st Statement) { n++; emit(st) }
	prof, p := parseData(path, data, opts, defaultMode, true, count)
	return prof, p.diags, n
}

// Parse parses profile text; name is used in ranges and to resolve
// INCLUDEs relative to it.
func Parse(name string, data []byte, opts Options) (*Profile, diag.Diagnostics) {
	prof, p := parse(name, data, opts, false)
	return prof, p.diags
}

// parse is Parse, optionally with participle parsing every statement.
func parse(name string, data []byte, opts Options, participleOnly bool) (*Profile, *parser) {
	m := defaultMode
	if participleOnly {
		m = participleMode
	}
	return parseData(name, data, opts, m, false, nil)
}

// mode is how the parser is set up: tests compare the ways.
type mode struct {
	// participleOnly turns the hand-written parsers off.
	participleOnly bool
	// wholeStream gives participle the whole stream for every statement
	// instead of a window of it (window.go).
	wholeStream bool
}

var (
	defaultMode    = mode{}
	participleMode = mode{participleOnly: true}
)

// parseData is parse; owned says that data was read for this parse and
// nobody else changes it, so tokens may refer to it instead of a copy (a
// fresh copy of a large profile is a thousand page faults).
//
// emit, when not nil, gets the top-level statements instead of the
// Profile (StreamFile).
func parseData(name string, data []byte, opts Options, m mode, owned bool, emit func(Statement)) (*Profile, *parser) {
	if opts.Resolver == nil {
		opts.Resolver = DirResolver{}
	}
	if opts.ReadFile == nil {
		opts.ReadFile = os.ReadFile
	}
	if opts.MaxIncludes <= 0 {
		opts.MaxIncludes = DefaultMaxIncludes
	}
	if opts.MaxIncludeBytes <= 0 {
		opts.MaxIncludeBytes = DefaultMaxIncludeBytes
	}
	p := &parser{opts: opts, files: map[string]*source.File{}, lexed: map[string]*Lexed{}, unsupported: map[string]bool{}, mode: m,
		stream: &stream{bases: keywordBases}, fileIndex: map[string]uint16{}, emit: emit}
	f := decode(name, data, opts.Encoding)
	p.expand(f, 0, nil, owned)
	// The stream now holds every token: the files' own arrays, which an
	// INCLUDE made the splice copy, need not stay live through the parse.
	p.lexed = nil
	p.toks = append(p.toks, tok{typ: int8(EOF), file: p.fileIndex[name], off: uint32(len(f.Text))})
	prof := &Profile{Main: name, Files: p.files, stream: p.stream}
	p.parseAll(prof)
	p.trailingComments(prof)
	p.flush(true)
	return prof, p
}

type parser struct {
	opts  Options
	files map[string]*source.File
	diags diag.Diagnostics

	// The token stream with INCLUDEs spliced in. runs says which include
	// instance each stretch of it came from, chains[instance] is that
	// instance's INCLUDE chain.
	*stream
	fileIndex map[string]uint16 // of each file in the stream's fileList
	scratch   []lexer.Token     // operandTokens' buffer
	runs      []run
	chains    [][]diag.Range
	comments  map[string]*fileComments
	// ownToks is set once toks is a slice of its own rather than the
	// main file's tokens: from then on splices append in place.
	ownToks bool
	// mainToks is the number of the main file's tokens (splice sizes the
	// stream of its own for all of them).
	mainToks int
	// lexed caches each included file's tokens: a member included many
	// times is read and lexed once.
	lexed map[string]*Lexed
	// includes and includedBytes count what INCLUDEs spliced in so far,
	// against the limits in opts; overLimit is set at the first INCLUDE
	// past them (reported once; the INCLUDEs after it are not followed).
	includes, includedBytes int
	overLimit               bool

	// pos is the index of the next token to parse.
	pos int
	// afterPort is the top-level statement just parsed when it is a PORT:
	// a word that begins no statement after it is one of its entries
	// short of an operand.
	afterPort *Port
	// afterHome and afterPortRange are the same for HOME and PORTRANGE.
	afterHome      *Home
	afterPortRange *PortRange
	// lastTop is the keyword of the top-level statement just parsed, for
	// the lines skipped after a syntax error that follows it.
	lastTop string
	// open is the block whose members are being parsed: resyncing after a
	// bad member stops at the next member that begins with a word.
	open *blockSpec
	mode
	whole *window // the whole stream, in wholeStream mode
	// viaParticiple counts the statements participle parsed,
	// participleToks the tokens made into participle's form for them and
	// widened the windows participle read past (window.go).
	viaParticiple, participleToks, widened int

	cur   cursor // the hand-written parsers' position
	slabs slabs  // and their nodes
	lists lists  // and their nodes' slices
	// lastEnd holds the last index of each END keyword, to tell a stray
	// statement inside a block from a block that is never closed.
	lastEnd map[string]int
	// swallowed is set once a block is left unterminated: the stack reads
	// every remaining token as part of it.
	swallowed string
	// reported is the token after an unmodelled statement's last operand
	// plus one, when checkOperands has already reported it (0: none).
	reported    int
	unsupported map[string]bool
	// emit, when set, takes the top-level statements instead of the
	// Profile (StreamFile); pending holds those that may still get a
	// comment, tops counts the top-level statements begun.
	emit    func(Statement)
	pending []pendingStatement
	tops    int
	// lastOfFiles counts, by top-level statement, the files whose last
	// statement so far it is or holds (kept when streaming).
	lastOfFiles map[int]int
	// lastTokOf is the index of each file's last token in the stream
	// (endsMember), made once the stream is complete.
	lastTokOf []int
	// rawUpperFn is rawUpper as a func value (rawUpperFunc).
	rawUpperFn func(*lexer.Token) string
	// memberMetas is block's buffer for its members' metadata.
	memberMetas []*Meta
	// copied holds the files whose text the parser copied to hide a
	// credential in it (vocabulary.go).
	copied map[*source.File]bool
}

// expand lexes f into the token stream and, depth first, every member it
// INCLUDEs; owned says whether f's text was read for this parse.
func (p *parser) expand(f *source.File, depth int, chain []diag.Range, owned bool) {
	p.files[f.Name] = f
	instance := int32(len(p.chains))
	p.chains = append(p.chains, chain)
	lx := p.lexed[f.Name]
	if lx == nil {
		file, ok := p.fileIndex[f.Name]
		if !ok && len(p.fileList) == maxFiles {
			// A tok's file is 16 bits. (The main file is the first, so
			// the EOF token's file exists.)
			d := p.diags.Errorf(RuleInclude, f.Range(0, 0), "%s is file %d of the profile, past the %d distinct files tcpipc reads", f.Name, maxFiles+1, maxFiles)
			d.IncludedFrom = chain
			return
		}
		if !ok {
			file = uint16(len(p.fileList))
			p.fileIndex[f.Name] = file
			p.fileList = append(p.fileList, f)
			p.texts = append(p.texts, "")
		}
		p.fileList[file] = f
		if len(f.Text) > maxOffset {
			// A tok's offsets are 32 bits. (The file is registered all
			// the same: the EOF token of a main file refers to it.)
			d := p.diags.Errorf(RuleRead, f.Range(0, 0), "%s is larger than the 4 GiB tcpipc reads", f.Name)
			d.IncludedFrom = chain
			return
		}
		lx = lex(f, owned, file, &p.bases)
		p.texts[file] = lx.text
		p.lexed[f.Name] = lx
	}
	if p.comments == nil {
		p.comments = map[string]*fileComments{}
	}
	if p.comments[f.Name] == nil {
		p.comments[f.Name] = &fileComments{}
	}
	p.comments[f.Name].list = append(p.comments[f.Name].list, lx.Comments...)
	p.sequenceNumbers(f, lx.SequenceNumbers, chain)
	p.unspacedComments(f, lx.Unspaced, chain)
	for _, off := range lx.Unterminated {
		d := p.diags.Errorf(RuleSyntax, f.Range(off, off+1), "quoted string has no closing quote")
		d.IncludedFrom = chain
	}
	toks := lx.toks
	if depth == 0 {
		p.mainToks = len(toks)
	}
	from := 0 // toks[from:] are not in the stream yet
	for i := 0; i+1 < len(toks); i++ {
		t, dsnTok := &toks[i], &toks[i+1]
		if t.typ != int8(Stmt) || p.value(t) != "INCLUDE" {
			continue
		}
		if dsnTok.typ != int8(Word) && dsnTok.typ != int8(Symbolic) {
			continue // the grammar reports the missing data set name
		}
		i++
		p.splice(toks[from:i+1], instance)
		from = i + 1
		dsnAt := int(dsnTok.off)
		r := f.Range(int(t.off), dsnAt+rawLen(f.Text, dsnAt))
		p.include(f, includeName(f.Text, p.value(dsnTok), dsnAt), r, depth, chain)
	}
	p.splice(toks[from:], instance)
}

// run is a stretch of the token stream from one include instance.
type run struct {
	start    int // index in toks of its first token
	instance int32
}

// splice appends tokens from an include instance to the stream. The main
// file's tokens, when it includes nothing, become the stream as they are:
// a large profile is not copied. The first splice after that copies them
// once into a stream of its own, which later splices append to in place,
// so N INCLUDEs cost linear time, not N copies of the stream. That stream
// has room for the whole main file, this member twice and the EOF token:
// sized from what was spliced so far, an INCLUDE at the end of a large
// profile cost two copies of its stream (TestIncludeCopiesStreamOnce).
func (p *parser) splice(toks []tok, instance int32) {
	if len(toks) == 0 {
		return
	}
	p.runs = append(p.runs, run{start: len(p.toks), instance: instance})
	switch {
	case p.toks == nil:
		p.toks = toks
	case !p.ownToks:
		// p.toks shares its array with the main file's later tokens:
		// appending in place would overwrite them.
		// The capacity is a guess (more INCLUDEs grow it by appending);
		// p.toks is the main file's tokens so far, unless the main file
		// has none.
		own := make([]tok, len(p.toks), max(p.mainToks, len(p.toks))+2*len(toks)+1)
		copy(own, p.toks)
		p.toks, p.ownToks = append(own, toks...), true
	default:
		p.toks = append(p.toks, toks...)
	}
}

// chainAt is the INCLUDE chain of token i.
func (p *parser) chainAt(i int) []diag.Range {
	k := sort.Search(len(p.runs), func(k int) bool { return p.runs[k].start > i }) - 1
	if k < 0 {
		return nil
	}
	return p.chains[p.runs[k].instance]
}

func (p *parser) include(from *source.File, dsn string, at diag.Range, depth int, chain []diag.Range) {
	fail := func(format string, args ...any) *diag.Diagnostic {
		d := p.diags.Errorf(RuleInclude, at, format, args...)
		d.IncludedFrom = chain
		return d
	}
	dsn, ok := p.includeSymbols(dsn, fail)
	if !ok {
		return
	}
	if depth >= MaxIncludeDepth {
		fail("INCLUDE %s nests more than %d levels deep", dsn, MaxIncludeDepth)
		return
	}
	if p.overLimit {
		return // reported at the first INCLUDE past the limit
	}
	path, err := p.opts.Resolver.Resolve(dsn, from.Name)
	if errors.Is(err, ErrOutside) {
		p.outside(dsn, at, chain, err)
		return
	}
	if err != nil {
		fail("cannot resolve INCLUDE %s", dsn).Detail = err.Error()
		return
	}
	newChain := append([]diag.Range{at}, chain...)
	if path == from.Name || p.onChain(path, chain) {
		d := fail("INCLUDE %s includes %s again: the INCLUDEs form a cycle", dsn, path)
		d.Detail = "A member that includes itself, directly or through other members, would never end; remove one INCLUDE of the cycle."
		return
	}
	f := p.files[path]
	if f == nil || p.lexed[path] == nil {
		data, err := p.opts.ReadFile(path)
		switch {
		case errors.Is(err, ErrOutside):
			p.outside(dsn, at, chain, err)
			return
		case err != nil:
			d := p.diags.Errorf(readRule(err), at, "cannot read INCLUDE %s", dsn)
			d.Detail, d.IncludedFrom = err.Error(), chain
			return
		}
		f = decode(path, data, p.opts.Encoding)
	}
	if !p.withinLimits(dsn, len(f.Text), fail) {
		return
	}
	p.expand(f, depth+1, newChain, true) // read by opts.ReadFile
}

// withinLimits counts one more INCLUDE of n bytes and reports, once, the
// first that goes past the limits.
func (p *parser) withinLimits(dsn string, n int, fail func(string, ...any) *diag.Diagnostic) bool {
	p.includes++
	p.includedBytes += n
	if p.includes <= p.opts.MaxIncludes && p.includedBytes <= p.opts.MaxIncludeBytes {
		return true
	}
	p.overLimit = true
	d := fail("INCLUDE %s goes past tcpipc's limit of %d INCLUDEs and %d included bytes per profile", dsn, p.opts.MaxIncludes, p.opts.MaxIncludeBytes)
	d.Detail = "Members that include each other several times multiply: each INCLUDE splices the member in again. " +
		"tcpipc stops following INCLUDEs here, so the statements of this and every later INCLUDE are not checked; " +
		"include each member once."
	return false
}

// outside reports an INCLUDE that leads outside the directories the
// profile may read from. The file is not read, so nothing of it shows.
func (p *parser) outside(dsn string, at diag.Range, chain []diag.Range, err error) {
	d := p.diags.Errorf(RuleOutside, at, "INCLUDE %s leads outside the sysplex directory", dsn)
	d.Detail = err.Error() + ". tcpipc reads only files inside the directory it was given (after resolving symbolic links); " +
		"move the member into it, or allow its directory with --allow-outside."
	d.IncludedFrom = chain
}

// readRule tells a file that is missing (a mistake in the input) from one
// that exists but cannot be read (an I/O error) and one outside the
// sysplex directory.
func readRule(err error) string {
	switch {
	case errors.Is(err, ErrOutside):
		return RuleOutside
	case errors.Is(err, fs.ErrNotExist):
		return RuleInclude
	}
	return RuleRead
}

// onChain reports whether path is a file on the INCLUDE chain.
func (p *parser) onChain(path string, chain []diag.Range) bool {
	for _, r := range chain {
		if r.File == path {
			return true
		}
	}
	return false
}

// parseAll walks the statements of the spliced token stream.
func (p *parser) parseAll(prof *Profile) {
	p.lastEnd = map[string]int{}
	for i := range p.toks {
		if p.toks[i].typ == int8(Stmt) {
			if v := p.valueAt(i); strings.HasPrefix(v, "END") {
				p.lastEnd[v] = i
			}
		}
	}
	ipsecSeen, srcipSeen := "", ""
	for !p.peek().EOF() {
		top := p.tops
		p.tops++
		st := p.statement()
		p.afterPort, _ = st.(*Port)
		p.afterHome, _ = st.(*Home)
		p.afterPortRange, _ = st.(*PortRange)
		p.lastTop = ""
		if st == nil {
			continue
		}
		p.lastTop = st.Info().Keyword
		switch st.(type) {
		case *IPSec:
			// The stack ignores it with an informational message; lint
			// reports it (IPSEC001), the tree shows why it is ignored.
			p.onlyFirst(st, "IPSEC", &ipsecSeen)
		case *SrcIP:
			// "Only one SRCIP block should appear in a configuration data
			// set. Any subsequent SRCIP blocks are ignored" (SRCIP
			// statement).
			if p.onlyFirst(st, "SRCIP", &srcipSeen) {
				d := p.diags.Warnf(RuleIgnored, st.Info().Range, "the stack ignores this SRCIP block: %s", st.Info().Ignored)
				d.Detail = "The stack uses the first SRCIP block of a profile and ignores the others (EZZ0769I); put every SRCIP entry in the first SRCIP block."
			}
		}
		p.keep(prof, st, top)
	}
}

// onlyFirst marks a block after the first of its kind as ignored, seen
// holding where the first is, and reports whether it did.
func (p *parser) onlyFirst(st Statement, kind string, seen *string) bool {
	m := st.Info()
	if *seen == "" {
		*seen = "first at " + m.Range.String()
		return false
	}
	m.Ignored = "only the first " + kind + " block of a profile is used (" + *seen + ")"
	return true
}

// pendingStatement is a top-level statement not yet emitted, and its
// number among the top-level statements begun.
type pendingStatement struct {
	st  Statement
	top int
}

// keep adds a finished top-level statement to the profile, or, when
// streaming, to the statements waiting to be emitted.
func (p *parser) keep(prof *Profile, st Statement, top int) {
	if p.emit == nil {
		prof.Statements = append(prof.Statements, st)
		return
	}
	p.pending = append(p.pending, pendingStatement{st, top})
	p.flush(false)
}

// flush emits the pending statements, in order, up to the first that may
// still get a comment: one that is, or holds, some file's last statement
// so far (attachComments gives that one the comment on its last line
// when the file's next statement is finished). all emits them all.
func (p *parser) flush(all bool) {
	n := 0
	for ; n < len(p.pending) && (all || !p.mayGetComments(p.pending[n].top)); n++ {
		p.emit(p.pending[n].st)
	}
	rest := copy(p.pending, p.pending[n:])
	clear(p.pending[rest:]) // nothing keeps an emitted statement alive
	p.pending = p.pending[:rest]
}

// mayGetComments reports whether top-level statement top holds the last
// statement so far of a file.
func (p *parser) mayGetComments(top int) bool { return p.lastOfFiles[top] > 0 }

// statement parses one top-level statement, or reports the token that
// cannot start one and skips to the next statement keyword.
func (p *parser) statement() Statement {
	t := p.peek()
	start := p.pos
	if t.Type != Stmt {
		if p.reported != start+1 && !p.portEntryShort(t) && !p.homeEntryShort(t) && !p.portRangeEntryShort(t) {
			p.notAStatement(t, TopLevelStatements(), "a profile statement")
		}
		p.skipOperands()
		p.skippedLines(start, p.pos, p.lastTop)
		return nil
	}
	kind, ok := statements[t.Value]
	if !ok {
		// END keywords and block members out of place.
		d := p.errorAt(start, "%s is not valid here", t.Value)
		if strings.HasPrefix(t.Value, "END") {
			d.Summary = t.Value + " without an open block"
			d.Detail = "There is no block open for it to end; remove it, or add the statement that opens the block."
		} else {
			d.Summary = t.Value + " outside its block"
			d.Detail = "This statement is only valid inside its block (VIPADYNAMIC … ENDVIPADYNAMIC, IPSEC … ENDIPSEC, BEGINROUTES … ENDROUTES)."
		}
		p.pos++
		p.skipOperands()
		p.skippedLines(start, p.pos, "")
		return nil
	}
	st := p.parseOne(kind.parser, t.Value)
	if st == nil {
		return nil
	}
	if kind.block != nil {
		p.block(st, kind.block)
	}
	if kind.unsupported {
		p.reportUnsupported(st)
	}
	return st
}

// parseOne parses a statement at the cursor: with its hand-written parser
// when the statement stays on the plain path, otherwise with participle.
// On a syntax error it reports it, skips the statement's operands and
// returns nil.
func (p *parser) parseOne(sp *stmtParser, keyword string) Statement {
	start := p.pos
	if p.badOptionValue(start) {
		p.resyncStatement(start, keyword)
		return nil
	}
	if !p.participleOnly {
		c := &p.cur // one cursor for all statements: no allocation each
		*c = cursor{p: p, stream: p.stream, i: start}
		if st := sp.descent(c); st != nil && c.i > start {
			end := p.checkVocabulary(st, keyword, start, c.i)
			p.pos = end
			p.finish(st, keyword, start, end, false)
			return st
		}
	}
	p.viaParticiple++
	w, v, err := p.parseWindowed(sp, start, keyword)
	end := w.streamIndex(w.lex.RawCursor())
	if err == nil && v != nil && end == start {
		err = errors.New("no statement") // the grammar matched nothing
	}
	if err != nil || v == nil {
		if st := p.listPrefix(keyword, start); st != nil {
			return st
		}
		p.syntaxError(start, keyword, err)
		p.resyncStatement(start, keyword)
		return nil
	}
	st := p.fromParticiple(v, sp.typ, w)
	end = p.checkVocabulary(st, keyword, start, end)
	p.pos = end
	p.finish(st, keyword, start, end, true)
	return st
}

// listPrefix parses the complete ranges of a PORTRANGE statement that
// participle failed, up to the first range short of an operand, which is
// left for the top level to report (portRangeEntryShort): participle
// fails a range more than two tokens in (its lookahead) and took the
// complete ranges before it with it, where the stack ignores only the rest
// of a list after an error. The same in either parsing mode, so the hand-
// written parsers and participle still agree; nil when no range is
// complete.
func (p *parser) listPrefix(keyword string, start int) Statement {
	if keyword != "PORTRANGE" {
		return nil
	}
	c := &p.cur
	*c = cursor{p: p, stream: p.stream, i: start}
	st := portRangeRanges(c, true)
	if st == nil {
		return nil
	}
	p.pos = c.i
	p.finish(st, keyword, start, c.i, false)
	return st
}

// finish fills the statement's Meta and, for participle's trees, restores
// names that the lexer turned into keywords because they were spelled like
// an abbreviation, or whose leading zeros it dropped (the hand-written
// parsers read names as written).
func (p *parser) finish(st Statement, keyword string, start, end int, restore bool) {
	m := st.Info()
	m.Keyword = keyword
	m.Range = p.rangeOf(start, end)
	m.IncludedFrom = p.chainAt(start)
	if p.swallowed != "" {
		m.Ignored = p.swallowed
	}
	p.attachComments(m, start, end)
	p.checkOptions(st)
	if inc, ok := st.(*Include); ok && restore && inc.DSN != "" && start+1 < end {
		// participle folds the name; a z/OS UNIX path keeps its case.
		inc.DSN = includeName(p.fileOf(start+1).Text, inc.DSN, p.offsetAt(start+1))
	}
	for i := start; restore && i < end; i++ {
		t := &p.toks[i]
		if (t.typ == int8(Word) || t.typ == int8(Stmt) || t.typ == int8(Number)) && rawLen(p.fileOf(i).Text, int(t.off)) != p.valueLen(t) {
			p.restoreNames(reflect.ValueOf(st))
			break
		}
	}
}

// block parses the members of a block up to its END statement.
func (p *parser) block(st Statement, spec *blockSpec) {
	open := st.Info()
	p.open = spec
	defer func() { p.open = nil }()
	failed := "" // where the first syntax error in the block was
	// members is the parser's buffer: blocks do not nest.
	members := p.memberMetas[:0]
	defer func() { clear(members); p.memberMetas = members[:0] }()
	// The members are collected on a stack of the parser's and stored in
	// the block, at its end, in a slice of their exact number (appended
	// one by one, a block of 60 members allocated its slice seven times).
	kept := &p.lists.statements
	mark := kept.mark()
	defer func() {
		setMembers(st, kept.stack[mark:], &p.lists)
		clear(kept.stack[mark:])
		kept.stack = kept.stack[:mark]
	}()
	// passed is the word an unsupported block's statement ended at, its
	// operands not taking it (reported there), until the next statement
	// keyword; the contents of a block of another server's statements
	// (TELNETPARMS: PORT 23 …) are skipped by design.
	passed, opened := -1, p.pos
	for {
		t := p.peek()
		start := p.pos
		if passed >= 0 && (t.EOF() || t.Type == Stmt) {
			p.skippedLines(passed, start, open.Keyword)
			passed = -1
		}
		switch {
		case t.EOF():
			p.unterminated(open, spec)
			goto done
		case t.Type == Stmt && t.Value == spec.end:
			if end := p.parseOne(endParser, t.Value); end != nil {
				setEnd(st, end.(*End))
			}
			goto done
		case t.Type == Stmt && t.Value == "INCLUDE":
			if inc := p.parseOne(statements["INCLUDE"].parser, "INCLUDE"); inc != nil {
				kept.push(inc)
			}
			continue
		}
		var sp *stmtParser
		if spec.members != nil {
			sp = spec.members[t.Value]
		}
		label := t.Value
		if sp == nil && spec.entry != nil && t.Type != Stmt {
			sp, label = spec.entry, open.Keyword+" entry"
			if !nameSet.has(t.Type) {
				// An entry begins with the procedure's name.
				d := p.errorAt(start, "%s: %s is not a procedure name", open.Keyword, describe(t))
				d.Detail = "An AUTOLOG entry is the name of a started procedure, then JOBNAME, PARMSTRING and DELAYSTART; the stack rejects the entry."
				p.pos++
				p.skipOperands()
				p.skippedLines(start, p.pos, "")
				continue
			}
		}
		if spec.onError == skipRestOfAll {
			// An unsupported block: keep what is inside as operands.
			if t.Type == Stmt && p.lastEnd[spec.end] < start {
				p.unterminated(open, spec)
				goto done
			}
			if start == opened && t.Type != Stmt {
				passed = start
			}
			p.pos++
			continue
		}
		if sp == nil {
			if t.Type == Stmt && p.lastEnd[spec.end] < start {
				// The END statement never comes.
				p.unterminated(open, spec)
				goto done
			}
			d := p.errorAt(start, "%s is not valid inside %s", describe(t), open.Keyword)
			if t.Type == Word {
				if s := Suggest(t.Value, memberNames(spec)); s != "" {
					d.Detail = "Did you mean " + s + "?"
				}
			}
			p.pos++
			p.skipOperands()
			p.skippedLines(start, p.pos, "")
			if failed == "" {
				failed = d.Range.String()
			}
			continue
		}
		member := p.parseOne(sp, label)
		if member == nil {
			if failed == "" {
				failed = p.rangeOf(start, start+1).String()
			}
			continue
		}
		m := member.Info()
		if failed != "" && spec.onError == skipRest && m.Ignored == "" {
			m.Ignored = fmt.Sprintf("follows a syntax error in this %s block (%s); the stack ignores the rest of the block", open.Keyword, failed)
		}
		members = append(members, m)
		kept.push(member)
	}
done:
	if failed != "" && spec.onError == discardBlock {
		why := fmt.Sprintf("the %s block has a syntax error (%s) and the stack discards all of it", open.Keyword, failed)
		open.Ignored = why
		d := p.diags.Warnf(RuleIgnored, open.Range, "the stack discards this %s block because of a syntax error in it", open.Keyword)
		d.Detail = "Any syntax error inside " + open.Keyword + " makes the stack ignore the whole block; fix the error."
		d.IncludedFrom = open.IncludedFrom
		for _, m := range members {
			if m.Ignored == "" {
				m.Ignored = why
			}
		}
	}
	if failed != "" && spec.onError == skipRest {
		ignored := 0
		for _, m := range members {
			if strings.HasPrefix(m.Ignored, "follows a syntax error") {
				ignored++
			}
		}
		if ignored > 0 {
			d := p.diags.Warnf(RuleIgnored, open.Range, "%d statement(s) after the syntax error in this %s block are ignored by the stack", ignored, open.Keyword)
			d.Detail = "A syntax error inside " + open.Keyword + " ends the processing of the block; fix the error so the statements after it take effect."
			d.IncludedFrom = open.IncludedFrom
		}
	}
}

// unterminated reports a block whose END statement is missing: the stack
// reads every remaining token of the data set as part of the block.
func (p *parser) unterminated(open *Meta, spec *blockSpec) {
	d := p.diags.Errorf(RuleSyntax, open.Range, "%s block is not terminated: %s is missing", open.Keyword, spec.end)
	d.Detail = fmt.Sprintf("Without %s the stack reads everything that follows as part of this block. Add %s after the block's last entry.", spec.end, spec.end)
	d.IncludedFrom = open.IncludedFrom
	if p.swallowed == "" {
		p.swallowed = fmt.Sprintf("read as part of the unterminated %s block at %s", open.Keyword, open.Range)
	}
}

func (p *parser) reportUnsupported(st Statement) {
	m := st.Info()
	key := m.Range.File + "\x00" + m.Keyword
	if p.unsupported[key] {
		return
	}
	p.unsupported[key] = true
	d := p.diags.Infof(RuleUnsupported, m.Range, "%s is not modelled by tcpipc", m.Keyword)
	d.Detail = "tcpipc keeps the statement and its operands but does not check or simulate it. Only the first " + m.Keyword + " of each file is reported."
	if hasOperandSpec(m.Keyword) || m.Keyword == "DELETE" {
		d.Detail = "tcpipc checks the statement's operands but does not simulate it. Only the first " + m.Keyword + " of each file is reported."
	}
	d.IncludedFrom = m.IncludedFrom
}

// notAStatement reports a token found where a statement must begin.
func (p *parser) notAStatement(t view, candidates []string, what string) {
	d := p.errorAt(p.pos, "%s is not %s", describe(t), what)
	if hint := tcpipDataHint(t); hint != "" {
		d.Detail = hint
		return
	}
	if hint := endOfNoBlock(t); hint != "" {
		d.Detail = hint
		return
	}
	if t.Type == Word {
		if s := Suggest(t.Value, candidates); s != "" {
			d.Detail = "Did you mean " + s + "?"
		}
	}
}

// portEntryShort reports a word that begins no statement right after a
// PORT statement as the entry of that PORT it is: a port number (or UNRSV)
// without its protocol or job name, or, where the PORT has no entry, a
// word in place of the port number. It reports whether it did.
func (p *parser) portEntryShort(t view) bool {
	if p.afterPort == nil {
		return false
	}
	var d *diag.Diagnostic
	switch next := p.viewAt(p.pos + 1); {
	case t.Type == Word && len(p.afterPort.Entries) > 0 && p.sameLineAsPrevious(p.pos):
		// A word on the line of the last entry is one more option of it.
		e := p.afterPort.Entries[len(p.afterPort.Entries)-1]
		label := fmt.Sprintf("PORT %d", e.Number)
		if e.Unreserved {
			label = "PORT UNRSV"
		}
		d = p.errorAt(p.pos, "%s: %s", label, notAnOption(t.Value, "PORT"))
		d.Detail = "A reserved port takes NOAUTOLOG, DELAYACKS or NODELAYACKS, SHAREPORT or SHAREPORTWLM, BIND address, SAF resname, NOSMC or SMC; an UNRSV entry SAF resname or DENY, and WHENLISTEN or WHENBIND. The stack rejects the entry."
		return true
	case t.Type != Number && !(t.Type == Word && upper(t.Value) == "UNRSV"):
		if len(p.afterPort.Entries) > 0 || t.Type != Word {
			return false // a statement misspelt after a complete PORT
		}
		d = p.errorAt(p.pos, "PORT: %s is not a port number", t.Value)
	case next.Type == Word && (upper(next.Value) == "TCP" || upper(next.Value) == "UDP"):
		d = p.errorAt(p.pos, "PORT %s %s: a job name must follow the protocol", upper(t.Value), upper(next.Value))
	default:
		d = p.errorAt(p.pos, "PORT %s: TCP or UDP and a job name must follow the port number", upper(t.Value))
	}
	d.Detail = "A PORT entry is a port number from 1 to 65535 (or UNRSV), TCP or UDP and a job name, then its options; the stack rejects the statement."
	return true
}

// homeEntryShort reports a token that begins no statement right after a
// HOME statement as the entry of that HOME it is: an address without its
// link name, or a word on the line of the last entry, which the stack
// reads as the next entry's address. It reports whether it did.
func (p *parser) homeEntryShort(t view) bool {
	if p.afterHome == nil {
		return false
	}
	var d *diag.Diagnostic
	switch {
	case t.Type == IPv4 || t.Type == IPv6:
		d = p.errorAt(p.pos, "HOME %s: a link name must follow the address", t.Value)
	case t.Type == Word && p.sameLineAsPrevious(p.pos):
		d = p.errorAt(p.pos, "HOME: %s is not an IP address", t.Value)
	default:
		return false
	}
	d.Detail = "A HOME entry is an IP address and the name of the link it is the home address of; the stack rejects the entry."
	return true
}

// portRangeEntryShort reports a token that begins no statement right
// after a PORTRANGE statement as the range of that PORTRANGE it is: a
// first port short of the rest of its range (the diagram repeats the
// ranges), or a word on the line of the last range, one more option of
// it. It reports whether it did.
func (p *parser) portRangeEntryShort(t view) bool {
	if p.afterPortRange == nil {
		return false
	}
	var d *diag.Diagnostic
	count, proto := p.viewAt(p.pos+1), view{}
	if !count.EOF() {
		proto = p.viewAt(p.pos + 2)
	}
	switch {
	case t.Type == Number && count.Type == Number && proto.Type == Word && (upper(proto.Value) == "TCP" || upper(proto.Value) == "UDP"):
		d = p.errorAt(p.pos, "PORTRANGE %s %s %s: a job name must follow the protocol", t.Value, count.Value, upper(proto.Value))
	case t.Type == Number && count.Type == Number:
		d = p.errorAt(p.pos, "PORTRANGE %s %s: TCP or UDP and a job name must follow the number of ports", t.Value, count.Value)
	case t.Type == Number:
		d = p.errorAt(p.pos, "PORTRANGE %s: the number of ports, TCP or UDP and a job name must follow the first port", t.Value)
	case t.Type == Word && p.sameLineAsPrevious(p.pos):
		e := p.afterPortRange.Entries[len(p.afterPortRange.Entries)-1]
		d = p.errorAt(p.pos, "PORTRANGE %d: %s", e.First, notAnOption(t.Value, "PORTRANGE"))
	default:
		return false
	}
	d.Detail = "A PORTRANGE range is its first port, the number of ports, TCP or UDP, then RESERVED, AUTHPORT or a job name and its options (NOAUTOLOG, DELAYACKS or NODELAYACKS, SAF resname, NOSMC or SMC); the stack rejects the statement."
	return true
}

// notAnOption says what is wrong with word where an option of stmt (PORT
// or PORTRANGE) may be: BIND or SAF short of its value (the grammar leaves
// it out of the entry), or a word that is no option.
func notAnOption(word, stmt string) string {
	switch upper(word) {
	case "BIND":
		return "BIND must be followed by an IP address"
	case "SAF":
		return "SAF must be followed by a resource name"
	}
	return word + " is not a " + stmt + " option"
}

// sameLineAsPrevious reports whether token i is on the line of the token
// before it.
func (p *parser) sameLineAsPrevious(i int) bool {
	return i > 0 && p.toks[i].line == p.toks[i-1].line && p.toks[i].file == p.toks[i-1].file
}

// endOfNoBlock is the sentence that tells an END word of a statement that
// is no block (ENDHOME, ENDPORT, ENDDEVICE) that there is no such END
// statement, or "" for any other word.
func endOfNoBlock(t view) string {
	if t.Type != Word {
		return ""
	}
	w := upper(t.Value)
	kw, ok := strings.CutPrefix(w, "END")
	if !ok || !isStatement[kw] {
		return ""
	}
	if kind, known := statements[kw]; known && kind.block != nil {
		return ""
	}
	return kw + " has no END statement: it ends where the next statement begins; remove " + w + "."
}

func (p *parser) syntaxError(start int, keyword string, err error) {
	at := start
	msg := "unexpected end of statement"
	var perr participle.Error
	if errors.As(err, &perr) {
		// Find the token the error is about, after the statement start.
		pos := perr.Position()
		for i := start; i < len(p.toks); i++ {
			if p.offsetAt(i) == pos.Offset && p.fileOf(i).Name == pos.Filename {
				at = i
				break
			}
		}
		msg = perr.Message()
	}
	t := p.viewAt(at)
	var d *diag.Diagnostic
	if at == start || t.EOF() || t.Type == Stmt {
		d = p.errorAt(start, "incomplete %s statement", keyword)
		if at != start {
			d.Detail = fmt.Sprintf("The statement ends before %s; %s", describe(t), expectation(msg))
		} else {
			d.Detail = expectation(msg)
		}
	} else {
		d = p.errorAt(at, "%s: unexpected %s", keyword, describe(t))
		d.Detail = expectation(msg)
		if t.Type == Word {
			if s := Suggest(t.Value, keywords); s != "" && s != t.Value {
				d.Detail = strings.TrimSpace(d.Detail + " Did you mean " + s + "?")
			}
		}
	}
}

// expectation turns participle's message into a sentence.
func expectation(msg string) string {
	if i := strings.Index(msg, "(expected "); i >= 0 {
		return "Expected " + untwin(strings.TrimSuffix(msg[i+len("(expected "):], ")")) + "."
	}
	return ""
}

// errorAt reports a syntax error at token i.
func (p *parser) errorAt(i int, format string, args ...any) *diag.Diagnostic {
	d := p.diags.Errorf(RuleSyntax, p.rangeOf(i, i+1), format, args...)
	d.IncludedFrom = p.chainAt(i)
	return d
}

// describe names a token for a message.
func describe(t view) string {
	switch {
	case t.EOF():
		return "the end of the profile"
	case t.Type == String:
		return fmt.Sprintf("string %q", t.Value)
	}
	return t.Value
}

func memberNames(spec *blockSpec) []string {
	var out []string
	for k := range spec.members {
		out = append(out, k)
	}
	return append(out, spec.end)
}

// peek returns the next token; the stream ends with an EOF token that is
// never consumed.
func (p *parser) peek() view { return p.viewAt(p.pos) }

// resync moves on from a bad statement at start to the next statement
// keyword after it.
func (p *parser) resync(start int) {
	p.pos = start
	if !p.peek().EOF() {
		p.pos++
	}
	p.skipOperands()
}

// sequenceNumbers reports a file's sequence numbers once, at the first,
// with their count and lines. The stack reads all 80 columns, so each
// number is an operand of the statement on its line, and the statement
// fails: an error, as the stack makes it.
func (p *parser) sequenceNumbers(f *source.File, seqs []SequenceNumber, chain []diag.Range) {
	if len(seqs) == 0 {
		return
	}
	first := seqs[0]
	lines := make([]int, len(seqs))
	for i, s := range seqs {
		lines[i] = f.Range(s.Offset, s.Offset).Start.Line
	}
	what := "a sequence number"
	if len(seqs) > 1 {
		what = fmt.Sprintf("%d sequence numbers", len(seqs))
	}
	d := p.diags.Errorf(RuleSequence, f.Range(first.Offset, first.Offset+len(first.Text)),
		"%s in columns 73-80 (%s %s)", what, plural(len(lines), "line", "lines"), lineList(lines))
	d.Detail = "The stack reads all 80 columns of a profile record and does not allow sequence numbers: " +
		"it reads each as an operand of the statement on its line, which then fails. tcpipc leaves them out; remove them (ISPF: UNNUM, or NUMBER OFF)."
	d.IncludedFrom = chain
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

// lineList renders sorted line numbers with runs collapsed: 1-40, 42.
func lineList(lines []int) string {
	var parts []string
	for i := 0; i < len(lines); {
		j := i
		for j+1 < len(lines) && lines[j+1] == lines[j]+1 {
			j++
		}
		if j > i {
			parts = append(parts, fmt.Sprintf("%d-%d", lines[i], lines[j]))
		} else {
			parts = append(parts, fmt.Sprint(lines[i]))
		}
		i = j + 1
	}
	return strings.Join(parts, ", ")
}

// operandKeywords are statement keywords that are also operands of another
// statement (VIPADISTRIBUTE … PORT 80, VIPARANGE DELETE): after a syntax
// error in that statement, resyncing skips them too, so that the rest of
// the bad statement draws no second error.
var operandKeywords = map[string][]string{
	"VIPADISTRIBUTE": {"PORT", "DELETE"},
	"VIPARANGE":      {"DELETE"},
	"VIPAROUTE":      {"DELETE"},
	"INTERFACE":      {"DELETE"},
}

// resyncStatement is resync for a bad statement with the given keyword.
func (p *parser) resyncStatement(start int, keyword string) {
	p.resync(start)
	for t := p.peek(); t.Type == Stmt && slices.Contains(operandKeywords[keyword], t.Value); t = p.peek() {
		p.pos++
		p.skipOperands()
	}
}

// skipOperands moves to the next statement keyword, or inside a block to
// the next member that begins with a word.
func (p *parser) skipOperands() {
	for t := p.peek(); t.Type != Stmt && !t.EOF() && !p.memberStart(p.pos); t = p.peek() {
		p.pos++
	}
}

// memberStart reports whether token i begins a member of the open block
// whose members are words, not statement keywords: SRCIP's DESTINATION
// and JOBNAME, or an AUTOLOG entry, which begins a line (the profile is
// free format; the line is the best guess of where the next entry is).
// Skipping to the next statement keyword instead dropped every member
// after a bad one, up to the END statement, without a word.
func (p *parser) memberStart(i int) bool {
	switch spec := p.open; {
	case spec == nil:
		return false
	case spec.members != nil && p.typeAt(i) == Word && spec.members[p.valueAt(i)] != nil:
		return true
	case spec.entry != nil:
		return !p.sameLineAsPrevious(i)
	}
	return false
}

// skippedLines reports the lines of tokens [start, end), passed over after
// the syntax error at start, other than the error's own line: they may
// hold entries of the statement before them, stmt (a PORT or HOME list),
// or anything else, and the stack reads none of them.
func (p *parser) skippedLines(start, end int, stmt string) {
	first, f := -1, p.toks[start].file
	var lines []int
	for i := start + 1; i < end; i++ {
		t := &p.toks[i]
		if t.file != f || t.line == p.toks[start].line || len(lines) > 0 && int(t.line) == lines[len(lines)-1] {
			continue
		}
		if first < 0 {
			first = i
		}
		lines = append(lines, int(t.line))
	}
	if first < 0 {
		return
	}
	what := plural(len(lines), "line", "lines") + " " + lineList(lines) + plural(len(lines), " is", " are")
	at := p.toks[start].line
	var d *diag.Diagnostic
	if stmt != "" {
		d = p.diags.Warnf(RuleIgnored, p.rangeOf(first, end), "%s skipped: the stack ignores the rest of the %s statement after the syntax error at line %d", what, stmt, at)
		d.Detail = "After a syntax error in a list of entries the stack ignores the rest of the list (IP Configuration Reference, \"Statement syntax for configuration statements\"); fix the error so that these entries take effect."
	} else {
		d = p.diags.Warnf(RuleIgnored, p.rangeOf(first, end), "%s skipped: the words after the syntax error at line %d are not read up to the next statement", what, at)
		d.Detail = "Nothing from the syntax error to the next statement keyword is read; fix the error so that these lines take effect."
	}
	d.IncludedFrom = p.chainAt(first)
}

// rangeOf is the source range of tokens [start, end), which all come from
// the file of the first one.
func (p *parser) rangeOf(start, end int) diag.Range {
	first := &p.toks[start]
	f := p.fileList[first.file]
	if first.typ == int8(EOF) {
		return f.Range(int(first.off), int(first.off))
	}
	// Tokens know their line and column, and none spans lines.
	r := diag.Range{File: f.Name, Start: diag.Pos{Line: int(first.line), Column: p.col(first), Offset: int(first.off)}}
	r.End = r.Start
	for i := end - 1; i >= start; i-- {
		if t := &p.toks[i]; t.file == first.file && t.typ != int8(EOF) {
			n := rawLen(f.Text, int(t.off))
			r.End = diag.Pos{Line: int(t.line), Column: p.col(t) + n, Offset: int(t.off) + n}
			break
		}
	}
	return r
}

// RangeOf returns the source range of a syntax node.
func (prof *Profile) RangeOf(n *Node) diag.Range { return rangeOfNode(prof.stream, prof.Files, n) }

// rangeOfNode runs from a node's first token to the end of its last.
func rangeOfNode(st *stream, files map[string]*source.File, n *Node) diag.Range {
	if n.end <= n.first || st == nil {
		return diag.Range{}
	}
	first, last := &st.toks[n.first], &st.toks[n.end-1]
	f := st.fileList[first.file]
	return f.Range(int(first.off), int(last.off)+rawLen(f.Text, int(last.off)))
}

// Text returns the source text of a node as written.
func (prof *Profile) Text(n *Node) string {
	r := prof.RangeOf(n)
	f := prof.Files[r.File]
	if f == nil {
		return ""
	}
	return string(f.Text[r.Start.Offset:r.End.Offset])
}

var nameType = reflect.TypeOf(Name{})

// restoreNames walks a statement and gives every Name the text written in
// the source, undoing keyword expansion of a name like LOGEN.
func (p *parser) restoreNames(v reflect.Value) {
	switch v.Kind() {
	case reflect.Pointer, reflect.Interface:
		if !v.IsNil() {
			p.restoreNames(v.Elem())
		}
	case reflect.Slice:
		for i := 0; i < v.Len(); i++ {
			p.restoreNames(v.Index(i))
		}
	case reflect.Struct:
		if v.Type() == nameType {
			n := v.Addr().Interface().(*Name)
			if n.Len() == 0 {
				return
			}
			t := &p.toks[n.first]
			n.Text = upper(RawText(p.fileList[t.file].Text, int(t.off)))
			return
		}
		for i := 0; i < v.NumField(); i++ {
			if v.Type().Field(i).IsExported() {
				p.restoreNames(v.Field(i))
			}
		}
	}
}

// setMembers stores a block's members, in a slice of their exact number
// taken from the parser's lists; members of another type than the block
// keeps (an INCLUDE inside IPSEC) are left out, as the block's fields
// hold only their own kind.
func setMembers(block Statement, members []Statement, l *lists) {
	if len(members) == 0 {
		return
	}
	switch b := block.(type) {
	case *IPSec:
		b.Rules = keepMembers[*IPSecRule](&l.ipsecRules, members)
	case *VIPADynamic:
		b.Statements = keepMembers[Statement](&l.statementsOut, members)
	case *SrcIP:
		b.Entries = keepMembers[*SrcIPEntry](&l.srcIPEntries, members)
	case *Autolog:
		b.Entries = keepMembers[*AutologEntry](&l.autologEntries, members)
	case *Routes:
		b.Routes = keepMembers[*Route](&l.routes, members)
	}
}

// keepMembers is the members of type T, in a slice from l.
func keepMembers[T any](l *list[T], members []Statement) []T {
	m := l.mark()
	for _, st := range members {
		if v, ok := st.(T); ok {
			l.push(v)
		}
	}
	return l.since(m)
}

func setEnd(block Statement, end *End) {
	switch b := block.(type) {
	case *IPSec:
		b.End = end
	case *VIPADynamic:
		b.End = end
	case *SrcIP:
		b.End = end
	case *Autolog:
		b.End = end
	case *Routes:
		b.End = end
	case *Generic:
		b.End = end
	}
}

// fileComments are a file's comments and how far attaching has got.
type fileComments struct {
	list []Comment
	next int   // list[next:] are not attached yet
	prev *Meta // the file's last statement so far
	// prevTop is the number of the top-level statement prev is, or is
	// inside (parser.tops when it was finished, less one).
	prevTop int
}

// attachComments gives a statement, as it is finished, the comments before
// it (after the previous statement of its file) and inside it; a comment
// on the line where the previous statement ends belongs to that one.
// Statements are finished in the order of their files' text.
func (p *parser) attachComments(m *Meta, start, end int) {
	fc := p.comments[m.Range.File]
	if fc == nil {
		return
	}
	// m's comments are collected on a stack and kept in a slice of their
	// exact number (an allocation per commented statement was a fifth of
	// a parse's objects).
	l := &p.lists.strings
	mark := l.mark()
	for ; fc.next < len(fc.list) && fc.list[fc.next].Offset < m.Range.End.Offset; fc.next++ {
		c := fc.list[fc.next]
		if fc.prev != nil && fc.prev.Range.End.Line == c.Line {
			p.addComment(fc.prev, c.Text)
		} else {
			l.push(c.Text)
		}
	}
	if mine := l.since(mark); m.Comments == nil {
		m.Comments = mine
	} else {
		m.Comments = append(m.Comments, mine...)
	}
	if p.emit != nil {
		if p.lastOfFiles == nil {
			p.lastOfFiles = map[int]int{}
		}
		if fc.prev != nil {
			if p.lastOfFiles[fc.prevTop]--; p.lastOfFiles[fc.prevTop] == 0 {
				delete(p.lastOfFiles, fc.prevTop)
			}
		}
		if p.endsMember(start, end) {
			// No later statement of this member will give m the
			// comments left on its last line: give them now, so the
			// statements after the INCLUDE need not wait for the end.
			p.memberTrailingComments(fc, m)
			fc.prev = nil
			return
		}
		p.lastOfFiles[p.tops-1]++
	}
	fc.prev, fc.prevTop = m, p.tops-1
}

// endsMember reports whether the statement in tokens [start, end) is the
// last of an INCLUDEd member: no token of its file comes after it. The
// main file's last statement keeps its comments for trailingComments,
// which also gives the profile the comments after it.
func (p *parser) endsMember(start, end int) bool {
	if p.lastTokOf == nil {
		p.lastTokOf = make([]int, len(p.fileList))
		for i := range p.toks {
			p.lastTokOf[p.toks[i].file] = i
		}
	}
	file := p.toks[start].file
	return file != p.toks[len(p.toks)-1].file && p.lastTokOf[file] < end
}

// memberTrailingComments gives a member's last statement the comments
// on its last line and drops the member's others, as trailingComments
// would at the end of the parse.
func (p *parser) memberTrailingComments(fc *fileComments, m *Meta) {
	for _, c := range fc.list[fc.next:] {
		if c.Line == m.Range.End.Line {
			p.addComment(m, c.Text)
		}
	}
	fc.next = len(fc.list)
}

// addComment appends a comment to a finished statement's: the comment at
// the end of a statement's line comes after it, so most statements get
// theirs this way. The first is a one-element slice from the parser's
// chunks (a slice of its own each was half of a parse's objects).
func (p *parser) addComment(m *Meta, text string) {
	if m.Comments != nil {
		m.Comments = append(m.Comments, text)
		return
	}
	l := &p.lists.strings
	mark := l.mark()
	l.push(text)
	m.Comments = l.since(mark)
}

// trailingComments attaches the comments after each file's last statement:
// to it when on its last line, otherwise, in the profile itself, to the
// profile.
func (p *parser) trailingComments(prof *Profile) {
	for file, fc := range p.comments {
		for _, c := range fc.list[fc.next:] {
			switch {
			case fc.prev != nil && fc.prev.Range.End.Line == c.Line:
				p.addComment(fc.prev, c.Text)
			case file == prof.Main:
				prof.TrailingComments = append(prof.TrailingComments, c.Text)
			}
		}
	}
}
