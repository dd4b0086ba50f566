package policy

import (
	"bytes"
	"encoding/json"
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"golang.org/x/text/encoding/charmap"

	"github.com/tcpipc/tcpipc/diag"
	"github.com/tcpipc/tcpipc/grammar/source"
	"github.com/tcpipc/tcpipc/internal/testkit/expect"
	"github.com/tcpipc/tcpipc/internal/testkit/golden"
)

func TestLex(t *testing.T) {
	for _, c := range []struct {
		name, in string
		want     []string
		comments []string
	}{
		{"statement and value", "LogLevel 31\n", []string{"Word:LogLevel", "Word:31", "Newline", "EOF"}, nil},
		{"no final line end", "LogLevel 31", []string{"Word:LogLevel", "Word:31", "Newline", "EOF"}, nil},
		{"empty file", "", []string{"Newline", "EOF"}, nil},
		{"crlf", "IkeConfig\r\n{\r\n}\r\n", []string{"Word:IkeConfig", "Newline", "LBrace:{", "Newline", "RBrace:}", "Newline", "EOF"}, nil},
		{"comment line and trailing comment", "# head\nIpFilterAction Permit # why\n",
			[]string{"Newline", "Word:IpFilterAction", "Word:Permit", "Newline", "EOF"}, []string{"head", "why"}},
		{"hash inside a word is text", "KeyRing IKED#1/RING#2\n", []string{"Word:KeyRing", "Word:IKED#1/RING#2", "Newline", "EOF"}, nil},
		{"braces split from words", "IpService{Protocol tcp}\n",
			[]string{"Word:IpService", "LBrace:{", "Word:Protocol", "Word:tcp", "RBrace:}", "Newline", "EOF"}, nil},
		{"tabs and blanks", "\tHowToEncrypt \t AES_CBC  KeyLength 128\n",
			[]string{"Word:HowToEncrypt", "Word:AES_CBC", "Word:KeyLength", "Word:128", "Newline", "EOF"}, nil},
		{"secret keeps braces and drops its comment", "sharedkey Ascii a{b}c # note\n",
			[]string{"Word:sharedkey", "Secret:Ascii", "Secret:a{b}c", "Newline", "EOF"}, nil},
		{"secret after a brace", "{ SharedKey Hex 0a0b\n", []string{"LBrace:{", "Word:SharedKey", "Secret:Hex", "Secret:0a0b", "Newline", "EOF"}, nil},
		{"misspelt secret is still secret", "ShardKey Ascii abc\n", []string{"Word:ShardKey", "Secret:Ascii", "Secret:abc", "Newline", "EOF"}, nil},
		{"secret mode ends with the line", "SharedKey Ascii x\n}\n", []string{"Word:SharedKey", "Secret:Ascii", "Secret:x", "Newline", "RBrace:}", "Newline", "EOF"}, nil},
		{"a key alone on its line is followed", "SharedKey\nAscii x\n}\n",
			[]string{"Word:SharedKey", "Secret:Ascii", "Secret:x", "Newline", "RBrace:}", "Newline", "EOF"}, nil},
		{"a format without a key is followed", "SharedKey Hex\n\n  0a0b # c\n", []string{"Word:SharedKey", "Secret:Hex", "Secret:0a0b", "Newline", "EOF"}, nil},
		{"a backslash continues a key", "SharedKey Ascii \\\n x\n", []string{"Word:SharedKey", "Secret:Ascii", "Secret:\\", "Secret:x", "Newline", "EOF"}, nil},
		{"a missing key stops at a brace", "SharedKey Ascii\n}\n", []string{"Word:SharedKey", "Secret:Ascii", "Newline", "RBrace:}", "Newline", "EOF"}, nil},
		{"a missing key stops at a known word", "SharedKey\nKeyExchangeActionRef a\n",
			[]string{"Word:SharedKey", "Newline", "Word:KeyExchangeActionRef", "Word:a", "Newline", "EOF"}, nil},
		{"a comment line does not end a value without a key", "SharedKey\n# why\nx\n", []string{"Word:SharedKey", "Secret:x", "Newline", "EOF"}, nil},
		{"a secret word on a continued line is no key", "ShA\nLDAP_AuthPassword\n\n x\n",
			[]string{"Word:ShA", "Secret:LDAP_AuthPassword", "Secret:x", "Newline", "EOF"}, nil},
		{"a key with key in it", "SharedKey Ascii\n my-key-1\nKeyExchangeActionRef a\n",
			[]string{"Word:SharedKey", "Secret:Ascii", "Secret:my-key-1", "Newline", "Word:KeyExchangeActionRef", "Word:a", "Newline", "EOF"}, nil},
		{"a backslash alone is no word of the key", "SharedKey \\\n\nAscii x\n", []string{"Word:SharedKey", "Secret:\\", "Secret:Ascii", "Secret:x", "Newline", "EOF"}, nil},
		{"a complete key is not followed", "SharedKey abc\nx\n", []string{"Word:SharedKey", "Secret:abc", "Newline", "Word:x", "Newline", "EOF"}, nil},
		{"a secret name later on the line", "KeyExchangeRule r SharedKey Ascii a{b}\n",
			[]string{"Word:KeyExchangeRule", "Word:r", "Word:SharedKey", "Secret:Ascii", "Secret:a{b}", "Newline", "EOF"}, nil},
		{"a joined value is a secret word", "KeyExchangeRule r SharedKey=Ascii=k x\n",
			[]string{"Word:KeyExchangeRule", "Word:r", "Secret:SharedKey=Ascii=k", "Secret:x", "Newline", "EOF"}, nil},
		{"a joined keyword stays a word", "SharedKey:Ascii: k\n", []string{"Word:SharedKey:Ascii:", "Secret:k", "Newline", "EOF"}, nil},
		{"a joined format waits for its key", "SharedKey=Ascii\nk\n", []string{"Word:SharedKey=Ascii", "Secret:k", "Newline", "EOF"}, nil},
		{"a name joined before", "x\u00a0SharedKey Ascii k\n", []string{"Word:x\u00a0SharedKey", "Secret:Ascii", "Secret:k", "Newline", "EOF"}, nil},
		{"a ref to a name with key in it", "KeyExchangeActionRef my-key-action x\n",
			[]string{"Word:KeyExchangeActionRef", "Word:my-key-action", "Word:x", "Newline", "EOF"}, nil},
	} {
		t.Run(c.name, func(t *testing.T) {
			lx := Lex(source.New("f", []byte(c.in), source.UTF8))
			var got []string
			for _, tok := range lx.Tokens {
				s := TokenTypeName(tok.Type)
				if tok.Type != Newline && tok.Type != EOF {
					s += ":" + tok.Value
				}
				got = append(got, s)
			}
			if diff := cmp.Diff(c.want, got); diff != "" {
				t.Errorf("tokens (-want +got):\n%s", diff)
			}
			var comments []string
			for _, cm := range lx.Comments {
				comments = append(comments, cm.Text)
			}
			if diff := cmp.Diff(c.comments, comments); diff != "" {
				t.Errorf("comments (-want +got):\n%s", diff)
			}
		})
	}
}

