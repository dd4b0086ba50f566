package compile

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tcpipc/tcpipc/display"
	"github.com/tcpipc/tcpipc/model"
	"github.com/tcpipc/tcpipc/plan"
)

const figure9 = "../testdata/profiles/figure9"

// TestSecrets: pre-shared keys are in the plan only when asked for.
func TestSecrets(t *testing.T) {
	sx := load(t, figure9)
	const key = "figure9-demo-psk-0001"
	plain := planJSON(t, sx, Options{})
	if strings.Contains(plain, key) || !strings.Contains(plain, `"psk": "<redacted>"`) || !strings.Contains(plain, `"secrets": "redacted"`) {
		t.Errorf("plan without IncludeSecrets shows the key or no <redacted>")
	}
	full := planJSON(t, sx, Options{IncludeSecrets: true})
	if !strings.Contains(full, `"psk": "`+key+`"`) || !strings.Contains(full, `"secrets": "included"`) {
		t.Errorf("plan with IncludeSecrets lacks the key")
	}
	p, _ := Compile(sx)
	for _, v := range display.Views {
		var b strings.Builder
		if err := display.Write(&b, p, v.Name, ""); err != nil {
			t.Fatal(err)
		}
		if strings.Contains(b.String(), key) {
			t.Errorf("view %s shows the key", v.Name)
		}
	}
}

// TestReadPlan: a written plan reads back to the same bytes, and a plan of
// another version is refused.
func TestReadPlan(t *testing.T) {
	want := planJSON(t, load(t, figure9), Options{})
	p, err := plan.Read(strings.NewReader(want))
	if err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	if err := p.WriteJSON(&b); err != nil {
		t.Fatal(err)
	}
	if b.String() != want {
		t.Error("plan does not survive a round trip")
	}
	if _, err := plan.Read(strings.NewReader(strings.Replace(want, plan.Version, "tcpipc.plan/v9", 1))); err == nil {
		t.Error("ReadPlan accepts another version")
	}
}

