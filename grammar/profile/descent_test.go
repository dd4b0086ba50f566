package profile

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"golang.org/x/tools/txtar"

	"github.com/tcpipc/tcpipc/diag"
)

// trickyStatements are inputs where participle backtracks, gives up on an
// optional group half there, or reads operands greedily: the hand-written
// parsers must either agree or hand the statement to participle.
var trickyStatements = []string{
	"VIPADYNAMIC\n VIPABACKUP 100 MOVEABLE SOMETIMES 255.255.255.0 10.1.1.6\nENDVIPADYNAMIC\n",
	"VIPADYNAMIC\n VIPADEFINE &MASK. 2001:DB8::1\n VIPADEFINE 255.255.255.0\n VIPADEFINE DVIPA6 2001:DB8::1/64\nENDVIPADYNAMIC\n",
	"VIPADYNAMIC\n VIPADEFINE MOVE IMMED 255.255.255.0 10.1.1.1 10.1.1.2 &SYS.\nENDVIPADYNAMIC\n",
	"VIPADYNAMIC\n VIPABACKUP 200 2001::1\n VIPABACKUP 100 200 2001::1\n VIPABACKUP TIER1 CPCSCOPE 10.1.1.1\nENDVIPADYNAMIC\n",
	"VIPADYNAMIC\n VIPADISTRIBUTE DEFINE DVIPA6 PORT 60 DESTIP ALL\n VIPADISTRIBUTE 10.1.1.1 PORT DESTIP ALL\nENDVIPADYNAMIC\n",
	"VIPADYNAMIC\n VIPADISTRIBUTE DEFINE TIER1 DISTMETHOD ROUNDROBIN 10.1.1.1 PORT 60 DESTIP 1.1.1.1 WEIGHT\nENDVIPADYNAMIC\n",
	"VIPADYNAMIC\n VIPADISTRIBUTE DISTMETHOD 10.1.1.1 PORT 60 DESTIP 1.1.1.1 BACKUP 5 1.1.1.2 PREFERRED 1.1.1.3 BACKUP\nENDVIPADYNAMIC\n",
	"VIPADYNAMIC\n VIPADISTRIBUTE PROCTYPE CP 1 ZIIP 2 PROCXCOST ZAAP OPTLOCAL 3 NOOPTLOCAL 10.1.1.1 DESTIP ALL TIMEDAFF 30\nENDVIPADYNAMIC\n",
	"VIPADYNAMIC\n VIPARANGE DEFINE MOVEABLE NONDISRUPTIVE 255.255.255.0 10.1.1.0 SAF 1234 ZCX\n VIPARANGE 255.0.0.0\n VIPAROUTE DEFAULT 1.1.1.1\n VIPASMPARMS SMMASK\nENDVIPADYNAMIC\n",
	"VIPADYNAMIC\n VIPADELETE 10.1.1.1 10.1.1.2\n VIPADELETE DVIPA6\n VIPADELETE\nENDVIPADYNAMIC\n",
	"IPSEC\n IPSECRULE * * PROTOCOL\n IPSECRULE 1.1.1.1 - 1.1.1.9 1.1.1.1 -\n IPSECRULE 1.1.1.1-1.1.1.9 * TCP SRCPORT 1 2 DESTPORT *\nENDIPSEC\n",
	"IPSEC\n IPSEC6RULE * * 6 TYPE 1 CODE * ROUTING ROUTED FRAGMENTSONLY SECCLASS 5 DIRECTION BIDIRECTIONAL INBCONNECT\n IPSECRULE * * SRCPORT 1\nENDIPSEC\n",
	"IPSEC LOGENABLE DVIPSEC\n IPSECRULE * * ROUTING\n IPSECRULE * * SECCLASS\nENDIPSEC\n",
	"IPCONFIG DYNAMICXCF 1.1.1.1 255.0.0.0 1 INTFID DATAGRAMFWD FWDMULTIPATH ARPTO 1200\n",
	"IPCONFIG6 DYNAMICXCF 2001::1 INTFID 0:0:0:1 SOURCEVIPAINTERFACE V6 TCPSTACKSOURCEVIPA 10.1.1.1 TCPSTACKSOURCEVIPA\n",
	"IPCONFIG TCPSTACKSOURCEVIPA VIPA1 DATAGRAMFWD FWDMULTIPATH PERPACKET SOURCEVIPA DYNAMICXCF\n",
	"GLOBALCONFIG XCFGRPID SYSPLEXMONITOR TIMERSECS RECOVERY SYSPLEXWLMPOLL 60 ADJUSTDVIPAMSS AUTO\n",
	"GLOBALCONFIG XCFGRPID 99999999999999999999999 SYSPLEXMON NOJOIN TIMERSECS 30\n",
	"HOME 10.1.1.1 ETH1 10.1.1.2\nHOME 10.1.1.1 007 &ADDR. LOGEN\n",
	"PORT 23 TCP TELNET SAF 1001 BIND 1.1.1.1 BIND\nPORT 023 TCP X 0 UDP Y SHAREPORT NOAUTOLOG\nPORT 08 \"TCP\" J\n",
	"PORTRANGE 1000 10 TCP * SAF X\nPORTRANGE 1000 TCP\n",
	"SRCIP\n JOBNAME CICS* CLIENTS 201.2.10.11 PUBLICADDRS\n JOBNAME X SERVERS\n DESTINATION 9.1.1.0/24 VIPA1\nENDSRCIP\n",
	"AUTOLOG 5\n FTPD JOBNAME FTPD1 PARMSTRING \"x\" DELAYSTART DVIPA TTLS\n 1.1.1.1\n 0042 JOBNAME\nENDAUTOLOG\n",
	"BEGINROUTES\n ROUTE 10.1.0.0 255.255.0.0 = ETH1 MTU 1492\n ROUTE 10.1.0.0 10.1.1.1 ETH1\n ROUTE DEFAULT = ETH1\n ROUTE 10.1.0.0 255.255.0.0 ETH1\n ROUTE 10.0.0.0/8 /8 = L MTU\nENDROUTES\n",
	"DEVICE OSA1 MPCIPA NONROUTER\nLINK ETH1 IPAQENET OSA1\nINTERFACE IF1 DEFINE IPAQENET PORTNAME P1 IPADDR 10.1.1.9/24\nINTERFACE\nSTART OSA1\nSTOP\nPRIMARYINTERFACE ETH1\n",
	"TCPCONFIG TCPSENDBFRSIZE 256K RESTRICTLOWPORTS\nUDPCONFIG UDPCHKSUM\nSOMAXCONN 10\nITRACE OFF\nINCLUDE\nINCLUDE X.Y(Z)\n",
}

