package verify

import (
	"fmt"
	"regexp"
	"sort"
	"strings"

	"github.com/tcpipc/tcpipc/diag"
)

// RuleSuppress is the id of findings about suppression comments.
const RuleSuppress = "SUPPRESS"

// A suppression is a comment
//
//	; tcpipc:ignore RULE[,RULE…] reason      (profiles)
//	# tcpipc:ignore RULE[,RULE…] reason      (policy, IKED, manifest)
//
// at the end of the line a finding starts on, or alone on the line before.
var suppressRE = regexp.MustCompile(`[;#]\s*tcpipc:ignore\b\s*([A-Za-z0-9_,-]*)\s*(.*)$`)

type suppression struct {
	file   string
	line   int // the line it applies to
	rules  map[string]bool
	used   map[string]bool
	reason string
	at     diag.Range
}

// Suppress removes the findings that a tcpipc:ignore comment covers and
// reports suppressions that cover nothing or give no reason.
func Suppress(ds diag.Diagnostics, src diag.Sources) diag.Diagnostics {
	sups := findSuppressions(src)
	byLine := map[string][]*suppression{}
	for _, s := range sups {
		k := fmt.Sprintf("%s:%d", s.file, s.line)
		byLine[k] = append(byLine[k], s)
	}
	var out diag.Diagnostics
	for _, d := range ds {
		suppressed := false
		for _, s := range byLine[fmt.Sprintf("%s:%d", d.Range.File, d.Range.Start.Line)] {
			if s.rules[d.Rule] {
				s.used[d.Rule], suppressed = true, true
			}
		}
		if !suppressed {
			out = append(out, d)
		}
	}
	for _, s := range sups {
		var unused []string
		for r := range s.rules {
			if !s.used[r] {
				unused = append(unused, r)
			}
		}
		sort.Strings(unused)
		if len(unused) > 0 {
			w := out.Warnf(RuleSuppress, s.at, "unused suppression of %s", strings.Join(unused, ", "))
			w.Detail = "No finding of that rule starts on the line this comment covers; remove the comment (or fix the rule id)."
		}
		if s.reason == "" && len(s.rules) > 0 {
			out.Warnf(RuleSuppress, s.at, "suppression without a reason").Detail = "Write why the finding does not apply after the rule ids, so reviewers can judge it."
		}
		if len(s.rules) == 0 {
			out.Warnf(RuleSuppress, s.at, "tcpipc:ignore names no rule").Detail = "Write tcpipc:ignore RULE reason, for example tcpipc:ignore DVIPA005 single-image test address."
		}
	}
	out.Sort()
	return out
}

func findSuppressions(src diag.Sources) []*suppression {
	var out []*suppression
	files := make([]string, 0, len(src))
	for f := range src {
		files = append(files, f)
	}
	sort.Strings(files)
	for _, file := range files {
		text := string(src[file])
		if !strings.Contains(text, "tcpipc:ignore") {
			continue
		}
		offset := 0
		for i, raw := range strings.SplitAfter(text, "\n") {
			line := strings.TrimRight(raw, "\r\n")
			loc := suppressRE.FindStringSubmatchIndex(line)
			if loc != nil {
				m := suppressRE.FindStringSubmatch(line)
				s := &suppression{file: file, line: i + 1, rules: map[string]bool{}, used: map[string]bool{}, reason: strings.TrimSpace(m[2])}
				if strings.TrimSpace(line[:loc[0]]) == "" {
					s.line = i + 2 // a comment on its own covers the next line
				}
				for _, r := range strings.Split(m[1], ",") {
					if r = strings.ToUpper(strings.TrimSpace(r)); r != "" {
						s.rules[r] = true
					}
				}
				start := offset + loc[0]
				s.at = diag.Range{File: file,
					Start: diag.Pos{Line: i + 1, Column: loc[0] + 1, Offset: start},
					End:   diag.Pos{Line: i + 1, Column: len(line) + 1, Offset: offset + len(line)}}
				out = append(out, s)
			}
			offset += len(raw)
		}
	}
	return out
}
