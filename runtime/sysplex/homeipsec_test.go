package sysplex

import (
	"context"
	"net/netip"
	"strings"
	"testing"
	"time"

	"github.com/tcpipc/tcpipc/compile"
	"github.com/tcpipc/tcpipc/internal/testkit/leakcheck"
	"github.com/tcpipc/tcpipc/model"
)

// homePolicy protects TELNET to SYSA's home address 10.1.1.1 from the
// client network with IKEv2 and a pre-shared key.
const homePolicy = `IpFilterPolicy
{
  IpFilterRuleRef  telnet
  IpFilterRuleRef  rest
}
IpFilterRule telnet
{
  IpSourceAddr              10.1.1.1
  IpDestAddr                192.0.2.0/24
  IpServiceRef              tn
  IpGenericFilterActionRef  ipsec
  IpDynVpnActionRef         esp
}
IpService tn
{
  Protocol              tcp
  SourcePortRange       23
  DestinationPortRange  1024 65535
  Direction             Bidirectional InboundConnect
}
IpFilterRule rest
{
  IpSourceAddr              All
  IpDestAddr                All
  IpGenericFilterActionRef  permit
}
IpGenericFilterAction ipsec
{
  IpFilterAction  IpSec
}
IpGenericFilterAction permit
{
  IpFilterAction  Permit
}
IpDataOffer gcm
{
  HowToEncap    Tunnel
  HowToEncrypt  AES_GCM_16 KeyLength 128
  HowToAuth     ESP Null
}
IpDynVpnAction esp
{
  HowToEncapIKEv2  Tunnel
  IpDataOfferRef   gcm
}
KeyExchangePolicy
{
  KeyExchangeRuleRef  clients
}
KeyExchangeRule clients
{
  LocalSecurityEndpoint
  {
    Identity  IpAddr 10.1.1.1
    Location  10.1.1.1
  }
  RemoteSecurityEndpoint
  {
    Identity  IpAddr 192.0.2.10
    Location  192.0.2.0/24
  }
  KeyExchangeActionRef  ikev2
  SharedKey             Ascii home-test-key
}
KeyExchangeAction ikev2
{
  HowToInitiate        IKEv2
  HowToAuthMe          PresharedKey
  KeyExchangeOfferRef  aes
}
KeyExchangeOffer aes
{
  HowToEncrypt          AES_CBC KeyLength 128
  HowToVerifyMsgs       HMAC_SHA2_256_128
  PseudoRandomFunction  HMAC_SHA2_256
  DHGroup               Group19
}
`

// TestIPsecOnHomeAddress: IKED negotiates for a stack's own address too.
// SYSA's policy protects TELNET to its home address; a client that is an
// IPsec peer connects through ESP, a cleartext one is refused.
func TestIPsecOnHomeAddress(t *testing.T) {
	leakcheck.Check(t)
	dir := t.TempDir()
	files := map[string]string{
		"SYSA/PROFILE.TCPIP": "IPCONFIG IPSECURITY DYNAMICXCF 10.0.0.1 255.255.255.0 1\nDEVICE OSA1 MPCIPA\nLINK ETH1 IPAQENET OSA1\nHOME 10.1.1.1 ETH1\n",
		"SYSB/PROFILE.TCPIP": "IPCONFIG DYNAMICXCF 10.0.0.2 255.255.255.0 1\n",
		"home.policy":        homePolicy,
		"iked.conf":          "IkeConfig\n{\n  IkeRetries 6\n}\n",
		"sysplex.yaml": "sysplex: HOME\nstacks:\n  - {name: SYSA, release: V2R5, profile: SYSA/PROFILE.TCPIP, policy: [home.policy], iked: iked.conf}\n" +
			"  - {name: SYSB, release: V2R5, profile: SYSB/PROFILE.TCPIP}\n",
	}
	writeFiles(t, dir, files)
	m, ds := model.Load(dir, model.Options{})
	if ds.HasErrors() {
		var b strings.Builder
		for _, d := range ds {
			b.WriteString(d.Summary + "\n")
		}
		t.Fatalf("loading:\n%s", b.String())
	}
	plan, cds := compile.Options{IncludeSecrets: true}.Compile(m)
	if cds.HasErrors() {
		t.Fatalf("compile: %v", cds[0].Summary)
	}
	sx, clk := startSysplex(t, plan, withIPsec)
	home := netip.MustParseAddr("10.1.1.1")
	if sx.Stack("SYSA").IPsecSAs(home) == nil {
		t.Fatal("SYSA runs no IPsec endpoint for its home address")
	}
	telnet := netip.AddrPortFrom(home, 23)
	e := serveEcho(t, sx.Stack("SYSA"), telnet)
	t.Cleanup(e.close)

	secure, err := sx.AddClient("secure", netip.MustParseAddr("192.0.2.10"))
	if err != nil {
		t.Fatal(err)
	}
	cfg, err := ClientIPsec(plan, secure.Addr, home)
	if err != nil {
		t.Fatal(err)
	}
	if err := secure.EnableIPsec(cfg, clk, nil); err != nil {
		t.Fatal(err)
	}
	c := dial(t, secure, telnet)
	t.Cleanup(func() { c.Close() })
	echoOnce(t, c, "through ESP to a home address")
	if sas := sx.Stack("SYSA").IPsecSAs(home); len(sas.Dynamic) != 1 {
		t.Fatalf("SYSA's tunnels: %+v", sas)
	}

	plain, err := sx.AddClient("plain", netip.MustParseAddr("192.0.2.20"))
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 500*time.Millisecond)
	defer cancel()
	if pc, err := plain.Netstack().DialTCP(ctx, telnet); err == nil {
		pc.Close()
		t.Fatal("a cleartext client reached the protected home address")
	}
}
