package diag

import (
	"cmp"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
)

// Severity orders findings; Error is the most severe.
type Severity int

const (
	Info Severity = iota
	Warning
	Error
)

func (s Severity) String() string {
	switch s {
	case Error:
		return "error"
	case Warning:
		return "warning"
	case Info:
		return "info"
	}
	return fmt.Sprintf("severity(%d)", int(s))
}

// ParseSeverity reads "error", "warning" or "info".
func ParseSeverity(s string) (Severity, error) {
	switch strings.ToLower(s) {
	case "error":
		return Error, nil
	case "warning":
		return Warning, nil
	case "info":
		return Info, nil
	}
	return 0, fmt.Errorf("unknown severity %q (want error, warning or info)", s)
}

// MarshalText writes the severity's name.
func (s Severity) MarshalText() ([]byte, error) { return []byte(s.String()), nil }

// UnmarshalText reads a severity's name.
func (s *Severity) UnmarshalText(b []byte) error {
	v, err := ParseSeverity(string(b))
	*s = v
	return err
}

// Pos is a point in a file: 1-based line and column (in bytes of the decoded
// text) and the 0-based byte offset.
type Pos struct {
	Line   int `json:"line"`
	Column int `json:"column"`
	Offset int `json:"offset"`
}

// Range is a span of one file, from Start up to (not including) End.
// File is a slash-separated path as the user named it.
type Range struct {
	File  string `json:"file"`
	Start Pos    `json:"start"`
	End   Pos    `json:"end"`
}

// IsZero reports whether the range names no file.
func (r Range) IsZero() bool { return r.File == "" }

func (r Range) String() string {
	if r.IsZero() {
		return "-"
	}
	return fmt.Sprintf("%s:%d:%d", DisplayPath(r.File), r.Start.Line, r.Start.Column)
}

// Related is another place that explains a diagnostic.
type Related struct {
	Range   Range  `json:"range"`
	Message string `json:"message"`
}

// Diagnostic is one problem found in the user's files.
type Diagnostic struct {
	Severity Severity `json:"severity"`
	// Rule is a stable identifier (SYNTAX, UNSUPPORTED, SWSA001, …).
	Rule string `json:"rule"`
	// Summary is one line naming the construct.
	Summary string `json:"summary"`
	// Detail explains in full sentences and says how to fix it.
	Detail string `json:"detail,omitempty"`
	Range  Range  `json:"range"`
	// Related points at other places: the conflicting statement on
	// another stack, the definition a reference failed to find, …
	Related []Related `json:"related,omitempty"`
	// IncludedFrom is the chain of INCLUDE statements, innermost first,
	// through which Range's file was read.
	IncludedFrom []Range `json:"includedFrom,omitempty"`
}

// Diagnostics is a list of findings.
type Diagnostics []*Diagnostic

// Add appends a diagnostic and returns it so callers can decorate it.
func (ds *Diagnostics) Add(d *Diagnostic) *Diagnostic {
	*ds = append(*ds, d)
	return d
}

// Errorf appends an error-severity diagnostic.
func (ds *Diagnostics) Errorf(rule string, r Range, format string, args ...any) *Diagnostic {
	return ds.Add(&Diagnostic{Severity: Error, Rule: rule, Range: r, Summary: fmt.Sprintf(format, args...)})
}

// Warnf appends a warning.
func (ds *Diagnostics) Warnf(rule string, r Range, format string, args ...any) *Diagnostic {
	return ds.Add(&Diagnostic{Severity: Warning, Rule: rule, Range: r, Summary: fmt.Sprintf(format, args...)})
}

// Infof appends an informational finding.
func (ds *Diagnostics) Infof(rule string, r Range, format string, args ...any) *Diagnostic {
	return ds.Add(&Diagnostic{Severity: Info, Rule: rule, Range: r, Summary: fmt.Sprintf(format, args...)})
}

// HasErrors reports whether any diagnostic is an error.
func (ds Diagnostics) HasErrors() bool { return ds.Count(Error) > 0 }

// Count returns how many diagnostics are at least as severe as min.
func (ds Diagnostics) Count(min Severity) int {
	n := 0
	for _, d := range ds {
		if d.Severity >= min {
			n++
		}
	}
	return n
}

// Sort orders diagnostics by file, position, severity (most severe first),
// rule and summary, so output never depends on the order checks ran in.
func (ds Diagnostics) Sort() {
	slices.SortStableFunc(ds, Compare)
}

// Compare is the order Sort uses.
func Compare(a, b *Diagnostic) int {
	return cmp.Or(
		cmp.Compare(a.Range.File, b.Range.File),
		cmp.Compare(a.Range.Start.Offset, b.Range.Start.Offset),
		cmp.Compare(a.Range.End.Offset, b.Range.End.Offset),
		cmp.Compare(b.Severity, a.Severity),
		cmp.Compare(a.Rule, b.Rule),
		cmp.Compare(a.Summary, b.Summary),
		cmp.Compare(a.Detail, b.Detail),
	)
}

// DisplayPath turns a path into the form used in output: relative to the
// working directory when it is absolute and below it, forward slashes always.
func DisplayPath(p string) string {
	if filepath.IsAbs(p) {
		if wd, err := filepath.Abs("."); err == nil {
			if rel, err := filepath.Rel(wd, p); err == nil && !strings.HasPrefix(rel, "..") {
				p = rel
			}
		}
	}
	return filepath.ToSlash(p)
}
