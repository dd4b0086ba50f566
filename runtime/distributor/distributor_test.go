package distributor

import (
	"fmt"
	"net/netip"
	"testing"
	"time"

	"github.com/tcpipc/tcpipc/internal/clock"
	"github.com/tcpipc/tcpipc/plan"
)

func def(method plan.Method, targets ...plan.Target) plan.Distribution {
	return plan.Distribution{Stack: "MVS1", Method: method, Ports: []plan.PortRange{{From: 60, To: 60}}, Targets: targets}
}

func key(i int) ConnKey {
	return ConnKey{Client: netip.AddrPortFrom(netip.MustParseAddr("192.0.2.10"), uint16(40000+i)), Port: 60}
}

func ptr(i int) *int { return &i }

func counts(t *testing.T, d *Distributor, n int) map[string]int {
	t.Helper()
	got := map[string]int{}
	for i := 0; i < n; i++ {
		s, ok := d.Route(key(i), true, false)
		if !ok {
			t.Fatalf("connection %d not routed", i)
		}
		got[s]++
	}
	return got
}

func TestRoundRobinOverReadyTargets(t *testing.T) {
	d := New(clock.NewManual(time.Unix(0, 0)), "201.2.10.11",
		def("ROUNDROBIN", plan.Target{Stack: "MVS1"}, plan.Target{Stack: "MVS2"}, plan.Target{Stack: "MVS4"}))
	if _, ok := d.Route(key(0), true, false); ok {
		t.Fatal("routed with no server ready")
	}
	for _, s := range []string{"MVS1", "MVS2", "MVS4"} {
		d.ServerStatus(s, 60, 1)
	}
	d.ServerStatus("MVS3", 60, 1) // not a candidate: ignored
	d.ServerStatus("MVS2", 61, 1) // not a distributed port: ignored
	got := counts(t, d, 300)
	want := map[string]int{"MVS1": 100, "MVS2": 100, "MVS4": 100}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("distribution %v, want %v", got, want)
	}
	// Later packets follow the CRT.
	if s, _ := d.Route(key(7), false, false); s != "MVS2" {
		t.Fatalf("connection 7 now goes to %s", s)
	}
	if d.Connections("MVS4") != 100 || len(d.CRT()) != 300 {
		t.Fatalf("CRT has %d entries", len(d.CRT()))
	}
	d.Closed(key(7))
	if _, ok := d.Route(key(7), false, false); ok {
		t.Fatal("closed connection still routed")
	}
}

func TestWeightedActive(t *testing.T) {
	d := New(clock.NewManual(time.Unix(0, 0)), "v",
		def("WEIGHTEDACTIVE", plan.Target{Stack: "A", Weight: ptr(10)}, plan.Target{Stack: "B", Weight: ptr(30)}))
	d.ServerStatus("A", 60, 1)
	d.ServerStatus("B", 60, 1)
	got := counts(t, d, 400)
	if got["A"] != 100 || got["B"] != 300 {
		t.Fatalf("weighted active gave %v", got)
	}
}

func TestHotStandby(t *testing.T) {
	d := New(clock.NewManual(time.Unix(0, 0)), "v",
		def("HOTSTANDBY", plan.Target{Stack: "P", Role: "PREFERRED"}, plan.Target{Stack: "B1", Role: "BACKUP", BackupRank: ptr(10)},
			plan.Target{Stack: "B2", Role: "BACKUP", BackupRank: ptr(20)}))
	for _, s := range []string{"P", "B1", "B2"} {
		d.ServerStatus(s, 60, 1)
	}
	if got := counts(t, d, 5); got["P"] != 5 {
		t.Fatalf("preferred target not used: %v", got)
	}
	d.ServerStatus("P", 60, 0)
	if s, _ := d.Route(key(100), true, false); s != "B2" {
		t.Fatalf("backup chosen %s, want the highest rank B2", s)
	}
	d.ServerStatus("P", 60, 1)
	if s, _ := d.Route(key(101), true, false); s != "P" {
		t.Fatalf("no switch back to the preferred target: %s", s)
	}
}