func TestLexPositions(t *testing.T) {
	lx := Lex(source.New("f", []byte("a\r\n  bb {\n"), source.UTF8))
	bb, brace := lx.Tokens[2], lx.Tokens[3]
	if bb.Pos.Line != 2 || bb.Pos.Column != 3 || bb.Pos.Offset != 5 || brace.Pos.Column != 6 {
		t.Errorf("bb at %+v, { at %+v", bb.Pos, brace.Pos)
	}
}

// TestGrammarPinned keeps every grammar and schema change visible in
// review: Grammar() must equal the checked-in grammar.ebnf.
func TestGrammarPinned(t *testing.T) {
	golden.File(t, "grammar.ebnf", Grammar(), "the grammar")
}

// TestGolden parses every in/ file of each archive and compares the trees
// and the diagnostics; `# want` comments must match the diagnostics.
func TestGolden(t *testing.T) {
	golden.Run(t, "../testdata/policy/*.txtar", func(t *testing.T, c *golden.Case) map[string]string {
		var tree, diags bytes.Buffer
		var all diag.Diagnostics
		var exps []*expect.Expectation
		for _, name := range c.Inputs() {
			path := filepath.Join(c.Dir, name)
			f, ds := ParseFile(path, Options{})
			if err := f.WriteTree(&tree); err != nil {
				t.Fatal(err)
			}
			if err := diag.WriteText(&diags, ds, f.Sources()); err != nil {
				t.Fatal(err)
			}
			all = append(all, ds...)
			data, _ := c.Input(name)
			e, err := expect.Parse(path, data)
			if err != nil {
				t.Fatal(err)
			}
			exps = append(exps, e...)
		}
		expect.Check(t, all, exps)
		return map[string]string{
			"tree":        golden.RelativeTo(tree.String(), c.Dir),
			"diagnostics": golden.RelativeTo(diags.String(), c.Dir),
		}
	})
}

