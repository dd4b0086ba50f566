// Package tcpipdata reads TCPIP.DATA, the configuration data set of the
// resolver and of the TCP/IP applications (IP Configuration Reference,
// "Configuration statements in TCPIP.DATA"; IBM's sample is
// SEZAINST(TCPDATA)). No stack reads it as a profile: a team keeps it next
// to its PROFILE.TCPIP members, and tcpipc checks it on its own.
//
// A statement is one line: an optional system name and a colon, the
// statement keyword, its values. Keywords are not case sensitive and are
// written in full (IBM's example in the IP Diagnosis Guide, "Trace
// resolver output", writes "Domain", "SEARch", "NSinterAddr",
// "MVS000: Hostname MVS026"). A semicolon or a pound sign that begins a
// word begins a comment, to the end of the line (the same example:
// "# Note that …", "NameServer 9.67.128.255 ; not a server").
package tcpipdata

import (
	"bytes"
	"fmt"
	"io"
	"net/netip"
	"os"
	"slices"
	"strconv"
	"strings"

	"github.com/tcpipc/tcpipc/diag"
	"github.com/tcpipc/tcpipc/grammar/source"
	"github.com/tcpipc/tcpipc/internal/suggest"
)

// Rule is the id of every TCPIP.DATA finding. They are warnings: the
// resolver does not refuse the file, it goes on without the statement it
// cannot use, so the application runs with a default the author did not
// mean.
const Rule = "TCPIPDATA"

// RuleRead is the id of a TCPIP.DATA file that cannot be read, as for a
// profile.
const RuleRead = "READ"

// Statement is one TCPIP.DATA statement.
type Statement struct {
	Range   diag.Range `json:"range"`
	System  string     `json:"system,omitempty"` // the system_name: prefix, without the colon
	Keyword string     `json:"keyword"`          // as written
	Values  []Value    `json:"values,omitempty"`
	Comment string     `json:"comment,omitempty"`
}

// Value is one value of a statement.
type Value struct {
	Text  string     `json:"text"`
	Range diag.Range `json:"range"`
}

// File is a parsed TCPIP.DATA or resolver setup file.
type File struct {
	Path       string
	Kind       string // KindTCPIPData or KindSetup
	Statements []*Statement
	src        *source.File
}

// The kinds of file this package reads.
const (
	KindTCPIPData = "tcpipdata"     // TCPIP.DATA
	KindSetup     = "resolversetup" // the resolver setup file
)

// Options control parsing.
type Options struct {
	Encoding source.Encoding
	// IsProfileStatement tells a PROFILE.TCPIP statement keyword, so that
	// one written here is reported as belonging there.
	IsProfileStatement func(word string) bool
}

// shape is what a statement takes: the number of values and how each is
// checked.
type shape struct {
	min, max int                 // number of values; max < 0: no limit
	one      func(string) string // checks a value: "" or what is wrong
	detail   string              // what the statement takes, for messages
}

// oneOf checks a value that is one of words, in any case.
func oneOf(words ...string) func(string) string {
	return func(v string) string {
		if slices.Contains(words, strings.ToUpper(v)) {
			return ""
		}
		return "is not " + orList(words)
	}
}

// orList writes words as "A, B or C" for messages.
func orList(words []string) string {
	if len(words) == 1 {
		return words[0]
	}
	return strings.Join(words[:len(words)-1], ", ") + " or " + words[len(words)-1]
}

// number checks a whole number from 0 to 2147483647.
func number(v string) string {
	if _, err := strconv.ParseUint(v, 10, 31); err != nil {
		return "is not a number"
	}
	return ""
}

// seconds checks a RESOLVERTIMEOUT value: whole seconds, milliseconds or
// both, with at most three decimals and at most 2147483.647 (IP
// Configuration Reference, RESOLVERTIMEOUT statement: "11, .110, or
// 1.100"; more decimals are "a parse error").
func seconds(v string) string {
	const bad = "is not a number of seconds with up to three decimals, at most 2147483.647"
	whole, frac, _ := strings.Cut(v, ".")
	if whole == "" && frac == "" || len(frac) > 3 || strings.Trim(whole+frac, "0123456789") != "" {
		return bad
	}
	n, _ := strconv.ParseUint(whole+"0", 10, 63) // whole may be empty: ".5"
	if n/10 > 2147483 || n/10 == 2147483 && frac > "647" {
		return bad
	}
	return ""
}

