package tcpipdata

import (
	"os"
	"strings"
	"testing"

	"github.com/tcpipc/tcpipc/diag"
)

func summaries(ds diag.Diagnostics) []string {
	var out []string
	for _, d := range ds {
		out = append(out, d.Summary)
	}
	return out
}

// TestIBMExamples parses IBM's TCPIP.DATA examples: the only finding is
// the one IBM's own comment points out.
func TestIBMExamples(t *testing.T) {
	for file, want := range map[string][]string{
		"testdata/resolver-trace.data":   {"DOMAIN is ignored: SEARCH on line 12 comes after it"},
		"testdata/resolver-default.data": nil,
	} {
		f, ds := ParseFile(file, KindTCPIPData, Options{})
		if got := summaries(ds); strings.Join(got, "\n") != strings.Join(want, "\n") {
			t.Errorf("%s: findings\n%q\nwant\n%q", file, got, want)
		}
		if len(f.Statements) == 0 {
			t.Errorf("%s: no statements", file)
		}
	}
	f, _ := ParseFile("testdata/resolver-trace.data", KindTCPIPData, Options{})
	last := f.Statements[len(f.Statements)-1]
	if last.System != "MVS000" || last.Keyword != "Hostname" || len(last.Values) != 1 || last.Values[0].Text != "MVS026" {
		t.Errorf("system-qualified statement parsed as %+v", last)
	}
	ns := f.Statements[9]
	if ns.Keyword != "NameServer" || len(ns.Values) != 1 || ns.Comment != "; not a server" {
		t.Errorf("statement with a comment parsed as %+v", ns)
	}
}

// TestFindings checks each kind of finding on one statement.
func TestFindings(t *testing.T) {
	profile := func(w string) bool { return w == "TCPCONFIG" || w == "PORT" }
	for _, c := range []struct{ in, want string }{
		{"TCPIPJOBNAME TCPIP", ""},
		{"TCPIPJOBNAM TCPIP", "TCPIPJOBNAM is not a TCPIP.DATA statement; did you mean TCPIPJOBNAME?"},
		{"MAXTTL 86400", "MAXTTL is not a TCPIP.DATA statement"},
		{"TCPCONFIG MULTIPATH OFF", "TCPCONFIG is a PROFILE.TCPIP statement, not a TCPIP.DATA statement"},
		{"HOSTNAME", "HOSTNAME needs a host name"},
		{"HOSTNAME MVS1 MVS2", "HOSTNAME takes a host name; MVS2 is one word too many"},
		{"NSINTERADDR 10.1.1.1 10.1.1.2", "NSINTERADDR takes one name server's IP address; 10.1.1.2 is one word too many"},
		{"NSINTERADDR 10.1.1", "NSINTERADDR: 10.1.1 is not an IP address"},
		{"NSPORTADDR 70000", "NSPORTADDR: 70000 is not a port number from 1 to 65535"},
		{"RESOLVEVIA DNS", "RESOLVEVIA: DNS is not UDP or TCP"},
		{"LOOKUP LOCAL DNS", ""},
		{"LOOKUP HOSTS", "LOOKUP: HOSTS is not DNS or LOCAL"},
		{"TCPIPJOBNAME TCPIPSTACK", "TCPIPJOBNAME: TCPIPSTACK is not an MVS name (1 to 8 letters, digits, @, # or $, not a digit first)"},
		{"DATASETPREFIX TCPIP.V1R6", ""},
		{"DATASETPREFIX TCPIP.", "DATASETPREFIX: TCPIP. has a qualifier that is empty or longer than 8 characters"},
		{"DATASETPREFIX 1TCPIP", "DATASETPREFIX: 1TCPIP has '1' where a qualifier takes letters, digits, -, $, @ and # (a letter, $, @ or # first)"},
		{"NOCACHE NOW", "NOCACHE takes no value; NOW is one word too many"},
		{"TRACE RESOLVER", ""},
		{"SYSTEM123: HOSTNAME A", "SYSTEM123: is not a system name"},
		{"SYS1: HOSTNAME A ; comment", ""},
		{"SORTLIST 9.0.0.0 10.0.0.0/255.0.0.0", ""},
		// RESOLVERTIMEOUT takes seconds with up to three decimals (IBM's
		// examples: 10, .5, .075, 3.50; at most 2147483.647).
		{"RESOLVERTIMEOUT .5", ""},
		{"RESOLVERTIMEOUT 3.50", ""},
		{"RESOLVERTIMEOUT .075", ""},
		{"RESOLVERTIMEOUT 2147483.647", ""},
		{"RESOLVERTIMEOUT 0.0100", "RESOLVERTIMEOUT: 0.0100 is not a number of seconds with up to three decimals, at most 2147483.647"},
		{"RESOLVERTIMEOUT 2147484", "RESOLVERTIMEOUT: 2147484 is not a number of seconds with up to three decimals, at most 2147483.647"},
		{"RESOLVERTIMEOUT 5S", "RESOLVERTIMEOUT: 5S is not a number of seconds with up to three decimals, at most 2147483.647"},
		{"RESOLVERUDPRETRIES 1.5", "RESOLVERUDPRETRIES: 1.5 is not a number"},
	} {
		_, ds := Parse("t.data", []byte(c.in+"\n"), Options{IsProfileStatement: profile})
		got := strings.Join(summaries(ds), "\n")
		if got != c.want {
			t.Errorf("%s: got %q, want %q", c.in, got, c.want)
		}
		for _, d := range ds {
			if d.Severity != diag.Warning || d.Rule != Rule {
				t.Errorf("%s: %s finding of rule %s, want a %s warning", c.in, d.Severity, d.Rule, Rule)
			}
		}
	}
}

