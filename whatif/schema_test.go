package whatif

import (
	"bytes"
	"net/netip"
	"os"
	"strings"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/tcpipc/tcpipc/internal/testkit/schematest"
	"github.com/tcpipc/tcpipc/plan"
)

// figure9 is the checked-in figure 9 plan (pinned by compile's
// TestCheckedInPlans): whatif works from a plan alone.
func figure9(t testing.TB) *plan.Plan { return checkedIn(t, "figure9") }

// checkedIn reads a plan of testdata/plans.
func checkedIn(t testing.TB, name string) *plan.Plan {
	t.Helper()
	b, err := os.ReadFile("../testdata/plans/" + name + ".json")
	if err != nil {
		t.Fatal(err)
	}
	p, err := plan.Read(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// schema is whatif.schema.json, compiled once.
var schema = schematest.New("whatif.schema.json")

func validateWhatif(t *testing.T, doc []byte) { schema.Validate(t, "outcome", doc) }

// TestEveryOutcomeValidates: the outcomes of every failure of one or two
// stacks and their recovery on figure 9 and on hotstandby (several port
// sets, HOTSTANDBY's active target, ports a backup does not distribute)
// and on viparange (VIPARANGEs only) follow whatif.schema.json.
func TestEveryOutcomeValidates(t *testing.T) {
	for _, name := range []string{"figure9", "hotstandby", "viparange"} {
		p := checkedIn(t, name)
		var all bytes.Buffer
		if err := WriteOutcomesJSON(&all, AllSingle(p)); err != nil {
			t.Fatal(err)
		}
		validateWhatif(t, all.Bytes())
		for i, a := range p.Stacks {
			for _, b := range p.Stacks[i:] {
				failed := []string{a.Name}
				if b.Name != a.Name {
					failed = append(failed, b.Name)
				}
				o, err := Derive(p, Scenario{Failed: failed, Recovered: failed})
				if err != nil {
					t.Fatal(err)
				}
				var out bytes.Buffer
				if err := o.WriteJSON(&out); err != nil {
					t.Fatal(err)
				}
				validateWhatif(t, out.Bytes())
			}
		}
	}
}

// TestWhatifSchemaRejects shows the whatif schema can fail.
func TestWhatifSchemaRejects(t *testing.T) {
	p := figure9(t)
	o, err := Derive(p, Scenario{Failed: []string{"MVS1"}})
	if err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	if err := o.WriteJSON(&b); err != nil {
		t.Fatal(err)
	}
	validateWhatif(t, b.Bytes())
	for _, edit := range [][2]string{
		{`"event": "takeover"`, `"event": "migrated"`},
		{`"status": "recovered"`, `"status": "maybe"`},
		{`"version": "tcpipc.whatif/v1"`, `"version": "1"`},
	} {
		doc := strings.Replace(b.String(), edit[0], edit[1], 1)
		if doc == b.String() {
			t.Fatalf("edit %q does not apply", edit[0])
		}
		inst, err := jsonschema.UnmarshalJSON(strings.NewReader(doc))
		if err != nil {
			t.Fatal(err)
		}
		if schema.Get(t).Validate(inst) == nil {
			t.Errorf("the whatif schema accepts %s", edit[1])
		}
	}
}

// TestWhatifErrors: unknown stacks and recoveries of stacks that did not
// fail are refused.
func TestWhatifErrors(t *testing.T) {
	p := figure9(t)
	for _, sc := range []Scenario{{Failed: []string{"MVS9"}}, {Failed: []string{"MVS1"}, Recovered: []string{"MVS2"}}} {
		if _, err := Derive(p, sc); err == nil {
			t.Errorf("%v: no error", sc)
		}
	}
}

// TestTakeoverStaysInGroup: a backup in another XCF group never hears of
// the failure, so the next backup of the owner's group takes over.
func TestTakeoverStaysInGroup(t *testing.T) {
	p := &plan.Plan{Version: plan.Version, Sysplex: "P",
		Stacks: []plan.Stack{{Name: "A", XCFGroup: "EZBT0101"}, {Name: "B", XCFGroup: "EZBT0102"}, {Name: "C", XCFGroup: "EZBT0101"}},
		DVIPAs: []plan.DVIPA{{Addr: netip.MustParseAddr("10.1.1.1"), PrefixLen: 32, Owner: "A", Origin: "VIPADEFINE", Moveable: "IMMEDIATE",
			Backups: []plan.Backup{{Position: 1, Rank: 200, Stack: "B"}, {Position: 2, Rank: 100, Stack: "C"}}}}}
	for _, tc := range []struct {
		failed []string
		want   string
	}{
		{[]string{"A"}, "C"},
		{[]string{"A", "C"}, ""},
	} {
		o, err := Derive(p, Scenario{Failed: tc.failed})
		if err != nil {
			t.Fatal(err)
		}
		if got := o.DVIPAs[0].AfterFailure.Owner; got != tc.want {
			t.Errorf("%v fail: owner %q, want %q", tc.failed, got, tc.want)
		}
	}
}
