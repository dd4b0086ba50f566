package sysplex

import (
	"fmt"
	"net/netip"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/tcpipc/tcpipc/internal/testkit/leakcheck"
	"github.com/tcpipc/tcpipc/plan"
	"github.com/tcpipc/tcpipc/runtime/distributor"
	"github.com/tcpipc/tcpipc/runtime/xcf"
)

// whenIdleChain is figure 9 with MOVEABLE WHENIDLE on DVA1 and two
// backups: MVS3 ranked above MVS5.
func whenIdleChain(t *testing.T) *plan.Plan {
	t.Helper()
	p := figure9Plan(t)
	d := p.DVIPA(dva1)
	d.Moveable = plan.WhenIdle
	d.Backups = []plan.Backup{{Position: 1, Rank: 20, Stack: "MVS3"}, {Position: 2, Rank: 10, Stack: "MVS5"}}
	return p
}

// failAll and recoverAll drive the sysplex, failing the test on an error.
func failAll(t *testing.T, sx *Sysplex, stacks ...string) {
	t.Helper()
	for _, s := range stacks {
		if err := sx.Fail(s); err != nil {
			t.Fatal(err)
		}
	}
}

func recoverAll(t *testing.T, sx *Sysplex, stacks ...string) {
	t.Helper()
	for _, s := range stacks {
		if err := sx.Recover(s); err != nil {
			t.Fatal(err)
		}
	}
}

// TestWhenIdleTakebackEveryStackLearnsIt: MVS1 (owner) fails while MVS3,
// the higher backup, is down, so MVS5 takes DVA1 over; MVS3 comes back and
// leaves it with MVS5; MVS1 comes back and, MVS5 being idle, takes DVA1
// back. Every stack, MVS3 included, must learn that MVS1 holds DVA1 again:
// when MVS1 fails once more, MVS3 takes it over. Before the fix MVS3 still
// believed MVS5 held it with connections, MVS5 believed MVS3 would take it,
// and nobody did. MVS3 learns it from MVS5's msgIdle, or, when every
// msgIdle is lost on its way to MVS3, from MVS1's VIPA list.
func TestWhenIdleTakebackEveryStackLearnsIt(t *testing.T) {
	for _, loseIdle := range []bool{false, true} {
		t.Run(fmt.Sprintf("MVS3-loses-msgIdle=%v", loseIdle), func(t *testing.T) {
			leakcheck.Check(t)
			sx, clk := startSysplex(t, whenIdleChain(t))
			t.Cleanup(func() {
				if t.Failed() {
					t.Logf("timeline:\n%s", timelineText(sx))
				}
			})
			want := owners{dva1.String(): "MVS1", "201.2.10.12": "MVS5"}
			settle(t, sx, clk, "start", want)
			failAll(t, sx, "MVS3", "MVS1")
			want[dva1.String()] = "MVS5"
			settle(t, sx, clk, "fail MVS3,MVS1", want)
			var lost atomic.Int32
			if loseIdle { // set while MVS3 is down: its loop is not running
				sx.Stack("MVS3").dropMsg = func(_ string, msg xcf.Message) bool {
					if msg.Type == msgIdle {
						lost.Add(1)
						return true
					}
					return false
				}
			}
			recoverAll(t, sx, "MVS3")
			settle(t, sx, clk, "recover MVS3", want)
			recoverAll(t, sx, "MVS1")
			want[dva1.String()] = "MVS1"
			settle(t, sx, clk, "recover MVS1 (MVS5 idle)", want)
			if loseIdle && lost.Load() == 0 {
				t.Fatal("MVS3 lost no msgIdle: the case tests nothing")
			}
			failAll(t, sx, "MVS1")
			want[dva1.String()] = "MVS3"
			settle(t, sx, clk, "fail MVS1 again", want)
		})
	}
}

// TestWhenIdleLostIdleNotice: MVS1 comes back while MVS5 still holds a
// connection to DVA1, so it waits. When the connection ends, the first
// msgIdle MVS5 sends is lost on the way to MVS1. MVS5 says it again until
// MVS1's VIPA list confirms the handover, so DVA1 ends with MVS1 rather
// than with nobody.
func TestWhenIdleLostIdleNotice(t *testing.T) {
	leakcheck.Check(t)
	p := figure9Plan(t)
	p.DVIPA(dva1).Moveable = plan.WhenIdle
	sx, clk := startSysplex(t, p)
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("timeline:\n%s", timelineText(sx))
		}
	})
	want := owners{dva1.String(): "MVS1", "201.2.10.12": "MVS5"}
	settle(t, sx, clk, "start", want)
	failAll(t, sx, "MVS1")
	want[dva1.String()] = "MVS5"
	settle(t, sx, clk, "fail MVS1", want)
	// A connection MVS5 routes to MVS2 keeps it busy.
	key := distributor.ConnKey{Client: netip.MustParseAddrPort("192.0.2.10:4000"), Port: 60}
	sx.Stack("MVS5").Routing(dva1).Adopt(key, "MVS2", false)
	var lost atomic.Int32
	sx.Stack("MVS1").dropMsg = func(from string, msg xcf.Message) bool {
		return msg.Type == msgIdle && lost.CompareAndSwap(0, 1)
	}
	recoverAll(t, sx, "MVS1")
	settle(t, sx, clk, "recover MVS1 (MVS5 busy)", want)
	sx.Stack("MVS5").Routing(dva1).Ended(key)
	want[dva1.String()] = "MVS1"
	settle(t, sx, clk, "the connection ends (first msgIdle lost)", want)
	if lost.Load() != 1 {
		t.Fatal("no msgIdle was dropped: the test lost nothing")
	}
}

// TestWhenIdleWaitIsReported: MVS1, owner of DVA1 (MOVEABLE WHENIDLE),
// comes back while MVS5 still routes a connection to it. The DVIPA stays
// with MVS5 until the connection ends, and the timeline says why; before,
// nothing was said at MVS1's return and the report looked as if the
// takeback had been forgotten.
func TestWhenIdleWaitIsReported(t *testing.T) {
	leakcheck.Check(t)
	p := figure9Plan(t)
	p.DVIPA(dva1).Moveable = plan.WhenIdle
	sx, clk := startSysplex(t, p)
	want := owners{dva1.String(): "MVS1", "201.2.10.12": "MVS5"}
	settle(t, sx, clk, "start", want)
	failAll(t, sx, "MVS1")
	want[dva1.String()] = "MVS5"
	settle(t, sx, clk, "fail MVS1", want)
	key := distributor.ConnKey{Client: netip.MustParseAddrPort("192.0.2.10:4000"), Port: 60}
	sx.Stack("MVS5").Routing(dva1).Adopt(key, "MVS2", false)
	recoverAll(t, sx, "MVS1")
	settle(t, sx, clk, "recover MVS1 (MVS5 busy)", want)
	line := "MVS5     keeps 201.2.10.11 until its 1 connection ends: MVS1 takes it back then (MOVEABLE WHENIDLE)"
	if n := strings.Count(timelineText(sx), line); n != 1 {
		t.Errorf("the timeline says %d times %q, want once:\n%s", n, line, timelineText(sx))
	}
	sx.Stack("MVS5").Routing(dva1).Ended(key)
	want[dva1.String()] = "MVS1"
	settle(t, sx, clk, "the connection ends", want)
}
