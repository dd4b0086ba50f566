package report

import (
	"cmp"
	"encoding/xml"
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/tcpipc/tcpipc/diag"
)

type junitSuites struct {
	XMLName  xml.Name     `xml:"testsuites"`
	Name     string       `xml:"name,attr"`
	Tests    int          `xml:"tests,attr"`
	Failures int          `xml:"failures,attr"`
	Errors   int          `xml:"errors,attr"`
	Suites   []junitSuite `xml:"testsuite"`
}

type junitSuite struct {
	Name     string      `xml:"name,attr"`
	Tests    int         `xml:"tests,attr"`
	Failures int         `xml:"failures,attr"`
	Errors   int         `xml:"errors,attr"`
	Skipped  int         `xml:"skipped,attr"`
	Cases    []junitCase `xml:"testcase"`
}

type junitCase struct {
	Name      string        `xml:"name,attr"`
	Classname string        `xml:"classname,attr"`
	File      string        `xml:"file,attr,omitempty"`
	Line      int           `xml:"line,attr,omitempty"`
	Failure   *junitFailure `xml:"failure"`
	SystemOut *junitText    `xml:"system-out"`
}

// junitText is element text kept readable as CDATA; xmlSafe has removed
// what XML cannot hold, and encoding/xml splits any "]]>".
type junitText struct {
	Text string `xml:",cdata"`
}

type junitFailure struct {
	Message string `xml:"message,attr"`
	Type    string `xml:"type,attr"`
	Text    string `xml:",cdata"`
}

// noFile names the suite of findings that belong to no file.
const noFile = "(no file)"

// WriteJUnit writes JUnit XML: one testsuite per file (every file in
// o.Sources or with a finding), in it one testcase per rule with findings
// in that file, and a single passing testcase "lint" for a clean file. A
// testcase fails when one of its findings is at least o.FailOn; its failure
// text is the findings in compiler style with their source lines. Test case
// names carry no line numbers, so CI test history follows a rule in a file
// across edits.
func WriteJUnit(w io.Writer, ds diag.Diagnostics, o Options) error {
	ds = sorted(ds)
	rules := ruleIndex(o.Rules)
	byFile := map[string]map[string]diag.Diagnostics{}
	for _, d := range ds {
		f := displayFile(d.Range)
		if f == "" && o.Manifest != "" {
			f = diag.DisplayPath(o.Manifest)
		}
		if byFile[f] == nil {
			byFile[f] = map[string]diag.Diagnostics{}
		}
		byFile[f][d.Rule] = append(byFile[f][d.Rule], d)
	}
	out := junitSuites{Name: ToolName + " lint"}
	for _, f := range suiteFiles(byFile, o.Sources) {
		name := cmp.Or(f, noFile)
		s := junitSuite{Name: name}
		groups := byFile[f]
		if len(groups) == 0 {
			s.Cases = append(s.Cases, junitCase{Name: "lint", Classname: name, File: f})
		}
		ids := make([]string, 0, len(groups))
		for id := range groups {
			ids = append(ids, id)
		}
		slices.Sort(ids)
		for _, id := range ids {
			s.Cases = append(s.Cases, junitTestCase(name, f, id, rules, groups[id], o))
		}
		for _, c := range s.Cases {
			if c.Failure != nil {
				s.Failures++
			}
		}
		s.Tests = len(s.Cases)
		out.Tests += s.Tests
		out.Failures += s.Failures
		out.Suites = append(out.Suites, s)
	}
	if _, err := io.WriteString(w, xml.Header); err != nil {
		return err
	}
	enc := xml.NewEncoder(w)
	enc.Indent("", "  ")
	if err := enc.Encode(out); err != nil {
		return err
	}
	_, err := io.WriteString(w, "\n")
	return err
}

func junitTestCase(suite, file, id string, rules map[string]Rule, group diag.Diagnostics, o Options) junitCase {
	name := cmp.Or(id, "(no rule)")
	if r, ok := rules[id]; ok && r.Name != "" {
		name += " " + r.Name
	}
	c := junitCase{Name: name, Classname: suite, File: file, Line: group[0].Range.Start.Line}
	worst := group[0].Severity
	for _, d := range group {
		worst = max(worst, d.Severity)
	}
	text := xmlSafe(diag.FormatText(group, o.Sources))
	if worst < o.FailOn {
		c.SystemOut = &junitText{Text: text}
		return c
	}
	msg := diag.Visible(group[0].Summary) // XML would turn a control character into U+FFFD
	if len(group) > 1 {
		msg = fmt.Sprintf("%s (and %d more)", msg, len(group)-1)
	}
	c.Failure = &junitFailure{Message: msg, Type: worst.String(), Text: text}
	return c
}

// suiteFiles lists, sorted, every file with a source text or a finding.
func suiteFiles(byFile map[string]map[string]diag.Diagnostics, src diag.Sources) []string {
	seen := map[string]bool{}
	for name := range src {
		seen[diag.DisplayPath(name)] = true
	}
	for f := range byFile {
		seen[f] = true
	}
	out := make([]string, 0, len(seen))
	for f := range seen {
		out = append(out, f)
	}
	slices.Sort(out)
	return out
}

// xmlSafe replaces what XML 1.0 cannot carry (control characters, invalid
// UTF-8) with U+FFFD: a profile decoded from EBCDIC can hold any of them,
// and CDATA, unlike escaped text, has no way to write them.
func xmlSafe(s string) string {
	return strings.Map(func(r rune) rune {
		switch {
		case r == '\t' || r == '\n' || r == '\r',
			r >= 0x20 && r <= 0xD7FF,
			r >= 0xE000 && r <= 0xFFFD,
			r >= 0x10000 && r <= 0x10FFFF:
			return r
		}
		return '\uFFFD'
	}, s)
}
