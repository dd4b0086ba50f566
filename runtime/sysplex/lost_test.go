package sysplex

import (
	"strings"
	"testing"

	"github.com/tcpipc/tcpipc/internal/testkit/leakcheck"
)

// TestLostDVIPAIsActivatedNotTakenBack: on figure 9, MVS5 (owner of DVB1)
// fails and MVS1, its only backup, takes DVB1 over; then MVS1 fails too,
// and DVB1 is active nowhere. The timeline must say so when it happens,
// and when MVS5 returns it activates DVB1 (whatif: "activates it again:
// no stack held it meanwhile"), not "takeback … from MVS1", a stack that
// is down. Before the fix the timeline said nothing when DVB1 was lost
// and then "takeback 201.2.10.12 from MVS1".
func TestLostDVIPAIsActivatedNotTakenBack(t *testing.T) {
	leakcheck.Check(t)
	sx, clk := startSysplex(t, figure9Plan(t))
	dvb1 := "201.2.10.12"
	want := owners{dva1.String(): "MVS1", dvb1: "MVS5"}
	settle(t, sx, clk, "start", want)
	failAll(t, sx, "MVS5")
	want = owners{dva1.String(): "MVS1", dvb1: "MVS1"}
	settle(t, sx, clk, "fail MVS5", want)
	failAll(t, sx, "MVS1")
	want = owners{dva1.String(): "", dvb1: ""}
	settle(t, sx, clk, "fail MVS1", want)
	recoverAll(t, sx, "MVS5")
	want = owners{dva1.String(): "", dvb1: "MVS5"}
	settle(t, sx, clk, "recover MVS5", want)
	text := timelineText(sx)
	for _, line := range []string{
		"201.2.10.11 active nowhere: no stack can take it over from MVS1",
		"201.2.10.12 active nowhere: no stack can take it over from MVS1",
	} {
		if !strings.Contains(text, line) {
			t.Errorf("the timeline lacks %q", line)
		}
	}
	var last string
	for _, e := range sx.Timeline() {
		if strings.Contains(e.What, dvb1) {
			last = e.Stack + " " + e.What
		}
	}
	if last != "MVS5 activate "+dvb1 {
		t.Errorf("DVB1's return reads %q, want %q: MVS1 was down and held nothing", last, "MVS5 activate "+dvb1)
	}
	if t.Failed() {
		t.Logf("timeline:\n%s", text)
	}
}

// TestLostAtOnce: MVS1 and MVS5, each the other's only backup, fail at
// the same moment. Both DVIPAs are active nowhere, and the timeline says
// so for each, naming the stack that held it. A stack that detects the
// two failures one after the other first moves the DVIPA, in its view,
// to the other stack it has not yet seen fail; its later "lost" names
// that stack, which never held the DVIPA, and was dropped, so a DVIPA
// could go unreported.
func TestLostAtOnce(t *testing.T) {
	leakcheck.Check(t)
	sx, clk := startSysplex(t, figure9Plan(t))
	dvb1 := "201.2.10.12"
	settle(t, sx, clk, "start", owners{dva1.String(): "MVS1", dvb1: "MVS5"})
	failAll(t, sx, "MVS1", "MVS5")
	settle(t, sx, clk, "fail MVS1, MVS5", owners{dva1.String(): "", dvb1: ""})
	text := timelineText(sx)
	for _, line := range []string{
		"sees 201.2.10.11 active nowhere: no stack can take it over from MVS1",
		"sees 201.2.10.12 active nowhere: no stack can take it over from MVS5",
	} {
		if !strings.Contains(text, line) {
			t.Errorf("the timeline lacks %q", line)
		}
	}
	if t.Failed() {
		t.Logf("timeline:\n%s", text)
	}
}
