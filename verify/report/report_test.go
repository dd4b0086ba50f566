package report

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/tcpipc/tcpipc/diag"
	"github.com/tcpipc/tcpipc/internal/testkit/golden"
)

var testRules = []Rule{
	{ID: "SWSA001", Name: "dvipsec-owner", Severity: diag.Error,
		Summary: "a backup stack of a DVIPA with sysplex-wide SAs lacks DVIPSEC",
		Doc: "Every stack that can own a DVIPA whose security associations are sysplex-wide must enable DVIPSEC.\n\n" +
			"Why: the stack that takes a DVIPA over reads the SAs from the coupling facility only when its IPSEC statement has DVIPSEC; otherwise the SAs are lost and every peer negotiates again.\n\n" +
			"Fix: add DVIPSEC to the IPSEC statement of each backup stack.",
		HelpURI: "https://github.com/tcpipc/tcpipc/blob/main/docs/rules/SWSA001.md"},
	{ID: "SYNTAX", Severity: diag.Error, Summary: "the stack would reject this"},
	{ID: "OPTION", Severity: diag.Warning, Summary: "an option keyword tcpipc does not know"},
	{ID: "UNSUPPORTED", Severity: diag.Info, Summary: "a statement tcpipc keeps but does not model yet"},
	{ID: "INCLUDE", Severity: diag.Error, Summary: "an INCLUDE that cannot be resolved or read"},
	{ID: "XCF001", Name: "xcf-group", Severity: diag.Warning, Summary: "XCF group ids disagree"},
}

// sarifSchema compiles the vendored official SARIF 2.1.0 schema once.
var sarifSchema = func() func(t *testing.T) *jsonschema.Schema {
	var sch *jsonschema.Schema
	var err error
	return func(t *testing.T) *jsonschema.Schema {
		t.Helper()
		if sch == nil && err == nil {
			c := jsonschema.NewCompiler()
			c.AssertFormat()
			sch, err = c.Compile("testdata/sarif-schema-2.1.0.json")
		}
		if err != nil {
			t.Fatal(err)
		}
		return sch
	}
}()

func validateSARIF(t *testing.T, out []byte) {
	t.Helper()
	inst, err := jsonschema.UnmarshalJSON(bytes.NewReader(out))
	if err != nil {
		t.Fatalf("SARIF is not JSON: %v", err)
	}
	if err := sarifSchema(t).Validate(inst); err != nil {
		t.Errorf("SARIF does not validate against the SARIF 2.1.0 schema: %v", err)
	}
}

// TestSchemaRejectsInvalidSARIF shows the validation can fail: a level
// SARIF does not have and a missing tool are errors.
func TestSchemaRejectsInvalidSARIF(t *testing.T) {
	for _, doc := range []string{
		`{"version":"2.1.0","runs":[{"tool":{"driver":{"name":"x"}},"results":[{"level":"fatal","message":{"text":"m"}}]}]}`,
		`{"version":"2.1.0","runs":[{"results":[]}]}`,
		`{"version":"2.0.0","runs":[]}`,
	} {
		inst, err := jsonschema.UnmarshalJSON(strings.NewReader(doc))
		if err != nil {
			t.Fatal(err)
		}
		if sarifSchema(t).Validate(inst) == nil {
			t.Errorf("schema accepted %s", doc)
		}
	}
}

// fillOffsets sets the byte offsets of positions from their line and
// column, so test inputs can name positions as a person would.
func fillOffsets(ds diag.Diagnostics, src diag.Sources) {
	fix := func(r *diag.Range) {
		text := src[r.File]
		for _, p := range []*diag.Pos{&r.Start, &r.End} {
			if p.Line < 1 {
				continue
			}
			off, line := 0, 1
			for line < p.Line && off < len(text) {
				if text[off] == '\n' {
					line++
				}
				off++
			}
			p.Offset = off + p.Column - 1
		}
	}
	for _, d := range ds {
		fix(&d.Range)
		for i := range d.Related {
			fix(&d.Related[i].Range)
		}
		for i := range d.IncludedFrom {
			fix(&d.IncludedFrom[i])
		}
	}
}