func TestHotStandbyNoAutoSwitchBack(t *testing.T) {
	dn := def("HOTSTANDBY", plan.Target{Stack: "P", Role: "PREFERRED"}, plan.Target{Stack: "B1", Role: "BACKUP", BackupRank: ptr(10)})
	dn.NoAutoSwitchBack = true
	d := New(clock.NewManual(time.Unix(0, 0)), "v", dn)
	d.ServerStatus("P", 60, 1)
	d.ServerStatus("B1", 60, 1)
	if s, _ := d.Route(key(0), true, false); s != "P" {
		t.Fatalf("preferred target not used first: %s", s)
	}
	d.ServerStatus("P", 60, 0)
	if s, _ := d.Route(key(1), true, false); s != "B1" {
		t.Fatalf("backup not used while the preferred target is down: %s", s)
	}
	d.ServerStatus("P", 60, 1)
	if s, _ := d.Route(key(2), true, false); s != "B1" {
		t.Fatalf("NOAUTOSWITCHBACK switched back to %s", s)
	}
}

func TestSmoothWLMAndOptLocalAndAffinity(t *testing.T) {
	clk := clock.NewManual(time.Unix(0, 0))
	d := New(clk, "v", def("BASEWLM", plan.Target{Stack: "MVS1"}, plan.Target{Stack: "MVS2"}))
	d.SetWLM("MVS2", 3)
	d.ServerStatus("MVS1", 60, 1)
	d.ServerStatus("MVS2", 60, 1)
	if got := counts(t, d, 8); got["MVS1"] != 2 || got["MVS2"] != 6 {
		t.Fatalf("WLM weights 1:3 gave %v", got)
	}

	// OPTLOCAL keeps local the connections a target stack's own
	// applications open to the DVIPA (IBM, IP Configuration Guide,
	// "Sysplex distributor optimization with the OPTLOCAL keyword"); the
	// connections that reach the distributor from the network are
	// distributed by the method as ever, not kept on the distributor.
	dl := def("ROUNDROBIN", plan.Target{Stack: "MVS1"}, plan.Target{Stack: "MVS2"})
	dl.OptLocal = ptr(0)
	d = New(clk, "v", dl)
	d.ServerStatus("MVS1", 60, 1)
	d.ServerStatus("MVS2", 60, 1)
	if got := counts(t, d, 4); got["MVS1"] != 2 || got["MVS2"] != 2 {
		t.Fatalf("OPTLOCAL kept network clients' connections on the distributor: %v", got)
	}

	da := def("ROUNDROBIN", plan.Target{Stack: "MVS1"}, plan.Target{Stack: "MVS2"})
	da.TimedAffinity = 30
	d = New(clk, "v", da)
	d.ServerStatus("MVS1", 60, 1)
	d.ServerStatus("MVS2", 60, 1)
	first, _ := d.Route(key(0), true, false)
	d.Closed(key(0))
	clk.Advance(20 * time.Second)
	if s, _ := d.Route(key(1), true, false); s != first {
		t.Fatalf("within the affinity time the client went to %s, not %s", s, first)
	}
	d.Closed(key(1))
	clk.Advance(31 * time.Second)
	if s, _ := d.Route(key(2), true, false); s == first {
		t.Fatalf("affinity outlived TIMEDAFFINITY")
	}
}

func TestAdoptFromNewConn(t *testing.T) {
	d := New(clock.NewManual(time.Unix(0, 0)), "v", def("ROUNDROBIN", plan.Target{Stack: "MVS2"}))
	d.Adopt(key(1), "MVS2", true)
	if s, ok := d.Route(key(1), false, true); !ok || s != "MVS2" {
		t.Fatalf("adopted connection routed to %s, %v", s, ok)
	}
	if c := d.CRT()[0]; !c.IPSec {
		t.Fatal("IPsec mark lost")
	}
}

// journal records what a distributor writes to the coupling facility.
type journal map[ConnKey]string

func (j journal) Record(c Conn)      { j[c.Key] = c.Target }
func (j journal) Forget(key ConnKey) { delete(j, key) }

