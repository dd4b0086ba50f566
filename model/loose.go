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
// (pagent…, *.image, *.policy, iked.conf, *.iked), else by its first word,
// which in a profile is a profile statement. lint and parse tell loose
// files apart the same way.
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
// whether its first statement is no profile statement.
func IsPolicyText(p string, data []byte) bool {
	// Line by line up to the first statement: splitting the whole file
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
		return !profile.IsStatementKeyword(profile.Canonical(string(bytes.Fields(line)[0])))
	}
	return false
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
