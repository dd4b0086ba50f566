package profile

import (
	"fmt"
	"os"
	"reflect"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/tcpipc/tcpipc/diag"
	"github.com/tcpipc/tcpipc/internal/testkit/golden"
)

// TestVocabularyOperands checks the operand grammars of the statements
// tcpipc does not model: a word after the last operand is reported (it was
// swallowed as an operand), bad operands are reported with the syntax, and
// nothing valid is.
func TestVocabularyOperands(t *testing.T) {
	for _, tc := range []struct {
		in, want string // want: regexp of the one error, "" for none
	}{
		{"SOMAXCONN 10\nDOMAINORIGIN example.com\nHOME 1.1.1.1 L\n", `^DOMAINORIGIN is not a profile statement, nor an operand of SOMAXCONN$`},
		{"ARPAGE 20 30\n", `^30 is not a profile statement`},
		{"ARPAGE 99999\n", `^ARPAGE: unexpected 99999$`},
		{"ARPAGE\n", `^incomplete ARPAGE statement$`},
		{"ARPAGE 20\nSOMAXCONN 1024\nSMFPARMS 0 0 0\n", ``},
		{"SMFCONFIG TYPE118 TCPINIT TCPTERM TYPE119 DVIPA NOZERTDETAIL\n", ``},
		{"SMFCONFIG TYPE118 TCPINTI\n", `^TCPINTI is not a profile statement`},
		{"NETMONITOR SMFSERVICE TCPCONNSERVICE MINLIFETIME 5\n", ``},
		{"ITRACE ON CONFIG 1\n", ``},
		{"ITRACE MAYBE\n", `^ITRACE: unexpected MAYBE$`},
		{"PKTTRACE ON IP 10.1.1.1 PROT TCP DESTPORT 21\n", ``},
		{"DELETE DEVICE OSA1\nDELETE PORT 21 TCP FTPD1\nDELETE PORTRANGE 1000 10 UDP *\n", `^DELETE PORTRANGE: unexpected \*$`},
		{"DELETE LINK\n", `^incomplete DELETE LINK statement$`},
		{"DELETE PORT UNRSV TCP * SAF UNRSVA WHENLISTEN\n  UNRSV TCP OMVS\n  21 TCP FTPD1 NOAUTOLOG\n", ``},
		{"DELETE PORT UNRSV ICMP *\n", `^DELETE PORT: unexpected ICMP$`},
		{"DELETE PORT\n", `^incomplete DELETE PORT statement$`},
		// The blocks and the routing statements of older profiles.
		{"BSDROUTINGPARMS TRUE\n OSA1L 1492 0 255.255.255.0 0\n VIPA1L DEFAULTSIZE 1 255.255.255.252 0\nENDBSDROUTINGPARMS\n", ``},
		{"BSDROUTINGPARMS TRUE\n OSA1L 1492 0 255.255.255.0\nENDBSDROUTINGPARMS\n", `^incomplete BSDROUTINGPARMS statement$`},
		{"BSDROUTINGPARMS MAYBE\nENDBSDROUTINGPARMS\n", `^BSDROUTINGPARMS: unexpected MAYBE$`},
		{"DEFADDRTABLE\n ::1/128 50 0\n ::FFFF:0.0.0.0/96 45 4\nENDDEFADDRTABLE\nARPAGE 20\n", ``},
		{"DEFADDRTABLE\n ::1/128 50\nENDDEFADDRTABLE\n", `^incomplete DEFADDRTABLE statement$`},
		{"DEFADDRTABLE\n ::1/128 50 0 DOMAINORIGIN\nENDDEFADDRTABLE\n", `^DOMAINORIGIN is not a profile statement, nor an operand of DEFADDRTABLE$`},
		{"KEEPALIVEOPTIONS INTERVAL 60 SENDGARBAGE TRUE ENDKEEPALIVEOPTIONS\n", ``},
		{"KEEPALIVEOPTIONS INTERVAL SIXTY ENDKEEPALIVEOPTIONS\n", `^KEEPALIVEOPTIONS: unexpected SIXTY$`},
		{"GATEWAY\n 9.67.43.0 = OSA1L 2000 0\n DEFAULTNET 9.67.43.1 OSA1L DEFAULTSIZE 0\n", ``},
		{"GATEWAY\n 9.67.43.0 = OSA1L 2000 0.0.255.0 0.0.58.0\n", ``},
		{"GATEWAY\n 9.67.43.0 = OSA1L\n", `^incomplete GATEWAY statement$`},
		// SACONFIG with the abbreviations of IBM's syntax diagram (V2R4
		// "SACONFIG statement"), SACACHETIME too.
		{"SACONF COMMUN public ENABL SACACHET 30 SETSENA OSAEN OSASF 760 AGENT 161\n", ``},
		{"SACONFIG SACACHETIME\n", `^incomplete SACONFIG statement$`},
		{"SACONFIG ENAB\n", `^ENAB is not a profile statement, nor an operand of SACONFIG$`},
		// GLOBALCONFIG SMCR's PFIDs are hexadecimal (V2R4 "GLOBALCONFIG
		// statement"): 001A is a value, not a malformed number.
		{"GLOBALCONFIG SMCR PFID 0018 PORTNUM 1 PFID 001A PORTNUM 2 PFID 00A8\n", ``},
		{"GLOBALCONFIG SMCR PFID 0G18 PORTNUM 1\n", `^GLOBALCONFIG PFID: 0G18 is not a valid value$`},
		// PKTTRACE as IBM's sample profile writes it, keyword=value.
		{"PKTTRACE ABBREV=200 LINKNAME=TR1 PROT=ICMP IP=*\n  SRCPORT=5000 DESTPORT=161\n", ``},
		{"PKTTRACE ON IP=9.67.113.3 SUBNET=255.255.255.0 PROTOCOL=6 LINKNAME=*\n", ``},
		{"PKTTRACE ABBREV=200 SRCPORT=99999\n", `^PKTTRACE: unexpected SRCPORT=99999$`},
		{"PKTTRACE PROT=SCTPX\n", `^PKTTRACE: unexpected PROT=SCTPX$`},
		// TRANSLATE of IBM's sample profile (SEZAINST(SAMPPROF)): a
		// HYPERchannel entry as well as the LAN ones.
		{"TRANSLATE\n 9.67.43.110 FDDI FF0000006702 FDDI1\n 9.37.84.49 HCH FF0000005555 HCHE00\n", ``},
		{"TRANSLATE\n 9.37.84.49 HCHX FF0000005555 HCHE00\n", `^TRANSLATE: unexpected HCHX$`},
		// The ATM statements, as IBM's sample profile writes them.
		{"ATMLIS LIS1 9.67.100.0 255.255.255.0\nATMPVC PVC1 LINK1\nATMARPSV ARPSV1 LIS1 PVC PVC1\n", ``},
		{"ATMLIS LIS1 9.67.100.0 255.255.255.0 DFLTMTU 9180 INACTVTIMEOUT 300 MINHOLDTIME 60 MAXCALLS 1000 CEAGGR 0 PEAKCELLRATE 0\n", ``},
		{"ATMLIS LIS1 9.67.100.0\n", `^incomplete ATMLIS statement$`},
		{"ATMLIS LIS1 9.67.100.0 255.255.255.0 DFLTMTU 99999\n", `^ATMLIS: unexpected 99999$`},
		{"ATMPVC PVC1\n", `^incomplete ATMPVC statement$`},
		{"ATMPVC PVC1 LINK1 LINK2\n", `^LINK2 is not a profile statement, nor an operand of ATMPVC$`},
		{"ATMARPSV ARPSV1 LIS1 PVX PVC1\n", `^ATMARPSV: unexpected PVX$`},
		{"ATMARPSV ARPSV1 LIS1 SVC 9.67.100.1 NSAP 3999999999999900009999010100046A1A2A3A00\n", ``},
		// NETACCESS as IBM's sample profile writes it: prefixes,
		// address and mask, the default zone.
		{"NETACCESS INBOUND OUTBOUND\n 192.168.0.0/16 SUBNET1\n 192.168.113.19/32 HOST1\n 192.168.113.0 255.255.255.0 SUBNET2\n DEFAULT 0 DEFZONE\nENDNETACCESS\n", ``},
		{"NETACCESS\n 192.168.0.0/16\nENDNETACCESS\n", `^incomplete NETACCESS statement$`},
		{"NETACCESS INBOUND\n 192.168.0.0/16 SUBNET1 EXTRA\nENDNETACCESS\n", `^EXTRA is not a profile statement, nor an operand of NETACCESS$`},
		{"NETACCESS INBOND\n 192.168.0.0/16 SUBNET1\nENDNETACCESS\n", `^INBOND is not a profile statement, nor an operand of NETACCESS$`},
		// ASSORTEDPARMS as IBM's TCP/IP for MVS sample profile writes it
		// (NOFWD), and the options known but unconfirmed; a word that is
		// none of them is reported inside the block.
		{"ASSORTEDPARMS\n  NOFWD\nENDASSORTEDPARMS\n", ``},
		{"ASSORTEDPARMS NOFWD IGNOREREDIRECT VARSUBNETTING SYSCONSOLEMSG RESTRICTLOWPORTS SOURCEVIPA TCPIPSTATISTICS ENDASSORTEDPARMS\n", ``},
		{"ASSORTEDPARMS\n  NOFWX\nENDASSORTEDPARMS\n", `^NOFWX is not a profile statement, nor an operand of ASSORTEDPARMS$`},
		{"ASSORTEDPARMS\n  NOFWD\n  DATASETPREFIX TCPIP\nENDASSORTEDPARMS\n", `^DATASETPREFIX is not a profile statement, nor an operand of ASSORTEDPARMS$`},
	} {
		prof, ds := Parse("P", []byte(tc.in), Options{})
		var errs []string
		for _, d := range ds {
			if d.Severity.String() == "error" {
				errs = append(errs, d.Summary)
			}
		}
		switch {
		case tc.want == "" && len(errs) > 0:
			t.Errorf("%q: unexpected errors %q", tc.in, errs)
		case tc.want != "" && (len(errs) != 1 || !regexp.MustCompile(tc.want).MatchString(errs[0])):
			t.Errorf("%q: errors %q, want one matching %s", tc.in, errs, tc.want)
		}
		_ = prof
	}
}