// TestJournalAndRestore: every CRT change reaches the journal; entries
// restored from it route at once, and those no target confirms are dropped.
func TestJournalAndRestore(t *testing.T) {
	clk := clock.NewManual(time.Unix(0, 0))
	rr := def("ROUNDROBIN", plan.Target{Stack: "MVS2"}, plan.Target{Stack: "MVS4"})
	d := New(clk, "v", rr)
	j := journal{}
	d.SetJournal(j)
	d.ServerStatus("MVS2", 60, 1)
	d.ServerStatus("MVS4", 60, 1)
	counts(t, d, 4)
	d.Adopt(key(9), "MVS2", false)
	d.Closed(key(0))
	if len(j) != 4 || j[key(9)] != "MVS2" || j[key(0)] != "" {
		t.Fatalf("journal %v", j)
	}

	// The stack taking over restores the journal: key(1) and key(2) are
	// confirmed by NEWCONN, key(3) ended meanwhile and nobody confirms it.
	b := New(clk, "v", rr)
	b.SetJournal(j)
	for k, target := range j {
		b.Restore(Conn{Key: k, Target: target})
	}
	if s, ok := b.Route(key(3), false, false); !ok || s != j[key(3)] {
		t.Fatalf("a restored connection routes to %q, %v", s, ok)
	}
	b.Adopt(key(1), j[key(1)], false)
	b.Adopt(key(2), j[key(2)], false)
	b.Adopt(key(9), "MVS2", false)
	// Each target's report ends with CONNSDONE: MVS2 confirmed all of
	// its own, MVS4 not key(3), whose target is MVS4 (round robin).
	if n := b.DropRestoredOf("MVS2"); n != 0 {
		t.Fatalf("MVS2's report dropped %d entries, want 0", n)
	}
	if s, _ := b.Route(key(3), false, false); s != "MVS4" {
		t.Fatalf("key(3) routes to %q; the test assumes MVS4", s)
	}
	if n := b.DropRestoredOf("MVS4"); n != 1 {
		t.Fatalf("MVS4's report dropped %d unconfirmed entries, want 1", n)
	}
	if n := b.DropRestored(); n != 0 {
		t.Fatalf("the timeout dropped %d more, want 0", n)
	}
	if _, ok := b.Route(key(3), false, false); ok {
		t.Fatal("the unconfirmed connection still routes")
	}
	if len(b.CRT()) != 3 || len(j) != 3 {
		t.Fatalf("after the drop: CRT %d entries, journal %v", len(b.CRT()), j)
	}
}

// TestEndedConnectionLingers: a connection its target reports closed leaves
// the active count at once but keeps routing for EndLinger, so the client's
// last ACK of the server's FIN reaches the server; then it leaves the CRT
// and the journal. A reset removes the entry at once.
func TestEndedConnectionLingers(t *testing.T) {
	clk := clock.NewManual(time.Unix(0, 0))
	d := New(clk, "v", def("ROUNDROBIN", plan.Target{Stack: "MVS2"}))
	j := journal{}
	d.SetJournal(j)
	d.ServerStatus("MVS2", 60, 1)
	counts(t, d, 2)
	active := func() int { return d.DPT()[0].Active }

	d.Ended(key(0))
	d.Ended(key(0)) // reported twice: still one connection less
	if active() != 1 {
		t.Fatalf("active %d after one connection ended, want 1", active())
	}
	clk.Advance(EndLinger - time.Millisecond)
	if s, ok := d.Route(key(0), false, false); !ok || s != "MVS2" {
		t.Fatalf("the ended connection's last segments go to %q, %v; want MVS2", s, ok)
	}
	if c := d.CRT()[0]; c.Key != key(0) || !c.Ending {
		t.Fatalf("CRT entry %+v, want key(0) ending", c)
	}
	clk.Advance(time.Millisecond)
	if _, ok := d.Route(key(0), false, false); ok {
		t.Fatal("the ended connection still routes after EndLinger")
	}
	if len(d.CRT()) != 1 || len(j) != 1 || active() != 1 {
		t.Fatalf("after EndLinger: CRT %v, journal %v, active %d", d.CRT(), j, active())
	}

	// A reset ends it at once; a new connection that reuses the key is
	// not removed by the earlier connection's timer.
	d.Ended(key(1))
	d.Closed(key(1))
	if _, ok := d.Route(key(1), false, false); ok {
		t.Fatal("a reset connection still routes")
	}
	if s, ok := d.Route(key(1), true, false); !ok || s != "MVS2" {
		t.Fatalf("a new SYN from the same port went to %q, %v", s, ok)
	}
	clk.Advance(EndLinger)
	if _, ok := d.Route(key(1), false, false); !ok || active() != 1 || len(j) != 1 {
		t.Fatalf("the new connection lost its entry to the old one's timer (active %d, journal %v)", active(), j)
	}
}

