package profile

import (
	"bytes"
	"io"
	"slices"
	"strings"
	"unsafe"

	"github.com/alecthomas/participle/v2/lexer"

	"github.com/tcpipc/tcpipc/grammar/source"
)

// Token types. A profile token is a run of characters between blanks, line
// ends and comments (or a quoted string); its type says what it looks like.
const (
	EOF                      = lexer.EOF
	Stmt     lexer.TokenType = iota + 1 // a statement keyword, value in full form
	Word                                // a keyword in full form, or a name
	Number                              // decimal digits
	IPv4                                // dotted-decimal address (or mask)
	IPv6                                // address containing ':'
	Prefix                              // address/length
	Bits                                // /length on its own
	Size                                // a number with a K or M unit (256K)
	Range                               // n-m or address-address without blanks
	String                              // "quoted" text, value without quotes
	Star                                // *
	Dash                                // - on its own
	Equals                              // = on its own
	Symbolic                            // contains a system symbol such as &SYSCLONE.
)

// tokenNames returns the symbols participle grammars use for token types.
// It is a function, not a variable, because the grammars are built during
// package initialisation, through an interface call Go cannot order.
func tokenNames() map[string]lexer.TokenType {
	return map[string]lexer.TokenType{
		"EOF": EOF, "Stmt": Stmt, "Word": Word, "Number": Number, "IPv4": IPv4, "IPv6": IPv6,
		"Prefix": Prefix, "Bits": Bits, "Size": Size, "Range": Range, "String": String, "Star": Star,
		"Dash": Dash, "Equals": Equals, "Symbolic": Symbolic,
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

// definition adapts Lex to participle's lexer.Definition so the grammars
// can be built and printed; the driver feeds participle tokens directly.
type definition struct{}

func (definition) Symbols() map[string]lexer.TokenType { return tokenNames() }

func (definition) Lex(filename string, r io.Reader) (lexer.Lexer, error) {
	data, err := io.ReadAll(r)
	if err != nil {
		return nil, err
	}
	toks := Lex(source.New(filename, data, source.UTF8))
	return &sliceLexer{toks: toks.Tokens}, nil
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

// Comment is a ';' comment with the offset where it starts.
type Comment struct {
	Offset int
	Line   int
	Text   string // without the leading ';', trimmed
}

// SequenceNumber is digit-only text in columns 73–80 of an 80-column record
// that the lexer left out of the token stream.
type SequenceNumber struct {
	Offset int // of the first digit
	Text   string
}

// Lexed is a file's tokens, comments and the sequence numbers set aside.
type Lexed struct {
	Tokens          []lexer.Token // ending with an EOF token
	Comments        []Comment
	SequenceNumbers []SequenceNumber
	// Unterminated lists the offsets of strings with no closing quote.
	Unterminated []int
	// Unspaced lists the offsets of ';' comments written right after a
	// word or a string, with no blank between (see unspacedComments).
	Unspaced []int

	// toks is the compact form of Tokens the parser works on (Tokens is
	// only filled by Lex), without EOF; text is what their values are
	// substrings of.
	toks []tok
	text string
}

// tok is a token as the parser keeps it: where it is and where its value
// is, in 16 bytes and without pointers. A participle token is 64 bytes
// with three pointers, and a large profile has close to a million tokens:
// 40 MB for the kernel to hand out fresh and for the collector to mark
// again at every cycle. Tokens are made into lexer.Token only where one is
// needed (participle, a diagnostic); see stream. The column is not kept:
// it is the offset from the start of the token's line, which the file
// knows (source.File.Offset).
type tok struct {
	off  uint32 // byte offset of the token as written
	line uint32
	// val is where the value is: when skip has tokBased set, the index of
	// the value in the stream's bases (a keyword's full form, a word
	// folded to upper case, a hidden credential); otherwise the length of
	// the value, which is the file's text at off+skip.
	val  uint32
	file uint16 // index of the token's file in the stream
	typ  int8
	skip uint8 // bytes between the token and its value (< tokBased), and tokBased
}

// tokBased marks a tok whose value is in the stream's bases; the bits
// below it count the bytes skipped (a quote, a number's leading zeros).
const (
	tokBased = 0x80
	maxSkip  = tokBased - 1
)

// based reports whether the token's value is in the stream's bases.
func (t *tok) based() bool { return t.skip&tokBased != 0 }

// maxFiles is the number of distinct files a tok can refer to: a profile
// that includes more is refused at the first file past it.
const maxFiles = 1 << 16

// maxOffset is the largest offset a tok holds: a file of 4 GiB or more is
// rejected before it is lexed.
const maxOffset = 1<<32 - 1

// Lex splits a decoded file into tokens. Words are folded to upper case and
// keyword spellings replaced by the keyword's full form; a Token's Pos
// always points at the text as written, so RawText recovers the original.
//
// Lexing is a third of a large profile's parse, so the loop is written for
// speed: one byte table says what each byte is, and a word is scanned once
// to learn what it may be (classifyFast).
func Lex(f *source.File) *Lexed {
	bases := keywordBases
	out := lex(f, false, 0, &bases)
	st := &stream{fileList: []*source.File{f}, texts: []string{out.text}, bases: bases}
	out.Tokens = make([]lexer.Token, 0, len(out.toks)+1)
	// Advise before the array is touched: with the comment list
	// allocated in between, `tcpipc parse` of the 100,000-line profile
	// took 40,000 page faults instead of 21,000 (the advice came too late).
	adviseHugePages(out.Tokens[:cap(out.Tokens)])
	for i := range out.toks {
		out.Tokens = append(out.Tokens, st.token(&out.toks[i]))
	}
	eof := tok{off: uint32(len(f.Text)), typ: int8(EOF)}
	eof.line, _ = endPosition(f.Text)
	out.Tokens = append(out.Tokens, st.token(&eof))
	return out
}

// endPosition is the line and column just past the end of text, as the
// lexer counts them.
func endPosition(text []byte) (line, col uint32) {
	line, start := uint32(1), 0
	for i, c := range text {
		if c == '\n' {
			line, start = line+1, i+1
		}
	}
	return line, uint32(len(text)-start) + 1
}

// lex is Lex into compact tokens, for the stream's file number file, with
// values that are not substrings of the text appended to bases; owned says
// that f's text belongs to the parse and never changes, so values may be
// substrings of it rather than of a copy.
func lex(f *source.File, owned bool, file uint16, bases *[]string) *Lexed {
	src := f.Text
	// Token values and comments are substrings of one copy of the text:
	// no allocation per token, and nothing scattered for the garbage
	// collector to chase.
	text := unsafe.String(unsafe.SliceData(src), len(src))
	if !owned {
		text = string(src)
	}
	ntoks, ncomments := maxTokens(src)
	// One slot more for the EOF token the parser appends to the main
	// file's tokens: without it, appending copied the whole array.
	out := &Lexed{toks: make([]tok, 0, ntoks+1), text: text}
	adviseHugePages(out.toks[:cap(out.toks)])
	out.Comments = make([]Comment, 0, ncomments)
	seqs := findSequenceNumbers(src)
	out.SequenceNumbers = seqs
	nextSeq, seqAt := 0, -1 // seqAt is the offset of the next sequence number
	if len(seqs) > 0 {
		seqAt = seqs[0].Offset
	}
	line := 1
	toks := out.toks
	for i := 0; i < len(src); {
		// Skip over a sequence-number field as if it were blanks. A string
		// left open runs to the end of its line, over the line's sequence
		// number: that one is passed, and the next one is still awaited.
		if seqAt >= 0 && i >= seqAt {
			if i == seqAt {
				i += len(seqs[nextSeq].Text)
			}
			nextSeq++
			seqAt = -1
			if nextSeq < len(seqs) {
				seqAt = seqs[nextSeq].Offset
			}
			continue
		}
		c := src[i]
		switch byteClass[c] {
		case classNewline:
			i++
			line++
			continue
		case classBlank:
			i++
			continue
		case classComment:
			if i > 0 && (byteClass[src[i-1]] == classWord || src[i-1] == '"') {
				out.Unspaced = append(out.Unspaced, i)
			}
			j := i + 1
			for j < len(src) && src[j] != '\n' {
				j++
			}
			out.Comments = append(out.Comments, Comment{Offset: i, Line: line,
				Text: strings.TrimSpace(strings.TrimRight(text[i+1:j], "\r"))})
			i = j
			continue
		case classQuote:
			j := i + 1
			for j < len(src) && src[j] != '"' && src[j] != '\n' {
				j++
			}
			toks = append(toks, tok{off: uint32(i), line: uint32(line), val: uint32(j - i - 1), skip: 1, file: file, typ: int8(String)})
			if j < len(src) && src[j] == '"' {
				j++
			} else {
				out.Unterminated = append(out.Unterminated, i)
			}
			i = j
			continue
		}
		// A word: scan it once, noting what kinds of bytes it holds, up
		// to a separator (kind 0) or the next sequence number.
		end := len(src)
		if seqAt > i {
			end = seqAt
		}
		j, kinds := i, 0
		for j < end {
			k := wordKind[src[j]]
			if k == 0 {
				break
			}
			kinds |= k
			j++
		}
		typ, val := classifyFast(text[i:j], kinds)
		t := tok{off: uint32(i), line: uint32(line), file: file, typ: int8(typ)}
		t.val, t.skip = valueAt(text, i, val, bases)
		toks = append(toks, t)
		i = j
	}
	out.toks = toks
	return out
}

// valueAt says where a word's value val is for a tok at offset i, as
// tok.val and tok.skip: in the text, skip bytes after the word's start
// (the word as written, or a number without its leading zeros), a
// keyword's full form in keywordBases, or a new entry of bases (a word
// folded to upper case).
func valueAt(text string, i int, val string, bases *[]string) (v uint32, skip uint8) {
	if n := len(val); i+n <= len(text) {
		for k := 0; k <= maxSkip && i+k+n <= len(text); k++ {
			if text[i+k:i+k+n] == val {
				return uint32(n), uint8(k)
			}
			if text[i+k] != '0' {
				break
			}
		}
	}
	if b, ok := keywordBase[val]; ok {
		return b, tokBased
	}
	*bases = append(*bases, val)
	return uint32(len(*bases) - 1), tokBased
}

// Byte classes for the lexer's table.
const (
	classWord    = iota // part of a word
	classBlank          // separates tokens
	classNewline        // separates tokens and ends a line
	classComment        // ';' starts a comment to the end of the line
	classQuote          // '"' starts a string
)

// byteClass is the class of every byte, the table form of isSeparator.
var byteClass = func() (t [256]uint8) {
	for _, c := range []byte{' ', '\t', '\r', '\f', '\v', 0} {
		t[c] = classBlank
	}
	t['\n'] = classNewline
	t[';'] = classComment
	t['"'] = classQuote
	return t
}()

// Kinds of bytes in a word, as bits: what classifyFast needs to know to
// take a plain word (letters and digits only) past the address, range
// and size checks. A separator is of no kind.
const (
	kindDigit = 1 << iota
	kindLower
	kindSpecial // anything that may make an address, range, size, prefix or symbol: . : / - & * =
	kindOther   // any other byte: upper-case letters, #, @, $, …
)

var wordKind = func() (t [256]int) {
	for c := range t {
		if byteClass[c] == classWord {
			t[c] = kindOther
		}
	}
	for c := '0'; c <= '9'; c++ {
		t[c] = kindDigit
	}
	for c := 'a'; c <= 'z'; c++ {
		t[c] = kindLower
	}
	for _, c := range []byte(".:/-&*=") {
		t[c] = kindSpecial
	}
	return t
}()

// classifyFast is classify for a word w whose bytes are of the given
// kinds. A plain word, without any of the bytes addresses, ranges, sizes
// and symbols are made of, can only be a number, a size or a word, which
// it decides without the other checks; anything else goes through
// classify.
func classifyFast(w string, kinds int) (lexer.TokenType, string) {
	if kinds&kindSpecial != 0 {
		return classify(w)
	}
	if kinds == kindDigit {
		return Number, decimal(w)
	}
	if w[0] >= '0' && w[0] <= '9' && len(w) > 1 && allDigits(w[:len(w)-1]) && strings.IndexByte("KkMm", w[len(w)-1]) >= 0 {
		return Size, upper(w)
	}
	if kinds&kindLower == 0 {
		if k, ok := lexKeywords[w]; ok {
			return k.typ, k.full
		}
		return Word, w
	}
	// Look a lower-case spelling up without allocating its upper-case
	// form; only a word that is no keyword needs one.
	var buf [32]byte
	if len(w) <= len(buf) {
		u := buf[:len(w)]
		for i := 0; i < len(w); i++ {
			c := w[i]
			if c >= 'a' && c <= 'z' {
				c -= 'a' - 'A'
			}
			u[i] = c
		}
		if k, ok := lexKeywords[string(u)]; ok {
			return k.typ, k.full
		}
	}
	u := upper(w)
	if k, ok := lexKeywords[u]; ok {
		return k.typ, k.full
	}
	return Word, u
}

// keywordBases holds every keyword's full form, for toks whose value is
// one written abbreviated (bases[0] is unused: base 0 means the text);
// keywordBase is the index of each. A parse's bases start as these.
var keywordBases, keywordBase = func() ([]string, map[string]uint32) {
	list, index := []string{""}, map[string]uint32{}
	for _, full := range spellings {
		if _, ok := index[full]; !ok {
			index[full] = uint32(len(list))
			list = append(list, full)
		}
	}
	return slices.Clip(list), index
}()

// lexKeyword is a keyword spelling's full form and token type.
type lexKeyword struct {
	full string
	typ  lexer.TokenType
}

// lexKeywords joins spellings and isStatement into one table, so a word
// costs the lexer one lookup.
var lexKeywords = func() map[string]lexKeyword {
	out := make(map[string]lexKeyword, len(spellings))
	for s, full := range spellings {
		typ := Word
		if isStatement[full] {
			typ = Stmt
		}
		out[s] = lexKeyword{full: full, typ: typ}
	}
	return out
}()

// maxTokens bounds the number of tokens in src, so that the token slice
// is allocated once and no larger than needed: a token begins a run of
// non-blank bytes outside comments, or is a quoted string. (The slice is
// cleared when allocated, so every slot counted costs time.) It counts the
// comments too, exactly.
func maxTokens(src []byte) (tokens, comments int) {
	inRun := 0 // 1 while in a run of word bytes
	for i := 0; i < len(src); i++ {
		k := runStart[src[i]]
		if k <= 1 {
			// Blank (0) or word byte (1): a run starts where a word byte
			// follows a blank, counted without a branch.
			tokens += k &^ inRun
			inRun = k
			continue
		}
		// A string is one token; a comment none. Both end at the line's
		// end (a string also at its closing quote).
		inRun = 0
		if src[i] == '"' {
			tokens++
			if j := bytes.IndexAny(src[i+1:], "\"\n"); j >= 0 && src[i+1+j] == '"' {
				i += 1 + j
				continue
			}
		} else {
			comments++
		}
		if j := bytes.IndexByte(src[i:], '\n'); j >= 0 {
			i += j - 1 // the newline itself is read next
		} else {
			i = len(src)
		}
	}
	return tokens, comments
}

// runStart is maxTokens' table: 0 for a blank or line end, 1 for a byte
// of a word, 2 for a byte that starts a comment or a string.
var runStart = func() (t [256]int) {
	for c := range t {
		switch byteClass[c] {
		case classWord:
			t[c] = 1
		case classComment, classQuote:
			t[c] = 2
		}
	}
	return t
}()

func isSeparator(c byte) bool { return byteClass[c] != classWord }

// RawText returns the token text as written at offset (the word, or the
// quoted string with its quotes).
func RawText(src []byte, offset int) string {
	if offset >= len(src) {
		return ""
	}
	return string(src[offset : offset+rawLen(src, offset)])
}

// upperRaw is upper(RawText(src, offset)) for a token whose value is
// value: without allocating when the token is written as its value (the
// common case: in full, upper case), which the operand grammars ask of
// every operand they match.
func upperRaw(src []byte, offset int, value string) string {
	if n := rawLen(src, offset); n == len(value) && string(src[offset:offset+n]) == value {
		return upper(value) // allocates only for lower case
	}
	return upper(RawText(src, offset))
}

// rawLen is the length of the token written at offset.
func rawLen(src []byte, offset int) int {
	if offset >= len(src) {
		return 0
	}
	j := offset + 1
	if src[offset] == '"' {
		for j < len(src) && src[j] != '"' && src[j] != '\n' {
			j++
		}
		if j < len(src) && src[j] == '"' {
			j++
		}
		return j - offset
	}
	for j < len(src) && !isSeparator(src[j]) {
		j++
	}
	return j - offset
}

// classify decides a word's token type and value.
func classify(w string) (lexer.TokenType, string) {
	switch {
	case len(w) == 1 && w[0] == '*':
		return Star, "*"
	case len(w) == 1 && w[0] == '-':
		return Dash, "-"
	case len(w) == 1 && w[0] == '=':
		return Equals, "="
	case allDigits(w):
		return Number, decimal(w)
	case isIPv4(w):
		return IPv4, w
	case len(w) > 1 && allDigits(w[:len(w)-1]) && strings.IndexByte("KkMm", w[len(w)-1]) >= 0:
		return Size, upper(w)
	}
	if strings.IndexByte(w, '&') >= 0 {
		return Symbolic, upper(w)
	}
	if slash := strings.IndexByte(w, '/'); slash >= 0 {
		if slash == 0 && allDigits(w[1:]) && len(w) > 1 {
			return Bits, w
		}
		if allDigits(w[slash+1:]) && slash+1 < len(w) && (isIPv4(w[:slash]) || isIPv6(w[:slash])) {
			return Prefix, upper(w)
		}
	}
	if dash := strings.IndexByte(w, '-'); dash > 0 && dash < len(w)-1 {
		a, b := w[:dash], w[dash+1:]
		if (allDigits(a) && allDigits(b)) || (isIPv4(a) && isIPv4(b)) || (isIPv6(a) && isIPv6(b)) {
			return Range, upper(w)
		}
	}
	if isIPv6(w) {
		return IPv6, upper(w)
	}
	u := upper(w)
	if full, ok := spellings[u]; ok {
		if isStatement[full] {
			return Stmt, full
		}
		return Word, full
	}
	return Word, u
}

// decimal is a number's value without leading zeros: the stack reads
// numbers in decimal, and participle would read a leading 0 as octal.
func decimal(w string) string {
	for len(w) > 1 && w[0] == '0' {
		w = w[1:]
	}
	return w
}

// upper is w with the letters a–z in upper case, as the stack folds
// profile text; other bytes are left as they are. It allocates only when w
// has lower case.
func upper(w string) string {
	for i := 0; i < len(w); i++ {
		if c := w[i]; c >= 'a' && c <= 'z' {
			b := []byte(w)
			for j := i; j < len(b); j++ {
				if b[j] >= 'a' && b[j] <= 'z' {
					b[j] -= 'a' - 'A'
				}
			}
			return string(b)
		}
	}
	return w
}

func allDigits[T ~string | ~[]byte](w T) bool {
	if len(w) == 0 {
		return false
	}
	for i := 0; i < len(w); i++ {
		if c := w[i]; c < '0' || c > '9' {
			return false
		}
	}
	return true
}

// isIPv4 reports whether w is four dot-separated decimal numbers; their
// values are checked later, so 300.1.1.1 is an IPv4 token with a bad value.
func isIPv4(w string) bool {
	parts, n := 0, 0
	for i := 0; i < len(w); i++ {
		c := w[i]
		switch {
		case c >= '0' && c <= '9':
			n++
			if n > 3 {
				return false
			}
		case c == '.':
			if n == 0 {
				return false
			}
			parts++
			n = 0
		default:
			return false
		}
	}
	return parts == 3 && n > 0
}

// isIPv6 reports whether w looks like an IPv6 address: hex digits and at
// least two colons (with an optional dotted IPv4 tail).
func isIPv6(w string) bool {
	colons := 0
	for i := 0; i < len(w); i++ {
		c := w[i]
		switch {
		case c == ':':
			colons++
		case c >= '0' && c <= '9', c >= 'a' && c <= 'f', c >= 'A' && c <= 'F', c == '.':
		default:
			return false
		}
	}
	return colons >= 2
}

// findSequenceNumbers finds 80-column records whose columns 73–80 hold only
// digits (after leading blanks), separated from the statement text by a
// blank in column 72 and not inside a comment.
func findSequenceNumbers(src []byte) []SequenceNumber {
	var out []SequenceNumber
	for start := 0; start < len(src); {
		end := len(src)
		if i := bytes.IndexByte(src[start:], '\n'); i >= 0 {
			end = start + i
		}
		next := end + 1
		if end > start && src[end-1] == '\r' {
			end--
		}
		if end-start == source.RecordLength {
			field := src[start+72 : end]
			k := 0
			for k < len(field) && field[k] == ' ' {
				k++
			}
			if k < len(field) && allDigits(field[k:]) && src[start+71] == ' ' && bytes.IndexByte(src[start:start+72], ';') < 0 {
				out = append(out, SequenceNumber{Offset: start + 72 + k, Text: string(field[k:])})
			}
		}
		start = next
	}
	return out
}