// port checks a port number from 1 to 65535.
func port(v string) string {
	if n, err := strconv.Atoi(v); err != nil || n < 1 || n > 65535 {
		return "is not a port number from 1 to 65535"
	}
	return ""
}

// address checks an IPv4 or IPv6 address.
func address(v string) string {
	if _, err := netip.ParseAddr(v); err != nil {
		return "is not an IP address"
	}
	return ""
}

// mvsName checks a job or user name: 1 to 8 letters, digits, @, # or $,
// not a digit first.
func mvsName(v string) string {
	if len(v) == 0 || len(v) > 8 || v[0] >= '0' && v[0] <= '9' || strings.IndexFunc(v, func(c rune) bool {
		return !(c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '@' || c == '#' || c == '$')
	}) >= 0 {
		return "is not an MVS name (1 to 8 letters, digits, @, # or $, not a digit first)"
	}
	return ""
}

// prefix checks a DATASETPREFIX value by the rules of IBM's DATASETPREFIX
// page: at most 26 characters, qualifiers of 1 to 8 characters separated
// by periods, each beginning with a letter, $, @ or #, the rest letters,
// digits, -, $, @ or #, no period last.
func prefix(v string) string {
	if len(v) > 26 {
		return "is longer than 26 characters"
	}
	for _, q := range strings.Split(v, ".") {
		if q == "" || len(q) > 8 {
			return "has a qualifier that is empty or longer than 8 characters"
		}
		for i, c := range q {
			letter := c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c == '$' || c == '@' || c == '#'
			if !letter && (i == 0 || !(c >= '0' && c <= '9' || c == '-')) {
				return fmt.Sprintf("has %q where a qualifier takes letters, digits, -, $, @ and # (a letter, $, @ or # first)", c)
			}
		}
	}
	return ""
}

// sortItem checks a SORTLIST entry: an address, or address/mask.
func sortItem(v string) string {
	a, m, found := strings.Cut(v, "/")
	if address(a) != "" || found && address(m) != "" {
		return "is not an address or address/mask"
	}
	return ""
}

// statements are the TCPIP.DATA statements of IBM's table, with what they
// take (the IP Configuration Reference page of each statement). TRACE
// takes the word RESOLVER; DOMAIN and NAMESERVER are synonyms of
// DOMAINORIGIN and NSINTERADDR.
var statements = map[string]shape{
	"ALWAYSWTO":          {1, 1, oneOf("YES", "NO"), "YES or NO"},
	"DATASETPREFIX":      {1, 1, prefix, "a data set prefix"},
	"DOMAINORIGIN":       {1, 1, nil, "a domain name"},
	"DOMAIN":             {1, 1, nil, "a domain name"},
	"HOSTNAME":           {1, 1, nil, "a host name"},
	"LOADDBCSTABLES":     {1, -1, nil, "one or more DBCS table names"},
	"LOOKUP":             {1, 2, oneOf("DNS", "LOCAL"), "DNS, LOCAL or both, in the order to use them"},
	"MESSAGECASE":        {1, 1, oneOf("MIXED", "UPPER"), "MIXED or UPPER"},
	"NOCACHE":            {0, 0, nil, "no value"},
	"NOCACHEREORDER":     {0, 0, nil, "no value"},
	"NSINTERADDR":        {1, 1, address, "one name server's IP address"},
	"NAMESERVER":         {1, 1, address, "one name server's IP address"},
	"NSPORTADDR":         {1, 1, port, "a port number"},
	"OPTIONS":            {1, -1, nil, "resolver options (DEBUG, NDOTS:n)"},
	"RESOLVERTIMEOUT":    {1, 1, seconds, "a number of seconds"},
	"RESOLVERUDPRETRIES": {1, 1, number, "a number of tries"},
	"RESOLVEVIA":         {1, 1, oneOf("UDP", "TCP"), "UDP or TCP"},
	"SEARCH":             {1, -1, nil, "one or more domain names"},
	"SORTLIST":           {1, -1, sortItem, "addresses or address/mask pairs"},
	"TCPIPJOBNAME":       {1, 1, mvsName, "the TCP/IP stack's job name"},
	"TCPIPUSERID":        {1, 1, mvsName, "the TCP/IP stack's user ID"},
	"TRACE":              {1, 1, oneOf("RESOLVER"), "RESOLVER"},
}

// IsStatement reports whether word is a TCPIP.DATA statement keyword.
func IsStatement(word string) bool {
	_, ok := statements[strings.ToUpper(word)]
	return ok
}

