package control

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"strings"
	"time"

	"github.com/tcpipc/tcpipc/display"
	"github.com/tcpipc/tcpipc/plan"
	"github.com/tcpipc/tcpipc/runtime/play"
	"github.com/tcpipc/tcpipc/runtime/sysplex"
	"github.com/tcpipc/tcpipc/runtime/workload"
	"github.com/tcpipc/tcpipc/scenario"
)

// Control answers the commands of `tcpipc ctl` for a sysplex that runs
// until interrupted: NETSTAT and SYSPLEX displays of the live state in the
// layouts of `tcpipc show`, and the operator's failures and recoveries.
// It also runs the applications the sysplex serves, so a stack that fails
// takes its servers down and one that recovers starts them again.
type Control struct {
	sx   *sysplex.Sysplex
	apps *workload.Apps
	// displayOnly refuses events: a scenario's timeline owns them.
	displayOnly bool
	// Limits bound the clients of Serve; set them before Serve.
	Limits   Limits
	counters controlCounters
}

// NewDisplayOnly answers the displays of a sysplex that plays a
// scenario, apps its applications (play.PlayWith), and refuses the
// commands that change it.
func NewDisplayOnly(sx *sysplex.Sysplex, apps *workload.Apps) *Control {
	return &Control{sx: sx, apps: apps, displayOnly: true}
}

// New starts the applications on their stacks and returns the
// control of the sysplex.
func New(sx *sysplex.Sysplex, apps []*scenario.Application) (*Control, error) {
	c := &Control{sx: sx, apps: workload.New(sx, apps)}
	if err := c.apps.StartAll(); err != nil {
		c.apps.StopAll()
		return nil, err
	}
	return c, nil
}

// Close stops the applications.
func (c *Control) Close() { c.apps.StopAll() }

// Usage lists the commands Do accepts.
const Usage = `netstat vipadyn|vdpt|vcrt|conn [--stack NAME]
sysplex vipadyn [--stack NAME]
ipsec -k|-y [--stack NAME]     (IKE tunnels, dynamic tunnels)
cf swsa                        (the SWSA structure's records, like D XCF,STR)
fail NAME | recover NAME | leavegroup NAME | joingroup NAME
deactivate NAME DVIPA | reactivate NAME DVIPA
cut NAME NAME | restore NAME NAME   (the IP link between two stacks)
partition NAME PEER   (NAME loses XCF signalling with PEER; SFM removes NAME)
timeline`

// Do carries out one command and returns what it prints.
func (c *Control) Do(args []string) (string, error) {
	if len(args) == 0 {
		return "", fmt.Errorf("no command; want one of:\n%s", Usage)
	}
	var b strings.Builder
	switch cmd, rest := strings.ToLower(args[0]), args[1:]; cmd {
	case "netstat", "sysplex":
		if len(rest) == 0 {
			return "", fmt.Errorf("%s needs a report name; want one of:\n%s", cmd, Usage)
		}
		stack, err := stackFlag(rest[1:])
		if err != nil {
			return "", err
		}
		if err := c.display(&b, cmd+" "+strings.ToLower(rest[0]), stack); err != nil {
			return "", err
		}
	case "ipsec":
		if len(rest) == 0 || (rest[0] != "-k" && rest[0] != "-y") {
			return "", fmt.Errorf("ipsec needs -k (IKE tunnels) or -y (dynamic tunnels)")
		}
		stack, err := stackFlag(rest[1:])
		if err != nil {
			return "", err
		}
		if err := c.ipsecDisplay(&b, rest[0], stack); err != nil {
			return "", err
		}
	case "cf":
		if len(rest) != 1 || strings.ToLower(rest[0]) != "swsa" {
			return "", fmt.Errorf("cf needs swsa (the SWSA structure's records)")
		}
		if err := c.cfDisplay(&b); err != nil {
			return "", err
		}
	case "timeline":
		start := time.Time{}
		for _, e := range c.sx.Timeline() {
			if start.IsZero() {
				start = e.At
			}
			fmt.Fprintf(&b, "%8s  %-8s %s\n", play.Offset(e.At.Sub(start)), e.Stack, e.What)
		}
	default:
		if c.displayOnly {
			return "", fmt.Errorf("%s: this sysplex plays a scenario; its timeline makes the changes (displays only)", cmd)
		}
		ev, err := c.event(cmd, rest)
		if err != nil {
			return "", err
		}
		if err := c.sx.Apply(ev, c.apps); err != nil {
			return "", err
		}
		fmt.Fprintf(&b, "%s %s: done\n", cmd, strings.Join(rest, " "))
	}
	return b.String(), nil
}

// event turns an operator command into the timeline event it stands for.
func (c *Control) event(cmd string, args []string) (*scenario.Event, error) {
	kinds := map[string]scenario.EventKind{
		"fail": scenario.Fail, "recover": scenario.Recover, "leavegroup": scenario.LeaveGroup, "joingroup": scenario.JoinGroup,
		"deactivate": scenario.Deactivate, "reactivate": scenario.Reactivate, "cut": scenario.Cut, "restore": scenario.Restore,
		"partition": scenario.Partition,
	}
	kind, ok := kinds[cmd]
	if !ok {
		return nil, fmt.Errorf("unknown command %q; want one of:\n%s", cmd, Usage)
	}
	want := 1
	if cmd == "deactivate" || cmd == "reactivate" || cmd == "cut" || cmd == "restore" || cmd == "partition" {
		want = 2
	}
	if len(args) != want {
		return nil, fmt.Errorf("%s takes %d operands, got %d", cmd, want, len(args))
	}
	ev := &scenario.Event{Kind: kind, Stack: strings.ToUpper(args[0])}
	if c.sx.Stack(ev.Stack) == nil {
		return nil, fmt.Errorf("no stack %s in sysplex %s", ev.Stack, c.sx.Plan().Sysplex)
	}
	switch want {
	case 2:
		if cmd == "cut" || cmd == "restore" || cmd == "partition" {
			ev.Peer = strings.ToUpper(args[1])
			break
		}
		a, err := netip.ParseAddr(args[1])
		if err != nil || c.sx.Plan().DVIPA(a) == nil {
			return nil, fmt.Errorf("%s is not a DVIPA of the sysplex", args[1])
		}
		ev.DVIPA = a
	}
	return ev, nil
}

