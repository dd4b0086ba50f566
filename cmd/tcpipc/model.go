package main

import (
	"github.com/spf13/cobra"

	"github.com/tcpipc/tcpipc/diag"
	"github.com/tcpipc/tcpipc/grammar/source"
)

func newModelCommand() *cobra.Command {
	var format, encoding string
	var allow []string
	cmd := &cobra.Command{
		Use:   "model [flags] DIR|sysplex.yaml",
		Short: "Print the typed model of a whole sysplex",
		Long: `model reads a sysplex — a directory with sysplex.yaml, the manifest itself,
or a directory of <STACK>/PROFILE.TCPIP — and prints what tcpipc understood:
per stack its XCF and home addresses, IPsec settings, default filter rules and
VIPADYNAMIC configuration; across stacks every dynamic VIPA with its owner,
backups and distribution. Diagnostics go to stderr; exit code 1 on errors,
2 when a file cannot be read. Files outside the sysplex directory are not
read unless --allow-outside DIR allows their directory.`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			enc, err := source.ParseEncoding(encoding)
			if err != nil {
				return usageError("%v", err)
			}
			if format != "text" && format != "json" {
				return usageError("unknown --format %q (want text or json)", format)
			}
			if err := statPath(args[0]); err != nil {
				return err
			}
			sx, ds := loadSysplexDir(args[0], enc, allow)
			ds.Sort()
			if format == "json" {
				err = sx.WriteJSON(cmd.OutOrStdout())
			} else {
				err = sx.WriteText(cmd.OutOrStdout())
			}
			if err != nil {
				return err
			}
			if err := diag.WriteText(cmd.ErrOrStderr(), ds, sx.Sources); err != nil {
				return err
			}
			if err := readFailure(ds); err != nil {
				return err
			}
			if ds.HasErrors() {
				return findings
			}
			return nil
		},
	}
	registerAllowOutside(cmd, &allow)
	cmd.Flags().StringVar(&format, "format", "text", "output format: text or json")
	cmd.Flags().StringVar(&encoding, "encoding", "auto", "file encoding: auto, utf-8 or ibm-1047")
	return cmd
}