// TestGolden renders each archive's in/findings.json over the other in/
// files in every format and compares with out/<format>. The SARIF output
// must also validate against the official schema, and the JUnit output
// must parse as XML.
func TestGolden(t *testing.T) {
	golden.Run(t, "testdata/golden/*.txtar", func(t *testing.T, c *golden.Case) map[string]string {
		src := diag.Sources{}
		var ds diag.Diagnostics
		for _, name := range c.Inputs() {
			data, _ := c.Input(name)
			if name == "findings.json" {
				if err := json.Unmarshal(data, &ds); err != nil {
					t.Fatal(err)
				}
				continue
			}
			src[name] = data
		}
		fillOffsets(ds, src)
		o := Options{Rules: testRules, Sources: src, ToolVersion: "1.2.3-test", Manifest: "sysplex.yaml"}
		out := map[string]string{}
		for name, write := range map[string]func(io.Writer, diag.Diagnostics, Options) error{
			"sarif": WriteSARIF, "junit": WriteJUnit, "github": WriteGitHub, "json": WriteJSON,
		} {
			var b bytes.Buffer
			if err := write(&b, ds, o); err != nil {
				t.Fatalf("%s: %v", name, err)
			}
			out[name] = b.String()
		}
		validateSARIF(t, []byte(out["sarif"]))
		parseJUnit(t, []byte(out["junit"]))
		path := filepath.Join(t.TempDir(), "baseline.json")
		if err := NewBaseline(ds, src).Write(path); err != nil {
			t.Fatal(err)
		}
		b, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		out["baseline"] = string(b)
		return out
	})
}

// TestWritersDoNotReorderInput keeps the caller's slice as it was: the
// engine may still use it after rendering.
func TestWritersDoNotReorderInput(t *testing.T) {
	src := diag.Sources{"A": []byte("one\ntwo\n")}
	ds := diag.Diagnostics{
		{Severity: diag.Info, Rule: "R", Summary: "second", Range: rangeAt("A", 2, 1, 4, 4)},
		{Severity: diag.Error, Rule: "R", Summary: "first", Range: rangeAt("A", 1, 1, 0, 4)},
	}
	before := append(diag.Diagnostics(nil), ds...)
	for _, write := range []func(io.Writer, diag.Diagnostics, Options) error{WriteSARIF, WriteJUnit, WriteGitHub, WriteJSON} {
		if err := write(io.Discard, ds, Options{Sources: src}); err != nil {
			t.Fatal(err)
		}
	}
	for i := range ds {
		if ds[i] != before[i] {
			t.Fatalf("input reordered at %d", i)
		}
	}
}

func rangeAt(file string, line, col, off, endCol int) diag.Range {
	return diag.Range{File: file,
		Start: diag.Pos{Line: line, Column: col, Offset: off},
		End:   diag.Pos{Line: line, Column: endCol, Offset: off + endCol - col}}
}

func TestGitHubEscaping(t *testing.T) {
	ds := diag.Diagnostics{{
		Severity: diag.Warning, Rule: "R,1:x",
		Summary: "100% of port 60: one target, not three",
		Detail:  "line one\r\nline two",
		Range:   rangeAt("dir,a/b:c%d", 4, 2, 30, 5),
	}, {
		Severity: diag.Info, Rule: "UNSUPPORTED", Summary: "SMFCONFIG",
		Range: diag.Range{File: "P", Start: diag.Pos{Line: 2, Column: 1}, End: diag.Pos{Line: 3, Column: 4}},
	}}
	var b bytes.Buffer
	if err := WriteGitHub(&b, ds, Options{}); err != nil {
		t.Fatal(err)
	}
	want := "::notice file=P,line=2,endLine=3,title=UNSUPPORTED::SMFCONFIG\n" +
		"::warning file=dir%2Ca/b%3Ac%25d,line=4,col=2,endLine=4,endColumn=4,title=R%2C1%3Ax::" +
		"100%25 of port 60: one target, not three%0Aline one%0D%0Aline two\n"
	if diff := cmp.Diff(want, b.String()); diff != "" {
		t.Errorf("workflow commands (-want +got):\n%s", diff)
	}
	// Each command is one line: nothing the message holds can start a
	// second command.
	if n := strings.Count(b.String(), "\n"); n != len(ds) {
		t.Errorf("%d lines for %d findings", n, len(ds))
	}
}

