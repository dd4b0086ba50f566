package yamlpos

import (
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"

	"github.com/tcpipc/tcpipc/diag"
	"github.com/tcpipc/tcpipc/grammar/source"
)

func reader(text string) (*Reader, *diag.Diagnostics) {
	var ds diag.Diagnostics
	return &Reader{File: source.New("t.yaml", []byte(text), source.UTF8), Rule: "T", Diags: &ds}, &ds
}

// TestRootSyntaxError: a YAML syntax error is one diagnostic at the start
// of the line the parser names.
func TestRootSyntaxError(t *testing.T) {
	r, ds := reader("a: 1\nb: [\n")
	if root, ok := r.Root("thing"); ok || root != nil {
		t.Fatalf("Root = %v, %v on broken YAML", root, ok)
	}
	if len(*ds) != 1 || !strings.HasPrefix((*ds)[0].Summary, "thing is not valid YAML: ") || (*ds)[0].Range.Start.Line < 2 {
		t.Fatalf("diagnostics %+v", *ds)
	}
	empty, _ := reader("")
	if root, ok := empty.Root("thing"); !ok || root != nil {
		t.Errorf("empty document: %v, %v", root, ok)
	}
}

// TestMappingAndRanges: unknown keys (with a suggestion) and keys given
// twice are reported at the key, the callback sees only the rest, and a
// quoted scalar's range covers its quotes.
func TestMappingAndRanges(t *testing.T) {
	r, ds := reader("name: \"MVS1\"\ntcpp: x\nname: y\n")
	root, _ := r.Root("thing")
	var seen []string
	var val *yaml.Node
	r.Mapping(root, []string{"name", "tcpip"}, "stack", func(key string, _, v *yaml.Node) {
		seen, val = append(seen, key), v
	})
	if strings.Join(seen, ",") != "name" {
		t.Errorf("callback saw %v", seen)
	}
	if rg := r.Range(val); rg.Start.Column != 7 || rg.End.Column != 13 {
		t.Errorf("range of \"MVS1\" is columns %d-%d, want 7-13", rg.Start.Column, rg.End.Column)
	}
	if len(*ds) != 2 {
		t.Fatalf("diagnostics %+v", *ds)
	}
	unknown, twice := (*ds)[0], (*ds)[1]
	if unknown.Summary != `unknown key "tcpp" in stack` || !strings.HasPrefix(unknown.Detail, "Did you mean tcpip?") || unknown.Range.Start.Line != 2 {
		t.Errorf("unknown key: %+v", unknown)
	}
	if twice.Summary != `key "name" is given twice in stack` || twice.Range.Start.Line != 3 {
		t.Errorf("duplicate key: %+v", twice)
	}
}
