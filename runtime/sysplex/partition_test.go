package sysplex

import (
	"bytes"
	"fmt"
	"net"
	"net/netip"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/tcpipc/tcpipc/internal/clock"
	"github.com/tcpipc/tcpipc/internal/testkit/leakcheck"
	"github.com/tcpipc/tcpipc/runtime/dvipa"
	"github.com/tcpipc/tcpipc/runtime/workload"
	"github.com/tcpipc/tcpipc/scenario"
	"github.com/tcpipc/tcpipc/scenario/scenarioyaml"
	"github.com/tcpipc/tcpipc/whatif"
)

// playScenario runs a scenario file on the figure 9 sysplex and returns
// the sysplex (stopped by the test's cleanup), the report and its text.
// The sysplex runs on a manual clock that a goroutine advances in 5 ms
// steps as real time passes (pacedClock): the clients' TCP runs in real
// time as usual, but heartbeats and failure detection follow the clock,
// so a process stalled by a loaded machine never makes a stack suspect
// another (on a real clock, 100 ms heartbeats do, whatever the scenario).
func playScenario(t *testing.T, file string) (*Sysplex, *Report, string) {
	t.Helper()
	sc, _, ds := scenarioyaml.Read(file)
	if len(ds) > 0 {
		t.Fatal(ds[0].Summary)
	}
	// IPsec clients need the policy on the packet path.
	sx, report := startAndPlay(t, figure9Plan(t), Options{Clock: pacedClock(t), XCF: sc.XCF, IPsec: sc.UsesIPsec()}, sc)
	var out bytes.Buffer
	if err := report.WriteText(&out); err != nil {
		t.Fatal(err)
	}
	return sx, report, out.String()
}

// pacedClock is a manual clock advanced by 5 ms every 5 ms of real time
// until the test ends. Its callbacks run in order on one goroutine: when
// the process stalls, every heartbeat and every deadline stall together.
func pacedClock(t *testing.T) *clock.Manual {
	const step = 5 * time.Millisecond
	clk := clock.NewManual(time.Now())
	stop, done := make(chan struct{}), make(chan struct{})
	go func() {
		defer close(done)
		tick := time.NewTicker(step)
		defer tick.Stop()
		for {
			select {
			case <-stop:
				return
			case <-tick.C:
				clk.Advance(step)
			}
		}
	}()
	t.Cleanup(func() { close(stop); <-done })
	return clk
}

// checkOneHolderEach checks that every DVIPA of the plan is advertised on
// the LAN by exactly one stack, the one whatif names for the sysplex with
// every stack up, and that this stack alone shows it Active.
func checkOneHolderEach(t *testing.T, sx *Sysplex, report string) {
	t.Helper()
	outcome, err := whatif.Derive(sx.Plan(), whatif.Scenario{})
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range outcome.DVIPAs {
		a := d.Addr
		if d.Start == "" {
			continue // a DVIPA nobody activates without an application
		}
		if got := sx.Fabric().Advertisers(a); !slices.Equal(got, []string{d.Start}) {
			t.Errorf("%s is advertised by %v, want exactly [%s]\n%s", a, got, d.Start, report)
		}
		var active []string
		for _, s := range sx.Stacks() {
			if s.State(a) == dvipa.Active {
				active = append(active, s.Name())
			}
		}
		if !slices.Equal(active, []string{d.Start}) {
			t.Errorf("%s is Active on %v, want exactly [%s]", a, active, d.Start)
		}
	}
}

// TestFigure9CutLosesNothing plays testdata/scenarios/figure9-cut.yaml
// (issue 11): a one-second cut of the XCF link between MVS1 and MVS5, the
// owners of DVA1 and DVB1. No stack may see another fail, nothing may move,
// every connection must carry on with every byte echoed, and every DVIPA
// must end with exactly one holder, its owner.
func TestFigure9CutLosesNothing(t *testing.T) {
	if testing.Short() {
		t.Skip("plays a 300-connection scenario in real time")
	}
	leakcheck.Check(t)
	sx, report, out := playScenario(t, "../../testdata/scenarios/figure9-cut.yaml")
	if !report.Passed() {
		t.Fatalf("expectations failed:\n%s", out)
	}
	if c := report.Clients; c.Completed != 300 || c.Reset+c.Failed+c.Corrupt != 0 {
		t.Fatalf("want all 300 connections completed:\n%s", out)
	}
	for _, e := range report.Timeline {
		if e.What != "" && (bytes.HasPrefix([]byte(e.What), []byte("detects that")) || bytes.HasPrefix([]byte(e.What), []byte("takeover"))) {
			t.Errorf("a cut IP link made %s %s", e.Stack, e.What)
		}
	}
	checkOneHolderEach(t, sx, out)
}

var dvb1 = netip.MustParseAddr("201.2.10.12")

