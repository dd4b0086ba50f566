package model

import (
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

// TestIsPolicyFileReadsOnlyTheFirstStatement checks that telling a loose
// file's kind costs a read of the file and not a copy of its every line:
// `tcpipc parse` asks this of every profile it is given.
func TestIsPolicyFileReadsOnlyTheFirstStatement(t *testing.T) {
	dir := t.TempDir()
	big := filepath.Join(dir, "BIG.TCPIP")
	text := "; a profile\n\nTCPCONFIG RESTRICTLOWPORTS\n" + strings.Repeat("HOME 10.1.1.1 ETH1 ; home\n", 100_000)
	if err := os.WriteFile(big, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	isPolicy := IsPolicyFile(big)
	runtime.ReadMemStats(&after)
	if isPolicy {
		t.Fatal("a profile starting with TCPCONFIG was taken for a policy file")
	}
	if got := after.TotalAlloc - before.TotalAlloc; got > uint64(len(text))*3/2 {
		t.Errorf("IsPolicyFile allocated %d bytes for a file of %d", got, len(text))
	}
	policyFile := filepath.Join(dir, "LOOSE")
	if err := os.WriteFile(policyFile, []byte("\n# c\n  IpFilterPolicy\n{\n}\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if !IsPolicyFile(policyFile) {
		t.Error("a file starting with IpFilterPolicy was not taken for a policy file")
	}
}

// TestIsPolicyFileFirstStatementMistyped checks that a profile whose first
// statement is a mistake (a TCPIP.DATA statement, a typo) is still read as
// a profile, so lint reports that one statement instead of calling every
// profile statement an unknown policy statement; and that a policy file
// whose first word is unknown is still a policy file.
func TestIsPolicyFileFirstStatementMistyped(t *testing.T) {
	dir := t.TempDir()
	for name, tc := range map[string]struct {
		text   string
		policy bool
	}{
		"PROFILE1": {"TCPIPJOBNAME TCPIP\nDEVICE D MPCIPA\nLINK L IPAQENET D\n", false},
		"PROFILE2": {"; c\nDEVICEE D MPCIPA ; {x}\n  HOME 1.1.1.1 L\n", false},
		"POLICY1":  {"# c\nIpFilterPolcy x\n{\n  Port 21\n}\nIpFilterPolicy\n{\n}\n", true},
		"POLICY2":  {"TcpImage TCPCS /etc/pagent/TCPCS.image FLUSH\n", true},
		"POLICY3":  {"NoSuchThing\n{\n}\n", true},
	} {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(tc.text), 0o600); err != nil {
			t.Fatal(err)
		}
		if got := IsPolicyFile(p); got != tc.policy {
			t.Errorf("%s: IsPolicyFile = %v, want %v", name, got, tc.policy)
		}
	}
}

// TestLooseProfileSymbols checks that a loose profile, whose stack name is
// made up from its file name, gets no system symbol defaults from it: an
// INCLUDE that uses a symbol is reported as one tcpipc cannot resolve,
// not resolved to a member named after the file.
func TestLooseProfileSymbols(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "PROFILE.TCPIP")
	if err := os.WriteFile(p, []byte("INCLUDE USER.TCPPARMS(&SYSNAME.)\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	_, ds := LoadFiles([]string{p}, Options{})
	if len(ds) != 1 || !strings.Contains(ds[0].Summary, "uses a system symbol; tcpipc cannot resolve it") {
		t.Errorf("diagnostics %v", ds)
	}
}

// TestLooseKindTCPIPData checks that a TCPIP.DATA file is told apart from
// profiles and policy files, by its name or by most of its statements,
// and that a profile with a TCPIP.DATA statement pasted in stays a profile.
func TestLooseKindTCPIPData(t *testing.T) {
	dir := t.TempDir()
	for name, tc := range map[string]struct{ text, kind string }{
		"TCPIP.DATA": {"IpFilterPolicy\n{\n}\n", KindTCPIPData}, // by name
		"TCPDATA":    {"", KindTCPIPData},
		"RESGLOBL":   {"# c\nDomain abcxyz\n; c\nSEARCH ibm.com\nMVS000: Hostname MVS026\n", KindTCPIPData},
		"ANNEXA":     {"NSINTERADDR 10.1.1.1\nMAXTTL 5\nRESOLVERTIMEOUT 30\nTCPCONFIG MULTIPATH OFF\n", KindTCPIPData},
		"PROFILE1":   {"TCPIPJOBNAME TCPIP\nDEVICE D MPCIPA\nLINK L IPAQENET D\n", KindProfile},
		"PROFILE2":   {"ITRACE OFF\nDATASETPREFIX TCPIP\nHOSTNAME X\n", KindProfile},
		"POLICY1":    {"TcpImage TCPCS /etc/pagent/TCPCS.image FLUSH\n", KindPolicy},
		"RESSETUP":   {"", KindSetup},
		"SETUP1":     {";\n  DEFAULTIPNODES('A.B(C)')\n;\n  COMMONSEARCH\n  CACHE\n  CACHESIZE(200M)\n", KindSetup},
		"SETUP2":     {"GLOBALTCPIPDATA(/etc/g.data)\nNOCACHE\n", KindSetup},
	} {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(tc.text), 0o600); err != nil {
			t.Fatal(err)
		}
		if got := LooseKind(p); got != tc.kind {
			t.Errorf("%s: LooseKind = %q, want %q", name, got, tc.kind)
		}
		if got := IsPolicyFile(p); got != (tc.kind == KindPolicy) {
			t.Errorf("%s: IsPolicyFile = %v", name, got)
		}
	}
}
