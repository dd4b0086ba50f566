package whatif

import (
	"bytes"
	"os"
	"strings"
	"testing"

	"github.com/tcpipc/tcpipc/plan"
)

// TestWhatifHolderWithoutIKE: figure 9 with MVS5, DVA1's backup, doing
// no IPsec (no IPSECURITY, no IKED): when MVS1 fails MVS5 takes DVA1
// over, and nobody there can negotiate an SA. whatif said "SAs: lost,
// peers negotiate new ones", which no peer can do with MVS5.
func TestWhatifHolderWithoutIKE(t *testing.T) {
	b, err := os.ReadFile("../testdata/plans/figure9.json")
	if err != nil {
		t.Fatal(err)
	}
	p, err := plan.Read(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	s := p.Stack("MVS5")
	s.IPSecurity, s.DVIPSec, s.IKED = false, false, false
	o, err := Derive(p, Scenario{Failed: []string{"MVS1"}})
	if err != nil {
		t.Fatal(err)
	}
	var out strings.Builder
	if err := o.WriteText(&out); err != nil {
		t.Fatal(err)
	}
	text := out.String()
	if strings.Contains(text, "peers negotiate new ones") {
		t.Errorf("whatif says peers negotiate new SAs with MVS5, which runs no IKE:\n%s", text)
	}
	want := "SAs: lost (MVS5 negotiates no SA for 201.2.10.11: the peers' new negotiations fail too while it holds it)"
	if !strings.Contains(text, want) {
		t.Errorf("whatif does not say %q:\n%s", want, text)
	}
}