// TestSplitBrainHealsToOneHolderEach: when MVS1 and MVS5 lose signalling
// with each other (nobody partitions either out), each takes the other's
// DVIPA: two holders each. When signalling returns, each hands the other's
// DVIPA back, and the sysplex must converge to exactly one holder per
// DVIPA, its owner — on the LAN, in every stack's state, and in the targets'
// idea of who routes DVA1 — and serve new connections. Manual clock.
func TestSplitBrainHealsToOneHolderEach(t *testing.T) {
	leakcheck.Check(t)
	sx, clk := startSysplex(t, figure9Plan(t))
	waitFor(t, "MVS1 to own DVA1", func() bool { return sx.Owner(dva1) == "MVS1" })
	waitFor(t, "MVS5 to own DVB1", func() bool { return sx.Owner(dvb1) == "MVS5" })
	serveAPPA(t, sx)

	sx.link("MVS1", "MVS5").LoseSignalling()
	awaitOwner(t, sx, clk, dva1, "MVS5")
	awaitOwner(t, sx, clk, dvb1, "MVS1")

	sx.link("MVS1", "MVS5").RestoreSignalling()
	awaitOwner(t, sx, clk, dva1, "MVS1")
	awaitOwner(t, sx, clk, dvb1, "MVS5")
	// Let every message of the handover arrive.
	for range 5 {
		clk.Advance(100 * time.Millisecond)
		time.Sleep(20 * time.Millisecond)
	}
	checkOneHolderEach(t, sx, timelineText(sx))
	for _, name := range []string{"MVS2", "MVS4"} {
		s := sx.Stack(name)
		s.mu.Lock()
		router := s.router[dva1]
		s.mu.Unlock()
		if router != "MVS1" {
			t.Errorf("%s reports its DVA1 servers to %q, want MVS1", name, router)
		}
	}
	waitFor(t, "MVS1 to know its three targets again", func() bool {
		d := sx.Stack("MVS1").Routing(dva1)
		return d != nil && len(d.DPT()) == 3
	})
	client, err := sx.AddClient("client", netip.MustParseAddr("192.0.2.10"))
	if err != nil {
		t.Fatal(err)
	}
	for i := range 6 {
		c := dial(t, client, netip.AddrPortFrom(dva1, 60))
		echoOnce(t, c, fmt.Sprintf("after the split brain %d", i))
		c.Close()
	}
}

// TestPartitionRemovesTheNamedSystem: MVS1 loses XCF signalling with MVS5
// and sysplex failure management removes MVS1. To the others that is a
// failure: MVS5 takes DVA1 over, the connections on MVS2 and MVS4 carry
// on, those local to MVS1 are gone; MVS1 comes back (re-IPL) and takes
// DVA1 back, and every DVIPA ends with one holder. Manual clock.
func TestPartitionRemovesTheNamedSystem(t *testing.T) {
	leakcheck.Check(t)
	sx, clk := startSysplex(t, figure9Plan(t))
	waitFor(t, "MVS1 to own DVA1", func() bool { return sx.Owner(dva1) == "MVS1" })
	app := netip.AddrPortFrom(dva1, 60)
	servers := serveAPPA(t, sx)
	client, err := sx.AddClient("client", netip.MustParseAddr("192.0.2.10"))
	if err != nil {
		t.Fatal(err)
	}
	conns := make([]net.Conn, 6)
	for i := range conns {
		conns[i] = dial(t, client, app)
		echoOnce(t, conns[i], fmt.Sprintf("hello %d", i))
	}
	defer func() {
		for _, c := range conns {
			c.Close()
		}
	}()

	// The operator's way in: tcpipc ctl partition MVS1 MVS5 applies this
	// event (runtime/control).
	partition := &scenario.Event{Kind: scenario.Partition, Stack: "MVS1", Peer: "MVS5"}
	if err := sx.Apply(partition, workload.New(sx, nil)); err != nil {
		t.Fatalf("partition: %v", err)
	}
	if sx.Stack("MVS1").Up() || !sx.Stack("MVS5").Up() {
		t.Fatal("SFM must remove MVS1 and keep MVS5")
	}
	awaitOwner(t, sx, clk, dva1, "MVS5")
	if got := sx.Fabric().Advertisers(dva1); !slices.Equal(got, []string{"MVS5"}) {
		t.Fatalf("DVA1 advertised by %v after the partition, want [MVS5]", got)
	}
	if tl := timelineText(sx); !strings.Contains(tl, "MVS1     partitioned out of the sysplex by SFM") {
		t.Fatalf("timeline:\n%s", tl)
	}
	waitFor(t, "MVS5 to learn the connections", func() bool {
		d := sx.Stack("MVS5").Routing(dva1)
		return d != nil && len(d.CRT()) == 4
	})
	clk.Advance(time.Second) // past the settle time
	survived := 0
	for i, c := range conns {
		if tryEcho(c, fmt.Sprintf("after the partition %d", i)) == nil {
			survived++
		}
	}
	if survived != 4 {
		t.Fatalf("%d connections survived the partition, want the 4 on MVS2 and MVS4", survived)
	}

	servers["MVS1"].close()
	if err := sx.Recover("MVS1"); err != nil {
		t.Fatal(err)
	}
	servers["MVS1"] = serveEcho(t, sx.Stack("MVS1"), app)
	awaitOwner(t, sx, clk, dva1, "MVS1")
	for range 5 {
		clk.Advance(100 * time.Millisecond)
		time.Sleep(20 * time.Millisecond)
	}
	checkOneHolderEach(t, sx, timelineText(sx))
}

// TestFigure9PartitionScenario plays testdata/scenarios/figure9-partition
// .yaml: SFM removes MVS1 after it lost signalling with MVS5; MVS5 takes
// DVA1 over, the 40 connections on MVS2 and MVS4 complete, the 20 on MVS1
// are lost; MVS1 comes back and every DVIPA ends with one holder.
func TestFigure9PartitionScenario(t *testing.T) {
	if testing.Short() {
		t.Skip("plays a scenario in real time")
	}
	leakcheck.Check(t)
	sx, report, out := playScenario(t, "../../testdata/scenarios/figure9-partition.yaml")
	if !report.Passed() {
		t.Fatalf("expectations failed:\n%s", out)
	}
	if c := report.Clients; c.Completed != 40 || c.Corrupt != 0 {
		t.Fatalf("want the 40 connections on MVS2 and MVS4 completed:\n%s", out)
	}
	if !strings.Contains(out, "partitioned out of the sysplex by SFM") {
		t.Fatalf("report lacks the partition:\n%s", out)
	}
	checkOneHolderEach(t, sx, out)
}