// TestDeleteIsOneStatement checks that DELETE DEVICE x deletes the device
// instead of defining a DEVICE statement without a type.
func TestDeleteIsOneStatement(t *testing.T) {
	prof, ds := Parse("P", []byte("DELETE DEVICE OSA1\n"), Options{})
	if ds.HasErrors() || len(prof.Statements) != 1 {
		t.Fatalf("statements %d, diagnostics %+v", len(prof.Statements), ds)
	}
	d, ok := prof.Statements[0].(*Delete)
	if !ok || d.Object != "DEVICE" || len(d.Operands) != 1 || d.Operands[0].Text != "OSA1" {
		t.Fatalf("got %#v", prof.Statements[0])
	}
}

// TestCommunityHidden checks that an SNMP community name, a credential,
// appears neither in the syntax tree nor in any snippet, and that the
// caller's buffer is left as it was.
func TestCommunityHidden(t *testing.T) {
	in := []byte("SACONFIG ENABLED COMMUNITY MyPublic AGENT 161\nSACONFIG COMMUNITY\n")
	prof, ds := Parse("P", in, Options{})
	g := prof.Statements[0].(*Generic)
	if g.Operands[2].Text != "<redacted>" {
		t.Errorf("community %q, want <redacted>", g.Operands[2].Text)
	}
	var out strings.Builder
	if err := prof.WriteTree(&out); err != nil {
		t.Fatal(err)
	}
	out.WriteString(diag.FormatText(ds, prof.Sources()))
	if strings.Contains(strings.ToUpper(out.String()), "MYPUBLIC") {
		t.Errorf("the community name is shown:\n%s", out.String())
	}
	if !ds.HasErrors() {
		t.Error("SACONFIG COMMUNITY without a name is not reported")
	}
	if !strings.Contains(string(in), "MyPublic") {
		t.Error("the caller's buffer was changed")
	}
}

