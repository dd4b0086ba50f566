package profile

import (
	"fmt"
	"regexp"
	"strings"
	"testing"

	"github.com/tcpipc/tcpipc/diag"
)

// TestSrcIPAddressPreferenceAlone checks that PUBLICADDRS and TEMPADDRS
// written in place of the source address are the entry's preference, not
// an interface name: IBM's IPv6 guide configures "a JOBNAME jobname
// TEMPADDRS entry on the SRCIP statement", and Netstat SRCIP shows
// TEMPADDRS as the entry's source.
func TestSrcIPAddressPreferenceAlone(t *testing.T) {
	in := "SRCIP\n JOBNAME USER1 TEMPADDRS\n JOBNAME USER2* CLIENTS PUBLICADDRS\n DESTINATION 2001:DB8::/32 TEMPADDRS\n JOBNAME USER3 VIPA6\nENDSRCIP\n"
	prof, ds := Parse("P", []byte(in), Options{})
	if len(ds) != 0 {
		t.Errorf("diagnostics %q", diag.FormatText(ds, prof.Sources()))
	}
	var got []string
	for _, st := range prof.Statements {
		s, ok := st.(*SrcIP)
		if !ok {
			continue
		}
		for _, e := range s.Entries {
			intf := "-"
			if e.SourceIntf != nil {
				intf = e.SourceIntf.Text
			}
			got = append(got, intf+"/"+e.Prefers+e.AddrPref)
		}
	}
	if want := "-/TEMPADDRS -/PUBLICADDRS -/TEMPADDRS VIPA6/"; strings.Join(got, " ") != want {
		t.Errorf("entries (interface/preference) %q, want %q", strings.Join(got, " "), want)
	}
	checkAgreement(t, "srcip-preference", []byte(in), Options{})
}

// TestSkippedLinesAreReported checks that the lines the parser passes over
// after a syntax error, up to the next statement, are named in a
// diagnostic: the entries of a PORT or HOME list after a bad one went
// without a word (the stack ignores the rest of a list after a syntax
// error, IP Configuration Reference, "Statement syntax for configuration
// statements").
func TestSkippedLinesAreReported(t *testing.T) {
	wantOneIgnored(t, []oneError{
		{"PORT\n  20 TCP OMVS\n  21 TCP FTPD BOGUS\n  23 TCP TELNET\n  80 TCP HTTPD\nHOME 10.1.1.1 L1\n", `^lines 4-5 are skipped: the stack ignores the rest of the PORT statement after the syntax error at line 3$`},
		{"HOME\n  10.1.1.1 LINK1\n  10.1.1.2\n  10.1.1.3 LINK3\nPORT 21 TCP FTPD\n", `^line 4 is skipped: the stack ignores the rest of the HOME statement after the syntax error at line 3$`},
		{"TCPCONFIGG RESTRICTLOWPORTS\n  TCPSENDBFRSIZE 64K\nHOME 10.1.1.1 L1\n", `^line 2 is skipped: the words after the syntax error at line 1 are not read up to the next statement$`},
		{"ENDSRCIP\n  JOBNAME X 10.1.1.1\nHOME 10.1.1.1 L1\n", `^line 2 is skipped: the words after the syntax error at line 1 are not read up to the next statement$`},
		{"VIPADEFINE 255.255.255.0\n  10.1.1.1\nHOME 10.1.1.1 L1\n", `^line 2 is skipped: the words after the syntax error at line 1 are not read up to the next statement$`},
	})
}

// TestBlockMembersAfterABadOne checks that a bad member of a block whose
// members are words (SRCIP's DESTINATION and JOBNAME, AUTOLOG's entries)
// does not take the members after it: resyncing skipped to the next
// statement keyword, so every member up to the END statement was dropped
// without a word.
func TestBlockMembersAfterABadOne(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want int // members of the block, END statement left out
	}{
		{"SRCIP\n  JOBNAME BAD BAD BAD\n  DESTINATION 10.2.0.0/16 10.1.1.2\n  JOBNAME X 10.1.1.1\nENDSRCIP\n", 3},
		{"AUTOLOG 5\n  FTPD JOBNAME \"X\"\n  TELNET\n  OTHER\nENDAUTOLOG\n", 4},
		{"AUTOLOG\n  10.1.1.1 X\n  TELNET2\nENDAUTOLOG\n", 1},
	} {
		prof, _ := Parse("P", []byte(tc.in), Options{})
		got := 0
		for _, st := range prof.Statements {
			switch s := st.(type) {
			case *SrcIP:
				got += len(s.Entries)
			case *Autolog:
				got += len(s.Entries)
			}
		}
		if got != tc.want {
			t.Errorf("%q: %d members, want %d", tc.in, got, tc.want)
		}
	}
}