// TestTransforms pins the z/OS names to IANA's IKEv2 transform ids and the
// refusals.
func TestTransforms(t *testing.T) {
	c := &compiler{seen: map[string]bool{}}
	for _, tc := range []struct {
		offer model.KeyExchangeOffer
		v2    bool
		want  string // transforms as TYPE:id/keylen, or "refused: …"
	}{
		{model.KeyExchangeOffer{HowToEncrypt: "AES_CBC", KeyLength: 256, HowToVerifyMsgs: "HMAC_SHA2_256_128", PseudoRandomFunction: "HMAC_SHA2_256", DHGroup: "GROUP19"}, true,
			"ENCR:12/256 PRF:5 INTEG:12 DH:19"},
		{model.KeyExchangeOffer{HowToEncrypt: "AES_CBC", HowToAuthMsgs: "SHA1", DHGroup: "GROUP14"}, false,
			"ENCR:12/128 PRF:2 INTEG:2 DH:14"},
		{model.KeyExchangeOffer{HowToEncrypt: "AES_GCM_16", KeyLength: 256, PseudoRandomFunction: "HMAC_SHA2_512", DHGroup: "GROUP20"}, true,
			"ENCR:20/256 PRF:7 DH:20"},
		{model.KeyExchangeOffer{HowToEncrypt: "AES_CBC", HowToVerifyMsgs: "HMAC_SHA2_384_192", DHGroup: "GROUP21"}, true,
			"ENCR:12/128 PRF:6 INTEG:13 DH:21"},
		{model.KeyExchangeOffer{HowToEncrypt: "DES", HowToVerifyMsgs: "HMAC_SHA1", DHGroup: "GROUP14"}, true, "refused: DES"},
		{model.KeyExchangeOffer{HowToEncrypt: "3DES", HowToVerifyMsgs: "HMAC_SHA1", DHGroup: "GROUP14"}, true, "refused: 3DES"},
		{model.KeyExchangeOffer{HowToEncrypt: "AES_CBC", HowToAuthMsgs: "MD5", DHGroup: "GROUP14"}, false, "refused: MD5"},
		{model.KeyExchangeOffer{HowToEncrypt: "AES_CBC", HowToVerifyMsgs: "HMAC_SHA1", DHGroup: "GROUP1"}, true, "refused: DH group 1"},
		{model.KeyExchangeOffer{HowToEncrypt: "AES_CBC", HowToVerifyMsgs: "HMAC_SHA1", DHGroup: "GROUP2"}, true, "refused: DH group 2"},
		{model.KeyExchangeOffer{HowToEncrypt: "AES_CBC", HowToVerifyMsgs: "HMAC_SHA1", DHGroup: "GROUP5"}, true, "refused: DH group 5"},
		{model.KeyExchangeOffer{HowToEncrypt: "AES_CBC", HowToVerifyMsgs: "HMAC_SHA1", DHGroup: "GROUP24"}, true, "refused: DH group 24"},
		{model.KeyExchangeOffer{HowToEncrypt: "AES_CBC", HowToVerifyMsgs: "HMAC_SHA1"}, true, "refused: DHGroup is not coded"},
	} {
		p, why := c.ikeProposal(&tc.offer, tc.v2)
		got := "refused: " + why
		if why == "" {
			got = transformsText(p.Transforms)
		}
		if !strings.HasPrefix(got, tc.want) {
			t.Errorf("%+v: got %q, want %q", tc.offer, got, tc.want)
		}
	}
	for _, tc := range []struct {
		offer model.DataOffer
		pfs   *plan.Transform
		want  string
	}{
		{model.DataOffer{Encrypt: "AES_GCM_16", KeyLength: 128, AuthProtocol: "ESP", AuthAlgorithm: "NULL"}, nil, "ENCR:20/128 ESN:0"},
		{model.DataOffer{Encrypt: "AES_CBC", KeyLength: 256, AuthProtocol: "ESP", AuthAlgorithm: "HMAC_SHA2_512_256"}, &plan.Transform{Type: "DH", ID: 14}, "ENCR:12/256 INTEG:14 DH:14 ESN:0"},
		{model.DataOffer{AuthProtocol: "AH", AuthAlgorithm: "HMAC_SHA1"}, nil, "INTEG:2 ESN:0"},
		{model.DataOffer{Encrypt: "AES_CBC", AuthProtocol: "ESP", AuthAlgorithm: "NULL"}, nil, "refused: no integrity"},
		{model.DataOffer{Encrypt: "DES", AuthProtocol: "ESP", AuthAlgorithm: "HMAC_SHA1"}, nil, "refused: DES"},
		{model.DataOffer{Encrypt: "AES_CBC", AuthProtocol: "ESP", AuthAlgorithm: "HMAC_MD5"}, nil, "refused: MD5"},
	} {
		p, why := childProposal(&tc.offer, tc.pfs, "TUNNEL")
		got := "refused: " + why
		if why == "" {
			got = transformsText(p.Transforms)
		}
		if !strings.HasPrefix(got, tc.want) {
			t.Errorf("%+v: got %q, want %q", tc.offer, got, tc.want)
		}
	}
}

func transformsText(ts []plan.Transform) string {
	var parts []string
	for _, t := range ts {
		s := fmt.Sprintf("%s:%d", t.Type, t.ID)
		if t.KeyLength > 0 {
			s += fmt.Sprintf("/%d", t.KeyLength)
		}
		parts = append(parts, s)
	}
	return strings.Join(parts, " ")
}

