package sysplex

import (
	"net/netip"
	"testing"
	"time"

	"github.com/tcpipc/tcpipc/internal/testkit/leakcheck"
	"github.com/tcpipc/tcpipc/plan"
	"github.com/tcpipc/tcpipc/whatif"
)

// TestHotStandbyAgreesWithWhatif: on testdata/runtime/hotstandby a new
// connection goes to the target whatif names active, before the failure
// of a hot standby's preferred target, after it and after the target's
// return: DVA port 8000 (SYSA distributes, preferred SYSB, backups SYSD
// rank 100 and SYSC rank 50, AUTOSWITCHBACK) and DVB port 9000 (SYSB
// distributes, preferred SYSC, backups SYSD 100 and SYSA 20,
// NOAUTOSWITCHBACK: SYSD keeps the traffic when SYSC is back).
func TestHotStandbyAgreesWithWhatif(t *testing.T) {
	for _, c := range []hotStandbyCase{
		{"203.0.113.10", 8000, "SYSA", "SYSB", []string{"SYSB", "SYSC", "SYSD"}},
		{"203.0.113.20", 9000, "SYSB", "SYSC", []string{"SYSA", "SYSC", "SYSD"}},
	} {
		t.Run(c.dvipa, func(t *testing.T) { checkHotStandby(t, c) })
	}
}

// hotStandbyCase is a hot standby of the hotstandby sysplex: its DVIPA
// and port, the stack that distributes it, its preferred target and the
// stacks that serve it.
type hotStandbyCase struct {
	dvipa     string
	port      uint16
	router    string
	preferred string
	servers   []string
}

// checkHotStandby connects once before the preferred target fails, once
// after, once after its return, and compares the target of each new
// connection with whatif's active target.
func checkHotStandby(t *testing.T, c hotStandbyCase) {
	leakcheck.Check(t)
	p := planFile(t, "hotstandby")
	app := netip.AddrPortFrom(netip.MustParseAddr(c.dvipa), c.port)
	want := activeTargets(t, p, app, c.preferred)
	sx, clk := startSysplex(t, p)
	// A starting owner of a MOVEABLE WHENIDLE DVIPA waits for its
	// grace time to hear that nobody holds it.
	for i := 0; i < 50 && sx.Owner(app.Addr()) != c.router; i++ {
		clk.Advance(100 * time.Millisecond)
		time.Sleep(5 * time.Millisecond)
	}
	waitFor(t, c.router+" to hold "+c.dvipa, func() bool { return sx.Owner(app.Addr()) == c.router })
	servers := map[string]*echoServer{}
	for _, s := range c.servers {
		servers[s] = serveEcho(t, sx.Stack(s), app)
	}
	defer func() {
		for _, e := range servers {
			e.close()
		}
	}()
	ready := func(n int) func() bool {
		return func() bool {
			got := 0
			for _, e := range sx.Stack(c.router).Routing(app.Addr()).DPT() {
				if e.Port == c.port && e.Ready > 0 {
					got++
				}
			}
			return got == n
		}
	}
	waitFor(t, "every server ready", ready(len(c.servers)))
	client, err := sx.AddClient("client", netip.MustParseAddr("192.0.2.10"))
	if err != nil {
		t.Fatal(err)
	}
	next := func(step string) {
		t.Helper()
		conn := dial(t, client, app)
		defer conn.Close()
		echoOnce(t, conn, step)
		var to []string
		for _, e := range sx.Stack(c.router).Routing(app.Addr()).CRT() {
			if e.Key.Port == c.port && !e.Ending {
				to = append(to, e.Target)
			}
		}
		if len(to) != 1 || to[0] != want[step] {
			t.Errorf("%s: the new connection went to %v, whatif says %s", step, to, want[step])
		}
		if a := sx.hotStandby(app.Addr(), c.port); a != want[step] {
			t.Errorf("%s: NETSTAT VDPT flags %q active, whatif says %s", step, a, want[step])
		}
	}
	next("start")
	servers[c.preferred].close()
	delete(servers, c.preferred)
	if err := sx.Fail(c.preferred); err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 30 && !ready(len(c.servers)-1)(); i++ {
		clk.Advance(100 * time.Millisecond)
		time.Sleep(10 * time.Millisecond)
	}
	waitFor(t, c.router+" to see "+c.preferred+" fail", ready(len(c.servers)-1))
	next("failed")
	if err := sx.Recover(c.preferred); err != nil {
		t.Fatal(err)
	}
	servers[c.preferred] = serveEcho(t, sx.Stack(c.preferred), app)
	for i := 0; i < 30 && !ready(len(c.servers))(); i++ {
		clk.Advance(100 * time.Millisecond)
		time.Sleep(10 * time.Millisecond)
	}
	waitFor(t, c.preferred+" ready again", ready(len(c.servers)))
	next("recovered")
}

// activeTargets is whatif's active target of the hot standby serving app
// at the start, with the preferred target failed, and after its return.
func activeTargets(t *testing.T, p *plan.Plan, app netip.AddrPort, preferred string) map[string]string {
	t.Helper()
	o, err := whatif.Derive(p, whatif.Scenario{Failed: []string{preferred}, Recovered: []string{preferred}})
	if err != nil {
		t.Fatal(err)
	}
	none, err := whatif.Derive(p, whatif.Scenario{})
	if err != nil {
		t.Fatal(err)
	}
	of := func(ph *whatif.Phase) string {
		for _, ds := range append([]whatif.DistState{*ph.Distribution}, ph.MoreDistributions...) {
			for _, pr := range ds.Ports {
				if int(app.Port()) >= pr.From && int(app.Port()) <= pr.To {
					return ds.Active
				}
			}
		}
		t.Fatalf("whatif distributes no port %d", app.Port())
		return ""
	}
	for i, d := range o.DVIPAs {
		if d.Addr == app.Addr() {
			return map[string]string{"start": of(&none.DVIPAs[i].AfterFailure), "failed": of(&d.AfterFailure), "recovered": of(d.AfterRecovery)}
		}
	}
	t.Fatalf("whatif knows no %s", app.Addr())
	return nil
}
