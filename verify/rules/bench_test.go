package rules

import (
	"fmt"
	"net/netip"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/tcpipc/tcpipc/diag"
	"github.com/tcpipc/tcpipc/model"
	"github.com/tcpipc/tcpipc/verify"
	"github.com/tcpipc/tcpipc/verify/rules/filtershadowing"
)

// bigSysplex describes a generated sysplex.
type bigSysplex struct {
	stacks, dvipas, filters int
	// shadowed is how many IpFilterRules the generator made dead on
	// purpose; the lint must find exactly these.
	shadowed int
}

func xcfAddr(i int) string   { return fmt.Sprintf("193.9.%d.%d", 200+i/200, 1+i%200) }
func dvipaAddr(k int) string { return fmt.Sprintf("172.20.%d.%d", k/200, 10+k%200) }
func stackName(i int) string { return fmt.Sprintf("SYS%02d", i+1) }

// writeBigSysplex writes a sysplex of n stacks with the given number of
// DVIPAs and policy filters into dir. Every DVIPA is VIPADEFINEd on one
// stack and VIPABACKUPed on one or two others with distinct ranks; every
// fifth is distributed to three targets by their dynamic XCF addresses.
// Each stack has an IPSEC block with DVIPSEC and a Policy Agent policy
// (a common file and its own) whose filter rules protect the DVIPAs it owns
// or backs up with IPsec and permit host and subnet services; one rule in
// 150 is a host rule placed after a subnet rule that contains it.
func writeBigSysplex(tb testing.TB, dir string, n, dvipas, filters int) bigSysplex {
	tb.Helper()
	out := bigSysplex{stacks: n, dvipas: dvipas}
	write := func(name, text string) {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			tb.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
			tb.Fatal(err)
		}
	}
	// Which DVIPAs each stack owns, backs up and distributes.
	type vipaRole struct {
		k    int
		rank int // 0: owner
	}
	roles := make([][]vipaRole, n)
	serves := make([][]int, n) // DVIPAs a stack owns, backs up or is a target of
	for k := range dvipas {
		owner := k % n
		roles[owner] = append(roles[owner], vipaRole{k, 0})
		roles[(owner+1)%n] = append(roles[(owner+1)%n], vipaRole{k, 100})
		in := map[int]bool{owner: true, (owner + 1) % n: true}
		if k%3 == 0 {
			roles[(owner+2)%n] = append(roles[(owner+2)%n], vipaRole{k, 50})
			in[(owner+2)%n] = true
		}
		if k%5 == 0 {
			for t := 3; t <= 5; t++ {
				in[(owner+t)%n] = true
			}
		}
		for i := range n {
			if in[i] {
				serves[i] = append(serves[i], k)
			}
		}
	}

	var manifest strings.Builder
	manifest.WriteString("sysplex: BIGPLEX\nvtam: {xcfgrpid: 11}\ncfrm: [EZBDVIPA1121, EZBEPORT1121]\nstacks:\n")
	for i := range n {
		fmt.Fprintf(&manifest, "  - name: %s\n    release: V2R5\n    profile: %[1]s/PROFILE.TCPIP\n    policy: [common.policy, %[1]s/ipsec.policy]\n    iked: iked.conf\n",
			stackName(i))
	}
	write("sysplex.yaml", manifest.String())
	write("iked.conf", "IkeConfig\n{\n  IkeSyslogLevel 1\n  IkeRetries 6\n  KeyRing IKED/SYSPLEXRING\n}\n")

	// Shared objects: actions, the data offer, and one service per port.
	var common strings.Builder
	common.WriteString(`# Objects every stack's policy uses.
IpGenericFilterAction permit
{
  IpFilterAction Permit
}
IpGenericFilterAction deny
{
  IpFilterAction Deny
}
IpGenericFilterAction ipsec
{
  IpFilterAction IpSec
}
IpDataOffer esp-gcm
{
  HowToEncap    Tunnel
  HowToEncrypt  AES_GCM_16 KeyLength 128
  HowToAuth     ESP Null
}
IpDynVpnAction dvipa-esp
{
  Initiation       Either
  HowToEncapIKEv2  Tunnel
  IpDataOfferRef   esp-gcm
}
# IKEv2 with a pre-shared key between the DVIPAs and the client networks.
KeyExchangePolicy
{
  AllowNat            No
  LivenessInterval    60
  KeyExchangeRuleRef  dvipas-clients
}
KeyExchangeOffer ikev2-aes128
{
  HowToEncrypt          AES_CBC KeyLength 128
  HowToVerifyMsgs       HMAC_SHA2_256_128
  PseudoRandomFunction  HMAC_SHA2_256
  DHGroup               Group19
}
KeyExchangeAction ikev2-psk
{
  HowToInitiate        IKEv2
  HowToAuthMe          PresharedKey
  KeyExchangeOfferRef  ikev2-aes128
}
KeyExchangeRule dvipas-clients
{
  LocalSecurityEndpoint
  {
    Identity  IpAddr 172.20.0.10
    Location  172.20.0.0/16
  }
  RemoteSecurityEndpoint
  {
    Identity  IpAddr 192.168.0.10
    Location  192.168.0.0/16
  }
  KeyExchangeActionRef  ikev2-psk
  SharedKey             Ascii bench-psk-0001
}
`)
	ports := []int{21, 22, 23, 25, 53, 80, 110, 143, 389, 443, 446, 448, 449, 636, 992, 1414, 1415, 3270, 5000, 8080}
	for _, p := range ports {
		fmt.Fprintf(&common, "IpService tcp-%d\n{\n  Protocol Tcp\n  SourcePortRange %d\n  DestinationPortRange 1024 65535\n  Direction Bidirectional InboundConnect\n  Routing Local\n}\n", p, p)
	}
	common.WriteString("IpService udp-53\n{\n  Protocol Udp\n  DestinationPortRange 53\n}\n")
	write("common.policy", common.String())

	perStack := filters / n
	for i := range n {
		name := stackName(i)
		var prof strings.Builder
		fmt.Fprintf(&prof, `; %s: generated for the lint benchmark.
GLOBALCONFIG XCFGRPID 21
             SYSPLEXMONITOR RECOVERY AUTOREJOIN TIMERSECS 60
IPCONFIG IPSECURITY DATAGRAMFWD SYSPLEXROUTING
         DYNAMICXCF %s 255.255.0.0 1
IPSEC DVIPSEC LOGENABLE
  IPSECRULE * * NOLOG PROTOCOL OSPF
  IPSECRULE * * NOLOG PROTOCOL UDP SRCPORT * DESTPORT 53
  IPSECRULE * * LOG PROTOCOL *
ENDIPSEC
HOME 10.%d.0.1 ETH1
VIPADYNAMIC
`, name, xcfAddr(i), i)
		for _, r := range roles[i] {
			a := dvipaAddr(r.k)
			if r.rank == 0 {
				fmt.Fprintf(&prof, "  VIPADEFINE MOVEABLE IMMEDIATE 255.255.255.0 %s\n", a)
			} else {
				fmt.Fprintf(&prof, "  VIPABACKUP %d %s\n", r.rank, a)
			}
			// The owner and the first backup distribute every fifth DVIPA.
			if r.k%5 == 0 && r.rank != 50 {
				owner := r.k % n
				fmt.Fprintf(&prof, "  VIPADISTRIBUTE DEFINE DISTMETHOD ROUNDROBIN %s PORT %d\n                 DESTIP %s %s %s\n",
					a, ports[r.k%len(ports)], xcfAddr((owner+3)%n), xcfAddr((owner+4)%n), xcfAddr((owner+5)%n))
			}
		}
		prof.WriteString("ENDVIPADYNAMIC\n")
		write(name+"/PROFILE.TCPIP", prof.String())

		// The stack's filter rules, one simple filter each.
		var refs, rules strings.Builder
		count := 0
		rule := func(rname, src, dst, service, action string) {
			fmt.Fprintf(&refs, "  IpFilterRuleRef %s\n", rname)
			fmt.Fprintf(&rules, "IpFilterRule %s\n{\n  IpSourceAddr %s\n  IpDestAddr %s\n", rname, src, dst)
			if service != "" {
				fmt.Fprintf(&rules, "  IpServiceRef %s\n", service)
			}
			fmt.Fprintf(&rules, "  IpGenericFilterActionRef %s\n", action)
			if action == "ipsec" {
				rules.WriteString("  IpDynVpnActionRef dvipa-esp\n")
			}
			rules.WriteString("}\n")
			count++
		}
		// The DVIPAs it owns, backs up or serves as a distribution target,
		// to their client networks: the same rule on every stack that can
		// own or serve the DVIPA, as SWSA requires.
		for _, k := range serves[i] {
			if count == perStack-1 {
				tb.Fatalf("%d filters per stack do not hold the rules of the %d DVIPAs %s serves", perStack, len(serves[i]), name)
			}
			p := ports[k%len(ports)]
			rule(fmt.Sprintf("dvipa-%d-tcp-%d", k, p), dvipaAddr(k), fmt.Sprintf("192.168.%d.0/24", k%200), fmt.Sprintf("tcp-%d", p), "ipsec")
		}
		// Host and subnet services of the stack's own network 10.i.0.0/16,
		// to partner hosts in 10.128.0.0/10 and partner networks in
		// 10.192.0.0/10, apart so that only the planted rules are dead.
		for j := 0; count < perStack-1; j++ {
			host := fmt.Sprintf("10.%d.%d.%d", i, 1+j/250%250, 1+j%250)
			partner := netip.AddrFrom4([4]byte{10, byte(128 + i%64), byte(j / 250 % 250), byte(1 + j%250)})
			switch {
			case j%150 == 149 && count < perStack-2:
				// A subnet rule, then a host rule inside it for the same
				// service with another action: the host rule is dead.
				subnet := fmt.Sprintf("10.%d.%d.0/24", i, 1+j/250%250)
				rule(fmt.Sprintf("subnet-%d", j), subnet, partner.String(), "udp-53", "permit")
				rule(fmt.Sprintf("shadowed-%d", j), host, partner.String(), "udp-53", "deny")
				out.shadowed++
			case j%4 == 3:
				rule(fmt.Sprintf("net-%d", j), fmt.Sprintf("10.%d.%d.0/24", i, 1+j/250%250), fmt.Sprintf("10.%d.%d.0/24", 192+i%64, 1+j%250), "udp-53", "permit")
			default:
				rule(fmt.Sprintf("host-%d", j), host, partner.String(), fmt.Sprintf("tcp-%d", ports[j%len(ports)]), "permit")
			}
		}
		rule("deny-rest", "All", "All", "", "deny")
		out.filters += count
		write(name+"/ipsec.policy", "IpFilterPolicy\n{\n  FilterLogging On\n"+refs.String()+"}\n"+rules.String())
	}
	return out
}

