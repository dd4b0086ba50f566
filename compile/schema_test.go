package compile

import (
	"bytes"
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
	whatifSchema = schema("../whatif/whatif.schema.json")
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
