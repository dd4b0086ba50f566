package scenarioyaml

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/santhosh-tekuri/jsonschema/v6"
	"go.yaml.in/yaml/v3"

	"github.com/tcpipc/tcpipc/diag"
	"github.com/tcpipc/tcpipc/scenario"
)

func TestFigure9Scenario(t *testing.T) {
	sc, f, ds := Read("../../testdata/scenarios/figure9-takeover.yaml")
	if len(ds) > 0 {
		t.Fatal(diag.FormatText(ds, diag.Sources{f.Name: f.Text}))
	}
	if sc.Name != "figure9-takeover" || sc.XCF.Interval != 100*time.Millisecond || sc.XCF.Missed != 3 {
		t.Errorf("header %+v", sc)
	}
	app := sc.Applications[0]
	if app.Name != "APPA" || strings.Join(app.Stacks, ",") != "MVS1,MVS2,MVS4" || app.Bind.String() != "201.2.10.11:60" || app.Behaviour != scenario.Echo {
		t.Errorf("application %+v", app)
	}
	if c := sc.Clients[0]; c.Connections != 300 || c.Bytes != 40960 || !c.Check {
		t.Errorf("client %+v", c)
	}
	if e := sc.Timeline[0]; e.Kind != scenario.Fail || e.Stack != "MVS1" || e.At != time.Second {
		t.Errorf("first event %+v", e)
	}
	if len(sc.Expect) != 7 || sc.Expect[1].Owner.Stack != "MVS5" || *sc.Expect[4].MaxResets != 100 || *sc.Expect[5].MaxLost != 100 || !sc.Expect[6].Echoed {
		t.Errorf("expectations wrong")
	}
}

func TestProblemsHavePositions(t *testing.T) {
	src := "name: x\napplications:\n  - {name: A, stacks: S1, bind: 10.1.1.1:80, behavior: echo}\ntimeline:\n  - {at: 1s, fail: S1, recover: S1}\n  - {at: soon, stop: S1, app: B}\nexpect:\n  - {resets: -1}\n"
	_, f, ds := Parse("s.yaml", []byte(src))
	ds.Sort()
	got := diag.FormatText(ds, diag.Sources{f.Name: f.Text})
	for _, want := range []string{
		`s.yaml:3:46: error: unknown key "behavior" in application [SCENARIO]`, "Did you mean behaviour?",
		"s.yaml:5:5: error: a timeline event names exactly one of",
		`s.yaml:6:10: error: "soon" is not a duration`,
		`stop names application "B"`,
		`s.yaml:8:14: error: "-1" is not a number`,
	} {
		if !strings.Contains(got, want) {
			t.Errorf("missing %q in:\n%s", want, got)
		}
	}
}

// TestSchema validates the bundled scenarios against scenario.schema.json
// and checks that the schema rejects what the parser rejects.
func TestSchema(t *testing.T) {
	c := jsonschema.NewCompiler()
	sch, err := c.Compile("../scenario.schema.json")
	if err != nil {
		t.Fatal(err)
	}
	files, _ := filepath.Glob("../../testdata/scenarios/*.yaml")
	if len(files) == 0 {
		t.Fatal("no scenarios")
	}
	for _, file := range files {
		if err := sch.Validate(yamlToJSON(t, mustRead(t, file))); err != nil {
			t.Errorf("%s: %v", file, err)
		}
	}
	for _, kind := range []string{"cut", "partition"} {
		src := []byte("name: x\ntimeline:\n  - {at: 1s, " + kind + ": MVS1}\n")
		if err := sch.Validate(yamlToJSON(t, src)); err == nil {
			t.Errorf("schema accepted a %s without its peer", kind)
		}
		if _, _, ds := Parse("p.yaml", src); len(ds) == 0 || !strings.Contains(ds[0].Summary, kind+" needs the peer") {
			t.Errorf("parser accepted a %s without its peer: %v", kind, ds)
		}
	}
}

// TestPartitionEvent: partition names the system sysplex failure
// management removes and the peer it lost signalling with.
func TestPartitionEvent(t *testing.T) {
	sc, _, ds := Parse("p.yaml", []byte("name: x\ntimeline:\n  - {at: 1s, partition: mvs1, peer: mvs5}\n"))
	if len(ds) > 0 {
		t.Fatal(ds[0].Summary)
	}
	e := sc.Timeline[0]
	if e.Kind != scenario.Partition || e.Stack != "MVS1" || e.Peer != "MVS5" || e.String() != "partition MVS1 (signalling with MVS5 lost)" {
		t.Fatalf("event %+v, %q", e, e.String())
	}
}

