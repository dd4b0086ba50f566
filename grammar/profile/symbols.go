package profile

import (
	"fmt"
	"strings"

	"github.com/tcpipc/tcpipc/diag"
)

// Substitute replaces the MVS system symbols in text (&NAME. or &NAME at
// a delimiter; the period ends the name and is dropped, so &SYSCLONE..X
// gives the value then ".X") with their values in syms, keyed by name
// without & and period. It returns the first symbol that has no value.
// The stack substitutes system symbols throughout the profile and the
// data sets it includes (IBM, z/OS Communications Server IP Configuration
// Guide, "MVS system symbols").
func Substitute(text string, syms map[string]string) (string, string) {
	var out strings.Builder
	for i := 0; i < len(text); i++ {
		if text[i] != '&' {
			out.WriteByte(text[i])
			continue
		}
		j := i + 1
		for j < len(text) && isSymbolChar(text[j]) {
			j++
		}
		name := text[i+1 : j]
		if name == "" {
			out.WriteByte('&') // no symbol begins here
			continue
		}
		v, ok := syms[name]
		if !ok {
			return "", name
		}
		out.WriteString(v)
		if j < len(text) && text[j] == '.' {
			j++ // the period ends the symbol name and is not part of the text
		}
		i = j - 1
	}
	return out.String(), ""
}

func isSymbolChar(c byte) bool {
	return c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '@' || c == '#' || c == '$' || c == '_'
}

// includeSymbols substitutes the system symbols of an INCLUDE's data set
// name. It reports the INCLUDE and returns false when tcpipc has no symbol
// values (a profile read on its own) or the name uses a symbol without one.
func (p *parser) includeSymbols(dsn string, fail func(string, ...any) *diag.Diagnostic) (string, bool) {
	if !strings.Contains(dsn, "&") {
		return dsn, true
	}
	if p.opts.Symbols == nil {
		fail("INCLUDE %s uses a system symbol; tcpipc cannot resolve it", dsn).Detail =
			"Give the stack's system symbols in the manifest (symbols: {SYSNAME: ...}), map the member through the manifest's include mapping, or resolve the symbol in the file."
		return "", false
	}
	resolved, missing := Substitute(dsn, p.opts.Symbols)
	if missing != "" {
		fail("INCLUDE %s: system symbol &%s. has no value", dsn, missing).Detail =
			fmt.Sprintf("Give the stack's value in the manifest (symbols: {%s: ...}); &SYSNAME. is the stack's name, &SYSCLONE. the last two characters of it and &SYSPLEX. the sysplex name unless the manifest says otherwise.", missing)
		return "", false
	}
	return resolved, true
}
