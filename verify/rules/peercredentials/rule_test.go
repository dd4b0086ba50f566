package peercredentials

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/tools/txtar"

	"github.com/tcpipc/tcpipc/diag"
	"github.com/tcpipc/tcpipc/internal/testkit/ruletest"
	"github.com/tcpipc/tcpipc/model"
	"github.com/tcpipc/tcpipc/verify"
)

func TestRule(t *testing.T) { ruletest.Run(t, Rule, "testdata/*.txtar") }

// TestKeysNeverShown checks that the findings about different keys name
// neither key, in any field.
func TestKeysNeverShown(t *testing.T) {
	ar, err := txtar.ParseFile("testdata/fires.txtar")
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	for _, f := range ar.Files {
		path := filepath.Join(dir, strings.TrimPrefix(f.Name, "in/"))
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, f.Data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	sx, _ := model.Load(dir, model.Options{})
	ds, err := verify.Run(sx, []*verify.Rule{Rule})
	if err != nil {
		t.Fatal(err)
	}
	if len(ds) == 0 {
		t.Fatal("no findings")
	}
	js, _ := json.Marshal(ds)
	for _, out := range []string{diag.FormatText(ds, nil), string(js)} {
		if strings.Contains(out, "secret-one") || strings.Contains(out, "secret-two") {
			t.Errorf("a key is shown:\n%s", out)
		}
	}
}