// TestVocabularyCount keeps the README's count of the statements whose
// operands tcpipc checks equal to what the parser does.
func TestVocabularyCount(t *testing.T) {
	data, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile(`tcpipc checks the operands of (\d+) of the (\d+) top-level statements`).FindStringSubmatch(string(data))
	if m == nil {
		t.Fatal("README does not say how many profile statements tcpipc checks")
	}
	checked, total := len(CheckedStatements()), len(CheckedStatements())+len(UncheckedStatements())
	if m[1] != strconv.Itoa(checked) || m[2] != strconv.Itoa(total) {
		t.Errorf("README says %s of %s; the parser checks %d of %d (unchecked: %s)", m[1], m[2], checked, total, strings.Join(UncheckedStatements(), " "))
	}
}

// TestOptionValueSuggestion checks that a misspelt option value is
// reported at the value with a suggestion, once, instead of the grammar's
// EBNF and a follow-on error.
func TestOptionValueSuggestion(t *testing.T) {
	in := "VIPADYNAMIC\n  VIPADEFINE 255.255.255.0 10.9.9.1\n  VIPADISTRIBUTE DISTMETHOD BASEWML 10.9.9.1 PORT 80 DESTIP ALL\nENDVIPADYNAMIC\n"
	_, ds := Parse("P", []byte(in), Options{})
	var errs []string
	for _, d := range ds {
		if d.Severity.String() == "error" {
			errs = append(errs, d.Summary+" | "+d.Detail)
		}
	}
	if len(errs) != 1 || !strings.Contains(errs[0], "BASEWML is not a value of DISTMETHOD") || !strings.Contains(errs[0], "Did you mean BASEWLM?") {
		t.Errorf("errors %q", errs)
	}
}