// junitDoc is what the test reads back from JUnit XML.
type junitDoc struct {
	XMLName  xml.Name `xml:"testsuites"`
	Tests    int      `xml:"tests,attr"`
	Failures int      `xml:"failures,attr"`
	Suites   []struct {
		Name     string `xml:"name,attr"`
		Tests    int    `xml:"tests,attr"`
		Failures int    `xml:"failures,attr"`
		Cases    []struct {
			Name      string `xml:"name,attr"`
			Classname string `xml:"classname,attr"`
			Failure   *struct {
				Message string `xml:"message,attr"`
				Type    string `xml:"type,attr"`
				Text    string `xml:",chardata"`
			} `xml:"failure"`
			SystemOut string `xml:"system-out"`
		} `xml:"testcase"`
	} `xml:"testsuite"`
}

// parseJUnit reads JUnit XML strictly and checks its counts add up.
func parseJUnit(t *testing.T, out []byte) junitDoc {
	t.Helper()
	var doc junitDoc
	dec := xml.NewDecoder(bytes.NewReader(out))
	dec.Strict = true
	if err := dec.Decode(&doc); err != nil {
		t.Fatalf("JUnit XML does not parse: %v\n%s", err, out)
	}
	tests, failures := 0, 0
	for _, s := range doc.Suites {
		f := 0
		for _, c := range s.Cases {
			if c.Failure != nil {
				f++
			}
		}
		if s.Tests != len(s.Cases) || s.Failures != f {
			t.Errorf("suite %s: tests=%d failures=%d, but has %d cases, %d failing", s.Name, s.Tests, s.Failures, len(s.Cases), f)
		}
		tests += s.Tests
		failures += f
	}
	if doc.Tests != tests || doc.Failures != failures {
		t.Errorf("testsuites: tests=%d failures=%d, suites add up to %d, %d", doc.Tests, doc.Failures, tests, failures)
	}
	return doc
}

func TestJUnitWellFormedWithHostileText(t *testing.T) {
	src := diag.Sources{
		"A":     []byte("PORT 21 TCP <FTPD> & \"x\" ]]> \x1b[31m\n"),
		"CLEAN": []byte("HOME 10.1.1.1 ETH1\n"),
	}
	ds := diag.Diagnostics{
		{Severity: diag.Error, Rule: "SYNTAX", Summary: "bad <name> & ]]> \x1b\x00", Range: rangeAt("A", 1, 13, 12, 19)},
		{Severity: diag.Error, Rule: "SYNTAX", Summary: "second", Range: rangeAt("A", 1, 20, 19, 21)},
		{Severity: diag.Info, Rule: "UNSUPPORTED", Summary: "PORT", Range: rangeAt("A", 1, 1, 0, 5)},
	}
	var b bytes.Buffer
	if err := WriteJUnit(&b, ds, Options{Sources: src, Rules: testRules, FailOn: diag.Warning}); err != nil {
		t.Fatal(err)
	}
	doc := parseJUnit(t, b.Bytes())
	if len(doc.Suites) != 2 || doc.Suites[0].Name != "A" || doc.Suites[1].Name != "CLEAN" {
		t.Fatalf("suites = %+v", doc.Suites)
	}
	a := doc.Suites[0]
	if len(a.Cases) != 2 || a.Cases[0].Name != "SYNTAX" || a.Cases[1].Name != "UNSUPPORTED" {
		t.Fatalf("cases of A = %+v", a.Cases)
	}
	f := a.Cases[0].Failure
	if f == nil || f.Type != "error" || !strings.HasPrefix(f.Message, `bad <name> & ]]> \x1b\x00`) || !strings.HasSuffix(f.Message, "(and 1 more)") {
		t.Errorf("SYNTAX failure = %+v", f)
	}
	// The source line comes back whole, "]]>" included, with the escape
	// character shown as text (diag.Visible), in the text and the message.
	if f != nil && !strings.Contains(f.Text, `PORT 21 TCP <FTPD> & "x" ]]> \x1b[31m`) {
		t.Errorf("failure text lost the source line:\n%s", f.Text)
	}
	if f != nil && !strings.Contains(f.Text, "A:1:20: error: second [SYNTAX]") {
		t.Errorf("failure text lacks the second finding:\n%s", f.Text)
	}
	// Below FailOn the case passes and lists the finding.
	if u := a.Cases[1]; u.Failure != nil || !strings.Contains(u.SystemOut, "PORT [UNSUPPORTED]") {
		t.Errorf("UNSUPPORTED case = %+v", u)
	}
	if c := doc.Suites[1].Cases; len(c) != 1 || c[0].Name != "lint" || c[0].Failure != nil {
		t.Errorf("clean file cases = %+v", c)
	}
}

