package tcpipdata

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/tcpipc/tcpipc/diag"
	"github.com/tcpipc/tcpipc/grammar/source"
	"github.com/tcpipc/tcpipc/internal/suggest"
)

// The resolver setup file (the SETUP DD of the resolver's procedure; IBM's
// sample is SEZAINST(EZBRECNF), alias RESSETUP) says where the resolver
// finds the global and default TCPIP.DATA and IPNODES files and how it
// caches. Its statements are a keyword, with a value in parentheses for
// those that take one (DEFAULTTCPIPDATA('TCPIP.TCPIP.DATA'),
// MAXTTL(600)); ';' and '#' begin comments (IP Configuration Guide, "The
// resolver setup file").

// setupStatement is what a resolver setup statement takes.
type setupStatement struct {
	value string // "" for none; else what the value is, for messages
	check func(string) string
}

// count checks a number from lo to hi.
func count(lo, hi int64) func(string) string {
	return func(v string) string {
		if n, err := strconv.ParseInt(v, 10, 64); err != nil || n < lo || n > hi {
			return fmt.Sprintf("is not a number from %d to %d", lo, hi)
		}
		return ""
	}
}

// megabytes checks a CACHESIZE value: a number of megabytes from 1M to
// 999M, written with M (IP Configuration Reference, CACHESIZE statement:
// "The cachesize value must be in the range 1M - 999M").
func megabytes(v string) string {
	if n, ok := strings.CutSuffix(strings.ToUpper(v), "M"); ok && count(1, 999)(n) == "" {
		return ""
	}
	return "is not a number of megabytes from 1M to 999M"
}

// threshold checks an UNRESPONSIVETHRESHOLD value: a percentage, and
// AUTOQUIESCE after a comma to quiesce the unresponsive name servers (IP
// Configuration Reference, UNRESPONSIVETHRESHOLD statement:
// UNRESPONSIVETHRESHOLD(percentage_of_queries,AUTOQUIESCE)).
func threshold(v string) string {
	pct, quiesce, found := strings.Cut(v, ",")
	if count(0, 100)(pct) != "" || found && !strings.EqualFold(quiesce, "AUTOQUIESCE") {
		return "is not a percentage from 0 to 100, optionally followed by ,AUTOQUIESCE"
	}
	return ""
}

// fileName checks a data set or z/OS UNIX file name: a quoted data set
// name, or a path.
func fileName(v string) string {
	switch {
	case strings.HasPrefix(v, "'") && strings.HasSuffix(v, "'") && len(v) > 2,
		strings.HasPrefix(v, "/"):
		return ""
	}
	return "is neither a data set name in single quotation marks nor a z/OS UNIX path"
}

// setupStatements are the resolver setup statements: those IBM's setup
// file sample and the resolver's MODIFY RESOLVER,DISPLAY messages (EZZ9298I,
// EZZ9304I) name, with the forms of their pages (MAXTTL: "in the range 1 -
// 2 147 483 647"). UNRESPONSIVETHRESHOLD is a percentage, with
// AUTOQUIESCE as its operand: AUTOQUIESCE is no statement of its own.
var setupStatements = map[string]setupStatement{
	"GLOBALTCPIPDATA":       {"a data set or file name", fileName},
	"DEFAULTTCPIPDATA":      {"a data set or file name", fileName},
	"GLOBALIPNODES":         {"a data set or file name", fileName},
	"DEFAULTIPNODES":        {"a data set or file name", fileName},
	"CACHE":                 {},
	"NOCACHE":               {},
	"CACHEREORDER":          {},
	"NOCACHEREORDER":        {},
	"COMMONSEARCH":          {},
	"NOCOMMONSEARCH":        {},
	"CACHESIZE":             {"a number of megabytes", megabytes},
	"MAXTTL":                {"a number of seconds", count(1, 2147483647)},
	"MAXNEGTTL":             {"a number of seconds", count(0, 2147483647)},
	"UNRESPONSIVETHRESHOLD": {"a percentage, and AUTOQUIESCE after a comma if it quiesces", threshold},
}

// IsSetupStatement reports whether word (up to any parenthesis) is a
// resolver setup statement keyword that is no TCPIP.DATA statement too.
func IsSetupStatement(word string) bool {
	kw, _, _ := strings.Cut(strings.ToUpper(word), "(")
	_, ok := setupStatements[kw]
	return ok && !IsStatement(kw)
}