// TestPortRangeEntries checks that a PORTRANGE statement takes several
// ranges: its syntax diagram repeats 1st_port num_ports TCP|UDP and the
// access specification (IP Configuration Reference, "PORTRANGE
// statement"). The second range was "2000 is not a profile statement".
func TestPortRangeEntries(t *testing.T) {
	in := "PORTRANGE 1000 10 TCP OMVS NOAUTOLOG 2000 10 UDP AUTHPORT\n  3000 5 TCP RESERVED\nHOME 10.1.1.1 L1\n"
	prof, ds := Parse("P", []byte(in), Options{})
	if len(ds) != 0 {
		t.Errorf("diagnostics %q", diag.FormatText(ds, prof.Sources()))
	}
	var got []string
	for _, st := range prof.Statements {
		if s, ok := st.(*PortRange); ok {
			for _, e := range s.Entries {
				got = append(got, fmt.Sprintf("%d+%d %s %s %d", e.First, e.Count, e.Protocol, e.Job, len(e.Options)))
			}
		}
	}
	if want := "1000+10 TCP OMVS 1,2000+10 UDP AUTHPORT 0,3000+5 TCP RESERVED 0"; strings.Join(got, ",") != want {
		t.Errorf("ranges %q, want %q", strings.Join(got, ","), want)
	}
	checkAgreement(t, "portrange-entries", []byte(in), Options{})
}

// TestUnmodelledBlockSkipReported checks that the entries of an
// unmodelled block (NETACCESS, KEEPALIVEOPTIONS) after a word that is no
// operand of it are named: the block's statement ends at that word, and
// the lines after it up to the END statement were passed over without a
// word.
func TestUnmodelledBlockSkipReported(t *testing.T) {
	wantOneIgnored(t, []oneError{
		{"NETACCESS INBOUND\n  10.0.0.0/8 NETA\n  BOGUS\n  192.168.0.0 255.255.0.0 NETB\n  DEFAULT WORLD\nENDNETACCESS\n",
			`^lines 4-5 are skipped: the stack ignores the rest of the NETACCESS statement after the syntax error at line 3$`},
		{"KEEPALIVEOPTIONS\n  INTERVAL 100 BOGUS\n  SENDGARBAGE TRUE\nENDKEEPALIVEOPTIONS\n",
			`^line 3 is skipped: the stack ignores the rest of the KEEPALIVEOPTIONS statement after the syntax error at line 2$`},
	})
}

// TestHomeEntryMessages checks that a HOME entry short of its link name,
// or a word after an entry on its line, is reported as the HOME entry it
// is, not as "10.1.1.2 is not a profile statement".
func TestHomeEntryMessages(t *testing.T) {
	wantOneError(t, []oneError{
		{"HOME\n  10.1.1.1 L1\n  10.1.1.2\n", `^HOME 10.1.1.2: a link name must follow the address$`},
		{"HOME 10.1.1.2\n", `^HOME 10.1.1.2: a link name must follow the address$`},
		{"HOME\n  10.1.1.1 L1 BOGUS\n", `^HOME: BOGUS is not an IP address$`},
		{"HOME 10.1.1.1 L1\nHOMEE 10.1.1.2 L2\n", `^HOMEE is not a profile statement$`},
	})
}

// TestPortRangeEntryMessages checks that a PORTRANGE range short of an
// operand, or a word after a range on its line, is reported as the range
// it is, not as "2000 is not a profile statement".
func TestPortRangeEntryMessages(t *testing.T) {
	wantOneError(t, []oneError{
		{"PORTRANGE 1000 10 TCP OMVS\n  2000 10\n", `^PORTRANGE 2000 10: TCP or UDP and a job name must follow the number of ports$`},
		{"PORTRANGE 1000 10 TCP OMVS\n  2000 10 UDP\n", `^PORTRANGE 2000 10 UDP: a job name must follow the protocol$`},
		{"PORTRANGE 1000 10 TCP OMVS\n  2000 TCP OMVS\n", `^PORTRANGE 2000: the number of ports, TCP or UDP and a job name must follow the first port$`},
		{"PORTRANGE 1000 10 TCP OMVS BOGUS\n", `^PORTRANGE 1000: BOGUS is not a PORTRANGE option$`},
		{"PORTRANGE 1000 10 TCP OMVS\nPORTRANGEE 2000 10 TCP OMVS\n", `^PORTRANGEE is not a profile statement$`},
	})
}