func stackFlag(args []string) (string, error) {
	switch {
	case len(args) == 0:
		return "", nil
	case len(args) == 2 && args[0] == "--stack":
		return strings.ToUpper(args[1]), nil
	case len(args) == 1 && strings.HasPrefix(args[0], "--stack="):
		return strings.ToUpper(strings.TrimPrefix(args[0], "--stack=")), nil
	}
	return "", fmt.Errorf("unexpected operands %q (want --stack NAME)", strings.Join(args, " "))
}

// display writes one report of the live state.
func (c *Control) display(b *strings.Builder, report, stack string) error {
	if stack != "" {
		if err := c.sx.CheckInGroup(stack); err != nil {
			return err
		}
	}
	snap := c.sx.Snapshot()
	switch report {
	case "netstat vipadyn", "netstat vdpt", "sysplex vipadyn":
		view := strings.TrimPrefix(report, "netstat ")
		if report == "sysplex vipadyn" {
			view = "sysplex-vipadyn"
		}
		return display.WriteLive(b, snap, view, stack, c.sx.Live())
	case "netstat vcrt", "netstat conn":
		for i, s := range reportStacks(snap, stack) {
			if i > 0 {
				b.WriteString("\n")
			}
			display.WriteNetstatHeader(b, snap.Stack(s))
			var err error
			if report == "netstat vcrt" {
				err = display.WriteVCRT(b, c.sx.VCRT(s))
			} else {
				err = display.WriteConn(b, c.apps.Sockets(s))
			}
			if err != nil {
				return err
			}
		}
		return nil
	}
	return fmt.Errorf("unknown report %q; want one of:\n%s", report, Usage)
}

// reportStacks names the stack asked for, or every stack in the group
// (the snapshot holds only those).
func reportStacks(snap *plan.Plan, stack string) []string {
	var out []string
	for _, s := range snap.Stacks {
		if stack == "" || s.Name == stack {
			out = append(out, s.Name)
		}
	}
	return out
}

// The control socket speaks one JSON request and one JSON response per
// connection, each a line (the request's newline is optional).
type controlRequest struct {
	Args []string `json:"args"`
}

// maxControlRequest bounds a request line.
const maxControlRequest = 64 << 10

type controlResponse struct {
	Output string `json:"output"`
	Error  string `json:"error,omitempty"`
}

// ErrNoSysplex is returned by Call when nothing answers on the socket.
var ErrNoSysplex = errors.New("no running sysplex")

// Call sends one command to the control socket at path and returns what
// the sysplex answered.
func Call(ctx context.Context, path string, args []string) (string, error) {
	var d net.Dialer
	conn, err := d.DialContext(ctx, "unix", path)
	if err != nil {
		return "", fmt.Errorf("%w at %s: %v", ErrNoSysplex, path, err)
	}
	defer conn.Close()
	if dl, ok := ctx.Deadline(); ok {
		_ = conn.SetDeadline(dl)
	}
	// Whoever listens at path gets the command and prints the answer:
	// it must be this user's sysplex (or root's).
	if err := checkPeer(conn); err != nil {
		return "", fmt.Errorf("refusing the control socket %s: %w", path, err)
	}
	// A server that is busy, or refuses this user, answers without
	// reading and closes: the write may fail while the answer is there.
	werr := json.NewEncoder(conn).Encode(controlRequest{Args: args})
	var resp controlResponse
	if err := json.NewDecoder(conn).Decode(&resp); err != nil {
		if werr != nil {
			return "", fmt.Errorf("sending the command to %s: %w", path, werr)
		}
		return "", fmt.Errorf("reading the answer from %s: %w", path, err)
	}
	if resp.Error != "" {
		return resp.Output, errors.New(resp.Error)
	}
	return resp.Output, nil
}

// ipsecDisplay is `ipsec -k display` or `ipsec -y display` on every stack
// in the group (or the one named) for the DVIPAs it protects.
func (c *Control) ipsecDisplay(b *strings.Builder, which, stack string) error {
	snap := c.sx.Snapshot()
	if stack != "" && snap.Stack(stack) == nil {
		return c.sx.CheckInGroup(stack)
	}
	for i, s := range reportStacks(snap, stack) {
		if i > 0 {
			b.WriteString("\n")
		}
		if err := display.WriteIPsecHeader(b, snap.Stack(s).Job, s, which); err != nil {
			return err
		}
		n := 0
		for _, sas := range c.sx.IPsecSAs(s) {
			var err error
			if which == "-k" {
				err = display.WriteIKETunnels(b, sas.IKEView(), &n)
			} else {
				err = display.WriteDynamicTunnels(b, sas.DynamicView(), &n)
			}
			if err != nil {
				return err
			}
		}
		fmt.Fprintf(b, "%d entries selected\n", n)
	}
	return nil
}