// plainProfile is well-formed input that sets every field of every
// statement grammar at least once (TestDescentCoversEveryField), so the
// hand-written parsers are compared with participle on every operand.
const plainProfile = `INCLUDE TCPIP.PROFILES(MEMBER1)
IPCONFIG DATAGRAMFWD FWDMULTIPATH PERPACKET SOURCEVIPA TCPSTACKSOURCEVIPA 10.1.1.1
  DYNAMICXCF 193.9.200.1 255.255.255.240 1 SECCLASS 3 NOSMCD SOURCEVIPAINTERFACE VIPAL1
IPCONFIG TCPSTACKSOURCEVIPA VIPA1 ARPTO 1200
DELETE PORT 21 TCP FTPD1
IPCONFIG6 DYNAMICXCF 2001:DB8::1 INTFID 0:0:0:9
IPCONFIG DYNAMICXCF 193.9.200.1 /28 2
GLOBALCONFIG XCFGRPID 21 SYSPLEXWLMPOLL 60 ADJUSTDVIPAMSS AUTO
  SYSPLEXMONITOR RECOVERY DELAYJOIN TIMERSECS 60 AUTOREJOIN
TCPCONFIG TCPSENDBFRSIZE 256K RESTRICTLOWPORTS
UDPCONFIG UDPCHKSUM
HOME 10.1.1.1 ETH1 10.1.2.1 LINK007
PRIMARYINTERFACE ETH1
DEVICE OSA1 MPCIPA NONROUTER AUTORESTART
LINK ETH1 IPAQENET OSA1
INTERFACE IF1 DEFINE IPAQENET PORTNAME P1 IPADDR 10.1.1.9/24
START OSA1
STOP IF1
PORT 23 TCP TELNET SAF TN3270 BIND 10.1.1.1 NOAUTOLOG
  0021 TCP FTPD1 SHAREPORT
  UNRSV TCP * DENY WHENBIND
PORTRANGE 10000 100 UDP * DELAYACKS
SOMAXCONN 10
BSDROUTINGPARMS TRUE
  ETH1 1500 0 255.255.255.0 0
ENDBSDROUTINGPARMS
AUTOLOG 5
  FTPD JOBNAME FTPD1 PARMSTRING "TRACE" DELAYSTART DVIPA TTLS
  TN3270
ENDAUTOLOG
BEGINROUTES
  ROUTE 10.1.0.0 255.255.0.0 = ETH1 MTU 1492
  ROUTE DEFAULT 10.1.1.254 ETH1 MTU DEFAULTSIZE
  ROUTE 10.2.0.0/16 10.1.1.253 ETH1
ENDROUTES
SRCIP
  JOBNAME CICS* CLIENTS 201.2.10.11 PUBLICADDRS
  DESTINATION 9.1.1.0/24 VIPA1
  JOBNAME USER1 TEMPADDRS
ENDSRCIP
IPSEC DVIPSEC LOGENABLE
  IPSECRULE * * NOLOG PROTOCOL TCP SRCPORT 1024 65535 DESTPORT * ROUTING ROUTED FRAGMENTSONLY SECCLASS 5
    DIRECTION BIDIRECTIONAL INBCONNECT
  IPSECRULE 10.1.1.0/24 10.2.1.1-10.2.1.9 ICMP TYPE 8 CODE 0 DIRECTION INBOUND
  IPSEC6RULE 2001:DB8::1 - 2001:DB8::9 * 58
ENDIPSEC
VIPADYNAMIC
  VIPADEFINE TIER1 CPCSCOPE MOVEABLE IMMEDIATE SERVICEMGR 255.255.255.0 201.2.10.11 201.2.10.13
  VIPADEFINE DVIPA6 2001:DB8::151:1
  VIPABACKUP 100 TIER2 CPCSCOPE MOVEABLE WHENIDLE SERVICEMGR 255.255.255.0 201.2.10.12
  VIPABACKUP 50 DVIPA6B 2001:DB8::151:2/64
  VIPADELETE 201.2.10.13
  VIPADELETE DVIPA6
  VIPADISTRIBUTE DEFINE DISTMETHOD SERVERWLM OPTLOCAL 2 SYSPLEXPORTS TIMEDAFFINITY 30 ILWEIGHTING 1
    PROCTYPE CP 1 ZAAP 2 ZIIP 3 PROCXCOST ZAAP 4 ZIIP 5 NOAUTOSWITCHBACK HEALTHSWITCH TIER1 GROUP1
    201.2.10.11 PORT 60 61-70 DESTIP 193.9.200.2 WEIGHT 10 193.9.200.3 PREFERRED 193.9.200.4 BACKUP 7
    NOOPTLOCAL CONTROLPORT 1000
  VIPADISTRIBUTE DELETE 01 DESTIP ALL
  VIPARANGE DEFINE MOVEABLE NONDISRUPTIVE 255.255.255.0 201.2.20.0 SAF VIPA1 ZCX
  VIPARANGE DEFINE RANGE6 2001:DB8::/64
  VIPAROUTE DEFINE 193.9.200.2 201.2.10.21
  VIPASMPARMS SMMASK 255.255.255.0
ENDVIPADYNAMIC
`

