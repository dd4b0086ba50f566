package sysplex

import (
	"fmt"
	"net"
	"slices"
	"testing"
	"time"

	"github.com/tcpipc/tcpipc/internal/testkit/leakcheck"
	"github.com/tcpipc/tcpipc/plan"
)

// TestTakeoverKeepsConnectionsOnPortsItDoesNotDistribute: MVS1 distributes
// DVA1 port 60 to MVS1, MVS2 and MVS4; MVS5, its backup, has a
// VIPADISTRIBUTE of its own for DVA1 that names port 61 only (in
// figure 9 it names port 60), so when it
// takes DVA1 over it distributes no new connection to port 60. The
// connections to port 60 that MVS2 and MVS4 serve still carry on: the
// targets report them with NEWCONN and the new routing stack builds its
// CRT from those reports (seed 003 figure 14, blocks 314-320), whatever
// its own VIPADISTRIBUTE names. Before, MVS5 passed every packet for a
// port it did not distribute to its own netstack, which answered the
// connections' packets with resets (found on a sysplex whose backup
// distributor codes fewer ports than the owner: testdata/runtime/hotstandby).
func TestTakeoverKeepsConnectionsOnPortsItDoesNotDistribute(t *testing.T) {
	leakcheck.Check(t)
	sx, clk, client, app := withAPPA(t, mvs5DistributesPort61(t))
	conns := make([]net.Conn, 6)
	for i := range conns {
		conns[i] = dial(t, client, app)
		defer conns[i].Close()
		echoOnce(t, conns[i], fmt.Sprintf("hello %d", i))
	}
	failOver(t, sx, clk, "MVS1", dva1, "MVS5")
	waitFor(t, "MVS5 to learn the connections on MVS2 and MVS4", func() bool {
		d := sx.Stack("MVS5").Routing(dva1)
		return d != nil && d.Connections("MVS2") == 2 && d.Connections("MVS4") == 2
	})
	clk.Advance(time.Second) // past the settle time
	for i, c := range conns {
		if i%3 == 0 {
			continue // round robin put it on MVS1, which failed
		}
		if err := tryEcho(c, fmt.Sprintf("after takeover %d", i)); err != nil {
			t.Errorf("connection %d to port 60 lost on the takeover by MVS5, which distributes only port 61: %v", i, err)
		}
	}
}

// TestNewOwnConnectionDuringSettling: right after MVS5 takes DVA1 over,
// while it still holds back packets of connections no target has reported
// yet, a client opens a new connection to port 60, which MVS5 does not
// distribute and its own server takes. The connection's handshake ACK and
// data reach that server at once. Before, every packet after the SYN was
// held back as a possibly unreported connection until the settling was
// over, so the connection stalled as if MVS5 did not answer.
func TestNewOwnConnectionDuringSettling(t *testing.T) {
	leakcheck.Check(t)
	sx, clk, client, app := withAPPA(t, mvs5DistributesPort61(t))
	own := serveEcho(t, sx.Stack("MVS5"), app)
	t.Cleanup(own.close)
	failOver(t, sx, clk, "MVS1", dva1, "MVS5")
	mvs5 := sx.Stack("MVS5")
	mvs5.mu.Lock()
	grace := mvs5.grace
	mvs5.mu.Unlock()
	if !mvs5.roles.lookup(dva1).settling(clk.Now(), grace) {
		t.Fatal("MVS5 is not settling right after the takeover")
	}
	c := dial(t, client, app)
	defer c.Close()
	if err := tryEcho(c, "new own connection"); err != nil {
		t.Fatalf("a new connection to port 60, which MVS5 serves itself, stalled while MVS5 settled: %v", err)
	}
}

// mvs5DistributesPort61 is figure 9 with MVS5's own VIPADISTRIBUTE for
// DVA1 (port 60 to MVS2-MVS4) made one for port 61 (to MVS5 and MVS3).
func mvs5DistributesPort61(t *testing.T) *plan.Plan {
	t.Helper()
	p := figure9Plan(t)
	d := p.DVIPA(dva1)
	d.Distributions = slices.DeleteFunc(d.Distributions, func(x plan.Distribution) bool { return x.Stack == "MVS5" })
	d.Distributions = append(d.Distributions, plan.Distribution{
		Stack: "MVS5", Ports: []plan.PortRange{{From: 61, To: 61}}, Method: plan.RoundRobin,
		Targets: []plan.Target{{Stack: "MVS5", XCF: p.Stack("MVS5").XCF[0].Addr}, {Stack: "MVS3", XCF: p.Stack("MVS3").XCF[0].Addr}},
	})
	return p
}
