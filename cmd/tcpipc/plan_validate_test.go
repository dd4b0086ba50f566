package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestShowAndWhatifRefuseAnInvalidPlan: a plan file edited into what the
// schema forbids (the method BOGUS, rank -5, a DVIPA listed twice)
// is refused by show and whatif with the JSON path, instead of printed.
func TestShowAndWhatifRefuseAnInvalidPlan(t *testing.T) {
	dir := t.TempDir()
	good := filepath.Join(dir, "good.json")
	var out, errb strings.Builder
	if got := run([]string{"compile", "-o", good, "../../testdata/profiles/figure9"}, &out, &errb); got != ExitClean {
		t.Fatalf("compile: exit %d: %s", got, errb.String())
	}
	text, err := os.ReadFile(good)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct{ from, to, want string }{
		{`"method": "ROUNDROBIN"`, `"method": "BOGUS"`, `dvipas[0].distributions[0].method: "BOGUS" is not one of`},
		{`"rank": 10,`, `"rank": -5,`, `dvipas[0].backups[0].rank: -5 is below the minimum 1`},
		{`"dvipas": [`, `"dvipas": [{"addr": "201.2.10.12", "prefixLen": 28, "owner": "", "definedBy": [], "moveable": "IMMEDIATE", "backups": [], "distributions": [], "swsa": {"protected": false, "eligible": false, "ikev2": false, "reasons": []}},`, `dvipas[2].addr: 201.2.10.12 is also dvipas[0].addr`},
	} {
		broken := strings.Replace(string(text), c.from, c.to, 1)
		if broken == string(text) {
			t.Fatalf("%s not in the figure 9 plan", c.from)
		}
		path := filepath.Join(dir, "broken.json")
		if err := os.WriteFile(path, []byte(broken), 0o600); err != nil {
			t.Fatal(err)
		}
		for _, args := range [][]string{{"show", path, "backup-chains"}, {"whatif", path, "--fail", "MVS1"}} {
			out.Reset()
			errb.Reset()
			got := run(args, &out, &errb)
			if got == ExitClean || out.Len() > 0 || !strings.Contains(errb.String(), c.want) {
				t.Errorf("tcpipc %s with %s: exit %d, stdout %q, stderr %q; want a refusal naming %q", args[0], c.to, got, out.String(), errb.String(), c.want)
			}
		}
	}
}
