package profile

import (
	"bytes"
	"strings"
	"testing"

	"github.com/tcpipc/tcpipc/diag"
)

// TestPolicyFileReadAsProfileHidesKeys reads IPsec policy text as a
// profile, as parse --kind profile does: the profile parser reports every
// line it cannot read, and none of its output may show the key, on the
// SharedKey line or on the lines the value continues on. The INCLUDEd
// member is masked the same way.
func TestPolicyFileReadAsProfileHidesKeys(t *testing.T) {
	const key = "Zq7SECRETxx"
	files := map[string]string{
		"PROF": "SharedKey Ascii " + key + "\nHOME 10.1.1.1 L1\nSharedKey\nAscii " + key +
			"\nHOME 10.1.1.2 L2\nINCLUDE X.Y(MEMBER)\n",
		"MEMBER": "InboundAuthKey Hex \\\n" + key + "\nHOME 10.1.1.3 L3\n",
	}
	read := func(p string) ([]byte, error) { return []byte(files[p[strings.LastIndex(p, "/")+1:]]), nil }
	prof, ds := ParseFile("PROF", Options{ReadFile: read})
	if len(ds) == 0 {
		t.Fatal("policy text read as a profile gives no diagnostics")
	}
	var out bytes.Buffer
	if err := prof.WriteTree(&out); err != nil {
		t.Fatal(err)
	}
	if err := diag.WriteText(&out, ds, prof.Sources()); err != nil {
		t.Fatal(err)
	}
	if err := diag.WriteJSON(&out, ds); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(out.String(), key[:8]) {
		t.Errorf("the key shows:\n%s", out.String())
	}
	if !strings.Contains(out.String(), "MEMBER") {
		t.Errorf("the member was not read:\n%s", out.String())
	}
}
