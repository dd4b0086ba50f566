package diag

import (
	"strings"
	"testing"
	"unicode/utf8"
)

// FuzzWriteTextVisible: whatever bytes a source line, a summary or a file
// name hold, the text rendering holds no character a terminal acts on (no
// control character but the newlines that end its lines, no bidirectional
// override, no invalid UTF-8), and the carets start where the visible
// prefix of the line ends. Seeds: testdata/fuzz/FuzzWriteTextVisible.
func FuzzWriteTextVisible(f *testing.F) {
	f.Add("HOME \x1b[2J 10.1.1.1\u202e ETH1\r\x9b", "bad \x1b]0;x\x07", "P\x1bR", 6)
	f.Add("\tPORT 21 TCP FTPD\x00", "x", "P", 2)
	f.Fuzz(func(t *testing.T, line, summary, file string, col int) {
		if strings.Contains(line, "\n") || col < 1 || col > len(line)+1 {
			return
		}
		src := Sources{file: []byte(line + "\n")}
		r := Range{File: file, Start: Pos{Line: 1, Column: col, Offset: col - 1}, End: Pos{Line: 1, Column: col + 1, Offset: col}}
		got := FormatText(Diagnostics{{Severity: Error, Summary: summary, Detail: summary, Range: r}}, src)
		if !utf8.ValidString(got) {
			t.Fatalf("invalid UTF-8 in %q", got)
		}
		for _, c := range got {
			if c != '\n' && hidden(c) {
				t.Fatalf("hidden %U in %q", c, got)
			}
		}
		lines := strings.Split(got, "\n")
		if len(lines) < 3 {
			t.Fatalf("no snippet in %q", got)
		}
		caretLine := lines[2]
		at := strings.IndexByte(caretLine, '^')
		// The renderer drops the \r of a CRLF line ending.
		shown := strings.TrimRight(line, "\r")
		want := len("      | ") + utf8.RuneCountInString(Visible(expandTabs(shown[:min(col-1, len(shown))])))
		if at != want {
			t.Fatalf("caret at %d, want %d:\n%s", at, want, got)
		}
	})
}

// TestVisibleZeroWidth: a zero-width character, such as the byte-order mark
// a file transfer left at the end of a real Policy Agent member, is shown
// escaped; otherwise "unknown statement \ufeffh" reads as "unknown
// statement h" and the cause cannot be seen.
func TestVisibleZeroWidth(t *testing.T) {
	for in, want := range map[string]string{
		"unknown statement \ufeffh": `unknown statement \ufeffh`,
		"IPSEC\u200bRULE":           `IPSEC\u200bRULE`,
		"a\u200c\u200d\u2060b":      `a\u200c\u200d\u2060b`,
		"caf\u00e9 \u00a0":          "caf\u00e9 \u00a0",
		// Every other invisible format character (Unicode Cf), and the
		// line and paragraph separators a viewer may break a line at.
		"VIPA\u00adDEFINE":           `VIPA\u00adDEFINE`,
		"a\u2061\u2062\u2063\u2064b": `a\u2061\u2062\u2063\u2064b`,
		"x\u180ey\u061cz":            `x\u180ey\u061cz`,
		"tag\U000e0041":              `tag\U000e0041`,
		"one\u2028two\u2029":         `one\u2028two\u2029`,
	} {
		if got := Visible(in); got != want {
			t.Errorf("Visible(%q) = %q, want %q", in, got, want)
		}
	}
}
