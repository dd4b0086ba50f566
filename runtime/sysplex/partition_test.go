package sysplex

import (
	"fmt"
	"net"
	"net/netip"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/tcpipc/tcpipc/internal/testkit/leakcheck"
	"github.com/tcpipc/tcpipc/internal/testkit/sysplextest"
	"github.com/tcpipc/tcpipc/runtime/workload"
	"github.com/tcpipc/tcpipc/scenario"
)

// checkOneHolderEach checks that every DVIPA has exactly one holder, the
// one whatif names with every stack up (sysplextest.CheckOneHolderEach).
func checkOneHolderEach(t *testing.T, sx *Sysplex, report string) {
	t.Helper()
	sysplextest.CheckOneHolderEach(t, sx.Plan(), sx.Fabric().Advertisers, sx.ActiveOn, report)
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
		router := s.roles.lookup(dva1).routerOf()
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
