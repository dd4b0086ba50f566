package profile

import (
	"bytes"
	"path/filepath"
	"strings"
	"testing"

	"github.com/alecthomas/participle/v2/lexer"
	"github.com/google/go-cmp/cmp"
	"golang.org/x/text/encoding/charmap"

	"github.com/tcpipc/tcpipc/diag"
	"github.com/tcpipc/tcpipc/grammar/source"
	"github.com/tcpipc/tcpipc/internal/testkit/expect"
	"github.com/tcpipc/tcpipc/internal/testkit/golden"
)

func TestClassify(t *testing.T) {
	for _, c := range []struct {
		in   string
		typ  lexer.TokenType
		want string
	}{
		{"*", Star, "*"},
		{"-", Dash, "-"},
		{"=", Equals, "="},
		{"1492", Number, "1492"},
		{"201.2.10.11", IPv4, "201.2.10.11"},
		{"255.255.255.240", IPv4, "255.255.255.240"},
		{"9.1.1.0/24", Prefix, "9.1.1.0/24"},
		{"/28", Bits, "/28"},
		{"61-70", Range, "61-70"},
		{"10.1.1.1-10.1.1.9", Range, "10.1.1.1-10.1.1.9"},
		{"2001:db8::151:1", IPv6, "2001:DB8::151:1"},
		{"2001:db8::/32", Prefix, "2001:DB8::/32"},
		{"10.1.1.&SYSCLONE.", Symbolic, "10.1.1.&SYSCLONE."},
		{"TCPIP&SYSCLONE.", Symbolic, "TCPIP&SYSCLONE."},
		// Keywords in any case and every abbreviation down to IBM's minimum.
		{"vipadynamic", Stmt, "VIPADYNAMIC"},
		{"VIPADYN", Stmt, "VIPADYNAMIC"},
		{"VIPADEF", Stmt, "VIPADEFINE"},
		{"VIPAB", Stmt, "VIPABACKUP"},
		{"vipadist", Stmt, "VIPADISTRIBUTE"},
		{"ENDVIPADYN", Stmt, "ENDVIPADYNAMIC"},
		{"GLOBALCONF", Stmt, "GLOBALCONFIG"},
		{"IPCONF", Stmt, "IPCONFIG"},
		{"IPCONFIG6", Stmt, "IPCONFIG6"},
		{"INTERF", Stmt, "INTERFACE"},
		{"DISTM", Word, "DISTMETHOD"},
		{"SYSPLEXMON", Word, "SYSPLEXMONITOR"},
		{"DVIP", Word, "DVIPSEC"},
		{"MOVE", Word, "MOVEABLE"},
		{"IMMED", Word, "IMMEDIATE"},
		{"TIMEDAFF", Word, "TIMEDAFFINITY"},
		{"PROTO", Word, "PROTOCOL"},
		{"DELE", Stmt, "DELETE"}, // DELETE is also a statement
		// Shorter than the minimum abbreviation: not a keyword.
		{"VIPA", Word, "VIPA"},
		{"DIST", Word, "DIST"},
		{"ETH1", Word, "ETH1"},
		{"adcd.z25b.tcpparms(zcxdvipa)", Word, "ADCD.Z25B.TCPPARMS(ZCXDVIPA)"},
	} {
		typ, val := classify(c.in)
		if typ != c.typ || val != c.want {
			t.Errorf("classify(%q) = %s %q, want %s %q", c.in, TokenTypeName(typ), val, TokenTypeName(c.typ), c.want)
		}
	}
}

func TestLexCommentsStringsAndSequenceNumbers(t *testing.T) {
	rec := func(s, seq string) string { return s + strings.Repeat(" ", 72-len(s)) + seq + "\r\n" }
	text := "AUTOLOG 5 ; comment one\r\n  FTPD JOBNAME FTPD1 PARMSTRING \"trace x\"\r\nENDAUTOLOG\r\n" +
		rec("HOME 10.1.1.1 ETH1", "00010000") + rec("; only a comment", "00020000")
	lx := Lex(source.New("p", []byte(text), source.UTF8))
	var got []string
	for _, tok := range lx.Tokens {
		got = append(got, TokenTypeName(tok.Type)+":"+tok.Value)
	}
	want := []string{"Stmt:AUTOLOG", "Number:5", "Word:FTPD", "Word:JOBNAME", "Word:FTPD1", "Word:PARMSTRING",
		"String:trace x", "Stmt:ENDAUTOLOG", "Stmt:HOME", "IPv4:10.1.1.1", "Word:ETH1", "EOF:"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("tokens (-want +got):\n%s", diff)
	}
	if len(lx.Comments) != 2 || lx.Comments[0].Text != "comment one" {
		t.Errorf("comments = %+v", lx.Comments)
	}
	// The sequence number inside a comment is harmless; only one is set aside.
	if len(lx.SequenceNumbers) != 1 || lx.SequenceNumbers[0].Text != "00010000" {
		t.Errorf("sequence numbers = %+v", lx.SequenceNumbers)
	}
	if tok := lx.Tokens[2]; tok.Pos.Line != 2 || tok.Pos.Column != 3 {
		t.Errorf("FTPD at %d:%d, want 2:3", tok.Pos.Line, tok.Pos.Column)
	}
}

