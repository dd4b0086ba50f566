package sysplex

import (
	"context"
	"net/netip"
	"os"
	"slices"
	"testing"
	"time"

	"github.com/tcpipc/tcpipc/internal/testkit/leakcheck"
	"github.com/tcpipc/tcpipc/plan"
	"github.com/tcpipc/tcpipc/runtime/swsa"
)

// natRecord is a record of a tunnel to a client behind a NAT at peer
// (its public address and port).
func natRecord(t *testing.T, id, peer string, written time.Time, spi uint32) *swsa.Record {
	t.Helper()
	b, err := os.ReadFile("../swsa/testdata/record-v1.json")
	if err != nil {
		t.Fatal(err)
	}
	r, err := swsa.Decode(b)
	if err != nil {
		t.Fatal(err)
	}
	r.TunnelID, r.Peer.Addr, r.Peer.BehindNAT, r.Written = id, netip.MustParseAddrPort(peer), true, written
	c := &r.Children[0]
	c.InboundSPI, c.OutboundSPI, c.Encap = spi, spi+1, "UDP"
	c.Remote[0].Start, c.Remote[0].End = netip.MustParseAddr("10.0.0.5"), netip.MustParseAddr("10.0.0.5")
	if err := r.Validate(); err != nil {
		t.Fatal(err)
	}
	return r
}

// TestSWSAClientsBehindOneNAPT: two clients behind one NAPT share the
// public address and differ by port. z/OS cannot initiate to either
// (the planner's peer-behind-napt), and both are reported so. Records
// were deduplicated by address before the planner saw them: the older
// tunnel was deleted without a word and the newer one renegotiated.
func TestSWSAClientsBehindOneNAPT(t *testing.T) {
	leakcheck.Check(t)
	sx, clk := startSysplex(t, figure9Plan(t), withIPsec)
	waitFor(t, "MVS1 to own DVA1", func() bool { return sx.Owner(dva1) == "MVS1" })
	st, err := swsa.Open(context.Background(), sx.cf, sx.plan, "MVS1")
	if err != nil {
		t.Fatal(err)
	}
	now := clk.Now()
	for _, r := range []*swsa.Record{
		natRecord(t, "MVS1.Y900", "192.0.2.200:1025", now, 5000),
		natRecord(t, "MVS1.Y901", "192.0.2.200:4500", now.Add(time.Second), 6000),
	} {
		if _, err := st.Create(context.Background(), r); err != nil {
			t.Fatal(err)
		}
	}
	failOver(t, sx, clk, "MVS1", dva1, "MVS5")
	waitFor(t, "MVS5's SWSA outcome", func() bool { return len(sx.SWSAOutcomes()) > 0 })
	var napt []string
	for _, o := range sx.SWSAOutcomes() {
		if len(o.Recovered)+len(o.Failed) > 0 {
			t.Errorf("%s renegotiated tunnels to a NAPT: %+v", o.Stack, o)
		}
		for _, d := range o.NotRecovered {
			if slices.ContainsFunc(d.Reasons, func(r plan.Reason) bool { return r.Code == swsa.ReasonPeerBehindNAPT }) {
				napt = append(napt, d.TunnelID)
			}
		}
	}
	slices.Sort(napt)
	if !slices.Equal(napt, []string{"MVS1.Y900", "MVS1.Y901"}) {
		t.Errorf("tunnels reported behind a NAPT: %v, want both", napt)
	}
}

// TestSWSARecordsLeftByStackWithoutDVIPSEC: a backup without DVIPSEC takes
// no part in SWSA (IBM: both the stack the DVIPA moves from and the one it
// moves to need DVIPSEC). It reports the tunnels it cannot recover but
// leaves their records, so the owner recovers them on the takeback. It
// had deleted them.
func TestSWSARecordsLeftByStackWithoutDVIPSEC(t *testing.T) {
	leakcheck.Check(t)
	p := figure9Plan(t)
	for i := range p.Stacks {
		if p.Stacks[i].Name == "MVS5" {
			p.Stacks[i].DVIPSec = false
		}
	}
	sx, clk := startSysplex(t, p, withIPsec)
	waitFor(t, "MVS1 to own DVA1", func() bool { return sx.Owner(dva1) == "MVS1" })
	serveAPPA(t, sx)
	swsaClients(t, sx, 2)
	waitFor(t, "MVS1's records", func() bool { return records(t, sx)["MVS1"] == 2 })
	failOver(t, sx, clk, "MVS1", dva1, "MVS5")
	waitFor(t, "MVS5's SWSA outcome", func() bool { return len(sx.SWSAOutcomes()) > 0 })
	if o := sx.SWSAOutcomes()[0]; o.Stack != "MVS5" || len(o.NotRecovered) != 2 {
		t.Fatalf("outcome %+v, want MVS5 reporting both tunnels not recovered", o)
	}
	if got := records(t, sx); got["MVS1"] != 2 {
		t.Errorf("records after MVS5 took DVA1: %v, want MVS1's two kept", got)
	}
}
