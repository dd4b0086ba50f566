package compile

import (
	"bytes"
	"strings"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"
)

// schema compiles a schema file once.
func schema(file string) func(t *testing.T) *jsonschema.Schema {
	var sch *jsonschema.Schema
	var err error
	return func(t *testing.T) *jsonschema.Schema {
		t.Helper()
		if sch == nil && err == nil {
			c := jsonschema.NewCompiler()
			c.AssertFormat()
			sch, err = c.Compile(file)
		}
		if err != nil {
			t.Fatal(err)
		}
		return sch
	}
}

var (
	planSchema   = schema("../plan/plan.schema.json")
	whatifSchema = schema("whatif.schema.json")
)

func validate(t *testing.T, sch *jsonschema.Schema, what string, doc []byte) {
	t.Helper()
	inst, err := jsonschema.UnmarshalJSON(bytes.NewReader(doc))
	if err != nil {
		t.Fatalf("%s is not JSON: %v", what, err)
	}
	if err := sch.Validate(inst); err != nil {
		t.Errorf("%s does not validate against its schema: %v", what, err)
	}
}

func validatePlan(t *testing.T, doc []byte) { validate(t, planSchema(t), "plan", doc) }

func validateWhatif(t *testing.T, doc []byte) { validate(t, whatifSchema(t), "whatif outcome", doc) }

// TestWhatifSchemaRejects shows the whatif schema can fail.
func TestWhatifSchemaRejects(t *testing.T) {
	p, _ := Compile(load(t, "../testdata/profiles/figure9"))
	o, err := Whatif(p, Scenario{Failed: []string{"MVS1"}})
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
		if whatifSchema(t).Validate(inst) == nil {
			t.Errorf("the whatif schema accepts %s", edit[1])
		}
	}
}
