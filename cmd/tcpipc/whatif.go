package main

import (
	"github.com/spf13/cobra"
	"github.com/tcpipc/tcpipc/whatif"
)

func newWhatifCommand() *cobra.Command {
	var (
		flags         planFlags
		fail, recover []string
		allSingle     bool
		format        string
	)
	cmd := &cobra.Command{
		Use:   "whatif [flags] DIR|sysplex.yaml|plan.json --fail MVS1[,MVS5] [--recover MVS1] | --all-single",
		Short: "Derive what happens to every DVIPA when stacks fail and come back",
		Long: `whatif compiles a sysplex (or reads a plan file) and derives, from the
configuration alone, what a failure of the --fail stacks does to every DVIPA:
the new owner (the highest-ranked surviving backup in the owner's XCF group;
equal ranks in manifest order, which IBM leaves undefined), whether it stays distributed and to
which targets (the new owner's own VIPADISTRIBUTE, else the one it took over
from the owner; failed targets dropped), and whether its SAs are recovered
through the coupling facility, with every reason when not.

--recover names failed stacks that come back, one after the other in the
order given: a returning VIPADEFINE owner takes its DVIPA back at once with
MOVEABLE IMMEDIATE (the backup keeps its existing connections in MOVING
state), once the backup has no connections with MOVEABLE WHENIDLE, or
activates it again when nobody held it; a backup with MOVEABLE and a mask
creates a DVIPA that is active nowhere, one without them does not.

--all-single prints a matrix of every single-stack failure instead.
Formats: text, json (schema whatif/whatif.schema.json, version
tcpipc.whatif/v1). The runtime's behaviour is tested against this output.`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if format != "text" && format != "json" {
				return usageError("unknown --format %q (want text or json)", format)
			}
			switch {
			case allSingle && (len(fail) > 0 || len(recover) > 0):
				return usageError("--all-single takes no --fail or --recover")
			case !allSingle && len(fail) == 0:
				return usageError("name the failing stacks with --fail, or use --all-single")
			}
			p, err := flags.loadPlan(cmd, args[0])
			if err != nil || p == nil {
				if err == nil {
					err = findings
				}
				return err
			}
			out := cmd.OutOrStdout()
			if allSingle {
				outs := whatif.AllSingle(p)
				if format == "json" {
					return whatif.WriteOutcomesJSON(out, outs)
				}
				return whatif.WriteMatrix(out, p, outs)
			}
			o, err := whatif.Derive(p, whatif.Scenario{Failed: fail, Recovered: recover})
			if err != nil {
				return usageError("%v", err)
			}
			if format == "json" {
				return o.WriteJSON(out)
			}
			return o.WriteText(out)
		},
	}
	flags.register(cmd, false)
	cmd.Flags().StringSliceVar(&fail, "fail", nil, "stacks that fail (MVS system names, comma-separated)")
	cmd.Flags().StringSliceVar(&recover, "recover", nil, "failed stacks that come back afterwards, in this order")
	cmd.Flags().BoolVar(&allSingle, "all-single", false, "analyse every single-stack failure and print a matrix")
	cmd.Flags().StringVar(&format, "format", "text", "output format: text or json")
	return cmd
}
