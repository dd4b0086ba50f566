package policy

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"

	"github.com/tcpipc/tcpipc/diag"
)

// WriteTree prints the syntax tree in a stable, indented text form: one
// line per entry with its range, keyword and values, its comments below
// it, and a block's entries between its braces. Secrets print as
// <redacted>.
func (f *File) WriteTree(w io.Writer) error {
	var b strings.Builder
	fmt.Fprintf(&b, "%s (%s)\n", diag.DisplayPath(f.Name), f.Kind)
	for _, e := range f.Entries {
		writeEntry(&b, e, "")
	}
	for _, c := range f.TrailingComments {
		fmt.Fprintf(&b, "# %s\n", c)
	}
	_, err := io.WriteString(w, b.String())
	return err
}

func writeEntry(b *strings.Builder, e *Entry, indent string) {
	fmt.Fprintf(b, "%s%s %s", indent, span(e.Range), e.Keyword)
	for _, v := range e.Values {
		b.WriteString(" " + v.String())
	}
	b.WriteByte('\n')
	for _, c := range e.Comments {
		fmt.Fprintf(b, "%s  # %s\n", indent, c)
	}
	if e.Block == nil {
		return
	}
	fmt.Fprintf(b, "%s  { %s\n", indent, pos(e.Block.Open))
	for _, c := range e.Block.Entries {
		writeEntry(b, c, indent+"    ")
	}
	if e.Block.Close.IsZero() {
		fmt.Fprintf(b, "%s  } missing\n", indent)
	} else {
		fmt.Fprintf(b, "%s  } %s\n", indent, pos(e.Block.Close))
	}
}

// span prints a range as line:col-line:col.
func span(r diag.Range) string {
	return fmt.Sprintf("%d:%d-%d:%d", r.Start.Line, r.Start.Column, r.End.Line, r.End.Column)
}

func pos(r diag.Range) string { return fmt.Sprintf("%d:%d", r.Start.Line, r.Start.Column) }

// JSON returns the syntax tree as plain JSON values. Secrets are
// "<redacted>".
func (f *File) JSON() any {
	entries := make([]any, 0, len(f.Entries))
	for _, e := range f.Entries {
		entries = append(entries, entryJSON(e))
	}
	out := map[string]any{"file": diag.DisplayPath(f.Name), "kind": f.Kind.String(), "entries": entries}
	if len(f.TrailingComments) > 0 {
		out["trailingComments"] = f.TrailingComments
	}
	return out
}

// WriteJSON writes JSON() indented.
func (f *File) WriteJSON(w io.Writer) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(f.JSON())
}

func rangeJSON(r diag.Range) map[string]any {
	return map[string]any{
		"file":  diag.DisplayPath(r.File),
		"start": map[string]any{"line": r.Start.Line, "column": r.Start.Column, "offset": r.Start.Offset},
		"end":   map[string]any{"line": r.End.Line, "column": r.End.Column, "offset": r.End.Offset},
	}
}

func entryJSON(e *Entry) map[string]any {
	out := map[string]any{
		"keyword":      e.Keyword,
		"keywordRange": rangeJSON(e.KeywordRange),
		"range":        rangeJSON(e.Range),
	}
	if len(e.Values) > 0 {
		vs := make([]any, len(e.Values))
		for i, v := range e.Values {
			vs[i] = map[string]any{"text": v.String(), "range": rangeJSON(v.Range)}
		}
		out["values"] = vs
	}
	if len(e.Comments) > 0 {
		out["comments"] = e.Comments
	}
	if e.Secret {
		out["secret"] = true
	}
	if e.Block != nil {
		es := make([]any, 0, len(e.Block.Entries))
		for _, c := range e.Block.Entries {
			es = append(es, entryJSON(c))
		}
		blk := map[string]any{"open": rangeJSON(e.Block.Open), "entries": es}
		if !e.Block.Close.IsZero() {
			blk["close"] = rangeJSON(e.Block.Close)
		}
		out["block"] = blk
	}
	return out
}
