package main

import (
	"context"
	"os"
	"os/signal"
	"path/filepath"
	"time"

	"github.com/spf13/cobra"

	"github.com/tcpipc/tcpipc/diag"
	"github.com/tcpipc/tcpipc/internal/clock"
	"github.com/tcpipc/tcpipc/runtime/link"
	"github.com/tcpipc/tcpipc/runtime/scenario"
	"github.com/tcpipc/tcpipc/runtime/sysplex"
)

func newRunCommand() *cobra.Command {
	var (
		f            planFlags
		scenarioPath string
		pcapPath     string
		heartbeat    time.Duration
	)
	cmd := &cobra.Command{
		Use:   "run [flags] [SYSPLEX] --scenario FILE",
		Short: "Run the compiled sysplex in this process and play a scenario on it",
		Long: `run compiles the sysplex (lint errors stop it unless --force) and starts it in
this process: one netstack per stack, the LAN, XCF links and group, the
coupling facility, DVIPA ownership with takeover and takeback, and the
sysplex distributor. It then plays the scenario (applications, clients, a
timeline of failures and recoveries) and prints a timeline and a report.
SYSPLEX defaults to the scenario's sysplex key.

Exit codes: 0 every expectation holds, 1 an expectation failed or lint
refused, 2 usage or I/O error. --pcap FILE captures the LAN and the XCF links
(GRE shows as GRE in tshark).`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if scenarioPath == "" {
				return usageError("--scenario is required")
			}
			if err := statPath(scenarioPath); err != nil {
				return err
			}
			sc, src, ds := scenario.Read(scenarioPath)
			if ds.HasErrors() {
				_ = diag.WriteText(cmd.ErrOrStderr(), ds, diag.Sources{src.Name: src.Text})
				return usageError("%s is not a valid scenario", scenarioPath)
			}
			target := ""
			if len(args) == 1 {
				target = args[0]
			} else if sc.Sysplex != "" {
				target = filepath.Join(filepath.Dir(scenarioPath), filepath.FromSlash(sc.Sysplex))
			} else {
				return usageError("name the sysplex: the scenario has no sysplex key")
			}
			f.includeSecrets = true // the runtime needs the pre-shared keys
			plan, err := f.loadPlan(cmd, target)
			if err != nil || plan == nil {
				if err == nil {
					return findings
				}
				return err
			}
			opts := sysplex.Options{Clock: clock.Real{}, Heartbeat: sc.Heartbeat, Missed: sc.Missed}
			if heartbeat > 0 {
				opts.Heartbeat = heartbeat
			}
			if pcapPath != "" {
				out, err := os.Create(pcapPath)
				if err != nil {
					return usageError("%v", err)
				}
				defer out.Close()
				pw, err := link.NewPcapWriter(out, opts.Clock)
				if err != nil {
					return err
				}
				opts.LANTap, opts.XCFTap = pw.Tap(link.Out), pw.Tap(link.Out)
			}
			sx, err := sysplex.New(plan, opts)
			if err != nil {
				return err
			}
			defer sx.Stop()
			if err := sx.Start(); err != nil {
				return err
			}
			ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
			defer stop()
			report, err := sx.Play(ctx, sc)
			if err != nil {
				return err
			}
			if err := report.WriteText(cmd.OutOrStdout()); err != nil {
				return err
			}
			if !report.Passed() {
				return findings
			}
			return nil
		},
	}
	f.register(cmd, false)
	cmd.Flags().StringVar(&scenarioPath, "scenario", "", "scenario file to play (YAML)")
	cmd.Flags().StringVar(&pcapPath, "pcap", "", "capture the LAN and XCF links to this pcap file")
	cmd.Flags().DurationVar(&heartbeat, "heartbeat", 0, "XCF heartbeat interval (default: the scenario's)")
	return cmd
}
