package whatif

import (
	"bytes"
	"io"
	"os"
	"testing"

	"github.com/tcpipc/tcpipc/plan"
)

// FuzzDerive: whatever plan Read accepts, every single failure and its
// recovery can be derived and printed without panicking. Seeds:
// testdata/fuzz/FuzzDerive and the figure 9 plan.
func FuzzDerive(f *testing.F) {
	seed, err := os.ReadFile("../testdata/plans/figure9.json")
	if err != nil {
		f.Fatal(err)
	}
	f.Add(seed)
	f.Fuzz(func(t *testing.T, data []byte) {
		p, err := plan.Read(bytes.NewReader(data))
		if err != nil {
			return
		}
		for _, s := range p.Stacks {
			o, err := Derive(p, Scenario{Failed: []string{s.Name}, Recovered: []string{s.Name}})
			if err == nil {
				_ = o.WriteText(io.Discard)
			}
		}
		_ = WriteMatrix(io.Discard, p, AllSingle(p))
	})
}
