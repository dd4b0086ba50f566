package report

import (
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/tcpipc/tcpipc/diag"
)

// at builds a finding on the first line of text that contains word, at
// that word, so tests can move lines around and keep the finding on them.
func at(t *testing.T, file, text, word, rule string) *diag.Diagnostic {
	t.Helper()
	off := strings.Index(text, word)
	if off < 0 {
		t.Fatalf("%q not in text", word)
	}
	lineStart := strings.LastIndexByte(text[:off], '\n') + 1
	line := strings.Count(text[:off], "\n") + 1
	col := off - lineStart + 1
	return &diag.Diagnostic{Severity: diag.Warning, Rule: rule, Summary: "finding at " + word,
		Range: diag.Range{File: file,
			Start: diag.Pos{Line: line, Column: col, Offset: off},
			End:   diag.Pos{Line: line, Column: col + len(word), Offset: off + len(word)}}}
}

const profile = "; MVS1\n" +
	"IPSEC LOGENABLE\n" +
	"  IPSECRULE * * LOG PROTOCOL *\n" +
	"ENDIPSEC\n" +
	"VIPADYNAMIC\n" +
	"  VIPABACKUP 100 MOVEABLE IMMEDIATE 255.255.255.240 201.2.10.11\n" +
	"ENDVIPADYNAMIC\n"

func fingerprint(t *testing.T, text, word string) string {
	t.Helper()
	d := at(t, "MVS5/PROFILE.TCPIP", text, word, "SWSA001")
	return Fingerprints(diag.Diagnostics{d}, diag.Sources{"MVS5/PROFILE.TCPIP": []byte(text)})[0]
}

func TestFingerprintFormat(t *testing.T) {
	if fp := fingerprint(t, profile, "VIPABACKUP"); !regexp.MustCompile(`^[0-9a-f]{32}$`).MatchString(fp) {
		t.Errorf("fingerprint %q is not 32 hex digits", fp)
	}
}

func TestFingerprintSurvivesUnrelatedEdits(t *testing.T) {
	base := fingerprint(t, profile, "VIPABACKUP")
	for name, text := range map[string]string{
		"lines inserted above": "; a new comment\nGLOBALCONFIG XCFGRPID 21\n\n" + profile,
		"lines deleted above":  strings.Replace(profile, "  IPSECRULE * * LOG PROTOCOL *\n", "", 1),
		"lines added below":    profile + "PORT\n  60 TCP APPA\n",
		"CRLF line endings":    strings.ReplaceAll(profile, "\n", "\r\n"),
		"re-indented, re-cased": strings.Replace(profile,
			"  VIPABACKUP 100 MOVEABLE IMMEDIATE 255.255.255.240 201.2.10.11",
			"\tvipabackup   100 moveable immediate 255.255.255.240   201.2.10.11  ", 1),
		"sequence number changed": strings.Replace(profile,
			"  VIPABACKUP 100 MOVEABLE IMMEDIATE 255.255.255.240 201.2.10.11\n",
			record("  VIPABACKUP 100 MOVEABLE IMMEDIATE 255.255.255.240 201.2.10.11", "00060000"), 1),
	} {
		word := "VIPABACKUP"
		if strings.Contains(text, "vipabackup") {
			word = "vipabackup"
		}
		if got := fingerprint(t, text, word); got != base {
			t.Errorf("%s: fingerprint changed", name)
		}
	}
	// Two different sequence numbers on the same statement agree too.
	a := strings.Replace(profile, "  VIPABACKUP 100 MOVEABLE IMMEDIATE 255.255.255.240 201.2.10.11\n",
		record("  VIPABACKUP 100 MOVEABLE IMMEDIATE 255.255.255.240 201.2.10.11", "00060000"), 1)
	b := strings.Replace(profile, "  VIPABACKUP 100 MOVEABLE IMMEDIATE 255.255.255.240 201.2.10.11\n",
		record("  VIPABACKUP 100 MOVEABLE IMMEDIATE 255.255.255.240 201.2.10.11", "00061000"), 1)
	if fingerprint(t, a, "VIPABACKUP") != fingerprint(t, b, "VIPABACKUP") {
		t.Errorf("renumbering changed the fingerprint")
	}
}

// record pads s to an 80-column card with a sequence number in 73–80.
func record(s, seq string) string { return s + strings.Repeat(" ", 72-len(s)) + seq + "\n" }

