package main

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"
	"time"

	"github.com/spf13/cobra"

	"github.com/tcpipc/tcpipc/diag"
	"github.com/tcpipc/tcpipc/grammar/source"
	"github.com/tcpipc/tcpipc/internal/clock"
	"github.com/tcpipc/tcpipc/model"
	"github.com/tcpipc/tcpipc/plan"
	"github.com/tcpipc/tcpipc/runtime/control"
	"github.com/tcpipc/tcpipc/runtime/ipsec"
	"github.com/tcpipc/tcpipc/runtime/link"
	"github.com/tcpipc/tcpipc/runtime/play"
	"github.com/tcpipc/tcpipc/runtime/sysplex"
	"github.com/tcpipc/tcpipc/runtime/workload"
	"github.com/tcpipc/tcpipc/runtime/xcf"
	"github.com/tcpipc/tcpipc/scenario"
	"github.com/tcpipc/tcpipc/scenario/scenarioyaml"
)

// runFlags are the flags of tcpipc run.
type runFlags struct {
	plan         planFlags
	scenarioPath string
	appsPath     string
	controlPath  string
	pcapPath     string
	keylogPath   string
	heartbeat    time.Duration
}

func (f *runFlags) register(cmd *cobra.Command) {
	f.plan.register(cmd, false)
	cmd.Flags().StringVar(&f.scenarioPath, "scenario", "", "scenario file to play (YAML)")
	cmd.Flags().StringVar(&f.appsPath, "apps", "", "without --scenario: start the applications of this scenario file")
	cmd.Flags().StringVar(&f.controlPath, "control", "", "the control socket tcpipc ctl talks to (default: private to your user; with --scenario: only if given, displays only)")
	cmd.Flags().StringVar(&f.pcapPath, "pcap", "", "capture the LAN and XCF links to this pcap file")
	cmd.Flags().StringVar(&f.keylogPath, "keylog", "", "write the IPsec keys to esp_sa and ikev2_decryption_table in this directory, for Wireshark/tshark (secrets in the clear)")
	cmd.Flags().DurationVar(&f.heartbeat, "heartbeat", 0, "XCF heartbeat interval, at least 10ms (default: the scenario's, else 3s)")
}

const runLong = `run compiles the sysplex (lint errors stop it unless --force) and starts it in
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

The plan's IPsec policy is always on the packet path, in and out: the
routing stack of a DVIPA its policy protects terminates IKEv2 and ESP for
it (with DVIPSEC it also records the SAs for SWSA), and a scenario's client
is an IPsec peer with ipsec: true; a cleartext client the policy refuses
is warned about before the run. --keylog DIR writes the keys tshark needs
to decrypt --pcap (esp_sa and ikev2_decryption_table: run tshark with
WIRESHARK_CONFIG_DIR=DIR).

Exit codes: 0 every expectation holds, 1 an expectation failed or lint
refused, 2 usage or I/O error. --pcap FILE captures the LAN and the XCF links
(GRE shows as GRE in tshark).`

func newRunCommand() *cobra.Command {
	var f runFlags
	cmd := &cobra.Command{
		Use:   "run [flags] [SYSPLEX] [--scenario FILE]",
		Short: "Run the compiled sysplex in this process: play a scenario, or serve tcpipc ctl until interrupted",
		Long:  runLong,
		Args:  cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if cmd.Flags().Changed("heartbeat") && f.heartbeat < xcf.MinInterval {
				return usageError("--heartbeat %s is below the minimum of %s", f.heartbeat, xcf.MinInterval)
			}
			if f.scenarioPath == "" {
				if len(args) != 1 {
					return usageError("name the sysplex to run")
				}
				return serve(cmd, &f, args[0])
			}
			if f.appsPath != "" {
				return usageError("--apps is for a run without --scenario: the scenario has its own applications")
			}
			return playScenario(cmd, &f, args)
		},
	}
	f.register(cmd)
	return cmd
}

// playScenario runs the sysplex of a scenario and plays it, printing the report;
// with --control, tcpipc ctl can display the sysplex meanwhile.
func playScenario(cmd *cobra.Command, f *runFlags, args []string) error {
	sc, src, err := readScenario(cmd, f.scenarioPath)
	if err != nil {
		return err
	}
	target := ""
	if len(args) == 1 {
		target = args[0]
	} else if sc.Sysplex != "" {
		target = scenarioSysplex(f.scenarioPath, sc.Sysplex)
		if err := confineScenarioSysplex(cmd, sc, src, target, f.plan.allow); err != nil {
			return err
		}
	} else {
		return usageError("name the sysplex: the scenario has no sysplex key")
	}
	plan, err := loadRunPlan(cmd, f, target)
	if err != nil {
		return err
	}
	if err := checkScenario(cmd, sc, src, plan); err != nil {
		return err
	}
	sx, stopSysplex, err := bringUp(plan, f, sc.XCF, f.keylogPath)
	if err != nil {
		return err
	}
	defer stopSysplex()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	apps := workload.New(sx, sc.Applications) // the displays show their sockets
	if cmd.Flags().Changed("control") {
		endDisplays, err := serveDisplays(ctx, cmd, sx, apps, f.controlPath)
		if err != nil {
			return err
		}
		defer endDisplays()
	}
	report, err := play.PlayWith(ctx, sx, sc, apps)
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
}