// TestLexSequenceNumbersAfterUnterminatedString checks that a string left
// open, which runs to the end of its line over that line's sequence
// number, does not make the lexer miss the sequence numbers of the lines
// after it.
func TestLexSequenceNumbersAfterUnterminatedString(t *testing.T) {
	rec := func(s, seq string) string { return s + strings.Repeat(" ", 72-len(s)) + seq + "\n" }
	text := rec(`HOME 10.1.1.1 "ETH1`, "00010000") + rec("HOME 10.1.1.2 ETH2", "00020000")
	lx := Lex(source.New("p", []byte(text), source.UTF8))
	if len(lx.SequenceNumbers) != 2 {
		t.Fatalf("sequence numbers = %+v, want two", lx.SequenceNumbers)
	}
	for _, tok := range lx.Tokens {
		if tok.Value == "20000" {
			t.Errorf("the second line's sequence number is a token: %+v", tok)
		}
	}
}

// TestGrammarPinned keeps every grammar change visible in review: the EBNF
// of all statement grammars must equal the checked-in grammar.ebnf.
func TestGrammarPinned(t *testing.T) {
	golden.File(t, "grammar.ebnf", Grammar(), "the grammar")
}

// TestGolden parses each archive's in/PROFILE.TCPIP (members it includes
// sit next to it) and compares the syntax tree and the diagnostics.
func TestGolden(t *testing.T) {
	golden.Run(t, "../testdata/profile/*.txtar", func(t *testing.T, c *golden.Case) map[string]string {
		main := filepath.Join(c.Dir, "PROFILE.TCPIP")
		prof, ds := ParseFile(main, Options{})
		ds.Sort()
		var tree, diags bytes.Buffer
		if err := prof.WriteTree(&tree); err != nil {
			t.Fatal(err)
		}
		if err := diag.WriteText(&diags, ds, prof.Sources()); err != nil {
			t.Fatal(err)
		}
		// Inline expectations in the inputs must agree with the findings.
		var exps []*expect.Expectation
		for _, name := range c.Inputs() {
			data, _ := c.Input(name)
			e, err := expect.Parse(filepath.Join(c.Dir, name), data)
			if err != nil {
				t.Fatal(err)
			}
			exps = append(exps, e...)
		}
		if len(exps) > 0 {
			expect.Check(t, ds, exps)
		}
		return map[string]string{
			"tree":        golden.RelativeTo(tree.String(), c.Dir),
			"diagnostics": golden.RelativeTo(diags.String(), c.Dir),
		}
	})
}

// TestFigure9ParsesCleanly parses the bundled five-stack sysplex.
func TestFigure9ParsesCleanly(t *testing.T) {
	paths, _ := filepath.Glob("../../testdata/profiles/figure9/MVS*/PROFILE.TCPIP")
	if len(paths) != 5 {
		t.Fatalf("found %d figure9 profiles, want 5", len(paths))
	}
	for _, p := range paths {
		prof, ds := ParseFile(p, Options{})
		for _, d := range ds {
			if d.Severity >= diag.Warning {
				t.Errorf("%s", diag.FormatText(diag.Diagnostics{d}, prof.Sources()))
			}
		}
		if len(prof.Statements) < 8 {
			t.Errorf("%s: only %d statements", p, len(prof.Statements))
		}
	}
}

func TestEBCDICProfile(t *testing.T) {
	text := "IPCONFIG DYNAMICXCF 193.9.200.1 255.255.255.240 1\u0085VIPADYN\u0085 VIPADEF 255.255.255.240 201.2.10.11\u0085ENDVIPADYN\u0085"
	raw, err := charmap.CodePage1047.NewEncoder().Bytes([]byte(text))
	if err != nil {
		t.Fatal(err)
	}
	for _, enc := range []source.Encoding{source.Auto, source.EBCDIC} {
		prof, ds := Parse("EBCDIC", raw, Options{Encoding: enc})
		if len(ds) != 0 {
			t.Fatalf("%v: diagnostics: %s", enc, diag.FormatText(ds, prof.Sources()))
		}
		if len(prof.Statements) != 2 {
			t.Fatalf("%v: %d statements, want 2", enc, len(prof.Statements))
		}
		vd := prof.Statements[1].(*VIPADynamic).Statements[0].(*VIPADefine)
		if vd.Addrs[0].Text != "201.2.10.11" || vd.Info().Range.Start.Line != 3 {
			t.Errorf("%v: VIPADEFINE %+v at line %d", enc, vd.Addrs[0].Text, vd.Info().Range.Start.Line)
		}
	}
}