// lintBig loads and lints a generated sysplex once and checks the result:
// every filter in the model, no errors, and exactly the planted shadowed
// rules found.
func lintBig(tb testing.TB, dir string, want bigSysplex, rules []*verify.Rule) (load, lint time.Duration, findings int) {
	start := time.Now()
	sx, front := model.Load(dir, model.Options{})
	load = time.Since(start)
	ds, err := verify.Lint(sx, front, rules, verify.LintOptions{})
	lint = time.Since(start) - load
	if err != nil {
		tb.Fatal(err)
	}
	filters := 0
	for _, s := range sx.Stacks {
		if s.Policy == nil || !s.Policy.Installed {
			tb.Fatalf("stack %s has no installed policy", s.Name)
		}
		filters += len(s.Policy.FilterRules)
	}
	if filters != want.filters {
		tb.Errorf("model has %d filters, the generator wrote %d", filters, want.filters)
	}
	if len(sx.DVIPAs) != want.dvipas {
		tb.Errorf("model has %d DVIPAs, the generator wrote %d", len(sx.DVIPAs), want.dvipas)
	}
	shadowed := 0
	for _, d := range ds {
		switch {
		case d.Severity >= diag.Warning && d.Rule != filtershadowing.Rule.ID:
			tb.Errorf("unexpected finding: %s", diag.FormatText(diag.Diagnostics{d}, sx.Sources))
		case d.Rule == filtershadowing.Rule.ID:
			shadowed++
			if !strings.Contains(d.Summary, "IpFilterRule shadowed-") {
				tb.Errorf("unexpected shadowing finding: %s", d.Summary)
			}
		}
	}
	if shadowed != want.shadowed {
		tb.Errorf("found %d shadowed rules, the generator planted %d", shadowed, want.shadowed)
	}
	return load, lint, len(ds)
}

