package plan

import (
	"bytes"
	"strings"
	"testing"
)

// FuzzReadPlan: a plan file is input like any other. Whatever the bytes,
// Read does not panic, and a plan it accepts is written back as a plan it
// accepts again, with the same bytes, and its selectors can be matched.
// Seeds: testdata/fuzz/FuzzReadPlan and the figure 9 plan. (whatif and
// display fuzz what they do with an accepted plan.)
func FuzzReadPlan(f *testing.F) {
	f.Add([]byte(figure9JSON(f)))
	f.Fuzz(func(t *testing.T, data []byte) {
		p, err := Read(bytes.NewReader(data))
		if err != nil {
			return
		}
		var once bytes.Buffer
		if err := p.WriteJSON(&once); err != nil {
			t.Fatal(err)
		}
		again, err := Read(bytes.NewReader(once.Bytes()))
		if err != nil {
			t.Fatalf("a plan Read accepted is refused once written: %v", err)
		}
		var twice bytes.Buffer
		if err := again.WriteJSON(&twice); err != nil {
			t.Fatal(err)
		}
		if once.String() != twice.String() {
			t.Fatal("writing a plan read back changes it")
		}
		for _, s := range p.Stacks {
			for _, fl := range s.SPD.Filters {
				for _, d := range p.DVIPAs {
					Covers(fl.Local, d.Addr.String())
				}
			}
		}
	})
}

// TestReadPlanRejectsBrokenPlans: edited plans with impossible values get
// a message naming the problem, not a crash later.
func TestReadPlanRejectsBrokenPlans(t *testing.T) {
	good := figure9JSON(t)
	for _, c := range []struct{ from, to, want string }{
		{`"addr": "201.2.10.11"`, `"addr": "201.2.10.999"`, `"201.2.10.999" is not an IP address`},
		{`"owner": "MVS1"`, `"owner": "MVS9"`, `no stack "MVS9" in the plan`},
		{`"from": 60`, `"from": 70000`, `port range 70000-60`},
	} {
		broken := strings.Replace(good, c.from, c.to, 1)
		if broken == good {
			t.Fatalf("%s not found in the figure 9 plan", c.from)
		}
		_, err := Read(strings.NewReader(broken))
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: error %v, want %q", c.to, err, c.want)
		}
	}
}
