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
	"github.com/tcpipc/tcpipc/verify/rules"
)

func newLintCommand() *cobra.Command {
	var (
		format, failOn, encoding string
		enable, disable          []string
	)
	cmd := &cobra.Command{
		Use:   "lint [flags] [DIR|sysplex.yaml|PROFILE…]",
		Short: "Check every stack of a sysplex together and report every problem",
		Long: `lint reads the whole sysplex (a directory with sysplex.yaml, the manifest, a
directory of <STACK>/PROFILE.TCPIP, or loose profile files, one stack each;
default: the current directory), runs every rule (tcpipc rules lists them)
and reports every finding in one run.

Formats: text (compiler style with snippets), json.
Exit codes: 0 no finding at or above --fail-on, 1 findings, 2 usage or I/O.
Suppress a finding with a comment on its line, or alone on the line before:
  ; tcpipc:ignore RULE reason      (profiles)
  # tcpipc:ignore RULE reason      (policy files, sysplex.yaml)`,
		RunE: func(cmd *cobra.Command, args []string) error {
			enc, err := source.ParseEncoding(encoding)
			if err != nil {
				return usageError("%v", err)
			}
			threshold, fail, err := parseFailOn(failOn)
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
			var sx *model.Sysplex
			var front diag.Diagnostics
			if len(args) == 1 && isSysplexPath(args[0]) {
				sx, front = model.Load(args[0], model.Options{Encoding: enc})
			} else {
				sx, front = model.LoadFiles(args, model.Options{Encoding: enc})
			}
			ds, err := verify.Lint(sx, front, rules.All(), verify.LintOptions{Enable: enable, Disable: disable})
			if err != nil {
				return usageError("%v", err)
			}
			out := cmd.OutOrStdout()
			switch format {
			case "text":
				err = diag.WriteText(out, ds, sx.Sources)
				if err == nil {
					fmt.Fprintf(cmd.ErrOrStderr(), "%s: %d stacks, %s\n", sx.Name, len(sx.Stacks), countText(ds))
				}
			case "json":
				err = diag.WriteJSON(out, ds)
			default:
				return usageError("unknown --format %q (want text or json)", format)
			}
			if err != nil {
				return err
			}
			if fail && ds.Count(threshold) > 0 {
				return findings
			}
			return nil
		},
	}
	cmd.Flags().StringVar(&format, "format", "text", "output format: text or json")
	cmd.Flags().StringVar(&failOn, "fail-on", "error", "exit 1 when a finding is at least this severe: error, warning, info or none")
	cmd.Flags().StringSliceVar(&enable, "enable", nil, "run only these rules (ids or names, comma-separated)")
	cmd.Flags().StringSliceVar(&disable, "disable", nil, "do not run or report these rules (ids or names)")
	cmd.Flags().StringVar(&encoding, "encoding", "auto", "file encoding: auto, utf-8 or ibm-1047")
	return cmd
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
				fmt.Fprintf(w, "%-12s %-8s %-26s %s\n", r.ID, r.Severity, r.Name, r.Summary)
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
			fmt.Fprintf(cmd.OutOrStdout(), "%s (%s), %s: %s\n\n%s\n", r.ID, r.Name, r.Severity, r.Summary, r.Doc)
			return nil
		},
	}
}