// IsSharedStatement reports whether word is both a TCPIP.DATA and a
// resolver setup statement (NOCACHE, NOCACHEREORDER): it tells neither
// kind of file.
func IsSharedStatement(word string) bool {
	_, ok := setupStatements[strings.ToUpper(word)]
	return ok && IsStatement(word)
}

// setupKeywords lists the setup statement keywords, sorted.
func setupKeywords() []string {
	return sortedKeys(setupStatements)
}

// ParseSetup parses a resolver setup file's bytes.
func ParseSetup(path string, data []byte, opts Options) (*File, diag.Diagnostics) {
	src := source.Decode(path, data, opts.Encoding)
	f := &File{Path: path, Kind: KindSetup, src: src}
	var ds diag.Diagnostics
	eachLine(src.Text, func(start, end int) {
		for i := start; i < end; {
			st, next := f.setupStatement(i, end, &ds)
			if st != nil {
				f.Statements = append(f.Statements, st)
			}
			i = next
		}
	})
	return f, ds
}

// setupStatement reads the statement beginning at or after i on the line
// ending at end, and returns where the next one may begin.
func (f *File) setupStatement(i, end int, ds *diag.Diagnostics) (*Statement, int) {
	text := f.src.Text
	for i < end && (text[i] == ' ' || text[i] == '\t' || text[i] == '\r') {
		i++
	}
	if i == end || text[i] == ';' || text[i] == '#' {
		return nil, end
	}
	kwStart := i
	for i < end && text[i] != ' ' && text[i] != '\t' && text[i] != '\r' && text[i] != '(' {
		i++
	}
	st := &Statement{Keyword: string(text[kwStart:i])}
	kwRange := f.src.Range(kwStart, i)
	if i < end && text[i] == '(' {
		open, quoted, depth := i, false, 1
		for i++; i < end; i++ {
			switch c := text[i]; {
			case c == '\'':
				quoted = !quoted
			case quoted:
			case c == '(':
				depth++
			case c == ')':
				depth--
			}
			if depth == 0 {
				break
			}
		}
		if i == end {
			d := ds.Warnf(Rule, f.src.Range(open, end), "%s: the parenthesis is not closed", st.Keyword)
			d.Detail = "A resolver setup statement's value is written in parentheses on its line, as MAXTTL(600)."
			st.Range = f.src.Range(kwStart, end)
			return st, end
		}
		st.Values = []Value{{Text: string(text[open+1 : i]), Range: f.src.Range(open+1, i)}}
		i++
	}
	st.Range = f.src.Range(kwStart, i)
	f.checkSetup(st, kwRange, ds)
	return st, i
}

// checkSetup reports a statement the resolver does not know, a value
// missing or given where none belongs, and a value out of its form.
func (f *File) checkSetup(st *Statement, kwRange diag.Range, ds *diag.Diagnostics) {
	upper := strings.ToUpper(st.Keyword)
	sh, ok := setupStatements[upper]
	switch {
	case st.Keyword == "":
		// "MAXTTL (600)": the keyword was read as a statement of its own.
		d := ds.Warnf(Rule, st.Range, "(%s) follows no statement keyword", st.Values[0].Text)
		d.Detail = "A resolver setup statement's value is written in parentheses right after its keyword, with no blank between, as MAXTTL(600)."
	case !ok:
		d := ds.Warnf(Rule, kwRange, "%s is not a resolver setup statement", st.Keyword)
		if s := suggest.Closest(upper, setupKeywords(), nil); s != "" {
			d.Summary += "; did you mean " + s + "?"
		}
		d.Detail = "The resolver setup statements are " + orList(setupKeywords()) + "; the resolver does not use a statement it does not know."
	case sh.value == "" && len(st.Values) > 0:
		d := ds.Warnf(Rule, st.Values[0].Range, "%s takes no value", upper)
		d.Detail = "Write " + upper + " alone; the resolver does not use the statement."
	case sh.value != "" && len(st.Values) == 0:
		d := ds.Warnf(Rule, st.Range, "%s needs %s in parentheses", upper, sh.value)
		d.Detail = "Write the value in parentheses right after the keyword, as MAXTTL(600); the resolver does not use the statement."
	case sh.value != "":
		if msg := sh.check(st.Values[0].Text); msg != "" {
			d := ds.Warnf(Rule, st.Values[0].Range, "%s: %s %s", upper, st.Values[0].Text, msg)
			d.Detail = upper + " takes " + sh.value + "; the resolver does not use the statement, and the default applies."
		}
	}
}