// parseBoth parses data with the hand-written parsers (falling back to
// participle) and with participle alone.
func parseBoth(name string, data []byte, opts Options) (fast, slow *Profile, fastDiags, slowDiags diag.Diagnostics) {
	fast, fp := parse(name, data, opts, false)
	slow, sp := parse(name, data, opts, true)
	fp.diags.Sort()
	sp.diags.Sort()
	return fast, slow, fp.diags, sp.diags
}

// checkAgreement fails when the two parses differ in any way: statements,
// their nodes (tokens), metadata, and diagnostics.
func checkAgreement(t *testing.T, name string, data []byte, opts Options) {
	t.Helper()
	if msg := disagreement(name, data, opts); msg != "" {
		t.Fatal(msg)
	}
}

// disagreement describes how the two parses differ, or returns "".
func disagreement(name string, data []byte, opts Options) string {
	fast, slow, fd, sd := parseBoth(name, data, opts)
	if !reflect.DeepEqual(fast.Statements, slow.Statements) || !reflect.DeepEqual(fast.TrailingComments, slow.TrailingComments) {
		var a, b bytes.Buffer
		_ = fast.WriteJSON(&a)
		_ = slow.WriteJSON(&b)
		diff := cmp.Diff(b.String(), a.String())
		if diff == "" {
			diff = "(the rendered trees agree; a node's tokens differ)\n" + firstNodeDifference(fast.Statements, slow.Statements)
		}
		return fmt.Sprintf("%s: hand-written parsers and participle build different trees (-participle +hand):\n%s\ninput:\n%s", name, diff, data)
	}
	if !reflect.DeepEqual(fd, sd) {
		return fmt.Sprintf("%s: diagnostics differ (-participle +hand):\n%s\ninput:\n%s", name, cmp.Diff(sd, fd), data)
	}
	return ""
}

