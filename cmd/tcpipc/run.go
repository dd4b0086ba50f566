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

	"github.com/tcpipc/tcpipc/diag"
	"github.com/tcpipc/tcpipc/grammar/source"
	"github.com/tcpipc/tcpipc/internal/clock"
	"github.com/tcpipc/tcpipc/plan"
	"github.com/tcpipc/tcpipc/runtime/ipsec"
	"github.com/tcpipc/tcpipc/runtime/link"
	"github.com/tcpipc/tcpipc/runtime/sysplex"
	"github.com/tcpipc/tcpipc/runtime/xcf"
	"github.com/tcpipc/tcpipc/scenario"
	"github.com/tcpipc/tcpipc/scenario/scenarioyaml"
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
on a control socket (--control; by default tcpipc.sock in $XDG_RUNTIME_DIR, or
in $TMPDIR/tcpipc-UID, a directory only you may enter). The socket is made
mode 0600 and answers only your user (or root); --control replaces a stale
socket but never a file, directory, symbolic link or socket in use.
--apps FILE starts the applications of a scenario file on their stacks.

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
				target = scenarioSysplex(scenarioPath, sc.Sysplex)
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
			opts := sysplex.Options{Clock: clock.Real{}, XCF: sc.XCF, IPsec: sc.UsesIPsec()}
			if keylogPath != "" {
				kl, err := ipsec.NewKeyLogDir(keylogPath)
				if err != nil {
					return usageError("%v", err)
				}
				defer kl.Close()
				opts.KeyLog = kl
			}
			if heartbeat > 0 {
				opts.XCF.Interval = heartbeat
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
				serveCtx, endServe := context.WithCancel(ctx)
				served := make(chan error, 1)
				display := sysplex.NewDisplayControl(sx)
				go func() { served <- display.Serve(serveCtx, l) }()
				defer func() { endServe(); <-served; reportControlDrops(cmd, display.Stats()) }()
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
	cmd.Flags().StringVar(&controlPath, "control", "", "the control socket tcpipc ctl talks to (default: private to your user; with --scenario: only if given, displays only)")
	cmd.Flags().StringVar(&pcapPath, "pcap", "", "capture the LAN and XCF links to this pcap file")
	cmd.Flags().StringVar(&keylogPath, "keylog", "", "write the IPsec keys to esp_sa and ikev2_decryption_table in this directory, for Wireshark/tshark (secrets in the clear)")
	cmd.Flags().DurationVar(&heartbeat, "heartbeat", 0, "XCF heartbeat interval, at least 10ms (default: the scenario's, else 3s)")
	return cmd
}

func readScenario(cmd *cobra.Command, path string) (*scenario.Scenario, *source.File, error) {
	if err := statPath(path); err != nil {
		return nil, nil, err
	}
	sc, src, ds := scenarioyaml.Read(path)
	if ds.HasErrors() {
		_ = diag.WriteText(cmd.ErrOrStderr(), ds, diag.Sources{src.Name: src.Text})
		return nil, nil, usageError("%s is not a valid scenario", path)
	}
	return sc, src, nil
}

// checkScenario prints every mistake of the scenario against the plan
// (unknown stacks, a timeline that fails a stack twice, …) before the run.
func checkScenario(cmd *cobra.Command, sc *scenario.Scenario, src *source.File, plan *plan.Plan) error {
	ds := sc.CheckPlan(plan)
	if !ds.HasErrors() {
		return nil
	}
	ds.Sort()
	_ = diag.WriteText(cmd.ErrOrStderr(), ds, diag.Sources{src.Name: src.Text})
	return usageError("%s does not fit sysplex %s", src.Name, plan.Sysplex)
}

// scenarioSysplex is the sysplex a scenario names: an absolute path as it
// is, a relative one from the scenario's directory.
func scenarioSysplex(scenarioPath, sysplexKey string) string {
	p := filepath.FromSlash(sysplexKey)
	if filepath.IsAbs(p) {
		return p
	}
	return filepath.Join(filepath.Dir(scenarioPath), p)
}

// controlPathOrDefault is the control socket the user named, or the
// private default (sysplex.DefaultControlPath).
func controlPathOrDefault(path string) (string, error) {
	if path != "" {
		return path, nil
	}
	p, err := sysplex.DefaultControlPath()
	if err != nil {
		return "", usageError("%v", err)
	}
	return p, nil
}

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
	controlPath, err = controlPathOrDefault(controlPath)
	if err != nil {
		return err
	}
	l, err := listenControl(controlPath)
	if err != nil {
		return err
	}
	opts := sysplex.Options{Clock: clock.Real{}, XCF: xcf.Timing{Interval: heartbeat}}
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
	err = ctl.Serve(ctx, l)
	reportControlDrops(cmd, ctl.Stats())
	return err
}

// reportControlDrops says, when the sysplex stops, how many control
// clients were turned away, so a drop is never silent.
func reportControlDrops(cmd *cobra.Command, st sysplex.ControlStats) {
	if st.Busy+st.Refused+st.AcceptErrors == 0 {
		return
	}
	fmt.Fprintf(cmd.ErrOrStderr(), "control socket: %d answered, %d turned away busy, %d refused (another user), %d failed accepts waited out\n",
		st.Answered, st.Busy, st.Refused, st.AcceptErrors)
}

// listenControl opens the control socket (sysplex.ListenControl); any
// refusal is a usage or I/O error.
func listenControl(path string) (net.Listener, error) {
	l, err := sysplex.ListenControl(path)
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
