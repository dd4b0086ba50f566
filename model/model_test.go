package model

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io/fs"
	"net/netip"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tcpipc/tcpipc/diag"
	"github.com/tcpipc/tcpipc/internal/testkit/expect"
	"github.com/tcpipc/tcpipc/internal/testkit/golden"
)

// TestGolden loads each archive's in/ directory as a sysplex and compares
// the model rendering and the diagnostics; `want` comments in the inputs
// (`;` in profiles, `#` in sysplex.yaml) must match the diagnostics too.
func TestGolden(t *testing.T) {
	golden.Run(t, "testdata/*.txtar", func(t *testing.T, c *golden.Case) map[string]string {
		sx, ds := Load(c.Dir, Options{})
		ds.Sort()
		var text, diags bytes.Buffer
		if err := sx.WriteText(&text); err != nil {
			t.Fatal(err)
		}
		if err := diag.WriteText(&diags, ds, sx.Sources); err != nil {
			t.Fatal(err)
		}
		var exps []*expect.Expectation
		for _, name := range c.Inputs() {
			data, _ := c.Input(name)
			e, err := expect.Parse(filepath.ToSlash(filepath.Join(c.Dir, name)), data)
			if err != nil {
				t.Fatal(err)
			}
			exps = append(exps, e...)
		}
		expect.Check(t, ds, exps)
		return map[string]string{
			"model":       golden.RelativeTo(text.String(), c.Dir),
			"diagnostics": golden.RelativeTo(diags.String(), c.Dir),
		}
	})
}

func TestFigure9Model(t *testing.T) {
	sx, ds := Load("../testdata/profiles/figure9", Options{})
	for _, d := range ds {
		if d.Severity >= diag.Warning {
			t.Errorf("%s", diag.FormatText(diag.Diagnostics{d}, sx.Sources))
		}
	}
	if len(sx.Stacks) != 5 || sx.Name != "PLEX1" {
		t.Fatalf("sysplex %s with %d stacks", sx.Name, len(sx.Stacks))
	}
	dva1 := sx.DVIPA(netip.MustParseAddr("201.2.10.11"))
	if dva1 == nil {
		t.Fatal("DVA1 missing")
	}
	if len(dva1.Defines) != 1 || dva1.Defines[0].Stack.Name != "MVS1" || dva1.PrefixLen != 28 {
		t.Errorf("DVA1 owner wrong: %+v", dva1.Defines)
	}
	if len(dva1.Backups) != 1 || dva1.Backups[0].Stack.Name != "MVS5" || dva1.Backups[0].Rank != 10 {
		t.Errorf("DVA1 backups wrong")
	}
	var targets []string
	for _, d := range dva1.Distributes[0].Dests {
		targets = append(targets, d.StackName)
	}
	if strings.Join(targets, ",") != "MVS1,MVS2,MVS4" {
		t.Errorf("DVA1 targets from MVS1 = %v", targets)
	}
	for _, s := range sx.Stacks {
		if s.Groups.XCFGroup != "EZBT1121" || s.Groups.SWSA != "EZBDVIPA1121" {
			t.Errorf("%s groups %+v", s.Name, s.Groups)
		}
	}
	if mvs1 := sx.Stack("MVS1"); mvs1.IPSec == nil || mvs1.IPSec.DVIPSec == nil || mvs1.IPSecurity == nil {
		t.Error("MVS1 lacks IPSECURITY or DVIPSEC")
	}
}

func TestGroupNames(t *testing.T) {
	n := func(v int) *int { return &v }
	for _, c := range []struct {
		vtam, tcp *int
		want      GroupNames
	}{
		{n(11), n(21), GroupNames{"EZBT1121", "EZBDVIPA1121", "EZBEPORT1121"}},
		{nil, n(21), GroupNames{"EZBTCP21", "EZBDVIPA0121", "EZBEPORT0121"}},
		{n(5), nil, GroupNames{"EZBT05CS", "EZBDVIPA05", "EZBEPORT05"}},
		{nil, nil, GroupNames{"EZBTCPCS", "EZBDVIPA", "EZBEPORT"}},
	} {
		if got := Names(c.vtam, c.tcp); got != c.want {
			t.Errorf("Names(%v, %v) = %+v, want %+v", c.vtam, c.tcp, got, c.want)
		}
	}
}

func TestAddrSel(t *testing.T) {
	p := func(s string) AddrSel { return AddrSel{Prefix: netip.MustParsePrefix(s)} }
	r := AddrSel{From: netip.MustParseAddr("10.1.1.5"), To: netip.MustParseAddr("10.1.1.9")}
	host := p("10.1.1.7/32")
	if !host.IsHost() || p("10.1.1.0/24").IsHost() || r.IsHost() {
		t.Error("IsHost wrong")
	}
	if !p("10.1.0.0/16").Covers(r) || !r.Covers(host) || r.Covers(p("10.1.1.0/24")) || !(AddrSel{All: true}).Covers(r) {
		t.Error("Covers wrong")
	}
	if !r.Contains(netip.MustParseAddr("10.1.1.9")) || r.Contains(netip.MustParseAddr("10.1.1.10")) {
		t.Error("Contains wrong")
	}
}