func TestFingerprintChangesWithContentRuleOrFile(t *testing.T) {
	src := diag.Sources{"MVS5/PROFILE.TCPIP": []byte(profile)}
	base := fingerprint(t, profile, "VIPABACKUP")
	edited := strings.Replace(profile, "VIPABACKUP 100", "VIPABACKUP 90", 1)
	if fingerprint(t, edited, "VIPABACKUP") == base {
		t.Errorf("changing the line's content kept the fingerprint")
	}
	other := at(t, "MVS5/PROFILE.TCPIP", profile, "VIPABACKUP", "SWSA002")
	if Fingerprints(diag.Diagnostics{other}, src)[0] == base {
		t.Errorf("another rule on the same line has the same fingerprint")
	}
	moved := at(t, "MVS1/PROFILE.TCPIP", profile, "VIPABACKUP", "SWSA001")
	if Fingerprints(diag.Diagnostics{moved}, diag.Sources{"MVS1/PROFILE.TCPIP": []byte(profile)})[0] == base {
		t.Errorf("the same line in another file has the same fingerprint")
	}
	// Another column of the same line is the same finding.
	sameLine := at(t, "MVS5/PROFILE.TCPIP", profile, "201.2.10.11", "SWSA001")
	if Fingerprints(diag.Diagnostics{sameLine}, src)[0] != base {
		t.Errorf("a range elsewhere on the same line changed the fingerprint")
	}
}

func TestFingerprintOccurrences(t *testing.T) {
	text := "HOME 10.1.1.1 ETH1\nHOME 10.1.1.1 ETH1\nSTART OSA1A\n"
	src := diag.Sources{"P": []byte(text)}
	first := at(t, "P", text, "HOME", "DUP")
	second := at(t, "P", text[first.Range.End.Offset:], "HOME", "DUP")
	second.Range.Start.Offset += first.Range.End.Offset
	second.Range.End.Offset += first.Range.End.Offset
	second.Range.Start.Line, second.Range.End.Line = 2, 2
	fps := Fingerprints(diag.Diagnostics{first, second}, src)
	if fps[0] == fps[1] {
		t.Fatalf("identical findings share fingerprint %s", fps[0])
	}
	// The counter follows source order, not the order findings came in.
	rev := Fingerprints(diag.Diagnostics{second, first}, src)
	if rev[0] != fps[1] || rev[1] != fps[0] {
		t.Errorf("fingerprints depend on input order: %v vs %v", fps, rev)
	}
	// And the pair survives lines inserted above both.
	moved := "; comment\n" + text
	msrc := diag.Sources{"P": []byte(moved)}
	m1, m2 := *first, *second
	for _, d := range []*diag.Diagnostic{&m1, &m2} {
		d.Range.Start.Line++
		d.Range.End.Line++
		d.Range.Start.Offset += len("; comment\n")
		d.Range.End.Offset += len("; comment\n")
	}
	if diff := cmp.Diff(fps, Fingerprints(diag.Diagnostics{&m1, &m2}, msrc)); diff != "" {
		t.Errorf("inserting a line moved the occurrence fingerprints (-before +after):\n%s", diff)
	}
}

func TestFingerprintWithoutSourceUsesSummary(t *testing.T) {
	d := &diag.Diagnostic{Rule: "XCF001", Summary: "no stack sets VTAM XCFGRPID"}
	e := &diag.Diagnostic{Rule: "XCF001", Summary: "No  stack sets VTAM  XCFGRPID"}
	f := &diag.Diagnostic{Rule: "XCF001", Summary: "XCFGRPID differs between MVS1 and MVS2"}
	fps := Fingerprints(diag.Diagnostics{d, f}, nil)
	if fps[0] == fps[1] {
		t.Errorf("different summaries, same fingerprint")
	}
	if Fingerprints(diag.Diagnostics{e}, nil)[0] != fps[0] {
		t.Errorf("summary normalisation differs from line normalisation")
	}
	// A range whose file text is missing also falls back, and a stale
	// offset still finds the line by its number.
	src := diag.Sources{"P": []byte("A\nHOME 10.1.1.1 ETH1\n")}
	good := &diag.Diagnostic{Rule: "R", Range: rangeAt("P", 2, 1, 2, 5)}
	stale := &diag.Diagnostic{Rule: "R", Range: rangeAt("P", 2, 1, 7, 5)}
	if Fingerprints(diag.Diagnostics{good}, src)[0] != Fingerprints(diag.Diagnostics{stale}, src)[0] {
		t.Errorf("stale offset changed the fingerprint")
	}
}

