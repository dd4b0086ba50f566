package profile

import (
	"fmt"

	"github.com/tcpipc/tcpipc/diag"
	"github.com/tcpipc/tcpipc/grammar/source"
)

// unspacedComments reports, once per file at the first, the ';' comments
// written right after a word or a string ("REPL;CHG"). IBM's statement
// syntax rules require a blank between an argument and the semicolon of
// a comment that follows it (IP Configuration Reference, "Statement
// syntax for configuration statements"); what the stack makes of the
// word without it is not documented, so tcpipc reads the ';' as the start
// of a comment, as its lexer does, and warns.
func (p *parser) unspacedComments(f *source.File, offs []int, chain []diag.Range) {
	if len(offs) == 0 {
		return
	}
	var lines []int
	for _, off := range offs {
		line := f.Range(off, off).Start.Line
		if len(lines) == 0 || lines[len(lines)-1] != line {
			lines = append(lines, line)
		}
	}
	what := "a ';' comment"
	if len(offs) > 1 {
		what = fmt.Sprintf("%d ';' comments", len(offs))
	}
	d := p.diags.Warnf(RuleComment, f.Range(offs[0], offs[0]+1),
		"%s right after a word, with no blank between (%s %s)", what, plural(len(lines), "line", "lines"), lineList(lines))
	d.Detail = "IBM requires a blank between an argument and the ';' of a comment after it; " +
		"the stack may read the semicolon and the comment as part of the argument, which then fails. " +
		"tcpipc reads the comment as a comment; put a blank before the ';'."
	d.IncludedFrom = chain
}