// firstNodeDifference names the first statement whose nodes differ.
func firstNodeDifference(a, b []Statement) string {
	for i := range min(len(a), len(b)) {
		if !reflect.DeepEqual(a[i], b[i]) {
			return fmt.Sprintf("statement %d (%s):\n%s", i, a[i].Info().Keyword, cmp.Diff(b[i], a[i]))
		}
	}
	return fmt.Sprintf("%d statements against %d", len(a), len(b))
}

// plainOptions serves every INCLUDE of plainProfile with a HOME statement.
var plainOptions = Options{
	Resolver: memberResolver{},
	ReadFile: func(string) ([]byte, error) { return []byte("HOME 10.9.9.9 L\n"), nil },
}

// memberResolver names an included member by its data set name.
type memberResolver struct{}

func (memberResolver) Resolve(dsn, _ string) (string, error) { return dsn, nil }

func TestDescentAgreesWithParticiple(t *testing.T) {
	checkAgreement(t, "plain", []byte(plainProfile), plainOptions)
	for i, in := range trickyStatements {
		checkAgreement(t, fmt.Sprintf("tricky%d", i), []byte(in), Options{})
	}
	checkAgreement(t, "generated", generateProfile(5_000), Options{})
	// Every profile in the repository, INCLUDEs resolved from disk.
	paths, _ := filepath.Glob("../../testdata/profiles/*/*/PROFILE.TCPIP")
	ibm, _ := filepath.Glob("../../testdata/ibm-examples/*/*/PROFILE.TCPIP")
	paths = append(paths, ibm...)
	if len(paths) < 5 {
		t.Fatalf("found %d bundled profiles", len(paths))
	}
	for _, p := range paths {
		data, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		checkAgreement(t, p, data, Options{})
	}
	// The golden archives, their other files served as included members.
	archives, _ := filepath.Glob("../testdata/profile/*.txtar")
	for _, path := range archives {
		ar, err := txtar.ParseFile(path)
		if err != nil {
			t.Fatal(err)
		}
		files := map[string][]byte{}
		for _, f := range ar.Files {
			files[f.Name] = f.Data
		}
		opts := Options{ReadFile: func(p string) ([]byte, error) {
			if d, ok := files[filepath.ToSlash(p)]; ok {
				return d, nil
			}
			return nil, os.ErrNotExist
		}}
		checkAgreement(t, path, files["in/PROFILE.TCPIP"], opts)
	}
	// And the fuzz seeds.
	seeds, _ := filepath.Glob("testdata/fuzz/*/*")
	for _, s := range seeds {
		data, err := os.ReadFile(s)
		if err != nil {
			t.Fatal(err)
		}
		if in, ok := fuzzSeedBytes(data); ok {
			checkAgreement(t, s, in, fuzzOptions)
		}
	}
}

// fuzzSeedBytes extracts the []byte of a one-argument go-fuzz corpus file.
func fuzzSeedBytes(data []byte) ([]byte, bool) {
	lines := strings.SplitN(string(data), "\n", 3)
	if len(lines) < 2 || !strings.HasPrefix(lines[0], "go test fuzz v1") {
		return nil, false
	}
	var s string
	if _, err := fmt.Sscanf(strings.TrimSuffix(strings.TrimPrefix(lines[1], "[]byte("), ")"), "%q", &s); err != nil {
		return nil, false
	}
	return []byte(s), true
}