// TestFigure9SamplesParseCleanly parses the bundled example sysplex's
// pagent, policy and iked files: no error, no warning, the right kind, and
// the DVIPA rules of owner and backup identical.
func TestFigure9SamplesParseCleanly(t *testing.T) {
	dir := "../../testdata/profiles/figure9"
	want := map[string]Kind{
		"MVS1/pagent.conf": PagentMain, "MVS5/pagent.conf": PagentMain,
		"common.policy": IPSecPolicy, "MVS1.policy": IPSecPolicy, "MVS5.policy": IPSecPolicy,
		"MVS1/iked.conf": Iked, "MVS5/iked.conf": Iked,
	}
	files := map[string]*File{}
	for name, kind := range want {
		f, ds := ParseFile(filepath.Join(dir, name), Options{})
		if len(ds) != 0 {
			t.Errorf("%s:\n%s", name, diag.FormatText(ds, f.Sources()))
		}
		if f.Kind != kind {
			t.Errorf("%s: kind %s, want %s", name, f.Kind, kind)
		}
		files[name] = f
	}
	// Statements that concern DVA1 and DVB1 must be the same on MVS1
	// (owner of DVA1, backup of DVB1) and MVS5 (the reverse).
	dvipa := func(f *File) string {
		var b strings.Builder
		for _, e := range f.Entries {
			if strings.Contains(e.Name(), "DV") || e.Keyword == "KeyExchangePolicy" {
				fmt.Fprintf(&b, "%s %s\n", e.Keyword, e.Name())
				writeEntryText(&b, e)
			}
		}
		return b.String()
	}
	a, b := dvipa(files["MVS1.policy"]), dvipa(files["MVS5.policy"])
	if a == "" || a != b {
		t.Errorf("DVIPA statements differ between MVS1 and MVS5:\n%s", cmp.Diff(a, b))
	}
	for _, n := range []string{"DVA1-app60-client-net", "DVB1-app60-client-net", "DVA1-client-net", "DVB1-client-net"} {
		if !strings.Contains(a, n) {
			t.Errorf("MVS1.policy lacks %s", n)
		}
	}
}

// writeEntryText prints an entry's content without positions.
func writeEntryText(b *strings.Builder, e *Entry) {
	fmt.Fprintf(b, "%s %s\n", e.Keyword, strings.Join(e.Texts(), " "))
	if e.Block != nil {
		for _, c := range e.Block.Entries {
			writeEntryText(b, c)
		}
	}
}

