package plan

import (
	"os"
	"strings"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"
	"github.com/tcpipc/tcpipc/internal/testkit/schematest"
)

// figure9Path is the checked-in figure 9 plan, compiled with its demo
// key and pinned by compile's TestCheckedInPlans: this package tests the
// plan's form without the compiler.
const figure9Path = "../testdata/plans/figure9.json"

func figure9JSON(t testing.TB) string {
	t.Helper()
	b, err := os.ReadFile(figure9Path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func figure9(t testing.TB) *Plan {
	t.Helper()
	p, err := Read(strings.NewReader(figure9JSON(t)))
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// schema is plan.schema.json, compiled once.
var schema = schematest.New("plan.schema.json")

// planSchema is plan.schema.json, compiled.
func planSchema(t *testing.T) *jsonschema.Schema { return schema.Get(t) }

// validatePlan checks a document against plan.schema.json.
func validatePlan(t *testing.T, doc []byte) { schema.Validate(t, "plan", doc) }

// TestSchemaRejects shows the schema can fail: each document breaks one
// rule of a valid plan.
func TestSchemaRejects(t *testing.T) {
	valid := figure9JSON(t)
	validatePlan(t, []byte(valid))
	for name, edit := range map[string][2]string{
		"version":           {`"version": "tcpipc.plan/v1"`, `"version": "tcpipc.plan/v0"`},
		"unknown field":     {`"secrets": "included"`, `"secrets": "included", "extra": 1`},
		"filter action":     {`"action": "IPSEC"`, `"action": "ENCRYPT"`},
		"rank range":        {`"rank": 10`, `"rank": 300`},
		"eligible, reasons": {`"reasons": []`, `"reasons": [{"stack": "MVS1", "code": "no-dvipsec", "text": "x"}]`},
		"selector":          {`"local": "201.2.10.11"`, `"local": "somewhere"`},
	} {
		doc := strings.Replace(valid, edit[0], edit[1], 1)
		if doc == valid {
			t.Fatalf("%s: edit %q does not apply", name, edit[0])
		}
		inst, err := jsonschema.UnmarshalJSON(strings.NewReader(doc))
		if err != nil {
			t.Fatal(err)
		}
		if planSchema(t).Validate(inst) == nil {
			t.Errorf("%s: the schema accepts a broken plan", name)
		}
	}
}