// TestDefinitionPerPort: one DVIPA distributed by two VIPADISTRIBUTE
// statements for different ports (IBM's example: port 5000 by
// WEIGHTEDACTIVE to two targets, port 23 to every stack); each port goes
// by its own definition, its own targets and method, and a port neither
// names is not distributed.
func TestDefinitionPerPort(t *testing.T) {
	weighted := plan.Distribution{Stack: "MVS1", Method: plan.WeightedActive, Ports: []plan.PortRange{{From: 5000, To: 5000}},
		Targets: []plan.Target{{Stack: "MVS1", Weight: ptr(10)}, {Stack: "MVS2", Weight: ptr(30)}}}
	telnet := plan.Distribution{Stack: "MVS1", Method: plan.RoundRobin, Ports: []plan.PortRange{{From: 23, To: 23}}, DestAll: true}
	d := New(clock.NewManual(time.Unix(0, 0)), "201.2.10.15", weighted, telnet)
	for _, s := range []string{"MVS1", "MVS2", "MVS3"} {
		d.ServerStatus(s, 5000, 1) // MVS3 is no target of port 5000
		d.ServerStatus(s, 23, 1)
	}
	if !d.Distributes(5000) || !d.Distributes(23) || d.Distributes(80) {
		t.Fatal("distributed ports are not 5000 and 23")
	}
	route := func(port uint16, n int) map[string]int {
		got := map[string]int{}
		for i := range n {
			k := ConnKey{Client: netip.AddrPortFrom(netip.MustParseAddr("192.0.2.10"), uint16(30000+i)), Port: port}
			s, ok := d.Route(k, true, false)
			if !ok {
				t.Fatalf("port %d connection %d not routed", port, i)
			}
			got[s]++
		}
		return got
	}
	if got := route(5000, 40); fmt.Sprint(got) != fmt.Sprint(map[string]int{"MVS1": 10, "MVS2": 30}) {
		t.Errorf("port 5000 went %v, want MVS1 10 and MVS2 30 (weights 10 and 30)", got)
	}
	if got := route(23, 30); fmt.Sprint(got) != fmt.Sprint(map[string]int{"MVS1": 10, "MVS2": 10, "MVS3": 10}) {
		t.Errorf("port 23 went %v, want round robin over all three", got)
	}
}

// TestCandidatePerPort: a stack is a candidate target of the definition
// of the port in question only (scenario start-up counts the servers it
// waits for this way: a target of port 23 is none of port 5000).
func TestCandidatePerPort(t *testing.T) {
	weighted := plan.Distribution{Stack: "MVS1", Method: plan.WeightedActive, Ports: []plan.PortRange{{From: 5000, To: 5000}},
		Targets: []plan.Target{{Stack: "MVS1"}, {Stack: "MVS2"}}}
	telnet := plan.Distribution{Stack: "MVS1", Ports: []plan.PortRange{{From: 23, To: 23}}, DestAll: true}
	d := New(clock.NewManual(time.Unix(0, 0)), "201.2.10.15", weighted, telnet)
	if d.IsCandidateFor("MVS3", 5000) || !d.IsCandidateFor("MVS3", 23) || !d.IsCandidateFor("MVS2", 5000) || d.IsCandidateFor("MVS1", 80) {
		t.Error("candidates are not per port")
	}
}