func TestSARIFResultCap(t *testing.T) {
	var lines []string
	var ds diag.Diagnostics
	sev := []diag.Severity{diag.Info, diag.Warning, diag.Error, diag.Warning, diag.Info, diag.Error, diag.Warning}
	off := 0
	for i, s := range sev {
		line := "HOME 10.1.1." + string(rune('1'+i)) + " ETH1"
		lines = append(lines, line)
		ds = append(ds, &diag.Diagnostic{Severity: s, Rule: "R" + s.String(), Summary: line, Range: rangeAt("P", i+1, 1, off, 5)})
		off += len(line) + 1
	}
	src := diag.Sources{"P": []byte(strings.Join(lines, "\n") + "\n")}
	var b bytes.Buffer
	if err := WriteSARIF(&b, ds, Options{Sources: src, MaxResults: 3}); err != nil {
		t.Fatal(err)
	}
	validateSARIF(t, b.Bytes())
	var log struct {
		Runs []struct {
			Results []struct {
				Level   string `json:"level"`
				Message struct{ Text string }
			}
			Invocations []struct {
				ExecutionSuccessful        bool
				ToolExecutionNotifications []struct {
					Level   string
					Message struct{ Text string }
				}
			}
		}
	}
	if err := json.Unmarshal(b.Bytes(), &log); err != nil {
		t.Fatal(err)
	}
	run := log.Runs[0]
	var got []string
	for _, r := range run.Results {
		got = append(got, r.Level+" "+r.Message.Text)
	}
	// Both errors and the first warning survive, in file order.
	want := []string{"warning HOME 10.1.1.2 ETH1", "error HOME 10.1.1.3 ETH1", "error HOME 10.1.1.6 ETH1"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("kept results (-want +got):\n%s", diff)
	}
	if len(run.Invocations) != 1 || len(run.Invocations[0].ToolExecutionNotifications) != 1 {
		t.Fatalf("invocations = %+v", run.Invocations)
	}
	n := run.Invocations[0].ToolExecutionNotifications[0]
	if !strings.HasPrefix(n.Message.Text, "4 of 7 results were left out (2 warning, 2 info)") || n.Level != "warning" {
		t.Errorf("notification = %+v", n)
	}

	// At the cap nothing is cut and no notification is written.
	b.Reset()
	if err := WriteSARIF(&b, ds, Options{Sources: src, MaxResults: len(ds)}); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(b.String(), "toolExecutionNotifications") || strings.Count(b.String(), `"ruleId"`) != len(ds) {
		t.Errorf("uncapped run lost results or gained a notification:\n%s", b.String())
	}
}

func TestSARIFDefaultCapIsGitHubs(t *testing.T) {
	ds := make(diag.Diagnostics, GitHubMaxResults+2)
	for i := range ds {
		ds[i] = &diag.Diagnostic{Severity: diag.Warning, Rule: "R", Summary: "s", Range: rangeAt("P", i+1, 1, i*2, 2)}
	}
	var b bytes.Buffer
	if err := WriteSARIF(&b, ds, Options{}); err != nil {
		t.Fatal(err)
	}
	if got := strings.Count(b.String(), `"ruleId"`); got != GitHubMaxResults {
		t.Errorf("%d results, want %d", got, GitHubMaxResults)
	}
	if !strings.Contains(b.String(), "2 of 25002 results were left out") {
		t.Errorf("no truncation notice")
	}
}