// TestSecretNeverShown puts a known key in every place a secret can go
// and checks that no rendering, diagnostic or formatted value shows it,
// while the model can still read it.
func TestSecretNeverShown(t *testing.T) {
	const key = "Zq7SECRETxx"
	inputs := map[string]string{
		"valid":             "KeyExchangeRule r\n{\n  SharedKey Ascii " + key + "\n}\n",
		"braces in key":     "KeyExchangeRule r\n{\n  SharedKey Ascii {" + key + "}\n}\n",
		"comment after key": "KeyExchangeRule r\n{\n  SharedKey Ascii " + key + " #" + key + "\n}\n",
		"misplaced":         "IpDataOffer o\n{\n  SharedKey Ascii " + key + "\n}\n",
		"top level":         "SharedKey Ascii " + key + "\n",
		"misspelt":          "KeyExchangeRule r\n{\n  ShardKey Ascii " + key + "\n}\n",
		"no type":           "KeyExchangeRule r\n{\n  SharedKey " + key + "\n}\n",
		"too many words":    "KeyExchangeRule r\n{\n  SharedKey Ascii " + key + " " + key + "\n}\n",
		"given twice":       "KeyExchangeRule r\n{\n  SharedKey Ascii " + key + "\n  SharedKey Ascii " + key + "\n}\n",
		"key on next line":  "KeyExchangeRule r\n{\n  SharedKey Ascii\n  " + key + "\n}\n",
		"inline rule":       "KeyExchangePolicy\n{\n  KeyExchangeRule\n  {\n    SharedKey Ascii " + key + "\n  }\n}\n",
		"with a block":      "KeyExchangeRule r\n{\n  SharedKey Ascii " + key + "\n  {\n  }\n}\n",
		"manual key":        "IpManVpnAction m\n{\n  InboundAuthKey Hex " + key + "\n}\n",
		"unclosed":          "KeyExchangeRule r\n{\n  SharedKey Ascii " + key + "\n",
		// The value on lines of its own (issue 11): the lexer follows it.
		"keyword alone":        "KeyExchangeRule r\n{\n  SharedKey\n  Ascii " + key + "\n}\n",
		"keyword alone, crlf":  "KeyExchangeRule r\r\n{\r\n  SharedKey\r\n  Ascii " + key + "\r\n}\r\n",
		"blank line between":   "KeyExchangeRule r\n{\n  SharedKey\n\n  Ascii " + key + "\n}\n",
		"comment line between": "KeyExchangeRule r\n{\n  SharedKey\n  # the key:\n  Ascii " + key + "\n}\n",
		"backslash":            "KeyExchangeRule r\n{\n  SharedKey Ascii \\\n  " + key + "\n}\n",
		"backslash in the key": "KeyExchangeRule r\n{\n  SharedKey Ascii abc\\\n" + key + "\n}\n",
		"two backslashes":      "KeyExchangeRule r\n{\n  SharedKey Ascii \\\n  \\\n  " + key + "\n}\n",
		"hex split":            "KeyExchangeRule r\n{\n  SharedKey Hex\n  " + key + "\n}\n",
		"top level split":      "SharedKey\nAscii " + key + "\n",
		"manual key split":     "IpManVpnAction m\n{\n  InboundEncryptKey Hex\n  " + key + "\n}\n",
		"misspelt split":       "KeyExchangeRule r\n{\n  ShardKey\n  Ascii " + key + "\n}\n",
		// Passwords of statements tcpipc keeps without modelling them.
		"LDAP password":       "ReadFromDirectory\n{\n  LDAP_AuthPassword " + key + "\n}\n",
		"AT-TLS password":     "TTLSGskLdapParms p\n{\n  GSK_LDAP_Password " + key + "\n}\n",
		"keyring pw":          "TTLSKeyringParms k\n{\n  KeyringPw " + key + "\n}\n",
		"split, then a brace": "KeyExchangeRule r\n{\n  SharedKey Ascii\n  " + key + "\n  {\n  }\n}\n",
	}
	for name, in := range inputs {
		t.Run(name, func(t *testing.T) {
			f, ds := Parse("k.policy", []byte(in), Options{Kind: IPSecPolicy})
			var out bytes.Buffer
			writeTreeAndDiagnostics(t, &out, f, ds)
			f.Walk(func(e, _ *Entry) {
				for _, v := range e.Values {
					fmt.Fprintf(&out, "%v %+v %#v %s\n", v, v, v, v)
					fmt.Fprintf(&out, "%v %+v %#v\n", *v, *v, *v)
				}
				fmt.Fprintln(&out, e.Texts(), e.Name())
			})
			if strings.Contains(out.String(), key) || strings.Contains(out.String(), key[:8]) {
				t.Errorf("the key shows in the output:\n%s", out.String())
			}
			if !strings.Contains(out.String(), Redacted) {
				t.Errorf("no %s in the output:\n%s", Redacted, out.String())
			}
			found := false
			f.Walk(func(e, _ *Entry) {
				for _, v := range e.Values {
					found = found || strings.Contains(v.Text, key)
				}
			})
			if !found {
				t.Errorf("the model cannot read the key: it is in no Value.Text")
			}
		})
	}
}

