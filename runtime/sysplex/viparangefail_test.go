package sysplex

import (
	"net/netip"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/tcpipc/tcpipc/internal/testkit/leakcheck"
	"github.com/tcpipc/tcpipc/internal/testkit/sysplextest"
)

// TestVIPARangeOwnerFailsBoundStackTakesOver: SYSA's server binds a
// NONDISRUPTIVE VIPARANGE address, SYSB's binds it too and takes it. SYSA
// keeps it Moving while its server's socket is open, connections or not
// (IBM: until the application closes the socket). When SYSB fails, SYSA,
// whose server still binds the address, takes the DVIPA over and serves
// new connections; it does not wait for SYSB to come back. A bind on the
// returning SYSB moves it there again.
func TestVIPARangeOwnerFailsBoundStackTakesOver(t *testing.T) {
	leakcheck.Check(t)
	sx, clk := startSysplex(t, rangePlan(t))
	app := netip.MustParseAddrPort("10.9.8.5:4000")
	onA := serveEcho(t, sx.Stack("SYSA"), app)
	defer onA.close()
	onB := serveEcho(t, sx.Stack("SYSB"), app)
	defer onB.close()
	// The LAN hears of a bind's move as the stacks announce it.
	waitFor(t, "SYSB to own the DVIPA after its bind", func() bool { return sx.Owner(app.Addr()) == "SYSB" })
	waitFor(t, "SYSA to be Moving while its server binds the address", func() bool { return sx.Stack("SYSA").Moving(app.Addr()) })

	failOver(t, sx, clk, "SYSB", app.Addr(), "SYSA")
	if sx.Stack("SYSA").Moving(app.Addr()) {
		t.Fatal("SYSA still shows the DVIPA Moving after taking it over")
	}
	if got := sx.Fabric().Advertisers(app.Addr()); !slices.Equal(got, []string{"SYSA"}) {
		t.Fatalf("after the takeover the DVIPA is advertised by %v, want [SYSA]", got)
	}
	if out, err := vipadyn(sx, "SYSA"); err != nil || !strings.Contains(out, "10.9.8.5/32\n    Status: Active        Origin: VIPARange Bind") {
		t.Fatalf("NETSTAT VIPADYN on SYSA after the takeover (%v):\n%s", err, out)
	}
	client, err := sx.AddClient("client", netip.MustParseAddr("192.0.2.10"))
	if err != nil {
		t.Fatal(err)
	}
	c := dial(t, client, app)
	defer c.Close()
	echoOnce(t, c, "to SYSA after SYSB failed")
	waitFor(t, "the new connection on SYSA", func() bool {
		onA.mu.Lock()
		defer onA.mu.Unlock()
		return len(onA.open) == 1
	})
	if tl := timelineText(sx); !strings.Contains(tl, "SYSA     takeover 10.9.8.5 from SYSB: a server here still binds it (VIPARANGE)") {
		t.Fatalf("timeline:\n%s", tl)
	}

	// SYSB returns; its server binds again and takes the DVIPA back
	// (NONDISRUPTIVE), SYSA keeping its connection Moving.
	if err := sx.Recover("SYSB"); err != nil {
		t.Fatal(err)
	}
	again := serveEcho(t, sx.Stack("SYSB"), app)
	defer again.close()
	waitFor(t, "SYSB to hold the DVIPA again", func() bool { return sx.Owner(app.Addr()) == "SYSB" })
	waitFor(t, "SYSA to be Moving again", func() bool { return sx.Stack("SYSA").Moving(app.Addr()) })
	echoOnce(t, c, "still on SYSA")
}