// TestPortOptionWithoutValue checks that BIND or SAF without its value
// after a PORT entry or a PORTRANGE range says what is missing: it said
// "BIND is not a PORT option".
func TestPortOptionWithoutValue(t *testing.T) {
	wantOneError(t, []oneError{
		{"PORT\n  21 TCP FTPD BIND\n  23 TCP TELNET\n", `^PORT 21: BIND must be followed by an IP address$`},
		{"PORT 21 TCP FTPD SAF\n", `^PORT 21: SAF must be followed by a resource name$`},
		{"PORTRANGE 1000 10 TCP OMVS SAF\n", `^PORTRANGE 1000: SAF must be followed by a resource name$`},
	})
}

// TestPortRangeKeepsTheRangesBeforeABadOne checks that a PORTRANGE range
// short of its job name does not take the ranges before it: the stack
// ignores the rest of a list after an error, not what came before, and
// the whole statement was "incomplete PORTRANGE statement" (participle
// fails a range that is more than two tokens in).
func TestPortRangeKeepsTheRangesBeforeABadOne(t *testing.T) {
	in := "PORTRANGE 1000 10 TCP OMVS\n  2000 10 UDP\nHOME 10.1.1.1 L1\n"
	prof, ds := Parse("P", []byte(in), Options{})
	var got []string
	for _, st := range prof.Statements {
		if s, ok := st.(*PortRange); ok {
			for _, e := range s.Entries {
				got = append(got, fmt.Sprint(e.First))
			}
		}
	}
	if strings.Join(got, ",") != "1000" {
		t.Errorf("ranges %q, want 1000", got)
	}
	for _, d := range ds {
		if strings.Contains(d.Detail, "PPort") || strings.Contains(d.Summary, "incomplete") {
			t.Errorf("diagnostic %q / %q", d.Summary, d.Detail)
		}
	}
	checkAgreement(t, "portrange-prefix", []byte(in), Options{})
}

// TestExpectationNamesNoTwin checks that participle's "expected" list in
// a message names grammar rules as grammar.ebnf does, not by the names of
// their participle twins (PPortOption).
func TestExpectationNamesNoTwin(t *testing.T) {
	if got := expectation("unexpected token (expected PPortOption* PRoute)"); got != "Expected PortOption* Route." {
		t.Errorf("expectation: %q", got)
	}
}

// TestAutologEntryNotAName checks that an AUTOLOG entry that does not
// begin with a name says so, and that the entries after it are kept: it
// said "incomplete AUTOLOG entry statement".
func TestAutologEntryNotAName(t *testing.T) {
	in := "AUTOLOG 5\n  FTPD JOBNAME FTPD1\n  10.1.1.1\n  TN3270\nENDAUTOLOG\n"
	prof, ds := Parse("P", []byte(in), Options{})
	var errs []string
	for _, d := range ds {
		errs = append(errs, d.Summary)
	}
	if len(errs) != 1 || errs[0] != "AUTOLOG: 10.1.1.1 is not a procedure name" {
		t.Errorf("diagnostics %q", errs)
	}
	var procs []string
	for _, st := range prof.Statements {
		if a, ok := st.(*Autolog); ok {
			for _, e := range a.Entries {
				procs = append(procs, e.Proc.Text)
			}
		}
	}
	if strings.Join(procs, " ") != "FTPD TN3270" {
		t.Errorf("entries %q", procs)
	}
}

// oneError is a profile and the one diagnostic it must draw, as a regular
// expression over its summary.
type oneError struct{ in, want string }

// wantOneError parses each profile and checks that it draws exactly one
// error, the one wanted.
func wantOneError(t *testing.T, cases []oneError) {
	t.Helper()
	wantOne(t, "errors", func(d *diag.Diagnostic) bool { return d.Severity == diag.Error }, cases)
}

// wantOneIgnored is wantOneError for IGNORED diagnostics.
func wantOneIgnored(t *testing.T, cases []oneError) {
	t.Helper()
	wantOne(t, "IGNORED diagnostics", func(d *diag.Diagnostic) bool { return d.Rule == RuleIgnored }, cases)
}

func wantOne(t *testing.T, what string, keep func(*diag.Diagnostic) bool, cases []oneError) {
	t.Helper()
	for _, tc := range cases {
		_, ds := Parse("P", []byte(tc.in), Options{})
		var got []string
		for _, d := range ds {
			if keep(d) {
				got = append(got, d.Summary)
			}
		}
		if len(got) != 1 || !regexp.MustCompile(tc.want).MatchString(got[0]) {
			t.Errorf("%q: %s %q, want one matching %s", tc.in, what, got, tc.want)
		}
	}
}