func TestRanges(t *testing.T) {
	in := "# c0\nIpFilterRule r1\n{\n  IpService\n  {\n    Protocol tcp  # c1\n  }\n}\n"
	f, ds := Parse("r.policy", []byte(in), Options{})
	if len(ds) != 0 {
		t.Fatal(diag.FormatText(ds, f.Sources()))
	}
	rule := f.Entries[0]
	svc := rule.Block.Entries[0]
	proto := svc.Block.Entries[0]
	for _, c := range []struct {
		what string
		got  diag.Range
		want string
	}{
		{"rule keyword", rule.KeywordRange, "2:1-2:13"},
		{"rule name", rule.Values[0].Range, "2:14-2:16"},
		{"rule", rule.Range, "2:1-8:2"},
		{"rule open", rule.Block.Open, "3:1-3:2"},
		{"rule close", rule.Block.Close, "8:1-8:2"},
		{"service", svc.Range, "4:3-7:4"},
		{"protocol", proto.Range, "6:5-6:17"},
		{"tcp", proto.Values[0].Range, "6:14-6:17"},
	} {
		if got := span(c.got); got != c.want || c.got.File != "r.policy" {
			t.Errorf("%s: %s %s, want %s", c.what, c.got.File, got, c.want)
		}
		if s := string(f.Source.Text[c.got.Start.Offset:c.got.End.Offset]); c.what == "tcp" && s != "tcp" {
			t.Errorf("tcp range covers %q", s)
		}
	}
	if diff := cmp.Diff([]string{"c0"}, rule.Comments); diff != "" {
		t.Errorf("rule comments: %s", diff)
	}
	if diff := cmp.Diff([]string{"c1"}, proto.Comments); diff != "" {
		t.Errorf("protocol comments: %s", diff)
	}
}

func TestKindGuess(t *testing.T) {
	for in, want := range map[string]Kind{
		"":                                    PagentMain,
		"LogLevel 31\nTcpImage TCPIP\n":       PagentMain,
		"IkeConfig\n{\n}\n":                   Iked,
		"IpFilterPolicy\n{\n}\n":              IPSecPolicy,
		"IkeConfig\n{\n}\nIpAddr a\n{\n}\n":   Iked,
		"# only\nunknown x\nIpAddr a\n{\n}\n": IPSecPolicy,
		"NssStackConfig TCPIP\n{\n}\nLogLevel 1\nCodepage IBM-1047\n": PagentMain,
		"IpAddr a\n{\n}\nIpAddr b\n{\n}\nTTLSRule r\n{\n}\n":          ATTLS,
		"PortRange p\n{\n}\nIDSRule r\n{\n}\n":                        IDS,
		"RoutingRule r\n{\n}\nRouteTable t\n{\n}\n":                   Routing,
		"PolicyRule r\n{\n}\nPolicyAction a\n{\n}\n":                  QoS,
	} {
		f, _ := Parse("k", []byte(in), Options{})
		if f.Kind != want {
			t.Errorf("%q: kind %s, want %s", in, f.Kind, want)
		}
	}
	f, ds := Parse("k", []byte("IkeConfig\n{\n}\n"), Options{Kind: IPSecPolicy})
	if f.Kind != IPSecPolicy || len(ds) != 1 || !strings.Contains(ds[0].Summary, "not valid in an IPsec policy file") {
		t.Errorf("forced kind: %s, %s", f.Kind, diag.FormatText(ds, nil))
	}
	for _, s := range []string{"auto", "pagent", "ipsec", "iked", "ttls", "ids", "qos", "routing"} {
		k, err := ParseKind(s)
		if err != nil || k.String() != s {
			t.Errorf("ParseKind(%q) = %v, %v", s, k, err)
		}
	}
	if _, err := ParseKind("zert"); err == nil {
		t.Error("ParseKind(zert) succeeded")
	}
}

func TestParseFileUnreadable(t *testing.T) {
	f, ds := ParseFile(filepath.Join(t.TempDir(), "missing.conf"), Options{})
	if len(ds) != 1 || ds[0].Severity != diag.Error || ds[0].Rule != RuleRead {
		t.Fatalf("diagnostics: %s", diag.FormatText(ds, nil))
	}
	if f == nil || len(f.Entries) != 0 || f.Source == nil {
		t.Errorf("file = %+v", f)
	}
}

func TestEBCDICAndCRLF(t *testing.T) {
	text := "IkeConfig\r\n{\r\n  IkeRetries 6\r\n}\r\n"
	raw, err := charmap.CodePage1047.NewEncoder().Bytes([]byte(strings.ReplaceAll(text, "\r\n", "\u0085")))
	if err != nil {
		t.Fatal(err)
	}
	for name, c := range map[string]struct {
		data []byte
		enc  source.Encoding
	}{"crlf": {[]byte(text), source.Auto}, "ebcdic auto": {raw, source.Auto}, "ebcdic": {raw, source.EBCDIC}} {
		f, ds := Parse("iked.conf", c.data, Options{Encoding: c.enc})
		if len(ds) != 0 {
			t.Errorf("%s: %s", name, diag.FormatText(ds, f.Sources()))
			continue
		}
		if f.Kind != Iked || len(f.Entries) != 1 || len(f.Entries[0].Block.Entries) != 1 {
			t.Errorf("%s: kind %s, %d entries", name, f.Kind, len(f.Entries))
			continue
		}
		r := f.Entries[0].Block.Entries[0]
		if r.Keyword != "IkeRetries" || r.Values[0].Text != "6" || span(r.Range) != "3:3-3:15" {
			t.Errorf("%s: %s %v at %s", name, r.Keyword, r.Texts(), span(r.Range))
		}
	}
}

