package control

import (
	"context"
	"net"
	"net/netip"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/tcpipc/tcpipc/internal/clock"
	"github.com/tcpipc/tcpipc/internal/testkit/leakcheck"
	"github.com/tcpipc/tcpipc/internal/testkit/sysplextest"
	"github.com/tcpipc/tcpipc/runtime/sysplex"
	"github.com/tcpipc/tcpipc/scenario"
)

// TestControl drives a running figure 9 sysplex through its control
// socket as `tcpipc ctl` does: the displays show the live owner, the
// distributor's tables and the connections, and fail/recover move DVA1.
func TestControl(t *testing.T) {
	leakcheck.Check(t)
	sx, clk := startSysplex(t)
	sysplextest.WaitFor(t, "MVS1 to own DVA1", func() bool { return sx.Owner(dva1) == "MVS1" })
	ctl, err := New(sx, []*scenario.Application{{Name: "APPA", Stacks: []string{"MVS1", "MVS2", "MVS4"},
		Bind: netip.AddrPortFrom(dva1, 60), Behaviour: scenario.Echo}})
	if err != nil {
		t.Fatal(err)
	}
	defer ctl.Close()
	path := filepath.Join(t.TempDir(), "ctl.sock")
	l, err := net.Listen("unix", path)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	served := make(chan error, 1)
	go func() { served <- ctl.Serve(ctx, l) }()
	defer func() {
		cancel()
		if err := <-served; err != nil {
			t.Errorf("Serve: %v", err)
		}
	}()
	call := func(args ...string) (string, error) {
		cctx, ccancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer ccancel()
		return Call(cctx, path, args)
	}
	must := func(args ...string) string {
		t.Helper()
		out, err := call(args...)
		if err != nil {
			t.Fatalf("ctl %s: %v", strings.Join(args, " "), err)
		}
		return out
	}
	contains := func(out, pattern string) {
		t.Helper()
		if !regexp.MustCompile(pattern).MatchString(out) {
			t.Fatalf("output does not match %q:\n%s", pattern, out)
		}
	}

	sysplextest.WaitFor(t, "three ready targets", func() bool {
		out, err := call("netstat", "vdpt", "--stack", "MVS1")
		return err == nil && strings.Count(out, "Rdy: 001") == 3
	})
	contains(must("netstat", "vipadyn", "--stack", "MVS1"), `201\.2\.10\.11/28\n\s+Status: Active\s+Origin: VIPADefine\s+DistStat: Dist/Dest\n\s+ActTime:\s+\d\d/\d\d/\d{4} \d\d:\d\d:\d\d\n`)
	contains(must("sysplex", "vipadyn"), `IPADDR: 201\.2\.10\.11[^\n]*\n[^\n]*\n[^\n]*\n[^\n]*\n\s+TCPIP\s+MVS1\s+ACTIVE`)

	client, err := sx.AddClient("client", netip.MustParseAddr("192.0.2.10"))
	if err != nil {
		t.Fatal(err)
	}
	var conns []net.Conn
	defer func() {
		for _, c := range conns {
			c.Close()
		}
	}()
	for i := 0; i < 3; i++ {
		c := sysplextest.Dial(t, client, netip.AddrPortFrom(dva1, 60))
		conns = append(conns, c)
		sysplextest.EchoOnce(t, c, "hello")
	}
	vcrt := must("netstat", "vcrt", "--stack", "MVS1")
	contains(vcrt, `Source:    192\.0\.2\.10\.\.\d+\n  DestXCF:   193\.9\.200\.2\n`)
	contains(vcrt, `3 of 3 Records Displayed`)
	contains(must("netstat", "vdpt", "--stack", "MVS1"), `DestXCF:   193\.9\.200\.4\n  TotalConn: 0000000001  Rdy: 001  WLM: 00  TSR: 100`)
	contains(must("netstat", "conn", "--stack", "MVS2"), `APPA     [0-9A-F]{8} Establsh\n  Local Socket:   201\.2\.10\.11\.\.60\n  Foreign Socket: 192\.0\.2\.10\.\.\d+`)

	// The operator fails MVS1: MVS5 takes DVA1 over and reports it.
	must("fail", "mvs1")
	if _, err := call("netstat", "vipadyn", "--stack", "MVS1"); err == nil || !strings.Contains(err.Error(), "down") {
		t.Fatalf("a failed stack answered NETSTAT: %v", err)
	}
	sysplextest.AwaitOwner(t, sx, clk, dva1, "MVS5")
	sysplextest.WaitFor(t, "MVS5 to learn the two surviving connections", func() bool {
		out, err := call("netstat", "vcrt", "--stack", "MVS5")
		return err == nil && strings.Contains(out, "2 of 2 Records Displayed")
	})
	contains(must("netstat", "vipadyn", "--stack", "MVS5"), `201\.2\.10\.11/28\n\s+Status: Active\s+Origin: VIPABackup\s+DistStat: Dist\n`)
	sysplex := must("sysplex", "vipadyn", "--stack", "MVS5")
	contains(sysplex, `\s+TCPIP\s+MVS5\s+ACTIVE`)
	if strings.Contains(sysplex, " MVS1 ") {
		t.Fatalf("the failed stack is still listed:\n%s", sysplex)
	}

	// It recovers and takes DVA1 back.
	must("recover", "MVS1")
	sysplextest.WaitFor(t, "MVS1 to take DVA1 back", func() bool { return sx.Owner(dva1) == "MVS1" })
	sysplextest.WaitFor(t, "MVS1 to route again", func() bool {
		out, err := call("netstat", "vipadyn", "--stack", "MVS1")
		return err == nil && strings.Contains(out, "DistStat: Dist/Dest")
	})
	contains(must("timeline"), `MVS5\s+takeover 201\.2\.10\.11 from MVS1`)

	for _, bad := range [][]string{{}, {"netstat"}, {"netstat", "nosuch"}, {"fail"}, {"fail", "MVS9"},
		{"deactivate", "MVS1", "10.9.9.9"}, {"netstat", "vipadyn", "--stack"}, {"reboot", "MVS1"}} {
		if _, err := call(bad...); err == nil {
			t.Errorf("ctl %q succeeded", bad)
		}
	}
}

