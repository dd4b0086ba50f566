package dvipa

import (
	"net/netip"
	"testing"

	"github.com/tcpipc/tcpipc/plan"
)

// figure9DVA1 is DVA1 of the figure 9 sysplex: MVS1 owns, MVS5 backs up.
func figure9DVA1(moveable plan.Moveable) plan.DVIPA {
	return plan.DVIPA{Addr: netip.MustParseAddr("201.2.10.11"), Owner: "MVS1", DefinedBy: []string{"MVS1"}, Moveable: moveable,
		Backups: []plan.Backup{{Position: 1, Rank: 10, Stack: "MVS5"}}}
}

type world struct {
	up    map[string]bool
	conns map[string]int
}

func (w *world) isUp(s string) bool { return w.up[s] }
func (w *world) count(s string) int { return w.conns[s] }
func newWorld(stacks ...string) *world {
	w := &world{up: map[string]bool{}, conns: map[string]int{}}
	for _, s := range stacks {
		w.up[s] = true
	}
	return w
}

func expect(t *testing.T, o *Owner, w *world, want Change, changed bool) {
	t.Helper()
	got, ok := o.Update(w.isUp, w.count)
	if ok != changed || got != want {
		t.Fatalf("Update = %+v, %v; want %+v, %v", got, ok, want, changed)
	}
}

func TestTakeoverAndImmediateTakeback(t *testing.T) {
	o := New(figure9DVA1("IMMEDIATE"))
	w := newWorld("MVS1", "MVS2", "MVS5")
	expect(t, o, w, Change{Kind: Activate, To: "MVS1"}, true)
	expect(t, o, w, Change{}, false)

	w.up["MVS1"] = false
	expect(t, o, w, Change{Kind: Takeover, From: "MVS1", To: "MVS5"}, true)

	w.up["MVS1"] = true
	w.conns["MVS5"] = 3 // IMMEDIATE does not wait for them
	expect(t, o, w, Change{Kind: Takeback, From: "MVS5", To: "MVS1", KeepsConnections: true}, true)
	if o.Holder() != "MVS1" {
		t.Fatalf("holder %s", o.Holder())
	}
}

func TestWhenIdleWaitsForConnections(t *testing.T) {
	o := New(figure9DVA1("WHENIDLE"))
	w := newWorld("MVS1", "MVS5")
	expect(t, o, w, Change{Kind: Activate, To: "MVS1"}, true)
	w.up["MVS1"] = false
	expect(t, o, w, Change{Kind: Takeover, From: "MVS1", To: "MVS5"}, true)
	w.up["MVS1"] = true
	w.conns["MVS5"] = 2
	expect(t, o, w, Change{}, false)
	if st := o.StateOf("MVS5", w.isUp, func(string) bool { return false }); st != Quiescing {
		t.Fatalf("MVS5 state %v, want Quiescing", st)
	}
	w.conns["MVS5"] = 0
	expect(t, o, w, Change{Kind: Takeback, From: "MVS5", To: "MVS1"}, true)
}

func TestRankOrderAndLoss(t *testing.T) {
	d := figure9DVA1("IMMEDIATE")
	d.Backups = []plan.Backup{{Position: 1, Rank: 200, Stack: "B2"}, {Position: 2, Rank: 10, Stack: "B1"}}
	o := New(d)
	w := newWorld("MVS1", "B1", "B2")
	expect(t, o, w, Change{Kind: Activate, To: "MVS1"}, true)
	w.up["MVS1"] = false
	expect(t, o, w, Change{Kind: Takeover, From: "MVS1", To: "B2"}, true)
	w.up["B2"] = false
	expect(t, o, w, Change{Kind: Takeover, From: "B2", To: "B1"}, true)
	w.up["B2"] = true // a higher rank returning does not take over from B1
	expect(t, o, w, Change{}, false)
	w.up["B1"], w.up["B2"] = false, false
	expect(t, o, w, Change{Kind: Lost, From: "B1"}, true)
}

func TestDeactivateMovesTheDVIPA(t *testing.T) {
	o := New(figure9DVA1("IMMEDIATE"))
	w := newWorld("MVS1", "MVS5")
	expect(t, o, w, Change{Kind: Activate, To: "MVS1"}, true)
	o.SetDeactivated("MVS1", true)
	expect(t, o, w, Change{Kind: Takeover, From: "MVS1", To: "MVS5"}, true)
	if st := o.StateOf("MVS1", w.isUp, func(string) bool { return false }); st != Deactivated {
		t.Fatalf("MVS1 state %v", st)
	}
	o.SetDeactivated("MVS1", false)
	expect(t, o, w, Change{Kind: Takeback, From: "MVS5", To: "MVS1", KeepsConnections: true}, true)
}

