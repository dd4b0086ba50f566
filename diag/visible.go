package diag

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Visible renders the characters of s that a terminal or a log viewer
// would act on instead of showing (C0 and C1 controls such as ESC, DEL,
// the bidirectional overrides of "Trojan Source", every other invisible
// format character such as a stray byte-order mark, line and paragraph
// separators, bytes that are not UTF-8) as Go-style
// escapes: ESC becomes `\x1b`, U+202E `\u202e`, a stray
// byte 0x9b `\x9b`. Newlines and tabs stay: the renderers lay them out.
// Text from input files goes through it before it reaches a terminal.
func Visible(s string) string { return visible(s, false) }

// VisibleLine is Visible for text that must stay on one line (a file
// name, a summary): a newline in it is shown as `\x0a` too, so it cannot
// start a line that looks like another diagnostic.
func VisibleLine(s string) string { return visible(s, true) }

func visible(s string, oneLine bool) string {
	hidden := hidden
	if oneLine {
		hidden = func(r rune) bool { return r == '\n' || isHidden(r) }
	}
	if !needsEscape(s, hidden) {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			fmt.Fprintf(&b, `\x%02x`, s[i])
		case hidden(r) && r < 0x80:
			fmt.Fprintf(&b, `\x%02x`, r)
		case hidden(r) && r > 0xffff:
			fmt.Fprintf(&b, `\U%08x`, r)
		case hidden(r):
			fmt.Fprintf(&b, `\u%04x`, r)
		default:
			b.WriteString(s[i : i+size])
		}
		i += size
	}
	return b.String()
}

func needsEscape(s string, hidden func(rune) bool) bool {
	for i, r := range s {
		if hidden(r) || (r == utf8.RuneError && !strings.HasPrefix(s[i:], "\uFFFD")) {
			return true
		}
	}
	return false
}

// hidden reports whether a terminal would act on r rather than show it.
var hidden = isHidden

func isHidden(r rune) bool {
	switch {
	case r == '\n' || r == '\t':
		return false
	case r < 0x20, r >= 0x7f && r < 0xa0:
		return true
	case r == 0x200e, r == 0x200f, r >= 0x202a && r <= 0x202e, r >= 0x2066 && r <= 0x2069:
		return true // bidirectional marks, embeddings, overrides and isolates
	case unicode.In(r, unicode.Cf, unicode.Zl, unicode.Zp):
		// Format characters (zero-width spaces and joiners, a byte-order
		// mark, a soft hyphen, invisible operators, tags): shown as
		// nothing, they hide what a word holds. Line and paragraph
		// separators: a viewer may start a new line at them.
		return true
	}
	return false
}
