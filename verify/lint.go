package verify

import (
	"fmt"
	"strings"

	"github.com/tcpipc/tcpipc/diag"
	"github.com/tcpipc/tcpipc/model"
)

// LintOptions select the rules of a lint run.
type LintOptions struct {
	// Enable, when not empty, runs only these rules; Disable removes
	// rules. Both hold rule ids or names; front-end findings (syntax,
	// manifest, …) can be disabled by id too.
	Enable, Disable []string
	// FrontEnd documents the ids the parsers and the model report, so
	// that they can be named in Disable.
	FrontEnd []*Rule
}

// Lint runs the selected rules on a loaded sysplex, merges their findings
// with the front end's, applies tcpipc:ignore comments, and returns every
// finding sorted.
func Lint(sx *model.Sysplex, front diag.Diagnostics, rules []*Rule, opts LintOptions) (diag.Diagnostics, error) {
	known := map[string]bool{}
	for _, r := range append(append([]*Rule(nil), rules...), opts.FrontEnd...) {
		known[r.ID], known[r.Name] = true, true
	}
	for _, id := range append(append([]string(nil), opts.Enable...), opts.Disable...) {
		if !known[id] && !known[strings.ToUpper(id)] {
			return nil, fmt.Errorf("unknown rule %q (see tcpipc rules)", id)
		}
	}
	match := func(list []string, r *Rule) bool {
		for _, x := range list {
			if strings.EqualFold(x, r.ID) || x == r.Name {
				return true
			}
		}
		return false
	}
	var selected []*Rule
	for _, r := range rules {
		if (len(opts.Enable) == 0 || match(opts.Enable, r)) && !match(opts.Disable, r) {
			selected = append(selected, r)
		}
	}
	found, err := Run(sx, selected)
	if err != nil {
		return nil, err
	}
	disabled := map[string]bool{}
	for _, id := range opts.Disable {
		disabled[strings.ToUpper(id)] = true
		for _, r := range opts.FrontEnd {
			if r.Name == id {
				disabled[r.ID] = true
			}
		}
	}
	var all diag.Diagnostics
	for _, d := range front {
		if !disabled[d.Rule] {
			all = append(all, d)
		}
	}
	all = append(all, found...)
	return Suppress(all, sx.Sources), nil
}