// loadRunPlan compiles the sysplex with its pre-shared keys, which the
// runtime needs; lint's refusal is findings.
func loadRunPlan(cmd *cobra.Command, f *runFlags, target string) (*plan.Plan, error) {
	f.plan.includeSecrets = true
	plan, err := f.plan.loadPlan(cmd, target)
	if err == nil && plan == nil {
		return nil, findings
	}
	return plan, err
}

// bringUp starts a plan as an embedded sysplex on the real clock, for both
// forms of run: the XCF timing given (the scenario's, or the defaults)
// with --heartbeat over it, the capture of --pcap, and the key log when
// keylog names a directory. The plan's IPsec policy is always on the
// packet path: every packet in and out of a stack that has one is checked
// against it, whether or not a client is an IPsec peer. stop stops the
// sysplex, then closes the capture and the key log.
func bringUp(p *plan.Plan, f *runFlags, timing xcf.Timing, keylog string) (sx *sysplex.Sysplex, stop func(), err error) {
	opts := sysplex.Options{Clock: clock.Real{}, XCF: timing, IPsec: true}
	if f.heartbeat > 0 {
		opts.XCF.Interval = f.heartbeat
	}
	var closers []func()
	closeAll := func() {
		for i := len(closers) - 1; i >= 0; i-- {
			closers[i]()
		}
	}
	// On an error the named stop is nil; close what was opened with the
	// local function.
	defer func() {
		if err != nil {
			closeAll()
		}
	}()
	if keylog != "" {
		kl, err := ipsec.NewKeyLogDir(keylog)
		if err != nil {
			return nil, nil, usageError("%v", err)
		}
		closers = append(closers, func() { kl.Close() })
		opts.KeyLog = kl
	}
	closeCapture, err := capture(f.pcapPath, &opts)
	if err != nil {
		return nil, nil, err
	}
	closers = append(closers, closeCapture)
	sx, err = sysplex.New(p, opts)
	if err != nil {
		return nil, nil, err
	}
	closers = append(closers, sx.Stop)
	if err := sx.Start(); err != nil {
		return nil, nil, err
	}
	return sx, closeAll, nil
}

// serveDisplays answers tcpipc ctl's displays on path while a scenario
// plays (its timeline alone changes the sysplex); end stops answering and
// reports the clients turned away.
func serveDisplays(ctx context.Context, cmd *cobra.Command, sx *sysplex.Sysplex, apps *workload.Apps, path string) (end func(), err error) {
	l, err := listenControl(path)
	if err != nil {
		return nil, err
	}
	serveCtx, endServe := context.WithCancel(ctx)
	served := make(chan error, 1)
	display := control.NewDisplayOnly(sx, apps)
	go func() { served <- display.Serve(serveCtx, l) }()
	return func() { endServe(); <-served; reportControlDrops(cmd, display.Stats()) }, nil
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
	warnClearClients(&ds, sc, plan)
	if len(ds) == 0 {
		return nil
	}
	ds.Sort()
	_ = diag.WriteText(cmd.ErrOrStderr(), ds, diag.Sources{src.Name: src.Text})
	if !ds.HasErrors() {
		return nil
	}
	return usageError("%s does not fit sysplex %s", src.Name, plan.Sysplex)
}

