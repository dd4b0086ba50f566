package diag

import (
	"bytes"
	"encoding/json"
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func rng(file string, line, col, off, endCol int) Range {
	return Range{File: file,
		Start: Pos{Line: line, Column: col, Offset: off},
		End:   Pos{Line: line, Column: endCol, Offset: off + endCol - col}}
}

func TestSortIsDeterministic(t *testing.T) {
	a := &Diagnostic{Severity: Warning, Rule: "B", Summary: "b", Range: rng("x", 2, 1, 10, 3)}
	b := &Diagnostic{Severity: Error, Rule: "A", Summary: "a", Range: rng("x", 2, 1, 10, 3)}
	c := &Diagnostic{Severity: Info, Rule: "A", Summary: "c", Range: rng("x", 1, 1, 0, 3)}
	d := &Diagnostic{Severity: Info, Rule: "A", Summary: "d", Range: rng("a", 9, 1, 90, 3)}
	for _, order := range [][]*Diagnostic{{a, b, c, d}, {d, c, b, a}, {b, d, a, c}} {
		ds := Diagnostics(append([]*Diagnostic(nil), order...))
		ds.Sort()
		var got []string
		for _, x := range ds {
			got = append(got, x.Summary)
		}
		if diff := cmp.Diff([]string{"d", "c", "a", "b"}, got); diff != "" {
			t.Errorf("sorted order (-want +got):\n%s", diff)
		}
	}
}

func TestWriteTextSnippetAndCaret(t *testing.T) {
	src := Sources{"p/PROFILE": []byte("IPCONFIG IPSECURITY\r\n  VIPADEFX 255.255.255.0 10.1.1.1\n")}
	ds := Diagnostics{{
		Severity: Error, Rule: "SYNTAX", Summary: `unknown statement VIPADEFX`,
		Detail:       "Did you mean VIPADEFINE?",
		Range:        rng("p/PROFILE", 2, 3, 23, 11),
		IncludedFrom: []Range{rng("MAIN", 4, 1, 40, 8)},
		Related:      []Related{{Range: rng("q/OTHER", 1, 1, 0, 2), Message: "defined here"}},
	}}
	want := "p/PROFILE:2:3: error: unknown statement VIPADEFX [SYNTAX]\n" +
		"    2 |   VIPADEFX 255.255.255.0 10.1.1.1\n" +
		"      |   ^^^^^^^^\n" +
		"    Did you mean VIPADEFINE?\n" +
		"    q/OTHER:1:1: defined here\n" +
		"    included from MAIN:4:1\n"
	if diff := cmp.Diff(want, FormatText(ds, src)); diff != "" {
		t.Errorf("text (-want +got):\n%s", diff)
	}
}

func TestCountAndHasErrors(t *testing.T) {
	ds := Diagnostics{}
	ds.Infof("I", Range{}, "i")
	ds.Warnf("W", Range{}, "w")
	if ds.HasErrors() {
		t.Fatal("HasErrors true without errors")
	}
	ds.Errorf("E", Range{}, "e %d", 1)
	if !ds.HasErrors() || ds.Count(Warning) != 2 || ds.Count(Info) != 3 {
		t.Fatalf("counts wrong: %d %d", ds.Count(Warning), ds.Count(Info))
	}
}

func TestJSONRoundTrip(t *testing.T) {
	ds := Diagnostics{{Severity: Warning, Rule: "R", Summary: "s", Range: rng("a/b", 1, 2, 1, 4)}}
	var buf bytes.Buffer
	if err := WriteJSON(&buf, ds); err != nil {
		t.Fatal(err)
	}
	var back Diagnostics
	if err := json.Unmarshal(buf.Bytes(), &back); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(ds, back); diff != "" {
		t.Errorf("round trip (-want +got):\n%s", diff)
	}
	if !bytes.Contains(buf.Bytes(), []byte(`"severity": "warning"`)) {
		t.Errorf("severity not written by name: %s", buf.String())
	}
}

func TestDisplayPathUsesSlashes(t *testing.T) {
	if got := DisplayPath("a/b/c"); got != "a/b/c" {
		t.Errorf("DisplayPath = %q", got)
	}
}

// TestWriteTextShowsControlCharacters: an escape sequence in an input file
// (in the snippet, in the summary that quotes it, in a file name) is
// printed as visible text, never sent to the terminal, and the carets still
// sit under the range.
func TestWriteTextShowsControlCharacters(t *testing.T) {
	line := "HOME \x1b[2J\x1b]0;owned\x07 10.1.1.1\u202e ETH1\x7f\r\x9b"
	src := Sources{"p/PRO\x1bFILE": []byte("; first\n" + line + "\n")}
	start := strings.Index(line, "10.1.1.1")
	ds := Diagnostics{{
		Severity: Error, Rule: "SYNTAX", Summary: "bad word \x1b[2J here",
		Detail:  "detail \x1b[31mred\nsecond \x00 line",
		Range:   rng("p/PRO\x1bFILE", 2, start+1, 8+start, start+9),
		Related: []Related{{Range: rng("p/PRO\x1bFILE", 1, 1, 0, 2), Message: "related \x1b[0m"}},
	}}
	got := FormatText(ds, src)
	for _, r := range got {
		if r != '\n' && (r < 0x20 || (r >= 0x7f && r < 0xa0) || r == '\u202e') {
			t.Fatalf("output holds control character %U:\n%q", r, got)
		}
	}
	want := `p/PRO\x1bFILE:2:` + strconv.Itoa(start+1) + `: error: bad word \x1b[2J here [SYNTAX]
    2 | HOME \x1b[2J\x1b]0;owned\x07 10.1.1.1\u202e ETH1\x7f\x0d\x9b
      |                              ^^^^^^^^
    detail \x1b[31mred
    second \x00 line
    p/PRO\x1bFILE:1:1: related \x1b[0m
`
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("text (-want +got):\n%s", diff)
	}
}
