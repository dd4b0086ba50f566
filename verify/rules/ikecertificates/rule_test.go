package ikecertificates

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

// TestKeysNeverShown checks that no finding, in text or JSON, shows any
// line of a private key file, even for a key that does not parse or
// belongs to another certificate; and that the model keeps no key.
func TestKeysNeverShown(t *testing.T) {
	ar, err := txtar.ParseFile("testdata/fires.txtar")
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	var keyLines []string
	for _, f := range ar.Files {
		name := strings.TrimPrefix(f.Name, "in/")
		data := f.Data
		if strings.HasSuffix(name, ".key") || strings.HasSuffix(name, "-key.pem") {
			for _, l := range strings.Split(string(data), "\n") {
				if len(l) > 16 && !strings.HasPrefix(l, "-----") {
					keyLines = append(keyLines, l)
				}
			}
		}
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, data, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	// A key file that is PEM but not a key, to exercise the parse error.
	if err := os.WriteFile(filepath.Join(dir, "certs/sysb.key"), []byte("-----BEGIN PRIVATE KEY-----\nU0VDUkVUU0VDUkVUU0VDUkVUU0VDUkVU\n-----END PRIVATE KEY-----\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	keyLines = append(keyLines, "U0VDUkVUU0VDUkVUU0VDUkVUU0VDUkVU", "SECRETSECRET")
	sx, front := model.Load(dir, model.Options{})
	ds, err := verify.Run(sx, []*verify.Rule{Rule})
	if err != nil {
		t.Fatal(err)
	}
	ds = append(ds, front...)
	if len(ds) == 0 {
		t.Fatal("no findings")
	}
	js, _ := json.Marshal(ds)
	model, _ := json.Marshal(sx)
	for _, out := range []string{diag.FormatText(ds, sx.Sources), string(js), string(model)} {
		for _, l := range keyLines {
			if strings.Contains(out, l) {
				t.Fatalf("a key line is shown: %q", l)
			}
		}
	}
	if !strings.Contains(diag.FormatText(ds, nil), "certs/sysb.key of key ring IKED/IKEDRING: PRIVATE KEY block does not parse") {
		t.Errorf("the broken key is not reported:\n%s", diag.FormatText(ds, nil))
	}
}
