package distributedefinition

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tcpipc/tcpipc/diag"
	"github.com/tcpipc/tcpipc/internal/testkit/ruletest"
	"github.com/tcpipc/tcpipc/model"
	"github.com/tcpipc/tcpipc/verify"
)

func TestRule(t *testing.T) { ruletest.Run(t, Rule, "testdata/*.txtar") }

// TestWeightDetail pins what the finding says the stack does with a WEIGHT
// under another DISTMETHOD: it ignores the WEIGHT (EZZ0799I), it does not
// reject the statement.
func TestWeightDetail(t *testing.T) {
	dir := t.TempDir()
	profile := "IPCONFIG DYNAMICXCF 10.0.0.1 255.255.255.0 1\nVIPADYNAMIC\n VIPADEFINE 255.255.255.0 10.9.9.1\n" +
		" VIPADISTRIBUTE DISTMETHOD ROUNDROBIN 10.9.9.1 PORT 80 DESTIP 10.0.0.1 WEIGHT 10\nENDVIPADYNAMIC\n"
	if err := os.MkdirAll(filepath.Join(dir, "SYSA"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "SYSA", "PROFILE.TCPIP"), []byte(profile), 0o644); err != nil {
		t.Fatal(err)
	}
	sx, _ := model.Load(dir, model.Options{})
	found, err := verify.Run(sx, []*verify.Rule{Rule})
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range found {
		if strings.Contains(d.Summary, "WEIGHT needs") {
			if !strings.Contains(d.Detail, "ignores the WEIGHT") || !strings.Contains(d.Detail, "EZZ0799I") {
				t.Errorf("detail %q does not say the stack ignores the WEIGHT (EZZ0799I)", d.Detail)
			}
			// The stack keeps the statement and drops only the WEIGHT:
			// a configuration it runs, so no error that fails CI.
			if d.Severity != diag.Warning {
				t.Errorf("severity %v, want warning: the stack takes the statement", d.Severity)
			}
			return
		}
	}
	t.Fatalf("no WEIGHT finding in %v", found)
}