// fuzzOptions serves every INCLUDE with a small member.
var fuzzOptions = Options{ReadFile: func(string) ([]byte, error) { return []byte("HOME 1.1.1.1 L\n"), nil }}

// TestDescentTakesThePlainPath checks that well-formed profiles never need
// participle: the speed of the parser rests on it.
func TestDescentTakesThePlainPath(t *testing.T) {
	check := func(name string, data []byte) {
		_, p := parse(name, data, Options{}, false)
		if p.viaParticiple != 0 {
			t.Errorf("%s: %d statements went to participle, want 0", name, p.viaParticiple)
		}
	}
	check("generated", generateProfile(5_000))
	if _, p := parse("plain", []byte(plainProfile), plainOptions, false); p.viaParticiple != 0 || p.diags.HasErrors() {
		t.Errorf("plainProfile: %d statements went to participle, errors: %+v", p.viaParticiple, p.diags)
	}
	paths, _ := filepath.Glob("../../testdata/profiles/figure9/*/PROFILE.TCPIP")
	for _, path := range paths {
		data, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		check(path, data)
	}
}

// FuzzDescentAgreesWithParticiple compares the two ways of parsing on any
// input. Seeds: the tricky statements and testdata/fuzz.
func FuzzDescentAgreesWithParticiple(f *testing.F) {
	for _, in := range trickyStatements {
		f.Add([]byte(in))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		result := make(chan string, 1)
		go func() { result <- disagreement("FUZZ", data, fuzzOptions) }()
		select {
		case msg := <-result:
			if msg != "" {
				t.Fatal(msg)
			}
		case <-time.After(10 * time.Second):
			t.Fatalf("parsing %d bytes both ways did not finish in 10s", len(data))
		}
	})
}

// TestDescentCoversEveryField checks that plainProfile sets every operand
// field of every statement grammar, so that the agreement test compares
// the hand-written parsers on all of them.
func TestDescentCoversEveryField(t *testing.T) {
	prof, _ := parse("plain", []byte(plainProfile), plainOptions, false)
	set := map[string]bool{}
	var walk func(v reflect.Value)
	walk = func(v reflect.Value) {
		switch v.Kind() {
		case reflect.Pointer, reflect.Interface:
			if !v.IsNil() {
				walk(v.Elem())
			}
		case reflect.Slice:
			for i := 0; i < v.Len(); i++ {
				walk(v.Index(i))
			}
		case reflect.Struct:
			if v.Type() == nodeType || v.Type() == metaType {
				return
			}
			for i := 0; i < v.NumField(); i++ {
				if !v.Field(i).IsZero() {
					set[v.Type().Name()+"."+v.Type().Field(i).Name] = true
				}
				walk(v.Field(i))
			}
		}
	}
	for _, st := range prof.Statements {
		walk(reflect.ValueOf(st))
	}
	// Every field of every type the grammars build.
	seen := map[reflect.Type]bool{}
	var missing []string
	var fields func(t reflect.Type)
	fields = func(t reflect.Type) {
		for t.Kind() == reflect.Pointer || t.Kind() == reflect.Slice {
			t = t.Elem()
		}
		if t.Kind() != reflect.Struct || seen[t] || t == nodeType || t == metaType {
			return
		}
		seen[t] = true
		for i := 0; i < t.NumField(); i++ {
			f := t.Field(i)
			if f.Anonymous {
				continue
			}
			if !set[t.Name()+"."+f.Name] {
				missing = append(missing, t.Name()+"."+f.Name)
			}
			fields(f.Type)
		}
	}
	for _, k := range TopLevelStatements() {
		sp := statements[k]
		fields(sp.parser.typ)
		if sp.block != nil {
			if sp.block.entry != nil {
				fields(sp.block.entry.typ)
			}
			for _, m := range sp.block.members {
				fields(m.typ)
			}
		}
	}
	if len(missing) > 0 {
		t.Errorf("plainProfile leaves these fields unset; add statements that set them:\n%s", strings.Join(missing, "\n"))
	}
}
