package compile

import (
	"bytes"
	"io"
	"testing"

	"github.com/tcpipc/tcpipc/plan"
	"github.com/tcpipc/tcpipc/whatif"
)

// FuzzReadPlan: a plan file is input like any other. Whatever the bytes,
// ReadPlan does not panic, and a plan it accepts can be displayed and
// analysed without panicking. Seeds: testdata/fuzz/FuzzReadPlan and the
// figure 9 plan.
func FuzzReadPlan(f *testing.F) {
	f.Add([]byte(planJSON(f, load(f, figure9), Options{})))
	f.Fuzz(func(t *testing.T, data []byte) {
		p, err := plan.Read(bytes.NewReader(data))
		if err != nil {
			return
		}
		for _, v := range Views {
			_ = WriteDisplay(io.Discard, p, v.Name, "")
		}
		for _, s := range p.Stacks {
			o, err := whatif.Derive(p, whatif.Scenario{Failed: []string{s.Name}, Recovered: []string{s.Name}})
			if err == nil {
				_ = o.WriteText(io.Discard)
			}
		}
	})
}