func TestJSONRedactsNothingSecretAndNamesStacks(t *testing.T) {
	sx, _ := Load("../testdata/profiles/figure9", Options{})
	var b bytes.Buffer
	if err := sx.WriteJSON(&b); err != nil {
		t.Fatal(err)
	}
	var v map[string]any
	if err := json.Unmarshal(b.Bytes(), &v); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(b.String(), `"owners": [`) || !strings.Contains(b.String(), `"MVS5:10"`) {
		t.Errorf("JSON lacks the DVIPA table:\n%.2000s", b.String())
	}
}

// TestSecretsNeverPrinted: the pre-shared keys of figure9 are in the model
// (the runtime needs them) but in no rendering of it.
func TestSecretsNeverPrinted(t *testing.T) {
	const key = "figure9-demo-psk-0001"
	sx, ds := Load("../testdata/profiles/figure9", Options{})
	var text, js, diags bytes.Buffer
	if err := sx.WriteText(&text); err != nil {
		t.Fatal(err)
	}
	if err := sx.WriteJSON(&js); err != nil {
		t.Fatal(err)
	}
	if err := diag.WriteText(&diags, ds, sx.Sources); err != nil {
		t.Fatal(err)
	}
	for name, out := range map[string]string{"text": text.String(), "json": js.String(), "diagnostics": diags.String()} {
		if strings.Contains(out, key) {
			t.Errorf("%s output contains the pre-shared key", name)
		}
	}
	for _, s := range sx.Sources {
		if strings.Contains(string(s), key) {
			t.Error("snippet sources contain the pre-shared key")
		}
	}
	rule := sx.Stack("MVS1").Policy.KeyExchange.Rules[0]
	if rule.SharedKey.Reveal() != key || fmt.Sprintf("%v %+v %#v", rule.SharedKey, rule, rule.SharedKey) == "" {
		t.Errorf("the key is not available to the runtime")
	}
	if strings.Contains(fmt.Sprintf("%v %+v %#v", rule.SharedKey, *rule, rule.SharedKey), key) {
		t.Error("fmt verbs print the key")
	}
}

// TestSharedKeyWithoutFormat: a SharedKey value that does not start with
// Ascii, Ebcdic or Hex is all key; its first word is not its Format, which
// plans print even without --include-secrets.
func TestSharedKeyWithoutFormat(t *testing.T) {
	dir := t.TempDir()
	err := filepath.WalkDir("../testdata/profiles/figure9", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, _ := filepath.Rel("../testdata/profiles/figure9", p)
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		if err := os.MkdirAll(filepath.Join(dir, filepath.Dir(rel)), 0o755); err != nil {
			return err
		}
		data = bytes.ReplaceAll(data, []byte("Ascii figure9-demo-psk-0001"), []byte("figure9demo psk0001"))
		return os.WriteFile(filepath.Join(dir, rel), data, 0o644)
	})
	if err != nil {
		t.Fatal(err)
	}
	sx, _ := Load(dir, Options{})
	rule := sx.Stack("MVS1").Policy.KeyExchange.Rules[0]
	if rule.SharedKey.Format != "" || rule.SharedKey.Reveal() != "figure9demo psk0001" {
		t.Errorf("format %q, key %q", rule.SharedKey.Format, rule.SharedKey.Reveal())
	}
}

