package main

import (
	"encoding/json"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/tcpipc/tcpipc/diag"
	"github.com/tcpipc/tcpipc/grammar/profile"
	"github.com/tcpipc/tcpipc/grammar/source"
)

func newParseCommand() *cobra.Command {
	var format, encoding string
	cmd := &cobra.Command{
		Use:   "parse [flags] FILE...",
		Short: "Print the syntax tree and syntax diagnostics of TCP/IP profiles",
		Long: `parse reads each TCP/IP profile (and the members it INCLUDEs, found next to
it by member name) and prints its syntax tree, then every syntax problem.

Formats: text (tree on stdout, diagnostics on stderr), json (one document
with trees and diagnostics), summary (a line per file, then diagnostics).
Exit code 1 when any file has a syntax error.`,
		Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			enc, err := source.ParseEncoding(encoding)
			if err != nil {
				return usageError("%v", err)
			}
			if format != "text" && format != "json" && format != "summary" {
				return usageError("unknown --format %q (want text, json or summary)", format)
			}
			var all diag.Diagnostics
			sources := diag.Sources{}
			var trees []any
			out := cmd.OutOrStdout()
			for _, path := range args {
				if err := statPath(path); err != nil {
					return err
				}
				prof, ds := profile.ParseFile(path, profile.Options{Encoding: enc})
				ds.Sort()
				for n, text := range prof.Sources() {
					sources[n] = text
				}
				all = append(all, ds...)
				switch format {
				case "text":
					if err := prof.WriteTree(out); err != nil {
						return err
					}
				case "json":
					trees = append(trees, prof.JSON())
				case "summary":
					fmt.Fprintf(out, "%s: %d statements, %d errors, %d warnings, %d infos\n",
						diag.DisplayPath(path), len(prof.Statements),
						ds.Count(diag.Error), ds.Count(diag.Warning)-ds.Count(diag.Error),
						ds.Count(diag.Info)-ds.Count(diag.Warning))
				}
			}
			if format == "json" {
				enc := json.NewEncoder(out)
				enc.SetIndent("", "  ")
				if err := enc.Encode(map[string]any{"files": trees, "diagnostics": displayDiagnostics(all)}); err != nil {
					return err
				}
			} else {
				w := cmd.ErrOrStderr()
				if format == "summary" {
					w = out
				}
				if err := diag.WriteText(w, all, sources); err != nil {
					return err
				}
			}
			if all.HasErrors() {
				return findings
			}
			return nil
		},
	}
	cmd.Flags().StringVar(&format, "format", "text", "output format: text, json or summary")
	cmd.Flags().StringVar(&encoding, "encoding", "auto", "file encoding: auto, utf-8 or ibm-1047")
	return cmd
}

// displayDiagnostics copies diagnostics with paths in display form.
func displayDiagnostics(ds diag.Diagnostics) diag.Diagnostics {
	out := make(diag.Diagnostics, len(ds))
	for i, d := range ds {
		c := *d
		c.Range.File = diag.DisplayPath(c.Range.File)
		out[i] = &c
	}
	return out
}