// TestVIPARangeOwnerFailsNoBind: when SYSA's server closed its socket
// after SYSB took the DVIPA, nothing binds it anywhere once SYSB fails:
// the DVIPA is gone until an application binds it again (IBM: the
// application is started on another stack and its bind creates it).
func TestVIPARangeOwnerFailsNoBind(t *testing.T) {
	leakcheck.Check(t)
	sx, clk := startSysplex(t, rangePlan(t))
	app := netip.MustParseAddrPort("10.9.8.5:4000")
	onA := serveEcho(t, sx.Stack("SYSA"), app)
	onB := serveEcho(t, sx.Stack("SYSB"), app)
	defer onB.close()
	onA.close()
	if sx.Stack("SYSA").Moving(app.Addr()) {
		t.Fatal("SYSA is Moving with no bind and no connection left")
	}
	if err := sx.Fail("SYSB"); err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 6 && !strings.Contains(timelineText(sx), "SYSA     detects that SYSB failed"); i++ {
		clk.Advance(sysplextest.Heartbeat)
		time.Sleep(20 * time.Millisecond)
	}
	waitFor(t, "SYSA to detect the failure", func() bool { return strings.Contains(timelineText(sx), "SYSA     detects that SYSB failed") })
	if got := sx.Owner(app.Addr()); got != "" {
		t.Fatalf("with no bind left the DVIPA is held by %q", got)
	}
	// A new bind on SYSA creates it there.
	fresh := serveEcho(t, sx.Stack("SYSA"), app)
	defer fresh.close()
	// The LAN hears of a bind's move as the stacks announce it.
	waitFor(t, "SYSA to own the DVIPA after its bind", func() bool { return sx.Owner(app.Addr()) == "SYSA" })
}

// TestVIPARangeTakeoverByTwo: on hotstandby with SYSA and SYSB given
// SYSC's NONDISRUPTIVE VIPARANGE, servers on SYSA, SYSB and SYSC bind the
// same address in turn, so SYSA and SYSB both keep it Moving with a
// server bound. SYSC fails: both may take it over from the one failure,
// and the sysplex must end with one holder, the other stack Moving.
func TestVIPARangeTakeoverByTwo(t *testing.T) {
	leakcheck.Check(t)
	p := planFile(t, "hotstandby")
	r := p.Stack("SYSC").VIPARanges[0]
	for _, n := range []string{"SYSA", "SYSB"} {
		p.Stack(n).VIPARanges = append(p.Stack(n).VIPARanges, r)
	}
	sx, clk := startSysplex(t, p)
	app := netip.AddrPortFrom(r.Prefix.Addr().Next(), 4000)
	// Each bind waits until the stacks that bound before have heard of
	// the one before it, as binds seconds apart would: a stack orders
	// what it hears by arrival, and two moves broadcast by different
	// stacks within one message delay can arrive the other way round
	// (a limitation noted in the README).
	var bound []string
	for _, n := range []string{"SYSA", "SYSB", "SYSC"} {
		e := serveEcho(t, sx.Stack(n), app)
		defer e.close()
		for _, m := range bound {
			waitFor(t, m+" to hear that "+n+" holds it", func() bool {
				sx.Stack(m).mu.Lock()
				defer sx.Stack(m).mu.Unlock()
				return sx.Stack(m).roles.lookup(app.Addr()).routerOf() == n
			})
		}
		bound = append(bound, n)
	}
	// The LAN hears of a bind's move as the stacks announce it.
	waitFor(t, "SYSC to own the DVIPA after its bind", func() bool { return sx.Owner(app.Addr()) == "SYSC" })
	if err := sx.Fail("SYSC"); err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 6 && sx.Owner(app.Addr()) == ""; i++ {
		clk.Advance(sysplextest.Heartbeat)
		time.Sleep(20 * time.Millisecond)
	}
	waitFor(t, "one of SYSA and SYSB to hold it, the other Moving", func() bool {
		adv := sx.Fabric().Advertisers(app.Addr())
		if len(adv) != 1 || (adv[0] != "SYSA" && adv[0] != "SYSB") {
			return false
		}
		other := "SYSA"
		if adv[0] == "SYSA" {
			other = "SYSB"
		}
		return sx.Stack(other).Moving(app.Addr()) && !sx.Stack(adv[0]).Moving(app.Addr())
	})
	// It stays so: nobody hands it back and forth.
	holder := sx.Owner(app.Addr())
	for range 5 {
		clk.Advance(sysplextest.Heartbeat)
		time.Sleep(20 * time.Millisecond)
	}
	if got := sx.Fabric().Advertisers(app.Addr()); !slices.Equal(got, []string{holder}) {
		t.Fatalf("later the DVIPA is advertised by %v, want [%s]\n%s", got, holder, timelineText(sx))
	}
}
