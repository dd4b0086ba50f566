package distributor

import (
	"fmt"
	"testing"
	"time"

	"github.com/tcpipc/tcpipc/internal/clock"
	"github.com/tcpipc/tcpipc/plan"
)

// TestTargetGone: a target that failed gets no new connection, its CRT
// entries go (from the journal too) and the hot standby in use moves on;
// one that left the group keeps its connections. Either comes back with
// its next SRVSTAT.
func TestTargetGone(t *testing.T) {
	rr := def("ROUNDROBIN", plan.Target{Stack: "MVS2"}, plan.Target{Stack: "MVS4"})
	d := New(clock.NewManual(time.Unix(0, 0)), "v", rr)
	j := journal{}
	d.SetJournal(j)
	d.ServerStatus("MVS2", 60, 1)
	d.ServerStatus("MVS4", 60, 1)
	counts(t, d, 4)
	if n := d.TargetGone("MVS4", false); n != 0 || d.Connections("MVS4") != 2 {
		t.Fatalf("a target that left dropped %d connections, keeps %d", n, d.Connections("MVS4"))
	}
	if n := d.TargetGone("MVS2", true); n != 2 || d.Connections("MVS2") != 0 || len(j) != 2 {
		t.Fatalf("a failed target dropped %d connections, keeps %d; journal %v", n, d.Connections("MVS2"), j)
	}
	if _, ok := d.Route(key(10), true, false); ok {
		t.Fatal("a new connection was routed with both targets gone")
	}
	d.ServerStatus("MVS2", 60, 1)
	if s, ok := d.Route(key(11), true, false); !ok || s != "MVS2" {
		t.Fatalf("the returned target got %q, %v", s, ok)
	}

	hs := def("HOTSTANDBY", plan.Target{Stack: "P", Role: "PREFERRED"}, plan.Target{Stack: "B1", Role: "BACKUP", BackupRank: ptr(10)})
	hs.NoAutoSwitchBack = true
	h := New(clock.NewManual(time.Unix(0, 0)), "v", hs)
	h.ServerStatus("P", 60, 1)
	h.ServerStatus("B1", 60, 1)
	if s, _ := h.Route(key(0), true, false); s != "P" {
		t.Fatalf("preferred target not used first: %s", s)
	}
	h.TargetGone("P", true)
	if s, _ := h.Route(key(1), true, false); s != "B1" {
		t.Fatalf("hot standby kept %s after the preferred target failed", s)
	}
}

// TestHotStandbySwitchesWhenTheActiveTargetGoes: the highest-ranked
// backup becomes the active target when the preferred one becomes
// unavailable (IBM's hot standby example, z/OS Communications Server: IP
// Configuration Guide), not when the next connection comes. With
// NOAUTOSWITCHBACK it stays active when the preferred target is back,
// though no connection came in between, and also when none came before
// it went: the preferred target is active from the time it serves, not
// from its first connection. Before, the switch waited for a connection,
// so a preferred target that was back before one came got the traffic
// again; and until 4d90d5c, one that went before any connection came.
func TestHotStandbySwitchesWhenTheActiveTargetGoes(t *testing.T) {
	for _, gone := range []struct {
		how  string
		goes func(d *Distributor)
	}{
		{"its server stops", func(d *Distributor) { d.ServerStatus("P", 60, 0) }},
		{"its stack fails", func(d *Distributor) { d.TargetGone("P", true) }},
	} {
		for _, connected := range []bool{true, false} {
			hs := def("HOTSTANDBY", plan.Target{Stack: "P", Role: "PREFERRED"},
				plan.Target{Stack: "B1", Role: "BACKUP", BackupRank: ptr(10)}, plan.Target{Stack: "B2", Role: "BACKUP", BackupRank: ptr(20)})
			hs.NoAutoSwitchBack = true
			d := New(clock.NewManual(time.Unix(0, 0)), "v", hs)
			for _, s := range []string{"P", "B1", "B2"} {
				d.ServerStatus(s, 60, 1)
			}
			if a := d.ActiveTarget(60); a != "P" {
				t.Fatalf("active target %q before any failure, want P", a)
			}
			if connected {
				if s, _ := d.Route(key(0), true, false); s != "P" {
					t.Fatalf("preferred target not used first: %s", s)
				}
			}
			how := fmt.Sprintf("%s (a connection before: %v)", gone.how, connected)
			gone.goes(d)
			if a := d.ActiveTarget(60); a != "B2" {
				t.Errorf("after %s, VDPT's active target is %q, want B2", how, a)
			}
			d.ServerStatus("P", 60, 1)
			if a := d.ActiveTarget(60); a != "B2" {
				t.Errorf("P back after %s: VDPT's active target is %q, want B2", how, a)
			}
			if s, _ := d.Route(key(1), true, false); s != "B2" {
				t.Errorf("P back after %s, with no connection meanwhile: NOAUTOSWITCHBACK sent a new connection to %s, want B2", how, s)
			}
		}
	}
}