// TestSequenceNumbersOnce checks that a numbered file draws one error with
// the count and the lines, not one warning per record.
func TestSequenceNumbersOnce(t *testing.T) {
	rec := func(text string, n int) string {
		return text + strings.Repeat(" ", 72-len(text)) + fmt.Sprintf("%08d", n) + "\n"
	}
	in := rec("TCPCONFIG RESTRICTLOWPORTS", 100) + rec("SOMAXCONN 10", 200) + rec("ARPAGE 20", 300) + "; a comment\n" + rec("ITRACE OFF", 400)
	_, ds := Parse("P", []byte(in), Options{})
	var seq []string
	for _, d := range ds {
		if d.Rule == RuleSequence {
			seq = append(seq, d.Severity.String()+": "+d.Summary)
		}
	}
	want := "error: 4 sequence numbers in columns 73-80 (lines 1-3, 5)"
	if len(seq) != 1 || seq[0] != want {
		t.Errorf("got %q, want [%q]", seq, want)
	}
}

// TestIPv6Routes checks the IPv6 forms of BEGINROUTES as IBM's static
// route example writes them: prefixes, link-local first hops, DEFAULT6,
// and route options shortened to their minimum abbreviation (REPL).
func TestIPv6Routes(t *testing.T) {
	in := `BEGINRoutes
Route 10.1.0.0/24           =             CTCA    MTU 1500
Route DEFAULT               10.1.0.5      CTCA    MTU 1500 NODELAYA
Route FE80::1:2:3:3/128     =             OSAQ6   MTU 5000 REPL
Route 2001:DB8:0:A1B::/64   FE80::1:2:3:3 OSAQ6   MTU 5000 REPL MAXI 120
Route DEFAULT6              FE80::1:2:3:4 OSAQ6   MTU 5000 NOREPL
EndRoutes
`
	prof, ds := Parse("P", []byte(in), Options{})
	if len(ds) != 0 {
		t.Fatalf("diagnostics: %v", ds)
	}
	routes := prof.Statements[0].(*Routes).Routes
	if len(routes) != 5 || routes[4].Dest != "DEFAULT6" || routes[4].FirstHop != "FE80::1:2:3:4" {
		t.Errorf("routes %+v", routes)
	}
	_, ds = Parse("P", []byte("BEGINROUTES\nROUTE DEFAULT 10.1.0.5 CTCA MTU 1500 REPLX\nENDROUTES\n"), Options{})
	if len(ds) != 1 || ds[0].Rule != RuleOption {
		t.Errorf("REPLX: %v", ds)
	}
}

