package report

import (
	"bytes"
	"strings"

	"github.com/tcpipc/tcpipc/diag"
)

// Rule is what a report needs to know about a rule.
type Rule struct {
	ID       string        // stable id, e.g. "SWSA001", also front-end ids like "SYNTAX"
	Name     string        // short name, e.g. "dvipsec-owner"
	Severity diag.Severity // default severity
	Summary  string        // one line
	Doc      string        // full documentation (markdown-ish plain text): what, why on z/OS, how to fix
	HelpURI  string        // may be ""
}

// Options carries what the writers need besides the findings.
type Options struct {
	// Rules holds metadata for every rule that can appear; findings with an
	// unknown rule id still render.
	Rules []Rule
	// Sources holds file texts, for snippets and fingerprints.
	Sources     diag.Sources
	ToolVersion string
	// MaxResults caps the SARIF results of the run; 0 or less means
	// GitHub's limit, GitHubMaxResults.
	MaxResults int
	// Manifest is the sysplex manifest's path. SARIF and JUnit place
	// findings that have no range there (SARIF at line 1), because GitHub
	// code scanning rejects a whole upload for one result without a
	// location.
	Manifest string
	// FailOn is the least severe finding that fails a JUnit test case; less
	// severe ones are listed in the passing test case's system-out. The zero
	// value, diag.Info, fails on every finding.
	FailOn diag.Severity
}

// ToolName and InformationURI identify tcpipc in SARIF.
const (
	ToolName       = "tcpipc"
	InformationURI = "https://github.com/tcpipc/tcpipc"
)

// GitHubMaxResults is the number of results GitHub code scanning accepts in
// one SARIF run; it rejects the whole upload above it.
const GitHubMaxResults = 25000

// sorted returns ds in diag order without reordering the caller's slice,
// and without nil entries.
func sorted(ds diag.Diagnostics) diag.Diagnostics {
	out := make(diag.Diagnostics, 0, len(ds))
	for _, d := range ds {
		if d != nil {
			out = append(out, d)
		}
	}
	out.Sort()
	return out
}

// ruleIndex maps rule ids to their metadata.
func ruleIndex(rules []Rule) map[string]Rule {
	m := make(map[string]Rule, len(rules))
	for _, r := range rules {
		m[r.ID] = r
	}
	return m
}

// displayFile is the file of r as every output names it.
func displayFile(r diag.Range) string {
	if r.IsZero() {
		return ""
	}
	return diag.DisplayPath(r.File)
}

// sourceLine returns the text of the line r starts on, without its line
// ending. It trusts the range's offset when that agrees with the column and
// falls back to counting lines, so a range with a stale offset still finds
// its line.
func sourceLine(src diag.Sources, r diag.Range) (string, bool) {
	text, ok := src[r.File]
	if !ok || r.IsZero() || r.Start.Line < 1 {
		return "", false
	}
	start := r.Start.Offset - (r.Start.Column - 1)
	if r.Start.Column < 1 || start < 0 || start > len(text) || (start > 0 && text[start-1] != '\n') {
		line, i := 1, 0
		for line < r.Start.Line {
			j := bytes.IndexByte(text[i:], '\n')
			if j < 0 {
				return "", false
			}
			i += j + 1
			line++
		}
		start = i
	}
	end := bytes.IndexByte(text[start:], '\n')
	if end < 0 {
		end = len(text)
	} else {
		end += start
	}
	return strings.TrimRight(string(text[start:end]), "\r"), true
}

// anchor is where a report places d: its range, or for a finding with no
// range the first related place, or else line 1 of the manifest.
func anchor(d *diag.Diagnostic, manifest string) diag.Range {
	if !d.Range.IsZero() {
		return d.Range
	}
	for _, r := range d.Related {
		if !r.Range.IsZero() {
			return r.Range
		}
	}
	if manifest != "" {
		// Line 1 without columns: the whole line, not a place on it.
		return diag.Range{File: manifest, Start: diag.Pos{Line: 1}, End: diag.Pos{Line: 1}}
	}
	return diag.Range{}
}

// level is the SARIF level of a severity.
func level(s diag.Severity) string {
	switch {
	case s >= diag.Error:
		return "error"
	case s == diag.Warning:
		return "warning"
	}
	return "note"
}