// TestSARIFStaysValidOnOddInput renders findings and rules a careless
// caller might pass — a relative help URI, an empty range end, a rule id
// of "", a file name with spaces — and still gets a valid log.
func TestSARIFStaysValidOnOddInput(t *testing.T) {
	src := diag.Sources{"dir/A B": []byte("HOME 10.1.1.1 ETH1\n")}
	ds := diag.Diagnostics{
		{Severity: diag.Error, Summary: "no rule", Range: rangeAt("dir/A B", 1, 6, 5, 6)},
		{Severity: diag.Warning, Rule: "R", Summary: "no end", Range: diag.Range{File: "dir/A B", Start: diag.Pos{Line: 1, Column: 1}}},
		{Severity: diag.Info, Rule: "GONE", Summary: "file text missing", Range: rangeAt("other", 9, 2, 80, 4)},
	}
	rules := []Rule{{ID: "R", HelpURI: "docs/rules/R.md"}}
	var b bytes.Buffer
	if err := WriteSARIF(&b, ds, Options{Rules: rules, Sources: src}); err != nil {
		t.Fatal(err)
	}
	validateSARIF(t, b.Bytes())
	if strings.Contains(b.String(), "helpUri") {
		t.Errorf("a relative help URI was written")
	}
	if !strings.Contains(b.String(), `"uri": "dir/A%20B"`) {
		t.Errorf("file with a space not escaped:\n%s", b.String())
	}
}

func TestUTF16Column(t *testing.T) {
	line := "a Ü 😀 b" // Ü: 2 bytes, 1 unit; 😀: 4 bytes, 2 units
	for _, c := range []struct{ byteCol, want int }{
		{1, 1}, {3, 3}, {5, 4}, {6, 5}, {10, 7}, {11, 8}, {12, 9}, {20, 17},
	} {
		if got := utf16Column(line, c.byteCol); got != c.want {
			t.Errorf("utf16Column(%q, %d) = %d, want %d", line, c.byteCol, got, c.want)
		}
	}
}

func TestArtifactLocation(t *testing.T) {
	wd, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		in   string
		want sarifArtifactLocation
	}{
		{"MVS1/PROFILE.TCPIP", sarifArtifactLocation{URI: "MVS1/PROFILE.TCPIP", URIBaseID: srcRoot}},
		{filepath.Join(wd, "MVS1", "A B(X)"), sarifArtifactLocation{URI: "MVS1/A%20B%28X%29", URIBaseID: srcRoot}},
		{"USER:TCPPARMS/X", sarifArtifactLocation{URI: "./USER:TCPPARMS/X", URIBaseID: srcRoot}},
		{"/outside/of/wd/PROFILE", sarifArtifactLocation{URI: "file:///outside/of/wd/PROFILE"}},
	} {
		if got := artifactLocation(c.in); got != c.want {
			t.Errorf("artifactLocation(%q) = %+v, want %+v", c.in, got, c.want)
		}
	}
}

func TestJSONHasFingerprintsAndDisplayPaths(t *testing.T) {
	wd, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	abs := filepath.Join(wd, "sys", "P")
	src := diag.Sources{abs: []byte("HOME 10.1.1.1 ETH1\n")}
	ds := diag.Diagnostics{{Severity: diag.Error, Rule: "R", Summary: "s", Range: rangeAt(abs, 1, 1, 0, 5),
		IncludedFrom: []diag.Range{rangeAt(filepath.Join(wd, "sys", "MAIN"), 3, 1, 20, 8)}}}
	var b bytes.Buffer
	if err := WriteJSON(&b, ds, Options{Sources: src}); err != nil {
		t.Fatal(err)
	}
	var back []struct {
		diag.Diagnostic
		Fingerprint string `json:"fingerprint"`
	}
	if err := json.Unmarshal(b.Bytes(), &back); err != nil {
		t.Fatal(err)
	}
	if len(back) != 1 || back[0].Range.File != "sys/P" || back[0].IncludedFrom[0].File != "sys/MAIN" {
		t.Fatalf("paths not relative: %s", b.String())
	}
	if want := Fingerprints(ds, src)[0]; back[0].Fingerprint != want {
		t.Errorf("fingerprint %q, want %q", back[0].Fingerprint, want)
	}
	if ds[0].Range.File != abs {
		t.Errorf("WriteJSON changed the caller's diagnostic")
	}
	b.Reset()
	if err := WriteJSON(&b, nil, Options{}); err != nil || b.String() != "[]\n" {
		t.Errorf("no findings: %q, %v", b.String(), err)
	}
}

