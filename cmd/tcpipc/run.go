package main

import (
	"context"
	"fmt"
	"net"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"
	"time"

	"github.com/spf13/cobra"

	"github.com/tcpipc/tcpipc/compile"
	"github.com/tcpipc/tcpipc/diag"
	"github.com/tcpipc/tcpipc/grammar/source"
	"github.com/tcpipc/tcpipc/internal/clock"
	"github.com/tcpipc/tcpipc/runtime/ipsec"
	"github.com/tcpipc/tcpipc/runtime/link"
	"github.com/tcpipc/tcpipc/runtime/scenario"
	"github.com/tcpipc/tcpipc/runtime/sysplex"
	"github.com/tcpipc/tcpipc/runtime/xcf"
)

func newRunCommand() *cobra.Command {
	var (
		f            planFlags
		scenarioPath string
		appsPath     string
		controlPath  string
		pcapPath     string
		keylogPath   string
		heartbeat    time.Duration
	)
	cmd := &cobra.Command{
		Use:   "run [flags] [SYSPLEX] [--scenario FILE]",
		Short: "Run the compiled sysplex in this process: play a scenario, or serve tcpipc ctl until interrupted",
		Long: `run compiles the sysplex (lint errors stop it unless --force) and starts it in
this process: one netstack per stack, the LAN, XCF links and group, the
coupling facility, DVIPA ownership with takeover and takeback, and the
sysplex distributor. It then plays the scenario (applications, clients, a
timeline of failures and recoveries) and prints a timeline and a report.
SYSPLEX defaults to the scenario's sysplex key.

Without --scenario the sysplex runs until interrupted and answers tcpipc ctl
on a control socket (--control, default ` + "`$TMPDIR/tcpipc.sock`" + `); --apps FILE
starts the applications of a scenario file on their stacks.

With --scenario and --control, tcpipc ctl can display the sysplex while the
scenario plays; the timeline alone changes it.

A scenario with IPsec clients (ipsec: true) puts the plan's IPsec policy on
the packet path: the routing stack of a DVIPSEC DVIPA terminates IKEv2 and
ESP for it. --keylog DIR writes the keys tshark needs to decrypt --pcap
(esp_sa and ikev2_decryption_table: run tshark with WIRESHARK_CONFIG_DIR=DIR).

Exit codes: 0 every expectation holds, 1 an expectation failed or lint
refused, 2 usage or I/O error. --pcap FILE captures the LAN and the XCF links
(GRE shows as GRE in tshark).`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if cmd.Flags().Changed("heartbeat") && heartbeat < xcf.MinInterval {
				return usageError("--heartbeat %s is below the minimum of %s", heartbeat, xcf.MinInterval)
			}
			if scenarioPath == "" {
				if len(args) != 1 {
					return usageError("name the sysplex to run")
				}
				return serve(cmd, &f, args[0], appsPath, controlPath, pcapPath, heartbeat)
			}
			if appsPath != "" {
				return usageError("--apps is for a run without --scenario: the scenario has its own applications")
			}
			sc, src, err := readScenario(cmd, scenarioPath)
			if err != nil {
				return err
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
			if err := checkScenario(cmd, sc, src, plan); err != nil {
				return err
			}
			// Clients that are IPsec peers need the policy on the packet path.
			opts := sysplex.Options{Clock: clock.Real{}, Heartbeat: sc.Heartbeat, Missed: sc.Missed, IPsec: sc.UsesIPsec()}
			if keylogPath != "" {
				kl, err := ipsec.NewKeyLogDir(keylogPath)
				if err != nil {
					return usageError("%v", err)
				}
				defer kl.Close()
				opts.KeyLog = kl
			}
			if heartbeat > 0 {
				opts.Heartbeat = heartbeat
			}
			closeCapture, err := capture(pcapPath, &opts)
			if err != nil {
				return err
			}
			defer closeCapture()
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
			if cmd.Flags().Changed("control") {
				// Displays while the scenario plays (tcpipc ctl netstat, ipsec).
				l, err := listenControl(controlPath)
				if err != nil {
					return err
				}
				defer os.Remove(controlPath)
				serveCtx, endServe := context.WithCancel(ctx)
				served := make(chan error, 1)
				go func() { served <- sysplex.NewDisplayControl(sx).Serve(serveCtx, l) }()
				defer func() { endServe(); <-served }()
			}
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
	cmd.Flags().StringVar(&appsPath, "apps", "", "without --scenario: start the applications of this scenario file")
	cmd.Flags().StringVar(&controlPath, "control", defaultControlPath(), "the control socket tcpipc ctl talks to (with --scenario: only if given, displays only)")
	cmd.Flags().StringVar(&pcapPath, "pcap", "", "capture the LAN and XCF links to this pcap file")
	cmd.Flags().StringVar(&keylogPath, "keylog", "", "write the IPsec keys to esp_sa and ikev2_decryption_table in this directory, for Wireshark/tshark (secrets in the clear)")
	cmd.Flags().DurationVar(&heartbeat, "heartbeat", 0, "XCF heartbeat interval, at least 10ms (default: the scenario's)")
	return cmd
}

func readScenario(cmd *cobra.Command, path string) (*scenario.Scenario, *source.File, error) {
	if err := statPath(path); err != nil {
		return nil, nil, err
	}
	sc, src, ds := scenario.Read(path)
	if ds.HasErrors() {
		_ = diag.WriteText(cmd.ErrOrStderr(), ds, diag.Sources{src.Name: src.Text})
		return nil, nil, usageError("%s is not a valid scenario", path)
	}
	return sc, src, nil
}

// checkScenario prints every mistake of the scenario against the plan
// (unknown stacks, a timeline that fails a stack twice, …) before the run.
func checkScenario(cmd *cobra.Command, sc *scenario.Scenario, src *source.File, plan *compile.Plan) error {
	ds := sc.CheckPlan(plan)
	if !ds.HasErrors() {
		return nil
	}
	ds.Sort()
	_ = diag.WriteText(cmd.ErrOrStderr(), ds, diag.Sources{src.Name: src.Text})
	return usageError("%s does not fit sysplex %s", src.Name, plan.Sysplex)
}

// defaultControlPath is where run listens and ctl calls unless told.
func defaultControlPath() string { return filepath.Join(os.TempDir(), "tcpipc.sock") }

// serve runs the sysplex until interrupted, answering tcpipc ctl.
func serve(cmd *cobra.Command, f *planFlags, target, appsPath, controlPath, pcapPath string, heartbeat time.Duration) error {
	var (
		apps         []*scenario.Application
		appsScenario *scenario.Scenario
		appsSource   *source.File
	)
	if appsPath != "" {
		sc, src, err := readScenario(cmd, appsPath)
		if err != nil {
			return err
		}
		apps = sc.Applications
		appsScenario, appsSource = sc, src
	}
	f.includeSecrets = true
	plan, err := f.loadPlan(cmd, target)
	if err != nil || plan == nil {
		if err == nil {
			return findings
		}
		return err
	}
	if appsScenario != nil {
		if err := checkScenario(cmd, appsScenario, appsSource, plan); err != nil {
			return err
		}
	}
	l, err := listenControl(controlPath)
	if err != nil {
		return err
	}
	defer os.Remove(controlPath)
	opts := sysplex.Options{Clock: clock.Real{}, Heartbeat: heartbeat}
	closeCapture, err := capture(pcapPath, &opts)
	if err != nil {
		l.Close()
		return err
	}
	defer closeCapture()
	sx, err := sysplex.New(plan, opts)
	if err != nil {
		l.Close()
		return err
	}
	defer sx.Stop()
	if err := sx.Start(); err != nil {
		l.Close()
		return err
	}
	ctl, err := sysplex.NewControl(sx, apps)
	if err != nil {
		l.Close()
		return err
	}
	defer ctl.Close()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	fmt.Fprintf(cmd.OutOrStdout(), "sysplex %s running: %d stacks, %d applications; control socket %s\n"+
		"try: tcpipc ctl --control %s sysplex vipadyn\ninterrupt (Ctrl-C) to stop\n",
		plan.Sysplex, len(plan.Stacks), len(apps), controlPath, controlPath)
	return ctl.Serve(ctx, l)
}

// listenControl opens the control socket, replacing a stale one but never
// one a running sysplex answers on.
func listenControl(path string) (net.Listener, error) {
	if _, err := os.Stat(path); err == nil {
		if c, err := net.DialTimeout("unix", path, time.Second); err == nil {
			c.Close()
			return nil, usageError("a sysplex already runs with control socket %s (use --control)", path)
		}
		if err := os.Remove(path); err != nil {
			return nil, usageError("%v", err)
		}
	}
	l, err := net.Listen("unix", path)
	if err != nil {
		return nil, usageError("%v", err)
	}
	return l, nil
}

// capture sets the sysplex's taps to write a pcap file when path is set;
// the returned function closes the file after the sysplex stopped.
func capture(path string, opts *sysplex.Options) (func(), error) {
	if path == "" {
		return func() {}, nil
	}
	out, err := os.Create(path)
	if err != nil {
		return nil, usageError("%v", err)
	}
	pw, err := link.NewPcapWriter(out, opts.Clock)
	if err != nil {
		out.Close()
		return nil, err
	}
	opts.LANTap, opts.XCFTap = pw.Tap(link.Out), pw.Tap(link.Out)
	return func() { out.Close() }, nil
}
