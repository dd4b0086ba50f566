package main

import (
	"fmt"
	"strings"

	"github.com/spf13/cobra"
	"github.com/tcpipc/tcpipc/display"
)

func newShowCommand() *cobra.Command {
	var (
		flags planFlags
		stack string
	)
	var views strings.Builder
	for _, v := range display.Views {
		fmt.Fprintf(&views, "  %-16s %s\n", v.Name, v.Summary)
	}
	cmd := &cobra.Command{
		Use:   "show [flags] DIR|sysplex.yaml|plan.json VIEW",
		Short: "Print what the sysplex will look like, in z/OS display layouts",
		Long: `show compiles a sysplex (or reads a plan file) and prints one view of it in
the layout of the z/OS display it mirrors. Per-stack views print every stack
in manifest order unless --stack names one; for sysplex-vipadyn --stack is
the stack the display is issued on.

Views:
` + views.String() + `
The displays show the state expected at start, from the configuration
alone: no clock (headers name the MVS system where IBM prints the time), no
connections and no servers (VDPT counters are zero; dynamic-port
distributions have no entries yet). IBM documents which fields these
displays carry but not every exact layout; where it does not (VIPADYN,
VDPT, EZZ8260I, the address lines of ipsec -f), tcpipc follows the
documented fields and labels and pads columns its own way. ipsec-filters
leaves out fields the configuration does not decide (OnDemand,
NatKeepAlive, FIPS140) and adds one tcpipc line, "DVIPAs (tcpipc)", naming
the DVIPAs a filter anchors. backup-chains is tcpipc's own.`,
		Args: cobra.ExactArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			known := false
			for _, v := range display.Views {
				known = known || v.Name == args[1]
			}
			if !known {
				return usageError("unknown view %q (see tcpipc show --help)", args[1])
			}
			p, err := flags.loadPlan(cmd, args[0])
			if err != nil || p == nil {
				if err == nil {
					err = findings
				}
				return err
			}
			if stack != "" && p.Stack(stack) == nil {
				return usageError("no stack %s in sysplex %s", stack, p.Sysplex)
			}
			return display.Write(cmd.OutOrStdout(), p, args[1], stack)
		},
	}
	flags.register(cmd, false)
	cmd.Flags().StringVar(&stack, "stack", "", "show this stack only (MVS system name)")
	return cmd
}
