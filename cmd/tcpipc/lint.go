package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"

	"github.com/tcpipc/tcpipc/diag"
	"github.com/tcpipc/tcpipc/grammar/source"
	"github.com/tcpipc/tcpipc/model"
	"github.com/tcpipc/tcpipc/verify"
	"github.com/tcpipc/tcpipc/verify/report"
	"github.com/tcpipc/tcpipc/verify/rules"
)

// lintFlags are the flags of tcpipc lint.
type lintFlags struct {
	format, failOn, encoding string
	baseline, writeBaseline  string
	enable, disable          []string
	allow                    []string
}

func (f *lintFlags) register(cmd *cobra.Command) {
	registerAllowOutside(cmd, &f.allow)
	cmd.Flags().StringVar(&f.format, "format", "text", "output format: text, json, sarif, github or junit")
	cmd.Flags().StringVar(&f.baseline, "baseline", "", "hide the findings recorded in this baseline file")
	cmd.Flags().StringVar(&f.writeBaseline, "write-baseline", "", "record the current findings in this baseline file and exit 0")
	cmd.Flags().StringVar(&f.failOn, "fail-on", "error", "exit 1 when a finding is at least this severe: error, warning, info or none")
	cmd.Flags().StringSliceVar(&f.enable, "enable", nil, "run only these rules (ids or names, comma-separated)")
	cmd.Flags().StringSliceVar(&f.disable, "disable", nil, "do not run or report these rules (ids or names)")
	cmd.Flags().StringVar(&f.encoding, "encoding", "auto", "file encoding: auto, utf-8 or ibm-1047")
}

const lintLong = `lint reads the whole sysplex (a directory with sysplex.yaml, the manifest, a
directory of <STACK>/PROFILE.TCPIP, or loose files: profiles, one stack
each, and pagent, policy and iked files, told apart the way parse does and
checked on their own; default: the current directory), runs every rule
(tcpipc rules lists them)
and reports every finding in one run.

Formats: text (compiler style with snippets), json, sarif (SARIF 2.1.0 for
GitHub code scanning), github (workflow-command annotations), junit.
--baseline FILE hides the findings recorded in FILE (by rule, file and the
normalised text of their line, so unrelated edits do not bring them back);
--write-baseline FILE records the current findings and exits 0.
Every file lint reads stays inside the directory named (for loose profiles:
each profile's directory), symbolic links resolved; a reference that leads
outside is an OUTSIDE finding and the file is not read, unless
--allow-outside DIR allows its directory.
Exit codes: 0 no finding at or above --fail-on, 1 findings, 2 usage or I/O
(a file that exists but cannot be read: READ).
Suppress a finding with a comment on its line, or alone on the line before:
  ; tcpipc:ignore RULE reason      (profiles)
  # tcpipc:ignore RULE reason      (policy files, sysplex.yaml)`

func newLintCommand() *cobra.Command {
	var f lintFlags
	cmd := &cobra.Command{
		Use:   "lint [flags] [DIR|sysplex.yaml|PROFILE…]",
		Short: "Check every stack of a sysplex together and report every problem",
		Long:  lintLong,
		RunE:  func(cmd *cobra.Command, args []string) error { return lint(cmd, &f, args) },
	}
	f.register(cmd)
	return cmd
}

// lint reads the sysplex, runs the rules, and reports the findings the
// baseline does not hide.
func lint(cmd *cobra.Command, f *lintFlags, args []string) error {
	enc, err := source.ParseEncoding(f.encoding)
	if err != nil {
		return usageError("%v", err)
	}
	threshold, fail, err := parseFailOn(f.failOn)
	if err != nil {
		return err
	}
	if len(args) == 0 {
		args = []string{"."}
	}
	for _, a := range args {
		if err := statPath(a); err != nil {
			return err
		}
	}
	sx, front := loadSysplex(args, enc, f.allow)
	ds, err := verify.Lint(sx, front, rules.All(), verify.LintOptions{Enable: f.enable, Disable: f.disable, FrontEnd: rules.FrontEnd()})
	if err != nil {
		return usageError("%v", err)
	}
	if f.writeBaseline != "" {
		if err := report.NewBaseline(ds, sx.Sources).Write(f.writeBaseline); err != nil {
			return usageError("%v", err)
		}
		fmt.Fprintf(cmd.ErrOrStderr(), "wrote %d findings to %s\n", len(ds), f.writeBaseline)
		return nil
	}
	if ds, err = applyBaseline(cmd, f.baseline, ds, sx.Sources); err != nil {
		return err
	}
	ro := report.Options{Rules: ruleMetadata(), Sources: sx.Sources, ToolVersion: version, FailOn: threshold}
	if sx.Manifest != nil {
		ro.Manifest = sx.Manifest.Path
	}
	if err := writeFindings(cmd, f.format, ds, ro, sx); err != nil {
		return err
	}
	if err := readFailure(front); err != nil {
		return err
	}
	if fail && ds.Count(threshold) > 0 {
		return findings
	}
	return nil
}

