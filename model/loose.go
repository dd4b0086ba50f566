package model

import (
	"bytes"
	"os"
	"path"
	"path/filepath"
	"strings"

	"github.com/tcpipc/tcpipc/diag"
	"github.com/tcpipc/tcpipc/grammar/policy"
	"github.com/tcpipc/tcpipc/grammar/profile"
	"github.com/tcpipc/tcpipc/grammar/source"
)

// IsPolicyFile reports whether a loose file is one of the brace-structured
// Policy Agent or IKED files rather than a TCP/IP profile: by its name
// (pagent…, *.image, *.policy, iked.conf, *.iked), else by its first
// statement that tells: a profile statement keyword makes a profile, a
// policy statement or a brace (no profile statement uses braces) a policy
// file. A first statement that is neither (a TCPIP.DATA statement pasted
// into a profile, a typo) does not decide, or one mistake would make every
// profile statement after it an unknown policy statement; a file where
// nothing tells is a policy file. lint and parse tell loose files apart the
// same way.
func IsPolicyFile(p string) bool {
	if IsPolicyName(p) {
		return true
	}
	data, err := os.ReadFile(p)
	if err != nil {
		return false // read as a profile, which reports the error
	}
	return IsPolicyText(p, data)
}

// IsPolicyName is IsPolicyFile by the file's name alone.
func IsPolicyName(p string) bool {
	base := strings.ToLower(path.Base(filepath.ToSlash(p)))
	return base == "iked.conf" || strings.HasSuffix(base, ".iked") || strings.HasPrefix(base, "pagent") ||
		strings.HasSuffix(base, ".image") || strings.HasSuffix(base, ".policy")
}

// IsPolicyText is IsPolicyFile for a file already read (by content only):
// by its first statement that tells, as IsPolicyFile says.
func IsPolicyText(p string, data []byte) bool {
	// Line by line up to the first statement that tells: splitting the whole file
	// cost parse a tenth of its time on a large profile.
	text := source.Decode(p, data, source.Auto).Text
	for len(text) > 0 {
		line := text
		if i := bytes.IndexByte(text, '\n'); i >= 0 {
			line, text = text[:i], text[i+1:]
		} else {
			text = nil
		}
		line = bytes.TrimSpace(line)
		if len(line) == 0 || line[0] == ';' || line[0] == '#' {
			continue
		}
		code, _, _ := bytes.Cut(line, []byte(";")) // a profile comment may hold a brace
		if bytes.ContainsAny(code, "{}") {
			return true
		}
		word := string(bytes.Fields(line)[0])
		if profile.IsStatementKeyword(profile.Canonical(word)) {
			return false
		}
		if s, ok := policy.LookupStatement(word); ok && s.TopLevel {
			return true
		}
	}
	return true
}

// splitLooseFiles separates the profiles among loose files from the
// policy-family files.
func splitLooseFiles(paths []string) (profiles, policies []string) {
	for _, p := range paths {
		if IsPolicyFile(p) {
			policies = append(policies, p)
		} else {
			profiles = append(profiles, p)
		}
	}
	return profiles, policies
}

// loadLoosePolicies parses loose policy-family files on their own, each as
// the kind its statements show, and checks their values: no stack reads
// them, so only what the files say by themselves is reported.
func loadLoosePolicies(sx *Sysplex, paths []string, opts Options, ds *diag.Diagnostics) {
	for _, p := range paths {
		f, pds := policy.ParseFile(p, policy.Options{Encoding: opts.Encoding})
		checkPolicyValues(f, &pds)
		*ds = append(*ds, pds...)
		for n, text := range f.Sources() {
			sx.Sources[n] = text
		}
	}
}
