package sysplex

import (
	"errors"
	"net/netip"
	"slices"
	"strings"
	"testing"

	"github.com/tcpipc/tcpipc/display"
	"github.com/tcpipc/tcpipc/internal/testkit/leakcheck"
	"github.com/tcpipc/tcpipc/plan"
)

// rangePlan is testdata/runtime/viparange: SYSA (XCF 10.0.0.1) and SYSB
// (XCF 10.0.0.2) share a NONDISRUPTIVE and a DISRUPTIVE VIPARANGE.
func rangePlan(t *testing.T) *plan.Plan { return planFile(t, "viparange") }

// TestVIPARangeBind: a bind inside a VIPARANGE creates the DVIPA; a bind on
// another stack (NONDISRUPTIVE) moves it there while the old stack keeps
// its connection in Moving state; with DISRUPTIVE the second bind fails;
// the owner's last close deletes the DVIPA.
func TestVIPARangeBind(t *testing.T) {
	leakcheck.Check(t)
	sx, _ := startSysplex(t, rangePlan(t))
	app := netip.MustParseAddrPort("10.9.8.5:4000")
	if sx.Owner(app.Addr()) != "" {
		t.Fatal("the DVIPA exists before any bind")
	}
	onA := serveEcho(t, sx.Stack("SYSA"), app)
	defer onA.close()
	if got := sx.Owner(app.Addr()); got != "SYSA" {
		t.Fatalf("after a bind on SYSA the DVIPA is owned by %q", got)
	}
	out, err := vipadyn(sx, "SYSA")
	if err != nil || !strings.Contains(out, "10.9.8.5/32\n    Status: Active        Origin: VIPARange Bind") {
		t.Fatalf("NETSTAT VIPADYN on SYSA (%v):\n%s", err, out)
	}

	client, err := sx.AddClient("client", netip.MustParseAddr("192.0.2.10"))
	if err != nil {
		t.Fatal(err)
	}
	old := dial(t, client, app)
	defer old.Close()
	echoOnce(t, old, "to SYSA")

	// SYSB binds the same address: the DVIPA moves, the old connection
	// stays on SYSA (forwarded over XCF) and new ones go to SYSB.
	onB := serveEcho(t, sx.Stack("SYSB"), app)
	defer onB.close()
	if got := sx.Owner(app.Addr()); got != "SYSB" {
		t.Fatalf("after a bind on SYSB the DVIPA is owned by %q", got)
	}
	waitFor(t, "SYSB to learn SYSA's connection", func() bool {
		d := sx.Stack("SYSB").Routing(app.Addr())
		return d != nil && len(d.CRT()) == 1 && d.CRT()[0].Target == "SYSA"
	})
	echoOnce(t, old, "still on SYSA")
	waitFor(t, "SYSA to be Moving while it serves the old connection", func() bool { return sx.Stack("SYSA").Moving(app.Addr()) })
	// One advertiser: SYSA no longer routes it, so it must not linger on
	// the LAN, where SYSB's withdraw would fall back to it.
	if got := sx.Fabric().Advertisers(app.Addr()); !slices.Equal(got, []string{"SYSB"}) {
		t.Fatalf("after the move the DVIPA is advertised by %v, want [SYSB]", got)
	}
	out, _ = vipadyn(sx, "SYSA")
	if !strings.Contains(out, "Status: Moving") {
		t.Fatalf("NETSTAT VIPADYN on SYSA does not show Moving:\n%s", out)
	}
	fresh := dial(t, client, app)
	defer fresh.Close()
	echoOnce(t, fresh, "to SYSB")
	waitFor(t, "the new connection on SYSB", func() bool {
		onB.mu.Lock()
		defer onB.mu.Unlock()
		return len(onB.open) == 1
	})

	// DISRUPTIVE: the second bind fails.
	strict := netip.MustParseAddrPort("10.9.7.5:4000")
	held := serveEcho(t, sx.Stack("SYSA"), strict)
	defer held.close()
	if _, err := sx.Stack("SYSB").Listen(strict); !errors.Is(err, ErrDVIPAInUse) {
		t.Fatalf("a DISRUPTIVE DVIPA bound on another stack: %v", err)
	}
	// Closing the owner's only bind deletes it.
	held.close()
	if got := sx.Owner(strict.Addr()); got != "" {
		t.Fatalf("after the last close the DVIPA is still owned by %q", got)
	}
	if !strings.Contains(timelineText(sx), "SYSB     takes 10.9.8.5 from SYSA by bind (VIPARANGE NONDISRUPTIVE)") {
		t.Fatalf("timeline:\n%s", timelineText(sx))
	}
}

func timelineText(sx *Sysplex) string {
	var b strings.Builder
	for _, e := range sx.Timeline() {
		b.WriteString(e.Stack + strings.Repeat(" ", max(1, 9-len(e.Stack))) + e.What + "\n")
	}
	return b.String()
}

// TestTakebackKeepsBackupConnections: a DVIPA nobody distributes, MOVEABLE
// IMMEDIATE. While the backup holds it, a client connects to the backup;
// when the owner takes it back, new connections go to the owner and the
// backup keeps its connection (Moving) until it ends.
func TestTakebackKeepsBackupConnections(t *testing.T) {
	leakcheck.Check(t)
	sx, clk := startSysplex(t, planFile(t, "takeback"))
	vipa := netip.MustParseAddr("10.9.9.1")
	app := netip.AddrPortFrom(vipa, 4000)
	waitFor(t, "SYSA to own the DVIPA", func() bool { return sx.Owner(vipa) == "SYSA" })
	onB := serveEcho(t, sx.Stack("SYSB"), app)
	defer onB.close()

	failOver(t, sx, clk, "SYSA", vipa, "SYSB")
	client, err := sx.AddClient("client", netip.MustParseAddr("192.0.2.10"))
	if err != nil {
		t.Fatal(err)
	}
	onBackup := dial(t, client, app)
	defer onBackup.Close()
	echoOnce(t, onBackup, "to the backup")

	if err := sx.Recover("SYSA"); err != nil {
		t.Fatal(err)
	}
	onA := serveEcho(t, sx.Stack("SYSA"), app)
	defer onA.close()
	waitFor(t, "SYSA to take the DVIPA back", func() bool { return sx.Owner(vipa) == "SYSA" })
	waitFor(t, "SYSA to learn the backup's connection", func() bool {
		d := sx.Stack("SYSA").Routing(vipa)
		return d != nil && len(d.CRT()) == 1 && d.CRT()[0].Target == "SYSB"
	})
	waitFor(t, "the backup to be Moving", func() bool { return sx.Stack("SYSB").State(vipa).String() == "Moving" })
	echoOnce(t, onBackup, "still through the backup")
	fresh := dial(t, client, app)
	defer fresh.Close()
	echoOnce(t, fresh, "to the owner")
	waitFor(t, "the new connection on SYSA", func() bool {
		onA.mu.Lock()
		defer onA.mu.Unlock()
		return len(onA.open) == 1
	})
	// When the backup's connection ends, it is no longer Moving.
	onBackup.Close()
	waitFor(t, "the backup to leave Moving", func() bool { return sx.Stack("SYSB").State(vipa).String() != "Moving" })
}

// vipadyn is NETSTAT VIPADYN of one stack's live state, as tcpipc ctl
// renders it (runtime/control).
func vipadyn(sx *Sysplex, stack string) (string, error) {
	var b strings.Builder
	err := display.WriteLive(&b, sx.Snapshot(), "vipadyn", stack, sx.Live())
	return b.String(), err
}