// dva1 is figure 9's distributed DVIPA.
var dva1 = netip.MustParseAddr("201.2.10.11")

// startSysplex starts figure 9 on a manual clock with the test timing.
func startSysplex(t *testing.T) (*sysplex.Sysplex, *clock.Manual) {
	t.Helper()
	clk := clock.NewManual(time.Unix(0, 0))
	sx, err := sysplex.New(sysplextest.Plan(t, "figure9"), sysplex.Options{Clock: clk, XCF: sysplextest.Timing})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(sx.Stop)
	if err := sx.Start(); err != nil {
		t.Fatal(err)
	}
	return sx, clk
}

// TestControlOperands: the commands' operands are checked before anything
// changes, on a sysplex built but not started (every stack down).
func TestControlOperands(t *testing.T) {
	sx, err := sysplex.New(sysplextest.Plan(t, "figure9"), sysplex.Options{Clock: clock.NewManual(time.Unix(0, 0))})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(sx.Stop)
	ctl, err := New(sx, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer ctl.Close()
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"partition", "mvs1"}, "partition takes 2 operands, got 1"},
		{[]string{"cut", "mvs1", "mvs5", "mvs2"}, "cut takes 2 operands, got 3"},
		{[]string{"fail", "mvs9"}, "no stack MVS9 in sysplex"},
		{[]string{"deactivate", "mvs1", "10.0.0.1"}, "10.0.0.1 is not a DVIPA of the sysplex"},
		{[]string{"ipsec", "-x"}, "ipsec needs -k (IKE tunnels) or -y (dynamic tunnels)"},
		{[]string{"ipsec", "-k", "--stack", "nope"}, "no stack NOPE in sysplex"},
		{[]string{"ipsec", "-y", "--stack", "mvs1"}, "MVS1: sysplex: stack is down"},
		{[]string{"netstat", "vcrt", "--stack", "mvs1"}, "MVS1: sysplex: stack is down"},
		{[]string{"netstat", "vipadyn", "--stak", "mvs1"}, "unexpected operands"},
	} {
		out, err := ctl.Do(c.args)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%v: %q, %v; want an error containing %q", c.args, out, err, c.want)
		}
	}
}

// TestDisplayOfStackThatLeftTheGroup: a stack that left the XCF group is
// up, not down: its sysplex displays say it is no member of the group.
func TestDisplayOfStackThatLeftTheGroup(t *testing.T) {
	sx, err := sysplex.New(sysplextest.Plan(t, "figure9"), sysplex.Options{Clock: clock.Real{}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(sx.Stop)
	if err := sx.Start(); err != nil {
		t.Fatal(err)
	}
	ctl, err := New(sx, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer ctl.Close()
	if _, err := ctl.Do([]string{"leavegroup", "MVS2"}); err != nil {
		t.Fatal(err)
	}
	for _, args := range [][]string{{"netstat", "vipadyn", "--stack", "MVS2"}, {"sysplex", "vipadyn", "--stack", "MVS2"}} {
		_, err := ctl.Do(args)
		if err == nil || !strings.Contains(err.Error(), "MVS2 is not a member of sysplex group") {
			t.Errorf("%v: %v; want MVS2 reported out of the group, not down", args, err)
		}
	}
}
