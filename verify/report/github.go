package report

import (
	"bytes"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/tcpipc/tcpipc/diag"
)

// WriteGitHub writes one GitHub Actions workflow command per finding,
//
//	::error file=F,line=L,col=C,endLine=L,endColumn=C,title=RULE::message
//
// with ::warning for warnings and ::notice for info. The message is the
// summary, the detail and the related places; newlines in it are escaped,
// so each command stays on one line as the runner requires.
func WriteGitHub(w io.Writer, ds diag.Diagnostics, o Options) error {
	var b bytes.Buffer
	for _, d := range sorted(ds) {
		b.WriteString("::")
		b.WriteString(githubCommand(d.Severity))
		var props []string
		add := func(k, v string) { props = append(props, k+"="+escapeProperty(v)) }
		if f := displayFile(d.Range); f != "" {
			add("file", f)
			r := d.Range
			if r.Start.Line > 0 {
				add("line", strconv.Itoa(r.Start.Line))
				endLine := max(r.End.Line, r.Start.Line)
				// GitHub takes columns only for a range on one line, and
				// its endColumn is the last column covered, not the one
				// after.
				if endLine == r.Start.Line && r.Start.Column > 0 {
					add("col", strconv.Itoa(r.Start.Column))
					add("endLine", strconv.Itoa(endLine))
					add("endColumn", strconv.Itoa(max(r.End.Column-1, r.Start.Column)))
				} else {
					add("endLine", strconv.Itoa(endLine))
				}
			}
		}
		if d.Rule != "" {
			add("title", d.Rule)
		}
		if len(props) > 0 {
			b.WriteByte(' ')
			b.WriteString(strings.Join(props, ","))
		}
		b.WriteString("::")
		b.WriteString(escapeData(githubMessage(d)))
		b.WriteByte('\n')
	}
	_, err := w.Write(b.Bytes())
	return err
}

func githubCommand(s diag.Severity) string {
	switch {
	case s >= diag.Error:
		return "error"
	case s == diag.Warning:
		return "warning"
	}
	return "notice"
}

func githubMessage(d *diag.Diagnostic) string {
	var m strings.Builder
	m.WriteString(d.Summary)
	if d.Detail != "" {
		m.WriteString("\n")
		m.WriteString(strings.TrimRight(d.Detail, "\n"))
	}
	for _, r := range d.Related {
		fmt.Fprintf(&m, "\n%s: %s", r.Range, r.Message)
	}
	for _, r := range d.IncludedFrom {
		fmt.Fprintf(&m, "\nincluded from %s", r)
	}
	return m.String()
}

// escapeData escapes a workflow command's message the way the runner
// unescapes it, then makes the control characters left visible (see
// diag.Visible) so that an escape sequence in an input file never reaches
// the log as one. The replacer works in one pass, so the '%' of an escape
// is never escaped again.
func escapeData(s string) string {
	return diag.Visible(strings.NewReplacer("%", "%25", "\r", "%0D", "\n", "%0A").Replace(s))
}

// escapeProperty escapes a property value, where ':' and ',' would end it.
func escapeProperty(s string) string {
	return diag.Visible(strings.NewReplacer("%", "%25", "\r", "%0D", "\n", "%0A", ":", "%3A", ",", "%2C").Replace(s))
}