// TestAbbreviatedNameIsRestored checks that a name spelled like a keyword
// abbreviation keeps its own spelling.
func TestAbbreviatedNameIsRestored(t *testing.T) {
	prof, ds := Parse("P", []byte("HOME 10.1.1.1 LOGEN\n"), Options{})
	if len(ds) != 0 {
		t.Fatal(diag.FormatText(ds, prof.Sources()))
	}
	if got := prof.Statements[0].(*Home).Entries[0].Link.Text; got != "LOGEN" {
		t.Errorf("link name = %q, want LOGEN", got)
	}
}

func TestJSONHasRangesAndKinds(t *testing.T) {
	prof, _ := Parse("P", []byte("VIPADYNAMIC\n VIPABACKUP 100 10.1.1.1 ; two\nENDVIPADYNAMIC\n"), Options{})
	var b bytes.Buffer
	if err := prof.WriteJSON(&b); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`"kind": "VIPABackup"`, `"rank": 100`, `"comments": [`, `"line": 2`} {
		if !strings.Contains(b.String(), want) {
			t.Errorf("JSON lacks %s:\n%s", want, b.String())
		}
	}
}

func TestSuggest(t *testing.T) {
	for in, want := range map[string]string{"IPCONFG": "IPCONFIG", "HOMEE": "HOME", "VIPADYNAMC": "VIPADYNAMIC", "XYZZY": "", "HME": "HOME", "ZZZZ": ""} {
		if got := Suggest(in, TopLevelStatements()); got != want {
			t.Errorf("Suggest(%q) = %q, want %q", in, got, want)
		}
	}
	if got := Suggest("VIPADEFX", []string{"VIPABACKUP", "VIPADEFINE", "VIPADELETE"}); got != "VIPADEFINE" {
		t.Errorf("Suggest(VIPADEFX) = %q", got)
	}
}

// TestNumbersAreDecimal: the stack reads numbers in decimal, leading zeros
// and all, while a name made of digits keeps its zeros.
func TestNumbersAreDecimal(t *testing.T) {
	prof, ds := Parse("p", []byte("PORT 023 TCP TELNET\nHOME 10.1.1.1 007\nIPSEC\n IPSECRULE * * SECCLASS 010\nENDIPSEC\n"), Options{})
	if ds.HasErrors() {
		t.Fatalf("errors: %v", ds)
	}
	if n := prof.Statements[0].(*Port).Entries[0].Number; n != 23 {
		t.Errorf("PORT 023 = %d, want 23", n)
	}
	if l := prof.Statements[1].(*Home).Entries[0].Link.Text; l != "007" {
		t.Errorf("link name = %q, want 007", l)
	}
	if c := prof.Statements[2].(*IPSec).Rules[0].SecClass; c == nil || *c != 10 {
		t.Errorf("SECCLASS 010 = %v, want 10", c)
	}
}

// TestParseCopiesCallersText checks that Parse keeps no reference into the
// caller's bytes (ParseFile's own reads it may keep): changing them after
// the parse changes nothing in the tree.
func TestParseCopiesCallersText(t *testing.T) {
	data := []byte("HOME 10.1.1.1 LINK1 ; first\n")
	prof, _ := Parse("p", data, Options{})
	for i := range data {
		data[i] = 'X'
	}
	home := prof.Statements[0].(*Home)
	if got := home.Entries[0].Link.Text; got != "LINK1" {
		t.Errorf("link = %q after the caller changed its buffer, want LINK1", got)
	}
	if got := prof.Statements[0].Info().Comments; len(got) != 1 || got[0] != "first" {
		t.Errorf("comments = %q after the caller changed its buffer", got)
	}
}

// TestDistributeIPv6ByName: VIPADISTRIBUTE names an IPv6 DVIPA by its
// interface name (VIPADISTribute … ipv4_addr | ipv6_intfname); the name
// before PORT or DESTIP is not taken for an unknown option, and an
// option before the name still is one.
func TestDistributeIPv6ByName(t *testing.T) {
	src := "VIPADYNAMIC\n VIPADISTRIBUTE DEFINE SYSPLEXPORTS DVIPA6 PORT 80 DESTIP ALL\n" +
		" VIPADISTRIBUTE DEFINE DVIPA7 DESTIP ALL\nENDVIPADYNAMIC\n"
	prof, ds := Parse("T", []byte(src), Options{})
	if len(ds) != 0 {
		t.Fatalf("diagnostics: %v", ds)
	}
	var names []string
	for _, st := range prof.Statements[0].(*VIPADynamic).Statements {
		d := st.(*VIPADistribute)
		if d.IntfName == nil || d.DVIPA != nil {
			t.Fatalf("statement %+v", d)
		}
		names = append(names, d.IntfName.Text)
		for _, o := range d.Options {
			if o.Other != nil {
				t.Errorf("%s read as an option", o.Other.Name)
			}
		}
	}
	if strings.Join(names, " ") != "DVIPA6 DVIPA7" {
		t.Errorf("names %v", names)
	}
}