func TestReadBaselineErrors(t *testing.T) {
	dir := t.TempDir()
	if _, err := ReadBaseline(filepath.Join(dir, "missing.json")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("missing file: %v", err)
	}
	for name, body := range map[string]string{
		"v2.json":   `{"version": 2, "tool": "tcpipc", "findings": []}`,
		"none.json": `{"findings": []}`,
		"bad.json":  `{"version": 1,`,
	} {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
		if _, err := ReadBaseline(p); err == nil {
			t.Errorf("%s: read without error", name)
		}
	}
}

// TestNoSourceTextBeyondTheFindingsLine keeps a key on another line out of
// every output, even when a related place or a multi-line range covers it.
func TestNoSourceTextBeyondTheFindingsLine(t *testing.T) {
	text := "IPSEC DVIPSEC\n  SHAREDKEY X'0123SECRETKEY'\nENDIPSEC\n"
	src := diag.Sources{"P": []byte(text), "Q": []byte("KEY SECRETKEY2\n")}
	ds := diag.Diagnostics{
		{Severity: diag.Error, Rule: "R", Summary: "block", Detail: "fix it",
			Range: diag.Range{File: "P", Start: diag.Pos{Line: 1, Column: 1, Offset: 0}, End: diag.Pos{Line: 3, Column: 9, Offset: len(text) - 1}},
			Related: []diag.Related{
				{Range: rangeAt("P", 2, 3, 16, 12), Message: "key here"},
				{Range: rangeAt("Q", 1, 1, 0, 4), Message: "other key"},
			}},
	}
	for name, write := range map[string]func(io.Writer, diag.Diagnostics, Options) error{
		"sarif": WriteSARIF, "junit": WriteJUnit, "github": WriteGitHub, "json": WriteJSON,
	} {
		var b bytes.Buffer
		if err := write(&b, ds, Options{Sources: src}); err != nil {
			t.Fatal(err)
		}
		if strings.Contains(b.String(), "SECRETKEY") {
			t.Errorf("%s shows a line other than the finding's:\n%s", name, b.String())
		}
		// JUnit shows the finding's own line; SARIF gives no snippet for
		// a range over several lines.
		if name == "junit" && !strings.Contains(b.String(), "    1 | IPSEC DVIPSEC") {
			t.Errorf("junit lost the finding's own line:\n%s", b.String())
		}
	}
}

// TestGitHubShowsControlCharacters: an escape sequence in a finding's
// message or file name reaches the Actions log as visible text, and the
// workflow-command escapes (%, CR, LF, and in properties : and ,) still
// apply.
func TestGitHubShowsControlCharacters(t *testing.T) {
	ds := diag.Diagnostics{{
		Severity: diag.Error, Rule: "SYNTAX",
		Summary: "bad \x1b[2J\x1b]0;title\x07 word\u202e 50%",
		Detail:  "one\r\ntwo \x00",
		Range:   rangeAt("a\x1bb", 1, 1, 0, 2),
	}}
	var b bytes.Buffer
	if err := WriteGitHub(&b, ds, Options{}); err != nil {
		t.Fatal(err)
	}
	want := `::error file=a\x1bb,line=1,col=1,endLine=1,endColumn=1,title=SYNTAX::` +
		`bad \x1b[2J\x1b]0;title\x07 word\u202e 50%25%0Aone%0D%0Atwo \x00` + "\n"
	if diff := cmp.Diff(want, b.String()); diff != "" {
		t.Errorf("workflow command (-want +got):\n%s", diff)
	}
}