// applyBaseline hides the findings a --baseline file records, and says
// how many it hid.
func applyBaseline(cmd *cobra.Command, path string, ds diag.Diagnostics, sources diag.Sources) (diag.Diagnostics, error) {
	if path == "" {
		return ds, nil
	}
	b, err := report.ReadBaseline(path)
	if err != nil {
		return nil, usageError("%v", err)
	}
	var hidden diag.Diagnostics
	ds, hidden = b.Filter(ds, sources)
	if len(hidden) > 0 {
		fmt.Fprintf(cmd.ErrOrStderr(), "%d findings hidden by baseline %s\n", len(hidden), path)
	}
	return ds, nil
}

// writeFindings prints the findings in the --format asked for.
func writeFindings(cmd *cobra.Command, format string, ds diag.Diagnostics, ro report.Options, sx *model.Sysplex) error {
	out := cmd.OutOrStdout()
	switch format {
	case "text":
		if err := diag.WriteText(out, ds, sx.Sources); err != nil {
			return err
		}
		fmt.Fprintf(cmd.ErrOrStderr(), "%s: %d stacks, %s\n", sx.Name, len(sx.Stacks), countText(ds))
		return nil
	case "json":
		return report.WriteJSON(out, ds, ro)
	case "sarif":
		return report.WriteSARIF(out, ds, ro)
	case "github":
		return report.WriteGitHub(out, ds, ro)
	case "junit":
		return report.WriteJUnit(out, ds, ro)
	}
	return usageError("unknown --format %q (want text, json, sarif, github or junit)", format)
}

// ruleMetadata describes every id a finding can carry, for reports.
func ruleMetadata() []report.Rule {
	var out []report.Rule
	for _, r := range append(rules.All(), rules.FrontEnd()...) {
		out = append(out, report.Rule{ID: r.ID, Name: r.Name, Severity: r.Severity, Summary: r.Summary, Doc: r.Doc})
	}
	return out
}

// isSysplexPath tells a sysplex (directory or manifest) from profile files.
func isSysplexPath(p string) bool {
	fi, err := os.Stat(p)
	if err != nil {
		return false
	}
	ext := strings.ToLower(filepath.Ext(p))
	return fi.IsDir() || ext == ".yaml" || ext == ".yml"
}

func parseFailOn(s string) (diag.Severity, bool, error) {
	if strings.EqualFold(s, "none") {
		return diag.Error, false, nil
	}
	sev, err := diag.ParseSeverity(s)
	if err != nil {
		return 0, false, usageError("--fail-on: %v", err)
	}
	return sev, true, nil
}

func countText(ds diag.Diagnostics) string {
	e := ds.Count(diag.Error)
	w := ds.Count(diag.Warning) - e
	i := len(ds) - e - w
	return fmt.Sprintf("%d errors, %d warnings, %d infos", e, w, i)
}

func newRulesCommand() *cobra.Command {
	return &cobra.Command{
		Use:   "rules",
		Short: "List every lint rule and front-end diagnostic id",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			w := cmd.OutOrStdout()
			for _, r := range append(rules.All(), rules.FrontEnd()...) {
				fmt.Fprintf(w, "%-12s %-8s %-26s %s\n", r.ID, r.SeverityText(), r.Name, r.Summary)
			}
			return nil
		},
	}
}

func newExplainCommand() *cobra.Command {
	return &cobra.Command{
		Use:   "explain RULE",
		Short: "Print a rule's documentation: what it checks, why, and how to fix it",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			r, ok := rules.Lookup(args[0])
			if !ok {
				return usageError("unknown rule %q (see tcpipc rules)", args[0])
			}
			fmt.Fprintf(cmd.OutOrStdout(), "%s (%s), %s: %s\n\n%s\n", r.ID, r.Name, r.SeverityText(), r.Summary, r.Doc)
			return nil
		},
	}
}