// TestBigSysplex runs the benchmark's generator at a small size, so that a
// broken generator (or rule) fails go test, not only the benchmark.
func TestBigSysplex(t *testing.T) {
	dir := t.TempDir()
	want := writeBigSysplex(t, dir, 4, 40, 2400)
	if want.shadowed == 0 {
		t.Fatal("the generator planted no shadowed rules")
	}
	lintBig(t, dir, want, All())
}

func benchmarkLint(b *testing.B, stacks, dvipas, filters int) {
	dir := b.TempDir()
	want := writeBigSysplex(b, dir, stacks, dvipas, filters)
	rules := All()
	var load, lint time.Duration
	findings := 0
	for b.Loop() {
		l, t, n := lintBig(b, dir, want, rules)
		load, lint, findings = load+l, lint+t, n
	}
	// The shadowing rule on its own, once, after the timed loop.
	sx, _ := model.Load(dir, model.Options{})
	start := time.Now()
	if _, err := verify.Run(sx, []*verify.Rule{filtershadowing.Rule}); err != nil {
		b.Fatal(err)
	}
	b.ReportMetric(float64(time.Since(start).Microseconds())/1000, "shadowing-ms")
	b.ReportMetric(float64(load.Milliseconds())/float64(b.N), "load-ms/op")
	b.ReportMetric(float64(lint.Milliseconds())/float64(b.N), "rules-ms/op")
	b.ReportMetric(float64(want.filters), "filters")
	b.ReportMetric(float64(findings), "findings")
}

// BenchmarkLint32Stacks is model.Load and verify.Lint with every rule on a
// sysplex of 32 stacks, 2,000 DVIPAs and 20,000 policy filters.
func BenchmarkLint32Stacks(b *testing.B) { benchmarkLint(b, 32, 2000, 20000) }

// BenchmarkLint64Stacks doubles everything: 64 stacks, 4,000 DVIPAs,
// 40,000 filters. Its time over BenchmarkLint32Stacks' shows how lint
// grows with the sysplex.
func BenchmarkLint64Stacks(b *testing.B) { benchmarkLint(b, 64, 4000, 40000) }

// BenchmarkLint32StacksDenseFilters keeps 32 stacks and 2,000 DVIPAs but
// doubles the filters to 40,000: 1,250 per stack instead of 625, so that
// growth in the size of one stack's policy shows on its own.
func BenchmarkLint32StacksDenseFilters(b *testing.B) { benchmarkLint(b, 32, 2000, 40000) }
