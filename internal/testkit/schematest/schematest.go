package schematest

import (
	"bytes"
	"sync"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"
)

// Schema is a schema file compiled on first use, formats asserted.
type Schema struct {
	compile func() (*jsonschema.Schema, error)
}

// New returns the schema at path (relative to the test's package).
func New(path string) *Schema {
	return &Schema{compile: sync.OnceValues(func() (*jsonschema.Schema, error) {
		c := jsonschema.NewCompiler()
		c.AssertFormat()
		return c.Compile(path)
	})}
}

// Get returns the compiled schema; a schema that does not compile fails t.
func (s *Schema) Get(t testing.TB) *jsonschema.Schema {
	t.Helper()
	sch, err := s.compile()
	if err != nil {
		t.Fatal(err)
	}
	return sch
}

// Validate reports an error on t when doc, a document called what, is not
// JSON or does not follow the schema.
func (s *Schema) Validate(t testing.TB, what string, doc []byte) {
	t.Helper()
	inst, err := jsonschema.UnmarshalJSON(bytes.NewReader(doc))
	if err != nil {
		t.Fatalf("the %s is not JSON: %v", what, err)
	}
	if err := s.Get(t).Validate(inst); err != nil {
		t.Errorf("the %s does not validate against its schema: %v", what, err)
	}
}