// Keywords lists the statement keywords, sorted.
func Keywords() []string { return sortedKeys(statements) }

// sortedKeys returns the keys of m, sorted.
func sortedKeys[V any](m map[string]V) []string {
	ks := make([]string, 0, len(m))
	for k := range m {
		ks = append(ks, k)
	}
	slices.Sort(ks)
	return ks
}

// ParseFile reads and parses path, a file of the given kind.
func ParseFile(path, kind string, opts Options) (*File, diag.Diagnostics) {
	data, err := os.ReadFile(path)
	if err != nil {
		var ds diag.Diagnostics
		ds.Errorf(RuleRead, diag.Range{File: path}, "cannot read %s", path).Detail = err.Error()
		return &File{Path: path, Kind: kind, src: source.New(path, nil, source.UTF8)}, ds
	}
	if kind == KindSetup {
		return ParseSetup(path, data, opts)
	}
	return Parse(path, data, opts)
}

// Parse parses a TCPIP.DATA file's bytes.
func Parse(path string, data []byte, opts Options) (*File, diag.Diagnostics) {
	src := source.Decode(path, data, opts.Encoding)
	f := &File{Path: path, Kind: KindTCPIPData, src: src}
	var ds diag.Diagnostics
	eachLine(src.Text, func(start, end int) {
		if st := f.line(start, end, opts, &ds); st != nil {
			f.Statements = append(f.Statements, st)
		}
	})
	f.domainAndSearch(&ds)
	return f, ds
}

// eachLine calls fn with the offsets [start, end) of each line of text,
// without its newline.
func eachLine(text []byte, fn func(start, end int)) {
	for start := 0; start < len(text); {
		end := bytes.IndexByte(text[start:], '\n')
		if end < 0 {
			end = len(text)
		} else {
			end += start
		}
		fn(start, end)
		start = end + 1
	}
}

// domainAndSearch reports DOMAINORIGIN (or DOMAIN) and SEARCH in one file:
// they exclude each other and the resolver uses the one written last, so
// the statements of the other are ignored (IBM's trace resolver example in
// the IP Diagnosis Guide: "DOMAIN is ignored because SEARCH is mutually
// exclusive and SEARCH appears after DOMAIN").
func (f *File) domainAndSearch(ds *diag.Diagnostics) {
	var domain, search []*Statement
	for _, st := range f.Statements {
		switch strings.ToUpper(st.Keyword) {
		case "DOMAINORIGIN", "DOMAIN":
			domain = append(domain, st)
		case "SEARCH":
			search = append(search, st)
		}
	}
	if len(domain) == 0 || len(search) == 0 {
		return
	}
	ignored, used := domain, search[len(search)-1]
	if domain[len(domain)-1].Range.Start.Offset > used.Range.Start.Offset {
		ignored, used = search, domain[len(domain)-1]
	}
	for _, st := range ignored {
		d := ds.Warnf(Rule, st.Range, "%s is ignored: %s on line %d comes after it", strings.ToUpper(st.Keyword), strings.ToUpper(used.Keyword), used.Range.Start.Line)
		d.Detail = "DOMAINORIGIN (or DOMAIN) and SEARCH exclude each other; the resolver uses the one written last. Keep one of them."
	}
}

// word is a blank-delimited word of a line, as byte offsets in the text.
type word struct{ start, end int }

// line parses the statement on the line [start, end), if any.
func (f *File) line(start, end int, opts Options, ds *diag.Diagnostics) *Statement {
	text := f.src.Text
	var words []word
	comment := ""
	for i := start; i < end; {
		for i < end && (text[i] == ' ' || text[i] == '\t' || text[i] == '\r') {
			i++
		}
		if i == end {
			break
		}
		if text[i] == ';' || text[i] == '#' {
			comment = strings.TrimRight(string(text[i:end]), "\r")
			break
		}
		j := i
		for j < end && text[j] != ' ' && text[j] != '\t' && text[j] != '\r' {
			j++
		}
		words = append(words, word{i, j})
		i = j
	}
	if len(words) == 0 {
		return nil
	}
	s := func(w word) string { return string(text[w.start:w.end]) }
	st := &Statement{Range: f.src.Range(words[0].start, words[len(words)-1].end), Comment: comment}
	if first := s(words[0]); strings.HasSuffix(first, ":") {
		st.System = strings.TrimSuffix(first, ":")
		if msg := mvsName(st.System); st.System == "" || msg != "" {
			d := ds.Warnf(Rule, f.src.Range(words[0].start, words[0].end), "%s is not a system name", first)
			d.Detail = "A statement may begin with the name of the system it applies to (1 to 8 letters, digits, @, # or $) and a colon; the resolver does not use the statement."
		}
		words = words[1:]
		if len(words) == 0 {
			d := ds.Warnf(Rule, st.Range, "%s is followed by no statement", first)
			d.Detail = "The system name and its colon come before a statement on the same line."
			return st
		}
	}
	kw := words[0]
	st.Keyword = s(kw)
	for _, w := range words[1:] {
		st.Values = append(st.Values, Value{Text: s(w), Range: f.src.Range(w.start, w.end)})
	}
	f.check(st, f.src.Range(kw.start, kw.end), opts, ds)
	return st
}