// TestSharedPolicyFileParsedOnce loads three stacks that read the same
// common policy file with an error in it: its error is reported once, and
// every stack (the first, the second that parses it again, the third that
// shares that parse) still refuses its policy because of it; the shared
// parses are dropped when the load ends.
func TestSharedPolicyFileParsedOnce(t *testing.T) {
	dir := t.TempDir()
	files := map[string]string{
		"sysplex.yaml": "sysplex: P\nstacks:\n" +
			"  - name: SYSA\n    profile: SYSA.TCPIP\n    policy: [common.policy, a.policy]\n" +
			"  - name: SYSB\n    profile: SYSB.TCPIP\n    policy: [common.policy, b.policy]\n" +
			"  - name: SYSC\n    profile: SYSC.TCPIP\n    policy: [common.policy, b.policy]\n",
		"SYSA.TCPIP":    "IPCONFIG IPSECURITY\n",
		"SYSB.TCPIP":    "IPCONFIG IPSECURITY\n",
		"SYSC.TCPIP":    "IPCONFIG IPSECURITY\n",
		"common.policy": "IpService web\n{\n  Protocol Tcp\n  DestinationPortRange 99999\n}\n",
		"a.policy":      "IpFilterPolicy\n{\n  IpFilterRuleRef r\n}\nIpFilterRule r\n{\n  IpSourceAddr All\n  IpDestAddr All\n  IpServiceRef web\n  IpGenericFilterActionRef p\n}\nIpGenericFilterAction p\n{\n  IpFilterAction Permit\n}\n",
	}
	files["b.policy"] = files["a.policy"]
	for name, text := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	sx, ds := Load(dir, Options{})
	var inCommon int
	for _, d := range ds {
		if d.Severity == diag.Error && strings.HasSuffix(d.Range.File, "common.policy") {
			inCommon++
		}
	}
	if inCommon != 1 {
		t.Errorf("%d errors in common.policy, want 1 (reported once):\n%s", inCommon, diag.FormatText(ds, sx.Sources))
	}
	for _, s := range sx.Stacks {
		if s.Policy == nil || !s.Policy.Refused {
			t.Errorf("stack %s: policy not refused although common.policy has an error", s.Name)
		}
	}
	if sx.policyParsed != nil {
		t.Errorf("the sysplex keeps %d policy parses after the load", len(sx.policyParsed))
	}
}

// TestPortRangeWithoutNumbers: a port range of separators alone ("-",
// ":") is a value error, not a crash of the policy builder.
func TestPortRangeWithoutNumbers(t *testing.T) {
	sx, ds := loadPolicy(t, "IpFilterPolicy\n{\n  IpFilterRuleRef r\n}\nIpFilterRule r\n{\n  IpSourceAddr All\n  IpDestAddr All\n"+
		"  IpService\n  {\n    Protocol Tcp\n    SourcePortRange -\n    DestinationPortRange :\n  }\n  IpGenericFilterActionRef p\n}\n"+
		"IpGenericFilterAction p\n{\n  IpFilterAction Permit\n}\n")
	lines := map[int]bool{}
	for _, d := range ds {
		if d.Severity == diag.Error && strings.HasSuffix(d.Range.File, "a.policy") {
			lines[d.Range.Start.Line] = true
		}
	}
	if !lines[12] || !lines[13] {
		t.Errorf("want errors on lines 12 and 13 (the two port ranges), got:\n%s", diag.FormatText(ds, sx.Sources))
	}
}

// TestOpaqueProtocol: IpService Protocol Opaque matches IPv6 fragments
// whose protocol cannot be determined (IP Configuration Guide, "Routed
// traffic and fragmented packets"). It is IBM's word, not an error that
// keeps the policy from being installed; tcpipc models no such packet, so
// the service makes no filter (an info says so) and the rule's other
// services keep theirs.
func TestOpaqueProtocol(t *testing.T) {
	sx, ds := loadPolicy(t, "IpFilterPolicy\n{\n  IpFilterRuleRef r\n}\nIpFilterRule r\n{\n  IpSourceAddr All6\n  IpDestAddr All6\n"+
		"  IpService\n  {\n    Protocol Opaque\n  }\n  IpService\n  {\n    Protocol Tcp\n  }\n  IpGenericFilterActionRef p\n}\n"+
		"IpGenericFilterAction p\n{\n  IpFilterAction Deny\n}\n")
	if ds.HasErrors() {
		t.Fatalf("Protocol Opaque is an error:\n%s", diag.FormatText(ds, sx.Sources))
	}
	p := sx.Stacks[0].Policy
	if !p.Installed {
		t.Fatalf("policy not installed: %s", p.NotInstalled)
	}
	if len(p.FilterRules) != 1 || p.FilterRules[0].Protocol != 6 {
		t.Errorf("filters %v, want the Tcp service's alone", p.FilterRules)
	}
	info := false
	for _, d := range ds {
		info = info || d.Severity == diag.Info && d.Range.Start.Line == 11 && strings.Contains(d.Summary, "Opaque")
	}
	if !info {
		t.Errorf("no info at Protocol Opaque:\n%s", diag.FormatText(ds, sx.Sources))
	}
}

// loadPolicy loads a sysplex of one stack, SYSA, with IPsec on and the
// IPsec policy a.policy.
func loadPolicy(t *testing.T, policy string) (*Sysplex, diag.Diagnostics) {
	t.Helper()
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{
		"sysplex.yaml": "sysplex: P\nstacks:\n  - name: SYSA\n    profile: SYSA.TCPIP\n    policy: [a.policy]\n",
		"SYSA.TCPIP":   "IPCONFIG IPSECURITY\n",
		"a.policy":     policy,
	})
	return Load(dir, Options{})
}

func writeFiles(t *testing.T, dir string, files map[string]string) {
	t.Helper()
	for name, text := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o600); err != nil {
			t.Fatal(err)
		}
	}
}
