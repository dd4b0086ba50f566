package compile

import (
	"bytes"
	"io"
	"strings"
	"testing"
)

// FuzzReadPlan: a plan file is input like any other. Whatever the bytes,
// ReadPlan does not panic, and a plan it accepts can be displayed and
// analysed without panicking. Seeds: testdata/fuzz/FuzzReadPlan and the
// figure 9 plan.
func FuzzReadPlan(f *testing.F) {
	f.Add([]byte(planJSON(f, load(f, figure9), Options{})))
	f.Fuzz(func(t *testing.T, data []byte) {
		p, err := ReadPlan(bytes.NewReader(data))
		if err != nil {
			return
		}
		for _, v := range Views {
			_ = WriteDisplay(io.Discard, p, v.Name, "")
		}
		for _, s := range p.Stacks {
			o, err := Whatif(p, Scenario{Failed: []string{s.Name}, Recovered: []string{s.Name}})
			if err == nil {
				_ = o.WriteText(io.Discard)
			}
		}
	})
}

// TestReadPlanRejectsBrokenPlans: edited plans with impossible values get
// a message naming the problem, not a crash later.
func TestReadPlanRejectsBrokenPlans(t *testing.T) {
	good := planJSON(t, load(t, figure9), Options{})
	for _, c := range []struct{ from, to, want string }{
		{`"addr": "201.2.10.11"`, `"addr": "201.2.10.999"`, `"201.2.10.999" is not an IP address`},
		{`"owner": "MVS1"`, `"owner": "MVS9"`, `no stack "MVS9" in the plan`},
		{`"from": 60`, `"from": 70000`, `port range 70000-60`},
	} {
		broken := strings.Replace(good, c.from, c.to, 1)
		if broken == good {
			t.Fatalf("%s not found in the figure 9 plan", c.from)
		}
		_, err := ReadPlan(strings.NewReader(broken))
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: error %v, want %q", c.to, err, c.want)
		}
	}
}
