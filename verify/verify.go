package verify

import (
	"fmt"
	"go/parser"
	"go/token"
	"sort"
	"strings"

	"github.com/tcpipc/tcpipc/diag"
	"github.com/tcpipc/tcpipc/model"
)

// Rule is one check (or one shared index other checks require).
type Rule struct {
	// ID is stable across releases (SWSA001); findings carry it.
	ID string
	// Name is a short kebab-case name (dvipsec-owner).
	Name string
	// Severity is the default severity of the rule's findings.
	Severity diag.Severity
	// Also lists the other severities some of its findings have (a
	// backup rank outside 1-254 is an error of a warning rule); `tcpipc
	// rules` and the README show them all (SeverityText).
	Also []diag.Severity
	// Summary is one line: what the rule finds.
	Summary string
	// Doc is the rule's documentation, read from its package's doc.go.
	Doc string
	// Requires lists the rules whose results Run reads.
	Requires []*Rule
	// Index marks a rule that only computes a result for others and
	// reports nothing; it is not listed by `tcpipc rules`.
	Index bool
	// Run performs the check.
	Run func(*Pass) (any, error)
}

func (r *Rule) String() string { return r.ID }

// Severities returns every severity the rule's findings can have, the
// default first.
func (r *Rule) Severities() []diag.Severity {
	return append([]diag.Severity{r.Severity}, r.Also...)
}

// SeverityText is the rule's severities for listings: "error", or
// "warning or error".
func (r *Rule) SeverityText() string {
	var parts []string
	for _, s := range r.Severities() {
		parts = append(parts, s.String())
	}
	return strings.Join(parts, " or ")
}

// Pass is what a rule sees while it runs.
type Pass struct {
	Rule    *Rule
	Sysplex *model.Sysplex
	// ResultOf holds the results of the rules in Rule.Requires.
	ResultOf map[*Rule]any
	report   func(*diag.Diagnostic)
}

// Report records a finding; it fills in the rule id and, when unset, the
// rule's default severity.
func (p *Pass) Report(d *diag.Diagnostic) {
	d.Rule = p.Rule.ID
	p.report(d)
}

// Reportf records a finding at r with the rule's default severity.
func (p *Pass) Reportf(r diag.Range, format string, args ...any) *diag.Diagnostic {
	d := &diag.Diagnostic{Severity: p.Rule.Severity, Range: r, Summary: fmt.Sprintf(format, args...)}
	p.Report(d)
	return d
}

// DocOf extracts the package documentation from the source of a doc.go.
func DocOf(docGo string) string {
	f, err := parser.ParseFile(token.NewFileSet(), "doc.go", docGo, parser.ParseComments|parser.PackageClauseOnly)
	if err != nil || f.Doc == nil {
		return ""
	}
	doc := strings.TrimSpace(f.Doc.Text())
	// "Package backuprank checks …" reads as "Checks …" outside Go docs.
	if rest, ok := strings.CutPrefix(doc, "Package "+f.Name.Name+" "); ok && rest != "" {
		doc = strings.ToUpper(rest[:1]) + rest[1:]
	}
	return doc
}

// Validate checks a rule set: ids unique and non-empty, docs present,
// prerequisites without cycles.
func Validate(rules []*Rule) error {
	seen := map[string]*Rule{}
	for _, r := range all(rules) {
		switch {
		case r.ID == "" || r.Name == "":
			return fmt.Errorf("rule %q/%q has no id or name", r.ID, r.Name)
		case seen[r.ID] != nil && seen[r.ID] != r:
			return fmt.Errorf("rule id %s is used twice (%s and %s)", r.ID, seen[r.ID].Name, r.Name)
		case strings.TrimSpace(r.Doc) == "":
			return fmt.Errorf("rule %s has no documentation", r.ID)
		case r.Run == nil:
			return fmt.Errorf("rule %s has no Run function", r.ID)
		case !r.Index && r.Summary == "":
			return fmt.Errorf("rule %s has no summary", r.ID)
		}
		seen[r.ID] = r
	}
	_, err := order(rules)
	return err
}

// all returns the rules and everything they require, each once.
func all(rules []*Rule) []*Rule {
	var out []*Rule
	seen := map[*Rule]bool{}
	var visit func(*Rule)
	visit = func(r *Rule) {
		if seen[r] {
			return
		}
		seen[r] = true
		out = append(out, r)
		for _, q := range r.Requires {
			visit(q)
		}
	}
	for _, r := range rules {
		visit(r)
	}
	return out
}

// order sorts rules so every rule comes after its prerequisites.
func order(rules []*Rule) ([]*Rule, error) {
	const (
		unvisited = iota
		visiting
		done
	)
	state := map[*Rule]int{}
	var out []*Rule
	var visit func(r *Rule, path []string) error
	visit = func(r *Rule, path []string) error {
		switch state[r] {
		case visiting:
			return fmt.Errorf("rule prerequisites form a cycle: %s", strings.Join(append(path, r.ID), " -> "))
		case done:
			return nil
		}
		state[r] = visiting
		for _, q := range r.Requires {
			if err := visit(q, append(path, r.ID)); err != nil {
				return err
			}
		}
		state[r] = done
		out = append(out, r)
		return nil
	}
	sorted := append([]*Rule(nil), rules...)
	sort.SliceStable(sorted, func(i, j int) bool { return sorted[i].ID < sorted[j].ID })
	for _, r := range sorted {
		if err := visit(r, nil); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// Run runs the rules (and their prerequisites) on a sysplex and returns
// their findings, sorted. An error is tcpipc's own failure: a rule set that
// does not validate, or a rule that returned an error.
func Run(sx *model.Sysplex, rules []*Rule) (diag.Diagnostics, error) {
	ordered, err := order(rules)
	if err != nil {
		return nil, err
	}
	results := map[*Rule]any{}
	var ds diag.Diagnostics
	for _, r := range ordered {
		pass := &Pass{Rule: r, Sysplex: sx, ResultOf: map[*Rule]any{}, report: func(d *diag.Diagnostic) { ds = append(ds, d) }}
		for _, q := range r.Requires {
			pass.ResultOf[q] = results[q]
		}
		res, err := r.Run(pass)
		if err != nil {
			return ds, fmt.Errorf("rule %s: %w", r.ID, err)
		}
		results[r] = res
	}
	ds.Sort()
	return ds, nil
}