// TestOptionAbbreviations checks IBM's minimum abbreviations of option
// words in the open option lists, as IBM's IPCONFIG syntax diagram writes
// them (CHECKSUMOFFLoad, CLAWUSEDoublenop, DATAGRamfwd, FWDMULTipath,
// PERPacket, NOFWDMULTipath): each shortening parses without an unknown
// option, and one shorter than the minimum is reported.
func TestOptionAbbreviations(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want int // findings
	}{
		{"IPCONFIG CHECKSUMOFFL CLAWUSED\n", 0},
		{"IPCONFIG NOCHECKSUMOFFLOA NOFWDMULT\n", 0},
		{"IPCONFIG DATAGR FWDMULT PERP\n", 0},
		{"IPCONFIG CHECKSUMOFF\n", 1},
		// The abbreviations of the V2R4 syntax diagram ("IPCONFIG
		// statement": DEVRETRYDURation, FORMat, IGNORERedirect,
		// IQDIORouting, QDIOPriority, PATHMTUDISCovery, QDIOACCELerator,
		// REASSEMBLytimeout, SEGMENTATIONOFFLoad, SYSPLEXRouting,
		// NOTCPSTACKSOURCEVipa, PERConnection).
		{"IPCONFIG DEVRETRYDUR 90 FORM LONG IGNORER IQDIOR NOIQDIOR QDIOP 1\n", 0},
		{"IPCONFIG PATHMTUDISC NOPATHMTUDISC QDIOACCEL NOQDIOACCEL REASSEMBL 60\n", 0},
		{"IPCONFIG SEGMENTATIONOFFL NOSEGMENTATIONOFFL SYSPLEXR NOSYSPLEXR NOTCPSTACKSOURCEV PERC\n", 0},
		{"IPCONFIG DEVRETRYDU 90\n", 1},
		{"IPCONFIG REASSEMB 60\n", 1},
		{"IPCONFIG SYSPLEX\n", 1},
	} {
		_, ds := Parse("P", []byte(tc.in), Options{})
		if len(ds) != tc.want {
			t.Errorf("%q: %d findings %v, want %d", tc.in, len(ds), ds, tc.want)
		}
	}
}