func TestBaselineRoundTripAndFilter(t *testing.T) {
	src := diag.Sources{"MVS5/PROFILE.TCPIP": []byte(profile)}
	ds := diag.Diagnostics{
		at(t, "MVS5/PROFILE.TCPIP", profile, "VIPABACKUP", "SWSA001"),
		at(t, "MVS5/PROFILE.TCPIP", profile, "IPSEC ", "SWSA002"),
	}
	b := NewBaseline(ds, src)
	path := filepath.Join(t.TempDir(), "tcpipc-baseline.json")
	if err := b.Write(path); err != nil {
		t.Fatal(err)
	}
	back, err := ReadBaseline(path)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(b, back, cmp.Transformer("sorted", sortEntries)); diff != "" {
		t.Errorf("round trip (-wrote +read):\n%s", diff)
	}
	if back.Version != BaselineVersion || back.Tool != "tcpipc" || back.Findings[0].File != "MVS5/PROFILE.TCPIP" {
		t.Errorf("baseline header or entries wrong: %+v", back)
	}

	// The same findings, after lines were inserted above them, are all
	// suppressed; a new one is kept, and so is a second occurrence of an
	// accepted one.
	edited := "; reviewed 2026-11\nTCPCONFIG RESTRICTLOWPORTS\n" + profile +
		"VIPADYNAMIC\n  VIPABACKUP 100 MOVEABLE IMMEDIATE 255.255.255.240 201.2.10.11\nENDVIPADYNAMIC\n"
	esrc := diag.Sources{"MVS5/PROFILE.TCPIP": []byte(edited)}
	again := at(t, "MVS5/PROFILE.TCPIP", edited, "VIPABACKUP", "SWSA001")
	ipsec := at(t, "MVS5/PROFILE.TCPIP", edited, "IPSEC ", "SWSA002")
	fresh := at(t, "MVS5/PROFILE.TCPIP", edited, "TCPCONFIG", "TCP001")
	tail := strings.LastIndex(edited, "VIPABACKUP")
	dup := at(t, "MVS5/PROFILE.TCPIP", edited[tail:], "VIPABACKUP", "SWSA001")
	dup.Range.Start.Offset += tail
	dup.Range.End.Offset += tail
	dup.Range.Start.Line = strings.Count(edited[:tail], "\n") + 1
	dup.Range.End.Line = dup.Range.Start.Line
	dup.Range.Start.Column = 3
	dup.Range.End.Column = 13
	in := diag.Diagnostics{fresh, dup, again, ipsec}
	kept, suppressed := back.Filter(in, esrc)
	if diff := cmp.Diff(diag.Diagnostics{fresh, dup}, kept); diff != "" {
		t.Errorf("kept (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(diag.Diagnostics{again, ipsec}, suppressed); diff != "" {
		t.Errorf("suppressed (-want +got):\n%s", diff)
	}

	// A changed line is a new finding.
	changed := strings.Replace(profile, "VIPABACKUP 100", "VIPABACKUP 120", 1)
	kept, _ = back.Filter(diag.Diagnostics{at(t, "MVS5/PROFILE.TCPIP", changed, "VIPABACKUP", "SWSA001")},
		diag.Sources{"MVS5/PROFILE.TCPIP": []byte(changed)})
	if len(kept) != 1 {
		t.Errorf("a finding on a changed line was suppressed")
	}
}

func sortEntries(b *Baseline) []BaselineEntry {
	out := slices.Clone(b.Findings)
	slices.SortFunc(out, func(x, y BaselineEntry) int { return strings.Compare(x.Fingerprint, y.Fingerprint) })
	return out
}

func TestBaselineWriteIsDeterministic(t *testing.T) {
	src := diag.Sources{"MVS5/PROFILE.TCPIP": []byte(profile)}
	x := at(t, "MVS5/PROFILE.TCPIP", profile, "VIPABACKUP", "SWSA001")
	y := at(t, "MVS5/PROFILE.TCPIP", profile, "IPSEC ", "SWSA002")
	dir := t.TempDir()
	p1, p2 := filepath.Join(dir, "1.json"), filepath.Join(dir, "2.json")
	if err := NewBaseline(diag.Diagnostics{x, y}, src).Write(p1); err != nil {
		t.Fatal(err)
	}
	if err := NewBaseline(diag.Diagnostics{y, x}, src).Write(p2); err != nil {
		t.Fatal(err)
	}
	a, err1 := os.ReadFile(p1)
	b, err2 := os.ReadFile(p2)
	if err1 != nil || err2 != nil {
		t.Fatal(err1, err2)
	}
	if diff := cmp.Diff(string(a), string(b)); diff != "" {
		t.Errorf("baseline file depends on finding order:\n%s", diff)
	}
}

// TestBaselineWriteKeepsMode: a new baseline is 0644, like tcpipc's other
// outputs without keys (it holds no snippet and no key; it is meant to be
// committed), and rewriting one keeps the mode its owner gave it, so a
// file restricted to 0600 is not opened up again by the next run.
func TestBaselineWriteKeepsMode(t *testing.T) {
	path := filepath.Join(t.TempDir(), "base.json")
	b := NewBaseline(nil, nil)
	mode := func() os.FileMode {
		t.Helper()
		fi, err := os.Stat(path)
		if err != nil {
			t.Fatal(err)
		}
		return fi.Mode().Perm()
	}
	if err := b.Write(path); err != nil {
		t.Fatal(err)
	}
	if m := mode(); m != 0o644 {
		t.Errorf("new baseline has mode %v, want 0644", m)
	}
	if err := os.Chmod(path, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := b.Write(path); err != nil {
		t.Fatal(err)
	}
	if m := mode(); m != 0o600 {
		t.Errorf("rewritten baseline has mode %v, want the owner's 0600", m)
	}
}
