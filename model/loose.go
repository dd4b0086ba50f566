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
	"github.com/tcpipc/tcpipc/grammar/tcpipdata"
)

// The kinds of loose files LooseKind tells apart.
const (
	KindProfile   = "profile"               // a TCP/IP profile, one stack
	KindPolicy    = "policy"                // a Policy Agent, policy or IKED file
	KindTCPIPData = tcpipdata.KindTCPIPData // TCPIP.DATA, the resolver's and applications' configuration
	KindSetup     = tcpipdata.KindSetup     // the resolver setup file
)

// LooseKind tells what a loose file is: a TCP/IP profile, one of the
// brace-structured Policy Agent or IKED files, or TCPIP.DATA. By its name
// first (pagent…, *.image, *.policy, iked.conf, *.iked; TCPIP.DATA,
// TCPDATA, *.TCPIP.DATA, as IBM names the data set and the member of
// SYS1.TCPPARMS the resolver looks for), else by its statements: a profile
// statement keyword makes a profile, a policy statement or a brace (no
// profile statement uses braces) a policy file. A first statement that is
// neither (a TCPIP.DATA statement pasted into a profile, a typo) does not
// decide, or one mistake would make every profile statement after it an
// unknown policy statement. A file whose statements are mostly TCPIP.DATA
// statements is TCPIP.DATA (a profile statement pasted into it does not
// make it a profile); a file where nothing tells is a policy file. lint
// and parse tell loose files apart the same way.
func LooseKind(p string) string {
	if k := looseKindByName(p); k != "" {
		return k
	}
	data, err := os.ReadFile(p)
	if err != nil {
		return KindProfile // read as a profile, which reports the error
	}
	return LooseKindText(p, data)
}

// IsPolicyFile reports whether a loose file is one of the brace-structured
// Policy Agent or IKED files (LooseKind).
func IsPolicyFile(p string) bool { return LooseKind(p) == KindPolicy }

// IsPolicyName is IsPolicyFile by the file's name alone.
func IsPolicyName(p string) bool { return looseKindByName(p) == KindPolicy }

// ResolverKindByName is KindTCPIPData or KindSetup when a file's name
// makes it one of the resolver's files, else "".
func ResolverKindByName(p string) string {
	if k := looseKindByName(p); k == KindTCPIPData || k == KindSetup {
		return k
	}
	return ""
}

// looseKindByName is LooseKind by the file's name alone, or "".
func looseKindByName(p string) string {
	base := strings.ToLower(path.Base(filepath.ToSlash(p)))
	switch {
	case base == "iked.conf" || strings.HasSuffix(base, ".iked") || strings.HasPrefix(base, "pagent") ||
		strings.HasSuffix(base, ".image") || strings.HasSuffix(base, ".policy"):
		return KindPolicy
	case base == "tcpip.data" || base == "tcpdata" || strings.HasSuffix(base, ".tcpip.data"):
		return KindTCPIPData
	case base == "ressetup" || base == "ezbrecnf":
		return KindSetup // IBM's sample member and its alias
	}
	return ""
}

// IsPolicyText is IsPolicyFile for a file already read (by content only).
func IsPolicyText(p string, data []byte) bool { return LooseKindText(p, data) == KindPolicy }

// looseKindLook is how many statements LooseKindText weighs once the first
// one is a TCPIP.DATA statement.
const looseKindLook = 20

// LooseKindText is LooseKind for a file already read (by content only).
func LooseKindText(p string, data []byte) string {
	// Line by line up to the first statement that tells: splitting the whole file
	// cost parse a tenth of its time on a large profile.
	text := source.Decode(p, data, source.Auto).Text
	tcpipData, setup, profiles := 0, 0, 0
	for len(text) > 0 && tcpipData+setup+profiles < looseKindLook {
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
			if tcpipData+setup == 0 {
				return KindPolicy
			}
			continue
		}
		fields := bytes.Fields(line)
		word := string(fields[0])
		if len(fields) > 1 && len(word) > 1 && strings.HasSuffix(word, ":") {
			word = string(fields[1]) // a TCPIP.DATA statement's system_name:
		}
		switch {
		case tcpipdata.IsSharedStatement(word): // NOCACHE: either file
		case tcpipdata.IsStatement(word):
			tcpipData++
		case tcpipdata.IsSetupStatement(word):
			setup++
		case profile.IsStatementKeyword(profile.Canonical(word)):
			if tcpipData+setup == 0 {
				return KindProfile
			}
			profiles++
		case tcpipData+setup == 0:
			if s, ok := policy.LookupStatement(word); ok && s.TopLevel {
				return KindPolicy
			}
		}
	}
	switch {
	case setup > tcpipData && setup > profiles:
		return KindSetup
	case tcpipData+setup > profiles:
		return KindTCPIPData
	case profiles > 0:
		return KindProfile
	}
	return KindPolicy
}

// splitLooseFiles separates the profiles among loose files from the
// policy-family files and the resolver's files (TCPIP.DATA and the setup
// file).
func splitLooseFiles(paths []string) (profiles, policies, tcpipData []string) {
	for _, p := range paths {
		switch LooseKind(p) {
		case KindPolicy:
			policies = append(policies, p)
		case KindTCPIPData, KindSetup:
			tcpipData = append(tcpipData, p)
		default:
			profiles = append(profiles, p)
		}
	}
	return profiles, policies, tcpipData
}

// loadLooseTCPIPData parses loose TCPIP.DATA and resolver setup files and
// checks their statements; no stack reads them.
func loadLooseTCPIPData(sx *Sysplex, paths []string, opts Options, ds *diag.Diagnostics) {
	for _, p := range paths {
		f, fds := tcpipdata.ParseFile(p, LooseKind(p), TCPIPDataOptions(opts.Encoding))
		*ds = append(*ds, fds...)
		for n, text := range f.Sources() {
			sx.Sources[n] = text
		}
	}
}

// TCPIPDataOptions are the options lint and parse read TCPIP.DATA with: a
// profile statement in it is named as one.
func TCPIPDataOptions(enc source.Encoding) tcpipdata.Options {
	return tcpipdata.Options{Encoding: enc, IsProfileStatement: func(w string) bool {
		return profile.IsStatementKeyword(profile.Canonical(w))
	}}
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