// TestHotStandbyTheStackRefusesIsLeftOut: a HOTSTANDBY VIPADISTRIBUTE with
// DESTIP ALL (EZZ0165I) or without a PREFERRED target (EZZ0827I) is
// rejected or ignored by the stack, so the plan does not distribute the
// DVIPA by it (the runtime ran it and sent connections to a "backup");
// the valid one beside them stays.
// writeSysplex writes files (path → text) under a new directory.
func writeSysplex(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for name, text := range files {
		path := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// compileFiles loads and compiles a sysplex written from files (see
// writeSysplex), failing the test on a load error or on a plan that does
// not validate.
func compileFiles(t *testing.T, files map[string]string) *plan.Plan {
	t.Helper()
	sx, ds := model.Load(writeSysplex(t, files), model.Options{})
	if ds.HasErrors() {
		t.Fatalf("%v", ds)
	}
	p, _ := Compile(sx)
	if err := p.Validate(); err != nil {
		t.Fatal(err)
	}
	return p
}

// TestLongFormBackupOwnerValidates: a DVIPA no stack VIPADEFINEs is owned
// by the long-form backup that creates it, which stays in the backup
// chain; the plan passes plan.Validate, which show, whatif and run apply
// (it was refused as "A is the owner").
func TestLongFormBackupOwnerValidates(t *testing.T) {
	dir := writeSysplex(t, map[string]string{
		"sysplex.yaml": "sysplex: LF\nstacks:\n  - {name: A, profile: A/P}\n  - {name: B, profile: B/P}\n",
		"A/P":          "IPCONFIG DYNAMICXCF 10.0.0.1 255.255.255.0 1\nVIPADYNAMIC\n VIPABACKUP 200 MOVEABLE IMMEDIATE 255.255.255.0 10.1.1.1\nENDVIPADYNAMIC\n",
		"B/P":          "IPCONFIG DYNAMICXCF 10.0.0.2 255.255.255.0 1\nVIPADYNAMIC\n VIPABACKUP 100 10.1.1.1\nENDVIPADYNAMIC\n",
	})
	sx, ds := model.Load(dir, model.Options{})
	if ds.HasErrors() {
		t.Fatalf("%v", ds)
	}
	p, _ := Compile(sx)
	if p.DVIPAs[0].Owner != "A" {
		t.Fatalf("owner %q, want A", p.DVIPAs[0].Owner)
	}
	if err := p.Validate(); err != nil {
		t.Fatal(err)
	}
}

func TestHotStandbyTheStackRefusesIsLeftOut(t *testing.T) {
	dir := writeSysplex(t, map[string]string{
		"sysplex.yaml": "sysplex: HS\nstacks:\n  - {name: A, profile: A/P}\n  - {name: B, profile: B/P}\n",
		"A/P": "IPCONFIG DYNAMICXCF 10.0.0.1 255.255.255.0 1\nVIPADYNAMIC\n VIPADEFINE 255.255.255.0 10.9.9.1 10.9.9.2 10.9.9.3\n" +
			" VIPADISTRIBUTE DISTMETHOD HOTSTANDBY 10.9.9.1 PORT 80 DESTIP ALL\n" +
			" VIPADISTRIBUTE DISTMETHOD HOTSTANDBY 10.9.9.2 PORT 80 DESTIP 10.0.0.1 BACKUP 10 10.0.0.2 BACKUP 20\n" +
			" VIPADISTRIBUTE DISTMETHOD HOTSTANDBY 10.9.9.3 PORT 80 DESTIP 10.0.0.1 PREFERRED 10.0.0.2 BACKUP 20\nENDVIPADYNAMIC\n",
		"B/P": "IPCONFIG DYNAMICXCF 10.0.0.2 255.255.255.0 1\n",
	})
	sx, _ := model.Load(dir, model.Options{})
	p, _ := Compile(sx)
	for _, d := range p.DVIPAs {
		want := 0
		if d.Addr.String() == "10.9.9.3" {
			want = 1
		}
		if len(d.Distributions) != want {
			t.Errorf("%s has %d distributions, want %d", d.Addr, len(d.Distributions), want)
		}
	}
}

// TestInlineDynVpnActions: an IpDynVpnAction written inline in a filter
// rule has no name (IBM: Policy Agent gives it a nonpersistent system
// name); each gets a name of its own in the plan, which its filters name.
// Both were named "", so the filters named no action and the second
// rule's action was dropped for the first's.
func TestInlineDynVpnActions(t *testing.T) {
	rule := func(name, remote, enc string) string {
		return "IpFilterRule " + name + "\n{\n IpSourceAddr 192.0.2.1\n IpDestAddr " + remote + "\n" +
			" IpGenericFilterAction\n {\n  IpFilterAction IpSec\n }\n" +
			" IpDynVpnAction\n {\n  IpDataOffer\n  {\n   HowToEncrypt " + enc + "\n   HowToAuth ESP HMAC_SHA2_256_128\n  }\n }\n}\n"
	}
	p := compileFiles(t, map[string]string{
		"sysplex.yaml": "sysplex: INL\nstacks:\n  - {name: A, profile: A/P, policy: [A.policy]}\n",
		"A/P":          "IPCONFIG IPSECURITY\n",
		"A.policy": "IpFilterPolicy\n{\n IpFilterRuleRef one\n IpFilterRuleRef two\n}\n" +
			rule("one", "198.51.100.1", "AES_CBC KeyLength 128") + rule("two", "198.51.100.2", "AES_CBC KeyLength 256"),
	})
	spd := p.Stacks[0].SPD
	keyLen := map[string]int{} // action -> key length of its offer
	for _, a := range spd.VPNActions {
		if a.Name == "" || len(a.Name) > 32 || strings.ContainsAny(a.Name, " ,") {
			t.Errorf("VPN action name %q is not a policy name", a.Name)
		}
		for _, pr := range a.Proposals {
			keyLen[a.Name] = pr.Transforms[0].KeyLength
		}
	}
	want := map[string]int{"one": 128, "two": 256}
	for _, f := range spd.Filters {
		if f.Implicit {
			continue
		}
		if got := keyLen[f.VPNAction]; got != want[f.Name] {
			t.Errorf("filter %s.%d: VPN action %q offers AES key length %d, want %d", f.Name, f.Extension, f.VPNAction, got, want[f.Name])
		}
	}
}

// TestUnnamedInlineKeyExchangeRules: KeyExchangeRules written inline in
// the KeyExchangePolicy without a name, with inline actions and offers,
// reach the plan with names: the peers were named "" (both alike), and
// the offers of a proposal had no name, nor had a VPN action's inline
// IpDataOffers.
func TestUnnamedInlineKeyExchangeRules(t *testing.T) {
	rule := func(remote string) string {
		return " KeyExchangeRule\n {\n  LocalSecurityEndpoint\n  {\n   Identity IpAddr 192.0.2.1\n   Location 192.0.2.1\n  }\n" +
			"  RemoteSecurityEndpoint\n  {\n   Identity IpAddr " + remote + "\n   Location " + remote + "\n  }\n" +
			"  KeyExchangeAction\n  {\n   HowToInitiate IKEv2\n   HowToAuthMe PresharedKey\n" +
			"   KeyExchangeOffer\n   {\n    HowToEncrypt AES_CBC KeyLength 128\n    HowToVerifyMsgs HMAC_SHA2_256_128\n    PseudoRandomFunction HMAC_SHA2_256\n    DHGroup Group19\n   }\n" +
			"   KeyExchangeOffer\n   {\n    HowToEncrypt AES_CBC KeyLength 256\n    HowToVerifyMsgs HMAC_SHA2_256_128\n    PseudoRandomFunction HMAC_SHA2_256\n    DHGroup Group19\n   }\n  }\n" +
			"  SharedKey Ascii test-only-key\n }\n"
	}
	p := compileFiles(t, map[string]string{
		"sysplex.yaml": "sysplex: INL\nstacks:\n  - {name: A, profile: A/P, policy: [A.policy]}\n",
		"A/P":          "IPCONFIG IPSECURITY\n",
		"A.policy": "IpFilterPolicy\n{\n IpFilterRule vpn\n {\n  IpGenericFilterAction\n  {\n   IpFilterAction IpSec\n  }\n" +
			"  IpDynVpnAction\n  {\n   IpDataOffer\n   {\n    HowToEncrypt AES_GCM_16 KeyLength 128\n    HowToAuth ESP Null\n   }\n" +
			"   IpDataOffer\n   {\n    HowToEncrypt AES_GCM_16 KeyLength 256\n    HowToAuth ESP Null\n   }\n  }\n }\n}\n" +
			"KeyExchangePolicy\n{\n" + rule("198.51.100.1") + rule("198.51.100.2") + "}\n",
	})
	peers := p.Stacks[0].IKE.Peers
	if len(peers) != 2 || peers[0].Rule == "" || peers[0].Rule == peers[1].Rule {
		var rules []string
		for _, pe := range peers {
			rules = append(rules, pe.Rule)
		}
		t.Fatalf("peers named %q, want two names", rules)
	}
	offers := map[string]bool{}
	for _, pe := range peers {
		for _, pr := range pe.Proposals {
			offers[pr.Offer] = true
		}
	}
	for _, a := range p.Stacks[0].SPD.VPNActions {
		for _, pr := range a.Proposals {
			offers[pr.Offer] = true
		}
	}
	if len(offers) != 6 || offers[""] {
		t.Errorf("proposals name the offers %v, want six names", offers)
	}
}

// TestUnnamedInlineFilterRules: an IpFilterRule written inline in the
// IpFilterPolicy may have no name (IBM: Policy Agent creates a
// nonpersistent system name). Its filters get a name of their own, made
// from where the rule is written, and so do their inline actions: the
// filters were named "", which plan.Validate refuses, so compile failed
// on valid policy, and both inline actions were named "~inline".
func TestUnnamedInlineFilterRules(t *testing.T) {
	rule := func(remote, enc string) string {
		return " IpFilterRule\n {\n  IpSourceAddr 192.0.2.1\n  IpDestAddr " + remote + "\n" +
			"  IpGenericFilterAction\n  {\n   IpFilterAction IpSec\n  }\n" +
			"  IpDynVpnAction\n  {\n   IpDataOffer\n   {\n    HowToEncrypt " + enc + "\n    HowToAuth ESP HMAC_SHA2_256_128\n   }\n  }\n }\n"
	}
	p := compileFiles(t, map[string]string{
		"sysplex.yaml": "sysplex: INL\nstacks:\n  - {name: A, profile: A/P, policy: [A.policy]}\n",
		"A/P":          "IPCONFIG IPSECURITY\n",
		"A.policy":     "IpFilterPolicy\n{\n" + rule("198.51.100.1", "AES_CBC KeyLength 128") + rule("198.51.100.2", "AES_CBC KeyLength 256") + "}\n",
	})
	spd := p.Stacks[0].SPD
	keyLen := map[string]int{} // action -> key length of its offer
	for _, a := range spd.VPNActions {
		for _, pr := range a.Proposals {
			keyLen[a.Name] = pr.Transforms[0].KeyLength
		}
	}
	want := map[string]int{"198.51.100.1": 128, "198.51.100.2": 256} // destination -> key length
	names := map[string]bool{}
	for _, f := range spd.Filters {
		if f.Implicit || f.VPNAction == "" {
			continue
		}
		names[f.Name] = true
		if got, w := keyLen[f.VPNAction], want[strings.TrimSuffix(f.Remote, "/32")]; got != w {
			t.Errorf("filter %s to %s: VPN action %q offers AES key length %d, want %d", f.Name, f.Remote, f.VPNAction, got, w)
		}
	}
	if len(names) != 2 {
		t.Errorf("unnamed rules' filters named %v, want two names", names)
	}
}