func TestBackupCreatesOnlyWithLongForm(t *testing.T) {
	d := plan.DVIPA{Addr: netip.MustParseAddr("10.9.9.1"), Moveable: "IMMEDIATE", Backups: []plan.Backup{{Rank: 5, Stack: "B"}}}
	w := newWorld("B")
	if _, ok := New(d).Update(w.isUp, w.count); ok {
		t.Fatal("a short-form backup created a DVIPA nobody defines")
	}
	d.Backups[0].CanCreate = true
	got, ok := New(d).Update(w.isUp, w.count)
	if !ok || got.To != "B" {
		t.Fatalf("long-form backup did not create the DVIPA: %+v", got)
	}
}

// TestShortFormBackupDoesNotCreate is issue 11's double failure: MVS1 and
// MVS5 (a backup without a mask) fail, MVS5 comes back first. IBM's
// technote dwa1433874: that form of VIPABACKUP only takes over a DVIPA
// that is active on a stack that goes away; it never creates one that is
// active nowhere. DVA1 waits for MVS1.
func TestShortFormBackupDoesNotCreate(t *testing.T) {
	o := New(figure9DVA1("IMMEDIATE"))
	w := newWorld("MVS1", "MVS5")
	expect(t, o, w, Change{Kind: Activate, To: "MVS1"}, true)
	w.up["MVS1"], w.up["MVS5"] = false, false
	expect(t, o, w, Change{Kind: Lost, From: "MVS1"}, true)
	w.up["MVS5"] = true
	expect(t, o, w, Change{}, false)
	w.up["MVS1"] = true
	expect(t, o, w, Change{Kind: Activate, To: "MVS1"}, true)
}

// TestStartingBackupSettlesAssumedHolder: a stack that starts assumes,
// for its grace time, that peers it has not heard of yet are up, so it
// believes the VIPADEFINE stack holds the DVIPA. When the grace ends and
// that stack was never heard of, the assumption goes; a short-form backup
// must not read it as a failure of the owner and take the DVIPA over.
func TestStartingBackupSettlesAssumedHolder(t *testing.T) {
	o := New(figure9DVA1("IMMEDIATE"))
	w := newWorld("MVS1", "MVS5") // MVS1 not heard of yet, counted up
	expect(t, o, w, Change{Kind: Activate, To: "MVS1"}, true)
	w.up["MVS1"] = false // grace over, MVS1 never heard of
	o.Settle("")         // nobody announced that it routes DVA1
	expect(t, o, w, Change{}, false)
	if o.Holder() != "" {
		t.Fatalf("holder %q after Settle(\"\")", o.Holder())
	}

	// A backup that starts while another backup holds the DVIPA learns
	// so from that one's VIPA list, and takes over when it goes away.
	d := figure9DVA1("IMMEDIATE")
	d.Backups = []plan.Backup{{Position: 1, Rank: 200, Stack: "B1"}, {Position: 2, Rank: 10, Stack: "B2"}}
	o = New(d)
	w = newWorld("MVS1", "B1", "B2")
	expect(t, o, w, Change{Kind: Activate, To: "MVS1"}, true) // assumed
	w.up["MVS1"] = false
	o.Settle("B2")
	expect(t, o, w, Change{}, false)
	w.up["B2"] = false
	expect(t, o, w, Change{Kind: Takeover, From: "B2", To: "B1"}, true)
}

// TestOnlyTheOwnerTakesBack: of several VIPADEFINE stacks, the plan's
// owner (the first) is the one that activates and takes back; the others
// stay out of the takeover chain, as the plan's note and whatif say.
func TestOnlyTheOwnerTakesBack(t *testing.T) {
	d := figure9DVA1("IMMEDIATE")
	d.Origin = "VIPADEFINE"
	d.DefinedBy = []string{"MVS1", "MVS2"}
	o := New(d)
	w := newWorld("MVS1", "MVS2", "MVS5")
	expect(t, o, w, Change{Kind: Activate, To: "MVS1"}, true)
	w.up["MVS1"] = false
	expect(t, o, w, Change{Kind: Takeover, From: "MVS1", To: "MVS5"}, true)
}
