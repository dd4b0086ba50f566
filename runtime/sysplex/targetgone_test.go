package sysplex

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/tcpipc/tcpipc/internal/clock"
	"github.com/tcpipc/tcpipc/internal/testkit/leakcheck"
	"github.com/tcpipc/tcpipc/plan"
	"github.com/tcpipc/tcpipc/runtime/lan"
)

// TestFailedTargetLeavesTheDistribution: MVS1 distributes DVA1 port 60
// round robin to MVS1, MVS2 and MVS4; MVS2, a target only, fails. A
// failed stack is no target any more (seed 003: the DPT holds the stacks
// with a server listening; IBM, EZZ9674E: a stack out of the sysplex
// group takes no part in sysplex distribution, as distributor or
// target), so every new connection goes to MVS1 or MVS4, and the
// connections MVS2 served are answered with a reset rather than left to
// time out. Before, MVS1 kept MVS2 in its DPT and CRT: a third of the new
// connections were sent to the dead stack and never came up, and the old
// ones hung.
func TestFailedTargetLeavesTheDistribution(t *testing.T) {
	leakcheck.Check(t)
	sx, clk, client, app := figure9WithAPPA(t)
	var old []net.Conn
	for i := range 6 {
		c := dial(t, client, app)
		defer c.Close()
		echoOnce(t, c, fmt.Sprintf("before %d", i))
		old = append(old, c)
	}
	if err := sx.Fail("MVS2"); err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 20 && !strings.Contains(timelineText(sx), "MVS1     detects that MVS2 failed"); i++ {
		clk.Advance(100 * time.Millisecond)
		time.Sleep(10 * time.Millisecond)
	}
	waitFor(t, "MVS1 to detect MVS2's failure", func() bool {
		return strings.Contains(timelineText(sx), "MVS1     detects that MVS2 failed")
	})
	for i := range 6 {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		c, err := client.Netstack().DialTCP(ctx, app)
		cancel()
		if err != nil {
			t.Errorf("new connection %d after MVS2 failed: %v", i, err)
			continue
		}
		if err := tryEcho(c, fmt.Sprintf("after %d", i)); err != nil {
			t.Errorf("new connection %d after MVS2 failed: %v", i, err)
		}
		c.Close()
	}
	reset := 0
	for i, c := range old {
		err := tryEcho(c, fmt.Sprintf("old %d", i))
		switch {
		case errors.Is(err, os.ErrDeadlineExceeded):
			t.Errorf("old connection %d hangs instead of being reset: %v", i, err)
		case err != nil:
			reset++
		}
	}
	if reset != 2 {
		t.Errorf("%d old connections were reset, want the 2 MVS2 served", reset)
	}
}

// TestTargetThatLeftComesBack: MVS2, a target of DVA1, leaves the XCF
// group: MVS1 gives it no new connection but keeps routing the one it
// serves; when MVS2 joins again it reports its server and gets new
// connections again.
func TestTargetThatLeftComesBack(t *testing.T) {
	leakcheck.Check(t)
	sx, clk, client, app := figure9WithAPPA(t)
	ready := func(stack string) bool {
		for _, e := range sx.Stack("MVS1").Routing(dva1).DPT() {
			if e.Stack == stack && e.Ready > 0 {
				return true
			}
		}
		return false
	}
	var onMVS2 net.Conn
	for i := 0; onMVS2 == nil && i < 3; i++ {
		c := dial(t, client, app)
		defer c.Close()
		echoOnce(t, c, "hello")
		if sx.Stack("MVS1").Routing(dva1).Connections("MVS2") > 0 && onMVS2 == nil {
			onMVS2 = c
		}
	}
	if err := sx.LeaveGroup("MVS2"); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "MVS1 to take MVS2 out of the DPT", func() bool { return !ready("MVS2") })
	if onMVS2 == nil {
		t.Fatal("no connection went to MVS2")
	}
	echoOnce(t, onMVS2, "still served while MVS2 is out of the group")
	if err := sx.JoinGroup("MVS2"); err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 20 && !ready("MVS2"); i++ {
		clk.Advance(100 * time.Millisecond)
		time.Sleep(10 * time.Millisecond)
	}
	waitFor(t, "MVS2 back in MVS1's DPT", func() bool { return ready("MVS2") })
}

// figure9WithAPPA starts figure 9 with APP A serving DVA1 port 60 on its
// stacks, waits until MVS1 owns DVA1 and adds a client at 192.0.2.10.
func figure9WithAPPA(t *testing.T) (*Sysplex, *clock.Manual, *lan.Client, netip.AddrPort) {
	t.Helper()
	return withAPPA(t, figure9Plan(t))
}

// withAPPA is figure9WithAPPA on a plan edited from figure 9's.
func withAPPA(t *testing.T, p *plan.Plan) (*Sysplex, *clock.Manual, *lan.Client, netip.AddrPort) {
	t.Helper()
	sx, clk := startSysplex(t, p)
	waitFor(t, "MVS1 to own DVA1", func() bool { return sx.Owner(dva1) == "MVS1" })
	serveAPPA(t, sx)
	client, err := sx.AddClient("client", netip.MustParseAddr("192.0.2.10"))
	if err != nil {
		t.Fatal(err)
	}
	return sx, clk, client, netip.AddrPortFrom(dva1, 60)
}