// TestHotStandbyServerStopMovesOnlyItsPort: a target whose server stops
// on one port of a HOTSTANDBY distribution stops being active for that
// port only; with NOAUTOSWITCHBACK the backup in use on the other port,
// whose server still listens there, keeps it. Before, the server's stop
// moved the active target of every port the stack was active for, here
// back to the preferred target on port 61.
func TestHotStandbyServerStopMovesOnlyItsPort(t *testing.T) {
	hs := def("HOTSTANDBY", plan.Target{Stack: "P", Role: "PREFERRED"}, plan.Target{Stack: "B", Role: "BACKUP", BackupRank: ptr(10)})
	hs.Ports = []plan.PortRange{{From: 60, To: 61}}
	hs.NoAutoSwitchBack = true
	d := New(clock.NewManual(time.Unix(0, 0)), "v", hs)
	for _, s := range []string{"P", "B"} {
		d.ServerStatus(s, 60, 1)
		d.ServerStatus(s, 61, 1)
	}
	d.TargetGone("P", true)
	d.ServerStatus("P", 60, 1)
	d.ServerStatus("P", 61, 1)
	if a, b := d.ActiveTarget(60), d.ActiveTarget(61); a != "B" || b != "B" {
		t.Fatalf("P back: active targets %q and %q, want B for both (NOAUTOSWITCHBACK)", a, b)
	}
	d.ServerStatus("B", 60, 0)
	if a, b := d.ActiveTarget(60), d.ActiveTarget(61); a != "P" || b != "B" {
		t.Errorf("B's server on port 60 stopped: active targets %q on 60 and %q on 61, want P and B", a, b)
	}
}

// TestHotStandbyPinsOnlyTheTargetThatGoes: a new routing stack hears of
// a target's failure while its targets are still reporting their
// servers: the lower-ranked backup B1 has reported, B2 not yet. B1 is not
// made active by that failure, which is not its own, so B2, the
// highest-ranked backup, is active once it reports, as whatif says, even
// with NOAUTOSWITCHBACK.
func TestHotStandbyPinsOnlyTheTargetThatGoes(t *testing.T) {
	hs := def("HOTSTANDBY", plan.Target{Stack: "P", Role: "PREFERRED"},
		plan.Target{Stack: "B1", Role: "BACKUP", BackupRank: ptr(10)}, plan.Target{Stack: "B2", Role: "BACKUP", BackupRank: ptr(20)})
	hs.NoAutoSwitchBack = true
	d := New(clock.NewManual(time.Unix(0, 0)), "v", hs)
	d.ServerStatus("B1", 60, 1)
	d.TargetGone("P", true)
	d.ServerStatus("B2", 60, 1)
	if a := d.ActiveTarget(60); a != "B2" {
		t.Errorf("active target %q once B2 reported, want B2", a)
	}
}
