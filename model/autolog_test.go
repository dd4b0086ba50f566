package model

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestAutologParmStringValueIsNoProcedure checks that the word after a
// PARMSTRING not in double quotation marks, on its line, is taken for the
// rejected string (reported at PARMSTRING), not for a procedure AUTOLOG
// starts: FTPD PARMSTRING TRACE autologged a procedure TRACE.
func TestAutologParmStringValueIsNoProcedure(t *testing.T) {
	dir := t.TempDir()
	files := map[string]string{
		"sysplex.yaml": "sysplex: P\nstacks:\n  - name: SYSA\n    profile: SYSA.TCPIP\n",
		"SYSA.TCPIP":   "AUTOLOG 5\n  FTPD PARMSTRING TRACE\n  TN3270\nENDAUTOLOG\n",
	}
	for name, text := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	sx, _ := Load(dir, Options{})
	if len(sx.Stacks) != 1 {
		t.Fatalf("%d stacks", len(sx.Stacks))
	}
	if got := strings.Join(sx.Stacks[0].Autolog, " "); got != "FTPD TN3270" {
		t.Errorf("autologged %q, want FTPD TN3270", got)
	}
}
