package diag

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"
)

// Sources gives the decoded text of a file by the name used in ranges, for
// source snippets. A nil Sources renders without snippets.
type Sources map[string][]byte

// WriteText renders diagnostics in the compiler style, each followed by the
// source line and a caret line under its range. ds is not reordered: call
// Sort first for deterministic output.
func WriteText(w io.Writer, ds Diagnostics, src Sources) error {
	var b bytes.Buffer
	for _, d := range ds {
		fmt.Fprintf(&b, "%s: %s: %s", VisibleLine(d.Range.String()), d.Severity, VisibleLine(d.Summary))
		if d.Rule != "" {
			fmt.Fprintf(&b, " [%s]", d.Rule)
		}
		b.WriteByte('\n')
		writeSnippet(&b, d.Range, src)
		if d.Detail != "" {
			for _, line := range strings.Split(strings.TrimRight(d.Detail, "\n"), "\n") {
				fmt.Fprintf(&b, "    %s\n", Visible(line))
			}
		}
		for _, r := range d.Related {
			fmt.Fprintf(&b, "    %s: %s\n", VisibleLine(r.Range.String()), VisibleLine(r.Message))
		}
		for _, r := range d.IncludedFrom {
			fmt.Fprintf(&b, "    included from %s\n", VisibleLine(r.String()))
		}
	}
	_, err := w.Write(b.Bytes())
	return err
}

// FormatText is WriteText into a string.
func FormatText(ds Diagnostics, src Sources) string {
	var b strings.Builder
	_ = WriteText(&b, ds, src)
	return b.String()
}

// writeSnippet prints the first line of r and carets under the part of it
// that r covers (to the end of the line when r spans several lines).
func writeSnippet(b *bytes.Buffer, r Range, src Sources) {
	text, ok := src[r.File]
	if !ok || r.Start.Line < 1 || r.Start.Offset > len(text) {
		return
	}
	lineStart := r.Start.Offset - (r.Start.Column - 1)
	if lineStart < 0 || lineStart > len(text) {
		return
	}
	lineEnd := bytes.IndexByte(text[lineStart:], '\n')
	if lineEnd < 0 {
		lineEnd = len(text)
	} else {
		lineEnd += lineStart
	}
	line := strings.TrimRight(string(text[lineStart:lineEnd]), "\r")
	gutter := fmt.Sprintf("%5d | ", r.Start.Line)
	fmt.Fprintf(b, "%s%s\n", gutter, Visible(expandTabs(line)))
	startCol := r.Start.Column - 1
	endCol := len(line)
	if r.End.Line == r.Start.Line && r.End.Column > r.Start.Column {
		endCol = min(r.End.Column-1, len(line))
	}
	width := max(visualWidth(line, endCol)-visualWidth(line, startCol), 1)
	pad := strings.Repeat(" ", len(gutter)-2)
	fmt.Fprintf(b, "%s| %s%s\n", pad, strings.Repeat(" ", visualWidth(line, startCol)), strings.Repeat("^", width))
}

func expandTabs(s string) string { return strings.ReplaceAll(s, "\t", " ") }

// visualWidth is the number of columns the first n bytes of s take once
// control characters are made visible.
func visualWidth(s string, n int) int {
	n = min(max(n, 0), len(s))
	return utf8.RuneCountInString(Visible(s[:n]))
}

// WriteJSON writes diagnostics as a JSON array with display paths.
func WriteJSON(w io.Writer, ds Diagnostics) error {
	out := make([]*Diagnostic, len(ds))
	for i, d := range ds {
		c := *d
		c.Range.File = DisplayPath(c.Range.File)
		out[i] = &c
	}
	if out == nil {
		out = []*Diagnostic{}
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(out)
}