// TestConfigOptionAbbreviations checks IBM's minimum abbreviations of the
// operand keywords of TCPCONFIG, UDPCONFIG, GLOBALCONFIG and IPCONFIG6, as
// their syntax diagrams in the IP Configuration Reference write them: each
// shortest form parses clean, and a form one letter shorter than the
// minimum is an unknown option.
func TestConfigOptionAbbreviations(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want int // findings
	}{
		// TCPCONFIG (V3R1 "TCPCONFIG statement").
		{"TCPCONFIG CONNECTI 3000 CONNECTT 75 DELAYA NODELAYA AUTODELAYA FINW 600 FRRTHR 3 INT 120\n", 0},
		{"TCPCONFIG KEEPALIVEPROBEI 75 MAXI 120 QUEUED 0 UNRESTRICTL RESTRICTL RETRANSMITA 15 SENDG\n", 0},
		{"TCPCONFIG TCPMAXRCVB 262144 TCPMAXSENDB 262144 TCPRCVB 65536 TCPSENDB 65536 TCPTIME NOTCPTIME TIMEWAITI 60\n", 0},
		{"TCPCONFIG DELAY\n", 1},
		{"TCPCONFIG TCPTIM\n", 1},
		{"TCPCONFIG FIN 600 FRRTH 3\n", 2},
		// UDPCONFIG (V2R3 "UDPCONFIG statement").
		{"UDPCONFIG UDPCHK NOUDPC UDPQ NOUDPQ UDPRCVB 65535 UDPSENDB 65535 UNRESTRICTL RESTRICTL\n", 0},
		{"UDPCONFIG UDPCH\n", 1},
		// GLOBALCONFIG (V2R2 and V3R2 "GLOBALCONFIG statement").
		{"GLOBALCONFIG ADJUSTDV AUTO ECSAL 2048 IQDVLAN 5 MLSCHKTERM NOMLSCHKTERM POOLL 0\n", 0},
		{"GLOBALCONFIG NOSEGMENTATIONOFFL SEGMENTATIONOFFL TCPIPS NOTCPIPS IKEDREQ NO POLICYREQ YES SMCG\n", 0},
		{"GLOBALCONFIG ADJUSTD AUTO\n", 1},
		// V3R2 additions: zERT aggregation, AI assist, IQDC.
		{"GLOBALCONFIG ZERT AGG INTVAL 24 SMFINTVAL SYNCVAL 00:00 NOAGG NOZERT\n", 0},
		{"GLOBALCONFIG AIASSIST BATCHOUT AIASSIST NOBATCHOUT AUTOIQDC NOAUTOIQDC\n", 0},
		{"GLOBALCONFIG AGGR BATCHOUTB\n", 0},
		{"GLOBALCONFIG AG\n", 1},
		{"GLOBALCONFIG SYNCVAL 24:00\n", 1},
		// WLMPRIORITYQ with its IOPRIn control values, as in IBM's sample
		// profile of the IP Configuration Guide.
		{"GLOBALCONFIG WLMPRIORITYQ\n IOPRI1 0\n IOPRI2 1\n IOPRI3 2 3\n IOPRI4 4 5 FWD\n", 0},
		{"GLOBALCONFIG WLMPRIORITYQ IOPRI5 6\n", 1},
		// IPCONFIG6 (V2R5 "IPCONFIG6 statement").
		{"IPCONFIG6 HOPL 255 ICMPE 3 IGNORER IGNOREROUTERH NOIGNOREROUTERH PERC PERP\n", 0},
		{"IPCONFIG6 NOSEGMENTATIONOFFL SEGMENTATIONOFFL NOTCPSTACKSOURCEV CHECKSUMOFFL NOCHECKSUMOFFL NODATAGR NOFWDMULT\n", 0},
		{"IPCONFIG6 TCPSTACKSOURCEV VIPA1\n", 0},
		{"IPCONFIG6 HOP 255\n", 1},
	} {
		_, ds := Parse("P", []byte(tc.in), Options{})
		if len(ds) != tc.want {
			t.Errorf("%q: %d findings %s, want %d", tc.in, len(ds), messages(ds), tc.want)
		}
	}
}

// TestOptionAbbreviationsUnambiguous checks that no spelling in the option
// tables stands for two different options of one statement.
func TestOptionAbbreviationsUnambiguous(t *testing.T) {
	for stmt, words := range knownOptions {
		seen := map[string]string{}
		for _, w := range strings.Fields(words) {
			full := strings.ToUpper(w)
			for n := minAbbrev(w); n <= len(full); n++ {
				if prev := seen[full[:n]]; prev != "" && prev != full && full[:n] != full && full[:n] != prev {
					t.Errorf("%s: %s abbreviates both %s and %s", stmt, full[:n], prev, full)
				}
				seen[full[:n]] = full
			}
		}
	}
}

// messages is the findings' messages, for test failures.
func messages(ds []*diag.Diagnostic) string {
	var out []string
	for _, d := range ds {
		out = append(out, d.Summary)
	}
	return strings.Join(out, "; ")
}

// TestRouteHost checks a host route written with HOST in place of the
// mask, as IBM's sample profile (SEZAINST(SAMPPROF)) writes its direct and
// indirect host routes, and that both parsers agree on it.
func TestRouteHost(t *testing.T) {
	in := "BEGINROUTES\n ROUTE 193.7.2.2 HOST = SNA1 MTU 2000\n ROUTE 10.5.6.4 host 193.5.2.10 ETH1 MTU 1500\n ROUTE 10.5.6.5 HOSTS 193.5.2.10 ETH1 MTU 1500\nENDROUTES\n"
	for _, only := range []bool{false, true} {
		prof, p := parse("P", []byte(in), Options{}, only)
		var errs []string
		for _, d := range p.diags {
			errs = append(errs, d.Summary)
		}
		if len(errs) != 1 || !strings.Contains(errs[0], "HOSTS") {
			t.Errorf("participle only %v: errors %q, want one about HOSTS", only, errs)
		}
		r := prof.Statements[0].(*Routes).Routes
		if len(r) != 2 || r[0].Mask != "HOST" || r[1].Mask != "HOST" || r[1].FirstHop != "193.5.2.10" {
			t.Errorf("participle only %v: routes %+v", only, r)
		}
	}
}

