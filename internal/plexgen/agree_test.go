package plexgen

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/tcpipc/tcpipc/compile"
	"github.com/tcpipc/tcpipc/diag"
	"github.com/tcpipc/tcpipc/model"
	"github.com/tcpipc/tcpipc/plan"
)

// compiled writes c's files to a directory and compiles them.
func compiled(t *testing.T, c Config) *plan.Plan {
	t.Helper()
	dir := t.TempDir()
	for name, text := range c.Files() {
		path := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	sx, ds := model.Load(dir, model.Options{})
	p, cds := compile.Compile(sx)
	for _, d := range append(ds, cds...) {
		if d.Severity == diag.Error {
			t.Fatalf("%s: %s", d.Range, d.Summary)
		}
	}
	return p
}

// TestWidenAgreesWithCompile: the plan Widen makes from a one-DVIPA-per-
// stack sysplex is, DVIPA for DVIPA (notes and reasons included), the plan the compiler
// makes of the same sysplex generated with PerStack DVIPAs a stack.
func TestWidenAgreesWithCompile(t *testing.T) {
	c := Config{Name: "w", Stacks: 4, Connections: 1, Targets: 2}
	wide := c
	wide.PerStack = 3
	got, err := Widen(compiled(t, c), c.Stacks*wide.PerStack)
	if err != nil {
		t.Fatal(err)
	}
	want := compiled(t, wide)
	if len(got.DVIPAs) != len(want.DVIPAs) {
		t.Fatalf("Widen made %d DVIPAs, the compiler %d", len(got.DVIPAs), len(want.DVIPAs))
	}
	byAddr := map[string]string{}
	for _, d := range want.DVIPAs {
		b, _ := json.Marshal(d)
		byAddr[d.Addr.String()] = string(b)
	}
	for _, d := range got.DVIPAs {
		b, _ := json.Marshal(d)
		if byAddr[d.Addr.String()] != string(b) {
			t.Errorf("DVIPA %s:\nWiden:    %s\ncompiler: %s", d.Addr, b, byAddr[d.Addr.String()])
		}
	}
}
