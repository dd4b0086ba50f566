package main

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/spf13/cobra"
	"github.com/tcpipc/tcpipc/runtime/control"
)

func newCtlCommand() *cobra.Command {
	var (
		controlPath string
		timeout     time.Duration
		wait        bool
	)
	cmd := &cobra.Command{
		Use:   "ctl [--control PATH] COMMAND [OPERANDS]",
		Short: "Talk to a sysplex that tcpipc run runs: displays, failures, recoveries",
		Long: `ctl sends one command to the control socket of a running tcpipc run (started
without --scenario) and prints the answer. Commands:

` + control.Usage + `

The displays show the live state in the layouts of tcpipc show. ctl talks
only to a sysplex run by your user (or root), and fails (exit 2) otherwise.`,
		Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			controlPath, err := controlPathOrDefault(controlPath)
			if err != nil {
				return err
			}
			ctx, cancel := context.WithTimeout(cmd.Context(), timeout)
			defer cancel()
			out, err := control.Call(ctx, controlPath, args)
			for wait && errors.Is(err, control.ErrNoSysplex) && ctx.Err() == nil {
				time.Sleep(100 * time.Millisecond)
				out, err = control.Call(ctx, controlPath, args)
			}
			fmt.Fprint(cmd.OutOrStdout(), out)
			if err != nil {
				return usageError("%v", err)
			}
			return nil
		},
	}
	cmd.Flags().StringVar(&controlPath, "control", "", "the control socket of the running sysplex (default: the one tcpipc run makes)")
	cmd.Flags().DurationVar(&timeout, "timeout", 30*time.Second, "give up after this long")
	cmd.Flags().BoolVar(&wait, "wait", false, "wait (up to --timeout) for the sysplex to start answering")
	// --stack belongs to the command sent, not to ctl.
	cmd.Flags().SetInterspersed(false)
	return cmd
}