// check reports a statement tcpipc does not know and values its statement
// does not take.
func (f *File) check(st *Statement, kwRange diag.Range, opts Options, ds *diag.Diagnostics) {
	upper := strings.ToUpper(st.Keyword)
	sh, ok := statements[upper]
	if !ok {
		if opts.IsProfileStatement != nil && opts.IsProfileStatement(upper) {
			d := ds.Warnf(Rule, kwRange, "%s is a PROFILE.TCPIP statement, not a TCPIP.DATA statement", st.Keyword)
			d.Detail = "The resolver and the applications read TCPIP.DATA; the stack reads its profile. Move the statement to the stack's PROFILE.TCPIP (or an OBEY file); here it has no effect."
			return
		}
		d := ds.Warnf(Rule, kwRange, "%s is not a TCPIP.DATA statement", st.Keyword)
		if s := suggest.Closest(upper, Keywords(), nil); s != "" {
			d.Summary += "; did you mean " + s + "?"
		}
		d.Detail = "The statements of TCPIP.DATA are " + orList(Keywords()) + " (IP Configuration Reference, \"Configuration statements in TCPIP.DATA\"). The resolver does not use a statement it does not know."
		return
	}
	n := len(st.Values)
	switch {
	case n < sh.min:
		d := ds.Warnf(Rule, st.Range, "%s needs %s", upper, sh.detail)
		d.Detail = "Without its value the resolver does not use the statement, and the default applies."
		return
	case sh.max >= 0 && n > sh.max:
		extra := st.Values[sh.max]
		r := extra.Range
		r.End = st.Values[n-1].Range.End
		d := ds.Warnf(Rule, r, "%s takes %s; %s is one word too many", upper, sh.detail, extra.Text)
		if n-sh.max > 1 {
			d.Summary = fmt.Sprintf("%s takes %s; %d words too many from %s", upper, sh.detail, n-sh.max, extra.Text)
		}
		d.Detail = "Write one statement to a line, with its values only; begin a comment with ';'."
	}
	if sh.one == nil {
		return
	}
	checked := st.Values
	if sh.max >= 0 && n > sh.max {
		checked = checked[:sh.max]
	}
	for _, v := range checked {
		if msg := sh.one(v.Text); msg != "" {
			d := ds.Warnf(Rule, v.Range, "%s: %s %s", upper, v.Text, msg)
			d.Detail = upper + " takes " + sh.detail + "; the resolver does not use the statement, and the default applies."
		}
	}
}

// Sources returns the file's decoded text for rendering diagnostics.
func (f *File) Sources() diag.Sources {
	return diag.Sources{f.src.Name: f.src.Text}
}

// WriteTree prints one line per statement.
func (f *File) WriteTree(w io.Writer) error {
	var b strings.Builder
	fmt.Fprintf(&b, "%s (%s)\n", diag.DisplayPath(f.Path), f.Kind)
	for _, st := range f.Statements {
		fmt.Fprintf(&b, "%d:%d ", st.Range.Start.Line, st.Range.Start.Column)
		if st.System != "" {
			b.WriteString(st.System + ": ")
		}
		b.WriteString(strings.ToUpper(st.Keyword))
		for _, v := range st.Values {
			if f.Kind == KindSetup {
				b.WriteString("(" + v.Text + ")")
			} else {
				b.WriteString(" " + v.Text)
			}
		}
		b.WriteByte('\n')
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// JSON is the file as parse --format json prints it.
func (f *File) JSON() any {
	return map[string]any{"file": diag.DisplayPath(f.Path), "kind": f.Kind, "statements": f.Statements}
}
