package play

import (
	"bytes"
	"net/netip"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tcpipc/tcpipc/internal/testkit/leakcheck"
	"github.com/tcpipc/tcpipc/internal/testkit/sysplextest"
	"github.com/tcpipc/tcpipc/runtime/sysplex"
	"github.com/tcpipc/tcpipc/scenario/scenarioyaml"
)

// TestHomeCertsScenario plays a scenario on testdata/runtime/home-certs:
// SYSA signs with its key ring's ECDSA certificate, the client with its
// own (ipsec: {cert, key, ca}), and every TELNET byte comes back through
// ESP. git checks the TEST ONLY keys out readable by others, which the
// runtime refuses, so they are copied private first.
func TestHomeCertsScenario(t *testing.T) {
	leakcheck.Check(t)
	dir := t.TempDir()
	src := filepath.Join(sysplextest.Root(), "testdata", "runtime", "home-certs", "certs")
	if err := os.Mkdir(filepath.Join(dir, "certs"), 0o700); err != nil {
		t.Fatal(err)
	}
	names, _ := filepath.Glob(filepath.Join(src, "TEST-ONLY-*"))
	for _, n := range names {
		data, err := os.ReadFile(n)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, "certs", filepath.Base(n)), data, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	p := sysplextest.Plan(t, "home-certs")
	p.Stack("SYSA").KeyRing.Dir = dir
	file := filepath.Join(dir, "home-certs.yaml")
	err := os.WriteFile(file, []byte(`name: home-certs
heartbeat: 100ms
missed: 3
duration: 1s
applications:
  - {name: TELNET, stacks: [SYSA], bind: 10.1.1.1:23, behaviour: echo}
clients:
  - name: secure
    from: 192.0.2.10
    connect: 10.1.1.1:23
    connections: 3
    bytes: 4096
    chunk: 512
    interval: 20ms
    check: true
    ipsec: {cert: certs/TEST-ONLY-client.crt, key: certs/TEST-ONLY-client.key, ca: certs/TEST-ONLY-ca.crt}
expect:
  - resets: 0
  - lost: 0
  - echoed: true
`), 0o600)
	if err != nil {
		t.Fatal(err)
	}
	sc, _, ds := scenarioyaml.Read(file)
	if len(ds) > 0 {
		t.Fatal(ds[0].Summary)
	}
	sx, report := startAndPlay(t, p, sysplex.Options{Clock: sysplextest.PacedClock(t), XCF: sc.XCF, IPsec: true}, sc)
	var out bytes.Buffer
	if err := report.WriteText(&out); err != nil {
		t.Fatal(err)
	}
	if !report.Passed() || !strings.Contains(out.String(), "12288 of 12288 bytes echoed") {
		t.Fatalf("report:\n%s", out.String())
	}
	// The bytes went through ESP: SYSA, whose rule has no pre-shared
	// key, holds the child SA it negotiated with certificates.
	if sas := sx.Stack("SYSA").IPsecSAs(netip.MustParseAddr("10.1.1.1")); sas == nil || len(sas.Dynamic) != 1 || len(sas.IKE) != 1 {
		t.Fatalf("SYSA's tunnels: %+v", sas)
	}
}
