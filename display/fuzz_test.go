package display

import (
	"bytes"
	"io"
	"os"
	"testing"

	"github.com/tcpipc/tcpipc/plan"
)

// FuzzDisplay: whatever plan Read accepts can be displayed in every view,
// for every stack and for none, without panicking. Seeds:
// testdata/fuzz/FuzzDisplay and the figure 9 plan.
func FuzzDisplay(f *testing.F) {
	f.Add(figure9JSON(f))
	f.Fuzz(func(t *testing.T, data []byte) {
		p, err := plan.Read(bytes.NewReader(data))
		if err != nil {
			return
		}
		for _, v := range Views {
			_ = Write(io.Discard, p, v.Name, "")
			for _, s := range p.Stacks {
				_ = Write(io.Discard, p, v.Name, s.Name)
			}
		}
	})
}

// figure9JSON is the checked-in figure 9 plan, pinned by compile's
// TestCheckedInPlans.
func figure9JSON(t testing.TB) []byte {
	t.Helper()
	b, err := os.ReadFile("../testdata/plans/figure9.json")
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func figure9(t testing.TB) *plan.Plan {
	t.Helper()
	p, err := plan.Read(bytes.NewReader(figure9JSON(t)))
	if err != nil {
		t.Fatal(err)
	}
	return p
}