func mustRead(t *testing.T, p string) []byte {
	t.Helper()
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func yamlToJSON(t *testing.T, data []byte) any {
	t.Helper()
	var v any
	if err := yaml.Unmarshal(data, &v); err != nil {
		t.Fatal(err)
	}
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	out, err := jsonschema.UnmarshalJSON(strings.NewReader(string(b)))
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// TestClientIPsecForms: ipsec is true/false or a mapping that overrides
// the key or the identity; unknown keys are diagnosed.
func TestClientIPsecForms(t *testing.T) {
	base := "name: x\nclients:\n  - {name: c, from: 192.0.2.10, connect: 201.2.10.11:60, connections: 1, ipsec: %s}\n"
	sc, _, ds := Parse("a.yaml", []byte(fmt.Sprintf(base, "true")))
	if len(ds) > 0 || !sc.Clients[0].IPsec {
		t.Fatalf("ipsec: true: %v %+v", ds, sc.Clients[0])
	}
	sc, _, ds = Parse("b.yaml", []byte(fmt.Sprintf(base, "{psk: wrong, id: host.example}")))
	if len(ds) > 0 || !sc.Clients[0].IPsec || sc.Clients[0].PSK != "wrong" || sc.Clients[0].ID != "host.example" {
		t.Fatalf("ipsec mapping: %v %+v", ds, sc.Clients[0])
	}
	sc, _, ds = Parse("d.yaml", []byte(fmt.Sprintf(base, "{ike: aes256gcm16-prfsha384-x25519, esp: aes256gcm16}")))
	if len(ds) > 0 || sc.Clients[0].IKE != "aes256gcm16-prfsha384-x25519" || sc.Clients[0].ESP != "aes256gcm16" {
		t.Fatalf("ipsec offers: %v %+v", ds, sc.Clients[0])
	}
	_, _, ds = Parse("e.yaml", []byte(fmt.Sprintf(base, "{ike: 3des-md5-modp1024}")))
	if len(ds) != 1 || !strings.Contains(ds[0].Summary, `unsupported algorithm "3des"`) || ds[0].Range.Start.Line != 3 {
		t.Fatalf("unsupported offer: %v", ds)
	}
	_, _, ds = Parse("c.yaml", []byte(fmt.Sprintf(base, "{pks: wrong}")))
	if len(ds) != 1 || !strings.Contains(ds[0].Summary, `unknown key "pks" in ipsec`) || strings.Contains(ds[0].Summary, "wrong") {
		t.Fatalf("misspelt key: %v", ds)
	}
}

// TestClientIPsecCertificate: cert, key and ca give a client a certificate,
// paths relative to the scenario file; one without the others is refused.
func TestClientIPsecCertificate(t *testing.T) {
	base := "name: x\nclients:\n  - {name: c, from: 192.0.2.10, connect: 201.2.10.11:60, connections: 1, ipsec: %s}\n"
	sc, _, ds := Parse("scen/a.yaml", []byte(fmt.Sprintf(base, "{id: c.example, cert: certs/c.crt, key: certs/c.key, ca: ca.crt}")))
	c := sc.Clients[0]
	if len(ds) > 0 || c.Cert != filepath.FromSlash("scen/certs/c.crt") || c.Key != filepath.FromSlash("scen/certs/c.key") || c.CA != filepath.FromSlash("scen/ca.crt") {
		t.Fatalf("certificate options: %v %+v", ds, c)
	}
	_, _, ds = Parse("b.yaml", []byte(fmt.Sprintf(base, "{cert: c.crt}")))
	if len(ds) != 1 || !strings.Contains(ds[0].Summary, "needs all of ipsec cert, key and ca") {
		t.Fatalf("cert without key and ca: %v", ds)
	}
}

// TestReadSWSA reads the SWSA scenario's client hosts and tunnels
// expectation, and refuses a tunnels expectation without its bound.
func TestReadSWSA(t *testing.T) {
	sc, _, ds := Read("../../testdata/scenarios/figure9-swsa.yaml")
	if len(ds) > 0 {
		t.Fatal(ds)
	}
	c := sc.Clients[0]
	if c.Hosts != 120 || c.HostAddr(119).String() != "192.0.2.129" || !c.IPsec || c.ID != "192.0.2.10" {
		t.Errorf("client %+v", c)
	}
	var tun *scenario.TunnelsRecovered
	for _, x := range sc.Expect {
		if x.Tunnels != nil {
			tun = x.Tunnels
		}
	}
	if tun == nil || tun.DVIPA.String() != "201.2.10.11" || tun.Recovered != 120 || tun.Within != time.Second {
		t.Fatalf("tunnels expectation %+v", tun)
	}
	for _, bad := range []string{
		"  - tunnels: {dvipa: 201.2.10.11, recovered: 3}\n",
		"  - tunnels: {dvipa: 201.2.10.11, recovered: 3, within: 1s, by: MVS5}\n",
	} {
		f := filepath.Join(t.TempDir(), "s.yaml")
		text := "name: x\nclients:\n  - {name: c, from: 192.0.2.10, hosts: 2000, connect: 201.2.10.11:60}\nexpect:\n" + bad
		if err := os.WriteFile(f, []byte(text), 0o600); err != nil {
			t.Fatal(err)
		}
		_, _, ds := Read(f)
		if len(ds) < 2 {
			t.Errorf("%q: want diagnostics for hosts and tunnels, got %v", bad, ds)
		}
	}
}

// TestClientHostsOverlap: every host of a client has an address of its
// own; a second client inside the first one's run of hosts is refused.
func TestClientHostsOverlap(t *testing.T) {
	f := filepath.Join(t.TempDir(), "s.yaml")
	text := "name: x\nclients:\n" +
		"  - {name: a, from: 192.0.2.10, hosts: 5, connect: 201.2.10.11:60}\n" +
		"  - {name: b, from: 192.0.2.12, connect: 201.2.10.11:60}\n"
	if err := os.WriteFile(f, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	_, _, ds := Read(f)
	if len(ds) != 1 || !strings.Contains(ds[0].Summary, "from 192.0.2.12 is also the address of client a") {
		t.Fatalf("diagnostics %v", ds)
	}
}

// TestClientIPsecFilesConfined: a client's cert, key and ca stay inside
// the scenario's directory, as lint keeps a key ring inside the sysplex
// directory: an absolute path, a ".." step or a symbolic link that leads
// out is an error at the value, and the client gets no such file.
func TestClientIPsecFilesConfined(t *testing.T) {
	dir := t.TempDir()
	outside := t.TempDir()
	if err := os.WriteFile(filepath.Join(outside, "ca.crt"), []byte("x"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(filepath.Join(outside, "ca.crt"), filepath.Join(dir, "link.crt")); err != nil {
		t.Fatal(err)
	}
	base := "name: x\nclients:\n  - {name: c, from: 192.0.2.10, connect: 201.2.10.11:60, connections: 1, ipsec: {cert: c.crt, key: c.key, ca: %s}}\n"
	for _, ca := range []string{"/etc/ca.crt", "../ca.crt", "certs/../../ca.crt", "link.crt"} {
		sc, _, ds := Parse(filepath.Join(dir, "a.yaml"), []byte(fmt.Sprintf(base, ca)))
		outside := 0
		for _, d := range ds {
			if strings.Contains(d.Summary, ca+" is outside the scenario's directory") && d.Range.Start.Line == 3 {
				outside++
			}
		}
		if outside != 1 {
			t.Errorf("ca %s: %v", ca, diag.FormatText(ds, nil))
		}
		if len(sc.Clients) == 1 && sc.Clients[0].CA != "" {
			t.Errorf("ca %s: the client reads %s", ca, sc.Clients[0].CA)
		}
	}
}

// TestRequiredKeys: what the schema requires is never silently defaulted:
// an event without at would run at 0s, an owner without its stack passed
// as "nobody holds it", a takeover without within waited 0s.
func TestRequiredKeys(t *testing.T) {
	src := "name: x\napplications:\n  - {name: A, stacks: [S1]}\nclients:\n  - {name: c, from: 192.0.2.1}\n" +
		"timeline:\n  - {fail: S1}\nexpect:\n  - owner: {at: 500ms}\n  - takeover: {dvipa: 10.1.1.1}\n"
	_, f, ds := Parse("s.yaml", []byte(src))
	ds.Sort()
	got := diag.FormatText(ds, diag.Sources{f.Name: f.Text})
	for _, want := range []string{
		"s.yaml:3:5: error: an application needs name, stacks and bind",
		"s.yaml:5:5: error: a client needs name, from and connect",
		"s.yaml:7:5: error: a timeline event needs at",
		"s.yaml:9:12: error: owner needs dvipa and stack",
		"s.yaml:10:15: error: takeover needs within",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("missing %q in:\n%s", want, got)
		}
	}
}
