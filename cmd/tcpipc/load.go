package main

import (
	"fmt"
	"path/filepath"

	"github.com/spf13/cobra"

	"github.com/tcpipc/tcpipc/diag"
	"github.com/tcpipc/tcpipc/grammar/policy"
	"github.com/tcpipc/tcpipc/grammar/source"
	"github.com/tcpipc/tcpipc/model"
)

// allowOutsideUsage documents --allow-outside wherever it is registered.
const allowOutsideUsage = "also read sysplex files from this directory outside the sysplex directory (repeatable; by default every file read stays inside the directory named)"

// registerAllowOutside adds --allow-outside to a command that reads a
// sysplex.
func registerAllowOutside(cmd *cobra.Command, allow *[]string) {
	cmd.Flags().StringArrayVar(allow, "allow-outside", nil, allowOutsideUsage)
}

// loadSysplex is the one place the command line reads a sysplex: a
// directory or manifest, or loose profile files (one stack each). Every
// file read stays inside the directory the user named (for loose
// profiles: each profile's directory) or one of allow.
func loadSysplex(paths []string, enc source.Encoding, allow []string) (*model.Sysplex, diag.Diagnostics) {
	if len(paths) == 1 && isSysplexPath(paths[0]) {
		return loadSysplexDir(paths[0], enc, allow)
	}
	return model.LoadFiles(paths, model.Options{Encoding: enc, Allow: allow})
}

// loadSysplexDir reads the sysplex at a directory or manifest, for the
// commands that compile one.
func loadSysplexDir(path string, enc source.Encoding, allow []string) (*model.Sysplex, diag.Diagnostics) {
	return model.Load(path, model.Options{Encoding: enc, Allow: allow})
}

// readFailure is the I/O error (exit 2) among the diagnostics, if any: a
// file that exists but could not be read. The diagnostics themselves say
// which and why; this names the first.
func readFailure(ds diag.Diagnostics) error {
	for _, d := range ds {
		if d.Rule == model.RuleRead || d.Rule == policy.RuleRead {
			r := d.Range
			r.File = diag.DisplayPath(filepath.ToSlash(r.File))
			return &exitError{code: ExitUsage, err: fmt.Errorf("I/O error: %s: %s", r, d.Summary)}
		}
	}
	return nil
}
