package plexgen

import (
	"bytes"
	"net/netip"
	"os"
	"path/filepath"
	"testing"

	"github.com/tcpipc/tcpipc/plan"
)

// TestWiden: plex32's plan widened to 2,000 DVIPAs keeps the first 32 as
// they are, gives every copy a new address and its template's roles, and
// shares no slice between copies; too few DVIPAs is refused.
func TestWiden(t *testing.T) {
	b, err := os.ReadFile(filepath.Join("..", "..", "testdata", "plans", "plex32.json"))
	if err != nil {
		t.Fatal(err)
	}
	p, err := plan.Read(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	w, err := Widen(p, 2000)
	if err != nil {
		t.Fatal(err)
	}
	if err := w.Validate(); err != nil {
		t.Fatalf("the widened plan is not valid: %v", err)
	}
	if len(w.DVIPAs) != 2000 || len(p.DVIPAs) != 32 {
		t.Fatalf("%d DVIPAs widened, %d in the template", len(w.DVIPAs), len(p.DVIPAs))
	}
	seen := map[netip.Addr]bool{}
	for k, d := range w.DVIPAs {
		tpl := p.DVIPAs[k%32]
		if seen[d.Addr] {
			t.Fatalf("DVIPA %d: %s twice", k, d.Addr)
		}
		seen[d.Addr] = true
		if k < 32 && d.Addr != tpl.Addr || k >= 32 && d.Addr == tpl.Addr {
			t.Fatalf("DVIPA %d is %s (template %s)", k, d.Addr, tpl.Addr)
		}
		if d.Owner != tpl.Owner || len(d.Backups) != len(tpl.Backups) || d.Backups[0].Stack != tpl.Backups[0].Stack {
			t.Fatalf("DVIPA %d (%s) has owner %s, backups %v; template %s, %v", k, d.Addr, d.Owner, d.Backups, tpl.Owner, tpl.Backups)
		}
	}
	w.DVIPAs[32].Distributions[0].Targets[0].Stack = "CHANGED"
	if p.DVIPAs[0].Distributions[0].Targets[0].Stack == "CHANGED" || w.DVIPAs[64].Distributions[0].Targets[0].Stack == "CHANGED" {
		t.Fatal("copies share their targets")
	}
	if _, err := Widen(p, 31); err == nil {
		t.Fatal("widening 32 DVIPAs to 31 accepted")
	}
}

// TestReplaceAddr: an address is replaced where it stands alone, not
// where it begins or ends a longer one.
func TestReplaceAddr(t *testing.T) {
	got := string(replaceAddr([]byte(`"201.2.20.1" covers 201.2.20.1: not 201.2.20.10 nor 1201.2.20.1`), "201.2.20.1", "201.3.1.1"))
	want := `"201.3.1.1" covers 201.3.1.1: not 201.2.20.10 nor 1201.2.20.1`
	if got != want {
		t.Fatalf("got  %s\nwant %s", got, want)
	}
}