func TestSchema(t *testing.T) {
	for _, typ := range []string{"TcpImage", "PEPInstance", "IpSecConfig", "CommonIpSecConfig", "Codepage", "LogLevel",
		"AutoMonitorApps", "AutoMonitorParms", "ServicesConnection", "ClientConnection", "ServerConnection", "PolicyServer",
		"DynamicConfigPolicyLoad", "TTLSConfig", "CommonTTLSConfig", "IDSConfig", "RoutingConfig", "QoSConfig", "ZERTConfig",
		"IpFilterPolicy", "IpFilterRule", "IpFilterGroup", "IpGenericFilterAction", "IpDynVpnAction", "IpDataOffer",
		"IpManVpnAction", "IpLocalStartAction", "IpService", "IpServiceGroup", "IpAddr", "IpAddrSet", "IpAddrGroup",
		"IpTimeCondition", "KeyExchangePolicy", "KeyExchangeRule", "KeyExchangeGroup", "KeyExchangeAction",
		"KeyExchangeOffer", "LocalSecurityEndpoint", "RemoteSecurityEndpoint", "LocalDynVpnPolicy", "LocalDynVpnRule",
		"IkeConfig", "NssStackConfig"} {
		s, ok := LookupStatement(strings.ToLower(typ))
		if !ok || s.Type != typ || Schema()[typ] != s {
			t.Errorf("LookupStatement(%q) = %v, %v", strings.ToLower(typ), s, ok)
		}
	}
	kep := Schema()["KeyExchangePolicy"]
	for _, a := range []string{"LivenessInterval", "AllowNat", "KeyExchangeRuleRef", "KeyExchangeRule"} {
		if _, ok := kep.Attr(strings.ToUpper(a)); !ok {
			t.Errorf("KeyExchangePolicy lacks %s", a)
		}
	}
	ike := Schema()["IkeConfig"]
	for _, a := range []string{"IkeSyslogLevel", "PagentSyslogLevel", "SMF119", "IkeRetries", "IkeInitWait", "FIPS140", "KeyRing",
		"Echo", "NetworkSecurityServer", "NetworkSecurityServerBackup", "NssWaitLimit", "NssWaitRetries", "PagentWait", "SupportedCertAuth"} {
		if _, ok := ike.Attr(a); !ok {
			t.Errorf("IkeConfig lacks %s", a)
		}
	}
	if a, _ := Schema()["KeyExchangeRule"].Attr("sharedkey"); a == nil || !a.Secret {
		t.Errorf("SharedKey is not secret: %+v", a)
	}
	if a, _ := Schema()["IpFilterRule"].Attr("IpDynVpnActionRef"); a == nil || a.RefTo != "IpDynVpnAction" {
		t.Errorf("IpDynVpnActionRef: %+v", a)
	}
	if a, _ := Schema()["IpFilterGroup"].Attr("IpFilterRule"); a == nil || !a.Inline || !a.NeedsName {
		t.Errorf("IpFilterGroup.IpFilterRule: %+v", a)
	}
	if _, ok := LookupStatement("Protocol"); ok {
		t.Error("an attribute is found as a statement")
	}
}

