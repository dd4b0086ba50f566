package model

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/tcpipc/tcpipc/diag"
	"github.com/tcpipc/tcpipc/internal/testkit/testpki"
)

// TestKeyRingLoad reads a manifest key ring: the certificate and CA are
// kept, the key is only checked against the certificate, and the stack
// picks the ring its IkeConfig KeyRing names.
func TestKeyRingLoad(t *testing.T) {
	now := time.Now()
	dir := t.TempDir()
	ca := testpki.NewCA(t, "CA", testpki.P256, now)
	leaf := ca.Issue(t, testpki.Leaf{Key: testpki.P256, DNS: []string{"dva1.example.com"}}, now)
	leaf.WriteFiles(t, dir, "sysa", ca)
	write(t, dir, "SYSA/PROFILE.TCPIP", "IPCONFIG IPSECURITY\n")
	write(t, dir, "SYSA/iked.conf", "IkeConfig\n{\n  KeyRing iked/ring\n}\n")
	write(t, dir, "sysplex.yaml", `sysplex: P
stacks:
  - name: SYSA
    profile: SYSA/PROFILE.TCPIP
    iked: SYSA/iked.conf
    keyrings:
      IKED/OTHER: {cert: sysa.crt, key: sysa.key, ca: sysa-ca.crt}
      IKED/RING: {cert: sysa.crt, key: sysa.key, ca: sysa-ca.crt}
      IKED/BROKEN: {cert: sysa.crt}
`)
	sx, ds := Load(dir, Options{})
	var texts []string
	for _, d := range ds {
		if d.Severity >= diag.Warning {
			texts = append(texts, d.Summary)
		}
	}
	if len(texts) != 2 || !strings.Contains(strings.Join(texts, "\n"), "key ring IKED/BROKEN has no key file") {
		t.Errorf("diagnostics %q, want the two missing files of IKED/BROKEN", texts)
	}
	k := sx.Stacks[0].KeyRing
	if k == nil || k.Files.Name != "IKED/RING" {
		t.Fatalf("key ring %+v, want IKED/RING", k)
	}
	if !k.KeyMatches || len(k.CAs) != 1 || k.Leaf() == nil || !k.Leaf().Equal(leaf.Cert) || len(k.Problems) != 0 || len(k.Fingerprint) != 64 {
		t.Errorf("key ring loaded as %+v", k)
	}
}

func write(t *testing.T, dir, name, text string) {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
}
