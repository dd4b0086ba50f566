package expect

import (
	"fmt"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/tcpipc/tcpipc/diag"
)

// Expectation is one `want` pattern at a file and line.
type Expectation struct {
	File    string
	Line    int
	Pattern *regexp.Regexp
	met     bool
}

var wantRE = regexp.MustCompile(`(?:;|#)\s*want\s+(.*)$`)

// Parse extracts the expectations of a file whose comments start with
// one of the given comment markers (";" for profiles, "#" for policy).
func Parse(file string, text []byte) ([]*Expectation, error) {
	var out []*Expectation
	for i, line := range strings.Split(string(text), "\n") {
		m := wantRE.FindStringSubmatch(strings.TrimRight(line, "\r"))
		if m == nil {
			continue
		}
		rest := strings.TrimSpace(m[1])
		for rest != "" {
			q, err := strconv.QuotedPrefix(rest)
			if err != nil {
				return nil, fmt.Errorf("%s:%d: bad want pattern %q: %v", file, i+1, rest, err)
			}
			s, _ := strconv.Unquote(q)
			re, err := regexp.Compile(s)
			if err != nil {
				return nil, fmt.Errorf("%s:%d: %v", file, i+1, err)
			}
			out = append(out, &Expectation{File: file, Line: i + 1, Pattern: re})
			rest = strings.TrimSpace(rest[len(q):])
		}
	}
	return out, nil
}

// Check matches diagnostics with expectations and reports every mismatch
// through t. Files are compared by name as they appear in the ranges.
func Check(t testing.TB, ds diag.Diagnostics, exps []*Expectation) {
	t.Helper()
	byLine := map[string][]*Expectation{}
	for _, e := range exps {
		k := fmt.Sprintf("%s:%d", e.File, e.Line)
		byLine[k] = append(byLine[k], e)
	}
	var problems []string
	for _, d := range ds {
		k := fmt.Sprintf("%s:%d", d.Range.File, d.Range.Start.Line)
		text := d.Rule + ": " + d.Summary
		matched := false
		for _, e := range byLine[k] {
			if !e.met && e.Pattern.MatchString(text) {
				e.met, matched = true, true
				break
			}
		}
		if !matched {
			problems = append(problems, fmt.Sprintf("%s: unexpected diagnostic: %s: %s", d.Range, d.Severity, text))
		}
	}
	for _, e := range exps {
		if !e.met {
			problems = append(problems, fmt.Sprintf("%s:%d: no diagnostic matched %q", e.File, e.Line, e.Pattern))
		}
	}
	sort.Strings(problems)
	for _, p := range problems {
		t.Error(p)
	}
}