// warnClearClients warns of each cleartext client whose connections the
// sysplex's IPsec policy refuses: the run enforces the policy on every
// packet, and the client would only see its connections fail. The
// client's port is taken from the dynamic range (49152), since the run
// picks it.
func warnClearClients(ds *diag.Diagnostics, sc *scenario.Scenario, p *plan.Plan) {
	for _, cl := range sc.Clients {
		if cl.IPsec || !cl.From.IsValid() {
			continue
		}
		stack, filter := sysplex.ClearRefusedBy(p, netip.AddrPortFrom(cl.From, 49152), cl.Connect)
		if stack == "" {
			continue
		}
		r := cl.FromRange
		if r == (diag.Range{}) {
			r = cl.Range
		}
		ds.Warnf(scenario.RuleScenario, r, "client %s connects to %s in the clear, which %s's IPsec policy refuses "+
			"(filter %s): its connections will fail; make it an IPsec peer (ipsec: true) to pass the policy", cl.Name, cl.Connect, stack, filter)
	}
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

// confineScenarioSysplex refuses a scenario's sysplex key that leads
// outside both the scenario's directory and the working directory (after
// resolving symbolic links), unless --allow-outside allows its directory:
// a scenario is input like a profile, and a reference in it must not make
// tcpipc read (and print, in a diagnostic's snippet) any file it names.
func confineScenarioSysplex(cmd *cobra.Command, sc *scenario.Scenario, src *source.File, target string, allow []string) error {
	root := model.NewRoot(filepath.Dir(src.Name), append([]string{"."}, allow...))
	_, err := root.Resolve(target)
	var outside *model.OutsideError
	if !errors.As(err, &outside) {
		return nil // a missing sysplex is reported when it is loaded
	}
	var ds diag.Diagnostics
	d := ds.Errorf(model.RuleOutside, sc.SysplexRange, "sysplex %s is outside the scenario's directory and the working directory", sc.Sysplex)
	d.Detail = "tcpipc reads a scenario's sysplex only inside the directory of the scenario or the working directory (after resolving symbolic links); " +
		"name the sysplex on the command line, or allow its directory with --allow-outside."
	_ = diag.WriteText(cmd.ErrOrStderr(), ds, diag.Sources{src.Name: src.Text})
	return findings
}

// controlPathOrDefault is the control socket the user named, or the
// private default (control.DefaultPath).
func controlPathOrDefault(path string) (string, error) {
	if path != "" {
		return path, nil
	}
	p, err := control.DefaultPath()
	if err != nil {
		return "", usageError("%v", err)
	}
	return p, nil
}

// serve runs the sysplex until interrupted, answering tcpipc ctl.
func serve(cmd *cobra.Command, f *runFlags, target string) error {
	var appsScenario *scenario.Scenario
	var appsSource *source.File
	if f.appsPath != "" {
		sc, src, err := readScenario(cmd, f.appsPath)
		if err != nil {
			return err
		}
		appsScenario, appsSource = sc, src
	}
	plan, err := loadRunPlan(cmd, f, target)
	if err != nil {
		return err
	}
	var apps []*scenario.Application
	if appsScenario != nil {
		if err := checkScenario(cmd, appsScenario, appsSource, plan); err != nil {
			return err
		}
		apps = appsScenario.Applications
	}
	controlPath, err := controlPathOrDefault(f.controlPath)
	if err != nil {
		return err
	}
	l, err := listenControl(controlPath)
	if err != nil {
		return err
	}
	ctl, stopSysplex, err := bringUpServed(plan, f, apps)
	if err != nil {
		l.Close()
		return err
	}
	defer stopSysplex()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	fmt.Fprintf(cmd.OutOrStdout(), "sysplex %s running: %d stacks, %d applications; control socket %s\n"+
		"try: tcpipc ctl --control %s sysplex vipadyn\ninterrupt (Ctrl-C) to stop\n",
		plan.Sysplex, len(plan.Stacks), len(apps), controlPath, controlPath)
	err = ctl.Serve(ctx, l)
	reportControlDrops(cmd, ctl.Stats())
	return err
}

// bringUpServed brings the sysplex up (bringUp: the XCF defaults, no
// key log) and starts the applications; stop stops them, then the
// sysplex.
func bringUpServed(p *plan.Plan, f *runFlags, apps []*scenario.Application) (*control.Control, func(), error) {
	sx, stopSysplex, err := bringUp(p, f, xcf.Timing{}, "")
	if err != nil {
		return nil, nil, err
	}
	ctl, err := control.New(sx, apps)
	if err != nil {
		stopSysplex()
		return nil, nil, err
	}
	return ctl, func() { ctl.Close(); stopSysplex() }, nil
}

// reportControlDrops says, when the sysplex stops, how many control
// clients were turned away, so a drop is never silent.
func reportControlDrops(cmd *cobra.Command, st control.Stats) {
	if st.Busy+st.Refused+st.AcceptErrors == 0 {
		return
	}
	fmt.Fprintf(cmd.ErrOrStderr(), "control socket: %d answered, %d turned away busy, %d refused (another user), %d failed accepts waited out\n",
		st.Answered, st.Busy, st.Refused, st.AcceptErrors)
}

// listenControl opens the control socket (control.Listen); any
// refusal is a usage or I/O error.
func listenControl(path string) (net.Listener, error) {
	l, err := control.Listen(path)
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