// TestVocabularyDoc keeps docs/profile-vocabulary.md's table in step with
// the parser; TCPIPC_UPDATE=1 rewrites it.
func TestVocabularyDoc(t *testing.T) {
	const path = "../../docs/profile-vocabulary.md"
	const start, end = "<!-- vocabulary:begin (generated by profile.VocabularyTable) -->", "<!-- vocabulary:end -->"
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	doc := string(data)
	i, j := strings.Index(doc, start), strings.Index(doc, end)
	if i < 0 || j < i {
		t.Fatalf("%s lacks the %s … %s markers", path, start, end)
	}
	want := doc[:i] + start + "\n" + VocabularyTable() + end + doc[j+len(end):]
	if want == doc {
		return
	}
	if golden.Updating() {
		if err := os.WriteFile(path, []byte(want), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	t.Errorf("%s is stale; TCPIPC_UPDATE=1 go test ./grammar/profile/ rewrites it", path)
}

// TestCommunityHiddenOnFailedMatch: the community is hidden by the
// keyword before it, not by how far the grammar matched: an operand out
// of range, a missing number or an unknown word before COMMUNITY must not
// show it in the finding or its snippet.
func TestCommunityHiddenOnFailedMatch(t *testing.T) {
	for _, line := range []string{"SACONFIG AGENT 0 COMMUNITY s3cr3t", "SACONFIG AGENT COMMUNITY s3cr3t",
		"SACONFIG BOGUS COMMUNITY s3cr3t", "SACONFIG COMMUNITY s3cr3t BOGUS", "SACONFIG ENABLED BOGUS COMMUNITY s3cr3t more"} {
		prof, ds := Parse("P", []byte(line+"\n"), Options{})
		if !ds.HasErrors() {
			t.Errorf("%s: no finding", line)
		}
		var out strings.Builder
		if err := prof.WriteTree(&out); err != nil {
			t.Fatal(err)
		}
		out.WriteString(diag.FormatText(ds, prof.Sources()))
		if strings.Contains(strings.ToUpper(out.String()), "S3CR3T") {
			t.Errorf("%s: the community is shown:\n%s", line, out.String())
		}
	}
}

// TestOperandGrammarsParse parses every operand grammar and DEVICE, LINK
// and INTERFACE form: they are parsed the first time a statement needs
// one, so a mistake in one would otherwise show only then.
func TestOperandGrammarsParse(t *testing.T) {
	for k := range operandGrammars {
		if operandSpec(k) == nil {
			t.Errorf("%s: no grammar", k)
		}
	}
	for name, forms := range map[string]map[string]typedForm{"DEVICE": deviceForms(), "LINK": linkForms()} {
		if len(forms) == 0 {
			t.Errorf("%s: no forms", name)
		}
	}
	if forms, own := interfaceForms(); len(forms) == 0 || len(own) == 0 {
		t.Errorf("INTERFACE: %d forms, %d owned options", len(forms), len(own))
	}
}

// TestPortEntryMessages checks that a PORT entry short of its protocol or
// job name is reported as such, not as an unknown statement: the words
// after PORT are its entries (IBM's examples in the wild write
// "PORT OSAFE" and "PORT 0" where a LINK's port name was meant).
func TestPortEntryMessages(t *testing.T) {
	wantOneError(t, []oneError{
		{"PORT OSAFE\n", `^PORT: OSAFE is not a port number$`},
		{"PORT 0\n", `^PORT 0: TCP or UDP and a job name must follow the port number$`},
		{"PORT\n  21 FTPD1\n  23 TCP TN3270\n", `^PORT 21: TCP or UDP and a job name must follow the port number$`},
		{"PORT 80 TCP\n", `^PORT 80 TCP: a job name must follow the protocol$`},
		{"PORT 21 TCP FTPD1\n  23 UDP\nHOME 1.1.1.1 L\n", `^PORT 23 UDP: a job name must follow the protocol$`},
		{"PORT 21 TCP FTPD1\nHOMEE 1.1.1.1 L\n", `^HOMEE is not a profile statement$`},
		{"PORT\n  21 TCP FTPD1 BOGUS\n", `^PORT 21: BOGUS is not a PORT option$`},
		{"PORT UNRSV TCP * DENIED\n", `^PORT UNRSV: DENIED is not a PORT option$`},
	})
}

// TestPortThenAutolog checks that an AUTOLOG block right after a PORT
// statement is a statement of its own: AUTOLOG is no PORT option (the
// diagram has NOAUTOLOG only), and taking it for one lost the block and
// reported its wait time and ENDAUTOLOG as errors.
func TestPortThenAutolog(t *testing.T) {
	in := "PORT 21 TCP FTPD1 NOAUTOLOG\n  23 TCP TN3270\nAUTOLOG 5\n  FTPD JOBNAME FTPD1\nENDAUTOLOG\nPORTRANGE 10000 10 TCP OMVS\nAUTOLOG\n  OMPROUTE\nENDAUTOLOG\n"
	prof, ds := Parse("P", []byte(in), Options{})
	if len(ds) != 0 {
		t.Errorf("diagnostics %q", diag.FormatText(ds, prof.Sources()))
	}
	var kinds []string
	for _, st := range prof.Statements {
		kinds = append(kinds, st.Info().Keyword)
	}
	if got := strings.Join(kinds, " "); got != "PORT AUTOLOG PORTRANGE AUTOLOG" {
		t.Errorf("statements %s", got)
	}
}

// TestNoStatementKeywordAsOperand checks that the grammars of top-level
// statements take no other statement's keyword as an operand keyword: the
// statement on the next line would be swallowed as an operand (as AUTOLOG
// was by PORT). The statements of a block are checked within it, where
// the block's own members may follow one another.
func TestNoStatementKeywordAsOperand(t *testing.T) {
	for _, c := range []struct {
		node any
		own  []string
	}{
		{&Port{}, []string{"PORT"}}, {&PortRange{}, []string{"PORTRANGE"}},
		{&IPConfig{}, []string{"IPCONFIG", "IPCONFIG6"}}, {&GlobalConfig{}, []string{"GLOBALCONFIG"}},
		{&Config{}, []string{"TCPCONFIG", "UDPCONFIG"}}, {&Home{}, []string{"HOME"}},
		{&Device{}, []string{"DEVICE"}}, {&Link{}, []string{"LINK"}}, {&Route{}, []string{"ROUTE"}},
		{&SrcIPEntry{}, nil}, {&AutologEntry{}, nil}, {&StartStop{}, []string{"START", "STOP"}},
		{&PrimaryInterface{}, []string{"PRIMARYINTERFACE"}}, {&Include{}, []string{"INCLUDE"}},
	} {
		rt := reflect.TypeOf(c.node).Elem()
		for w := range grammarWords(rt) {
			if isStatement[w] && !slices.Contains(c.own, w) {
				t.Errorf("%s takes the statement keyword %s as an operand", rt.Name(), w)
			}
		}
	}
}

// TestEndOfNoBlock checks that an END word of a statement that has no
// END (ENDHOME, ENDPORT: HOME and PORT entries end at the next statement)
// says so, as two published profiles write them.
func TestEndOfNoBlock(t *testing.T) {
	for in, want := range map[string]string{
		"HOME 10.1.1.1 L1\nENDHOME\n":   "HOME has no END statement: it ends where the next statement begins; remove ENDHOME.",
		"PORT 21 TCP FTPD1\nENDPORT\n":  "PORT has no END statement: it ends where the next statement begins; remove ENDPORT.",
		"DEVICE D1 MPCIPA\nENDDEVICE\n": "DEVICE has no END statement: it ends where the next statement begins; remove ENDDEVICE.",
	} {
		_, ds := Parse("P", []byte(in), Options{})
		if len(ds) != 1 || ds[0].Detail != want {
			var got []string
			for _, d := range ds {
				got = append(got, d.Summary+" / "+d.Detail)
			}
			t.Errorf("%q: %q, want one with detail %q", in, got, want)
		}
	}
}
