package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"

	"github.com/tcpipc/tcpipc/compile"
	"github.com/tcpipc/tcpipc/diag"
	"github.com/tcpipc/tcpipc/grammar/source"
	"github.com/tcpipc/tcpipc/internal/secretfile"
	"github.com/tcpipc/tcpipc/plan"
	"github.com/tcpipc/tcpipc/verify"
	"github.com/tcpipc/tcpipc/verify/rules"
)

// planFlags are the flags of every command that compiles a sysplex.
type planFlags struct {
	encoding       string
	force          bool
	includeSecrets bool
	allow          []string
}

func (f *planFlags) register(cmd *cobra.Command, secrets bool) {
	cmd.Flags().StringVar(&f.encoding, "encoding", "auto", "file encoding: auto, utf-8 or ibm-1047")
	cmd.Flags().BoolVar(&f.force, "force", false, "compile even when lint reports errors")
	registerAllowOutside(cmd, &f.allow)
	if secrets {
		cmd.Flags().BoolVar(&f.includeSecrets, "include-secrets", false, "put pre-shared keys into the plan (default: <redacted>)")
	}
}

// loadPlan compiles the sysplex at path, or reads a plan file (*.json).
// Lint errors stop it unless --force; every finding that matters goes to
// stderr. A nil plan with a nil error means it refused.
func (f *planFlags) loadPlan(cmd *cobra.Command, path string) (*plan.Plan, error) {
	if err := statPath(path); err != nil {
		return nil, err
	}
	if strings.EqualFold(filepath.Ext(path), ".json") {
		r, err := os.Open(path)
		if err != nil {
			return nil, usageError("%v", err)
		}
		defer r.Close()
		p, err := plan.Read(r)
		if err != nil {
			return nil, usageError("%s: %v", path, err)
		}
		return p, nil
	}
	enc, err := source.ParseEncoding(f.encoding)
	if err != nil {
		return nil, usageError("%v", err)
	}
	sx, front := loadSysplexDir(path, enc, f.allow)
	if err := readFailure(front); err != nil {
		// No plan from files tcpipc could not read, even with --force.
		front.Sort()
		if werr := diag.WriteText(cmd.ErrOrStderr(), front, sx.Sources); werr != nil {
			return nil, werr
		}
		return nil, err
	}
	ds, err := verify.Lint(sx, front, rules.All(), verify.LintOptions{})
	if err != nil {
		return nil, err
	}
	var errs diag.Diagnostics
	for _, d := range ds {
		if d.Severity == diag.Error {
			errs = append(errs, d)
		}
	}
	stderr := cmd.ErrOrStderr()
	if len(errs) > 0 {
		if err := diag.WriteText(stderr, errs, sx.Sources); err != nil {
			return nil, err
		}
		if !f.force {
			fmt.Fprintf(stderr, "tcpipc: lint reports %d errors in %s; no plan (--force compiles anyway)\n", len(errs), sx.Name)
			return nil, nil
		}
	}
	p, cds := compile.Options{IncludeSecrets: f.includeSecrets}.Compile(sx)
	if err := diag.WriteText(stderr, cds, sx.Sources); err != nil {
		return nil, err
	}
	// The same checks a plan file gets: a sysplex lint let through (or
	// --force pushed through) must not reach show, whatif or run in a
	// form they cannot trust.
	if err := p.Validate(); err != nil {
		return nil, fmt.Errorf("the plan compiled from %s fails its own checks, so nothing uses it: %w", sx.Name, err)
	}
	return p, nil
}

func newCompileCommand() *cobra.Command {
	var (
		flags  planFlags
		output string
	)
	cmd := &cobra.Command{
		Use:   "compile [flags] DIR|sysplex.yaml",
		Short: "Compile a sysplex into the versioned JSON plan the runtime executes",
		Long: `compile reads a sysplex, lints it, and writes its plan: a deterministic
JSON document (version tcpipc.plan/v1, schema plan/plan.schema.json) with
the XCF group and CF structure names, per stack its addresses, DVIPSEC,
IKED, the ordered filters it installs (anchor rules marked) and its IKE
peers with proposals as IKEv2 transforms, and per DVIPA its owner, backup
chain, distribution and SWSA eligibility with reasons.

compile refuses when lint reports errors (exit 1, no plan) unless --force.
Pre-shared keys are written as <redacted> unless --include-secrets: the
runtime needs them, people sharing a plan do not. With --include-secrets,
-o FILE is created mode 0600 (an existing file is tightened to 0600 first)
and a symbolic link at FILE is refused. Offers that cannot be
expressed as IKEv2 transforms (DES, 3DES, MD5, DH groups 1, 2, 5 and 24) are
left out with a warning.`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if strings.EqualFold(filepath.Ext(args[0]), ".json") {
				return usageError("compile reads a sysplex, not a plan")
			}
			p, err := flags.loadPlan(cmd, args[0])
			if err != nil || p == nil {
				if err == nil {
					err = findings
				}
				return err
			}
			if output == "" || output == "-" {
				return p.WriteJSON(cmd.OutOrStdout())
			}
			// A plan with keys is the owner's alone (mode 0600, no
			// symbolic links followed); one without may be shared.
			create := os.Create
			if flags.includeSecrets {
				create = secretfile.Create
			}
			w, err := create(output)
			if err != nil {
				return usageError("%v", err)
			}
			if err := p.WriteJSON(w); err != nil {
				w.Close()
				return err
			}
			return w.Close()
		},
	}
	flags.register(cmd, true)
	cmd.Flags().StringVarP(&output, "output", "o", "", "write the plan to this file (default: standard output)")
	return cmd
}