func TestUnreadable(t *testing.T) {
	_, ds := ParseFile(os.DevNull+"/missing", KindTCPIPData, Options{})
	if len(ds) != 1 || ds[0].Rule != RuleRead || ds[0].Severity != diag.Error {
		t.Errorf("unreadable file: %v", summaries(ds))
	}
}

// FuzzParse checks that no input makes the parser panic, and that every
// finding lies inside the file.
func FuzzParse(f *testing.F) {
	for _, s := range []string{"", ":", ": HOSTNAME", "SYS1: ", "TCPIPJOBNAME\n", "# c\nSEARCH a\nDOMAIN b ; c\n", "\xc8\xd6\xe2\xe3"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		file, ds := Parse("f", data, Options{IsProfileStatement: func(string) bool { return false }})
		setup, sds := ParseSetup("f", data, Options{})
		if len(setup.src.Text) != len(file.src.Text) {
			t.Fatal("the kinds decode the file differently")
		}
		for _, d := range append(ds, sds...) {
			if d.Range.End.Offset > len(file.src.Text) || d.Range.Start.Offset > d.Range.End.Offset {
				t.Fatalf("finding %q outside the file: %+v", d.Summary, d.Range)
			}
		}
	})
}

// TestSetup checks the resolver setup file: IBM's examples parse clean,
// and each kind of mistake is reported.
func TestSetup(t *testing.T) {
	f, ds := ParseFile("testdata/resolver-setup.data", KindSetup, Options{})
	if len(ds) != 0 || len(f.Statements) != 8 || f.Statements[1].Values[0].Text != "'SYS1.TCPPARMS(RESGLOBL)'" {
		t.Errorf("IBM's setup examples: %d statements, findings %q", len(f.Statements), summaries(ds))
	}
	for _, c := range []struct{ in, want string }{
		{"COMMONSEARCH CACHE", ""},
		{"CACHESIZE(200)", "CACHESIZE: 200 is not a number of megabytes from 1M to 999M"},
		{"MAXTTL(0)", "MAXTTL: 0 is not a number from 1 to 2147483647"},
		{"MAXTTL", "MAXTTL needs a number of seconds in parentheses"},
		{"CACHE(YES)", "CACHE takes no value"},
		{"GLOBALTCPIPDATA(SYS1.TCPPARMS(X))", "GLOBALTCPIPDATA: SYS1.TCPPARMS(X) is neither a data set name in single quotation marks nor a z/OS UNIX path"},
		{"GLOBALTCPIPDAT('A.B')", "GLOBALTCPIPDAT is not a resolver setup statement; did you mean GLOBALTCPIPDATA?"},
		{"UNRESPONSIVETHRESHOLD(25", "UNRESPONSIVETHRESHOLD: the parenthesis is not closed"},
		// AUTOQUIESCE is an operand of UNRESPONSIVETHRESHOLD, no statement
		// (IP Configuration Reference, UNRESPONSIVETHRESHOLD statement).
		{"UNRESPONSIVETHRESHOLD(10,AUTOQUIESCE)", ""},
		{"UNRESPONSIVETHRESHOLD(10,autoquiesce)", ""},
		{"UNRESPONSIVETHRESHOLD(101)", "UNRESPONSIVETHRESHOLD: 101 is not a percentage from 0 to 100, optionally followed by ,AUTOQUIESCE"},
		{"UNRESPONSIVETHRESHOLD(10,QUIESCE)", "UNRESPONSIVETHRESHOLD: 10,QUIESCE is not a percentage from 0 to 100, optionally followed by ,AUTOQUIESCE"},
		{"AUTOQUIESCE", "AUTOQUIESCE is not a resolver setup statement"},
		{"MAXTTL (600)", "MAXTTL needs a number of seconds in parentheses\n(600) follows no statement keyword"},
		// CACHESIZE is from 1M to 999M (IP Configuration Reference,
		// CACHESIZE statement).
		{"CACHESIZE(999M)", ""},
		{"CACHESIZE(0M)", "CACHESIZE: 0M is not a number of megabytes from 1M to 999M"},
		{"CACHESIZE(1000M)", "CACHESIZE: 1000M is not a number of megabytes from 1M to 999M"},
	} {
		_, ds := ParseSetup("s", []byte(c.in+"\n"), Options{})
		if got := strings.Join(summaries(ds), "\n"); got != c.want {
			t.Errorf("%s: got %q, want %q", c.in, got, c.want)
		}
	}
}