func TestSuggest(t *testing.T) {
	for in, want := range map[string]string{
		"IpFilterRul": "IpFilterRule", "ipfilterpolcy": "IpFilterPolicy", "KeyExchangeRuel": "KeyExchangeRule",
		"IkeConfg": "IkeConfig", "Bogus": "", "TcpImag": "TcpImage",
	} {
		if got := suggest(in, topLevelNames(Auto)); got != want {
			t.Errorf("suggest(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestJSON(t *testing.T) {
	f, _ := Parse("j.policy", []byte("IpAddr a # c\n{\n  Addr 10.1.1.1\n}\n"), Options{})
	b, err := json.Marshal(f.JSON())
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`"kind":"ipsec"`, `"keyword":"IpAddr"`, `"text":"10.1.1.1"`, `"comments":["c"]`, `"close":{`} {
		if !strings.Contains(string(b), want) {
			t.Errorf("JSON lacks %s:\n%s", want, b)
		}
	}
}

// TestSecretSpans checks the byte ranges redaction blanks: every line of
// a value, from its first word to the end of its line, and nothing else.
func TestSecretSpans(t *testing.T) {
	for _, c := range []struct{ name, in, want string }{
		{"one line", "  SharedKey Ascii abc # c\n}\n", "  SharedKey *************\n}\n"},
		{"keyword alone", "  SharedKey\n  Ascii abc\n}\n", "  SharedKey\n  *********\n}\n"},
		{"backslash", "  SharedKey Ascii \\\n abc\n}\n", "  SharedKey *******\n ***\n}\n"},
		{"crlf", "SharedKey\r\nHex 0a\r\n}\r\n", "SharedKey\r\n******\r\n}\r\n"},
		{"missing key", "SharedKey\n}\n", "SharedKey\n}\n"},
		{"later on the line", "Rule r SharedKey Ascii abc\n", "Rule r SharedKey *********\n"},
		{"joined", "  SharedKey=Ascii=abc x\n", "  SharedKey************\n"},
		{"joined, no-break space", "SharedKey\u00a0abc\n", "SharedKey*****\n"},
	} {
		t.Run(c.name, func(t *testing.T) {
			f, _ := Parse("k.policy", []byte(c.in), Options{Kind: IPSecPolicy})
			if got := string(f.Sources()["k.policy"]); got != c.want {
				t.Errorf("masked source:\n%q\nwant\n%q", got, c.want)
			}
		})
	}
}

// TestSplitSecretIsReported checks that a value the lexer followed onto a
// later line is an error at the keyword (Policy Agent reads one attribute
// and its values per line), and that the entry keeps the whole value.
func TestSplitSecretIsReported(t *testing.T) {
	f, ds := Parse("k.policy", []byte("KeyExchangeRule r\n{\n  SharedKey\n  Ascii abc\n}\n"), Options{Kind: IPSecPolicy})
	if len(ds) != 1 || ds[0].Severity != diag.Error || ds[0].Rule != RuleValues ||
		ds[0].Range.Start.Line != 3 || !strings.Contains(ds[0].Summary, "continues on the next line") {
		t.Fatalf("diagnostics: %s", diag.FormatText(ds, nil))
	}
	k := f.Entries[0].Block.Entries[0]
	if k.Keyword != "SharedKey" || len(k.Values) != 2 || k.Values[1].Text != "abc" || !k.Values[1].Secret {
		t.Errorf("entry %s %v", k.Keyword, k.Values)
	}
	if _, ds := Parse("k.policy", []byte("KeyExchangeRule r\n{\n  SharedKey Ascii abc\n}\n"), Options{Kind: IPSecPolicy}); len(ds) != 0 {
		t.Errorf("a key on its line is reported: %s", diag.FormatText(ds, nil))
	}
}

// TestSharedKeyNeedsFormat: IBM's SharedKey is "Ascii, Ebcdic or Hex, then
// the key"; a value without the format word is an error at the keyword
// that does not quote the value.
func TestSharedKeyNeedsFormat(t *testing.T) {
	_, ds := Parse("k.policy", []byte("KeyExchangeRule r\n{\n  SharedKey Zq7SECRETxx\n}\n"), Options{Kind: IPSecPolicy})
	if len(ds) != 1 || ds[0].Severity != diag.Error || ds[0].Range.Start.Line != 3 || ds[0].Range.Start.Column != 3 ||
		!strings.Contains(ds[0].Summary, "format") || strings.Contains(ds[0].Summary+ds[0].Detail, "Zq7") {
		t.Errorf("diagnostics: %s", diag.FormatText(ds, nil))
	}
	for _, f := range []string{"Ascii", "hex", "EBCDIC"} {
		if _, ds := Parse("k.policy", []byte("KeyExchangeRule r\n{\n  SharedKey "+f+" 0a0b\n}\n"), Options{Kind: IPSecPolicy}); len(ds) != 0 {
			t.Errorf("%s: %s", f, diag.FormatText(ds, nil))
		}
	}
}
