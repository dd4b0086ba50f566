package sysplex

import (
	"context"
	"encoding/binary"
	"fmt"
	"net/netip"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tcpipc/tcpipc/display"
	"github.com/tcpipc/tcpipc/internal/ike/ikesa"
	"github.com/tcpipc/tcpipc/internal/testkit/leakcheck"
	"github.com/tcpipc/tcpipc/runtime/ipsec"
	"github.com/tcpipc/tcpipc/runtime/lan"
	"github.com/tcpipc/tcpipc/runtime/link"
)

// lanCount counts what the LAN carries to and from DVA1.
type lanCount struct {
	mu                   sync.Mutex
	natt, esp, clearTCP6 int
}

func (c *lanCount) tap(_ link.Direction, pkt []byte) {
	if len(pkt) < 24 || pkt[0]>>4 != 4 {
		return
	}
	src, dst := netip.AddrFrom4([4]byte(pkt[12:16])), netip.AddrFrom4([4]byte(pkt[16:20]))
	if src != dva1 && dst != dva1 {
		return
	}
	hl := int(pkt[0]&0xf) * 4
	sport, dport := binary.BigEndian.Uint16(pkt[hl:]), binary.BigEndian.Uint16(pkt[hl+2:])
	c.mu.Lock()
	defer c.mu.Unlock()
	switch {
	case pkt[9] == 50:
		c.esp++
	case pkt[9] == 17 && (sport == 4500 || dport == 4500):
		c.natt++
	case pkt[9] == 6 && (sport == 60 || dport == 60):
		c.clearTCP6++
	}
}

func withIPsec(o *Options) { o.IPsec = true }

// TestIPsecThroughRoutingStack: with the IPsec policy on the packet path,
// MVS1 terminates IKE and ESP for DVA1 (figure 9's policy), distributes the
// decrypted connections to MVS1, MVS2 and MVS4, and the targets' replies
// come back to MVS1 to be encrypted (seed 003 figure 11): on the LAN port
// 60 only ever travels inside ESP.
func TestIPsecThroughRoutingStack(t *testing.T) {
	leakcheck.Check(t)
	var lan lanCount
	sx, clk := startSysplex(t, figure9Plan(t), withIPsec, func(o *Options) { o.LANTap = lan.tap })
	waitFor(t, "MVS1 to own DVA1", func() bool { return sx.Owner(dva1) == "MVS1" })
	if sx.Stack("MVS1").IPsecSAs(dva1) == nil {
		t.Fatal("MVS1 runs no IPsec endpoint for DVA1")
	}
	app := netip.AddrPortFrom(dva1, 60)
	serveAPPA(t, sx)
	client, err := sx.AddClient("client", netip.MustParseAddr("192.0.2.10"))
	if err != nil {
		t.Fatal(err)
	}
	cfg, err := ClientIPsec(sx.Plan(), client.Addr, dva1)
	if err != nil {
		t.Fatal(err)
	}
	if err := client.EnableIPsec(cfg, clk, nil); err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 3; i++ {
		c := dial(t, client, app)
		t.Cleanup(func() { c.Close() })
		echoOnce(t, c, "through ESP")
	}
	targets := map[string]int{}
	for _, c := range sx.Stack("MVS1").Routing(dva1).CRT() {
		targets[c.Target]++
		if !c.IPSec {
			t.Errorf("connection %s not marked IPSec in the CRT", c.Key)
		}
	}
	if targets["MVS1"] != 1 || targets["MVS2"] != 1 || targets["MVS4"] != 1 {
		t.Fatalf("the decrypted connections went to %v", targets)
	}
	lan.mu.Lock()
	defer lan.mu.Unlock()
	// The LAN has no NAT: IKE floats to port 4500, ESP is plain (IP
	// protocol 50).
	if lan.esp == 0 || lan.clearTCP6 != 0 {
		t.Fatalf("on the LAN: %d plain ESP packets, %d cleartext port-60 packets", lan.esp, lan.clearTCP6)
	}
	if sas := sx.Stack("MVS1").IPsecSAs(dva1); sas == nil || len(sas.Dynamic) == 0 {
		t.Fatalf("MVS1 shows no dynamic tunnel: %+v", sas)
	}

	// The ipsec -k / -y displays (tcpipc ctl, runtime/control) of the SAs
	// the query API lists show the tunnels, never the key.
	for _, c := range []struct {
		which, stack string
		want         []string
	}{
		{"-k", "MVS1", []string{"TunnelID:                  K1", "KeyExchangeRuleName:       DVA1-client-net",
			"RemoteEndpoint:            192.0.2.10", "State:                     ESTABLISHED", "1 entries"}},
		{"-y", "MVS1", []string{"TunnelID:                  Y1", "HowToEncrypt:              AES_GCM_16 128",
			"NATTraversal:              No"}}, // the LAN has no NAT: plain ESP
		{"-k", "MVS2", []string{"0 entries"}},
	} {
		out := ipsecDisplay(t, sx, c.which, c.stack)
		for _, w := range c.want {
			if !strings.Contains(out, w) {
				t.Errorf("ipsec %s on %s lacks %q:\n%s", c.which, c.stack, w, out)
			}
		}
		if strings.Contains(out, "figure9-demo-psk-0001") {
			t.Errorf("ipsec %s on %s shows the key", c.which, c.stack)
		}
	}
}

// ipsecDisplay renders the tunnels of one stack's SAs as ipsec -k or -y
// does, followed by how many entries it wrote.
func ipsecDisplay(t *testing.T, sx *Sysplex, which, stack string) string {
	t.Helper()
	var b strings.Builder
	n := 0
	for _, sas := range sx.IPsecSAs(stack) {
		var err error
		if which == "-k" {
			err = display.WriteIKETunnels(&b, sas.IKEView(), &n)
		} else {
			err = display.WriteDynamicTunnels(&b, sas.DynamicView(), &n)
		}
		if err != nil {
			t.Fatal(err)
		}
	}
	fmt.Fprintf(&b, "%d entries\n", n)
	return b.String()
}

// TestIPsecTwoClientsOfTheRange: figure 9's key exchange rule for DVA1
// names the client network 192.0.2.0/24 as the location and 192.0.2.10 as
// the identity, so MVS1 holds one peer for many remotes that all
// authenticate as 192.0.2.10. Two of them connect at once, each with its
// own IKE and child SAs, and each gets its own echoes through its own ESP
// (neither's INITIAL_CONTACT ends the other's SAs).
func TestIPsecTwoClientsOfTheRange(t *testing.T) {
	leakcheck.Check(t)
	sx, clk := startSysplex(t, figure9Plan(t), withIPsec)
	waitFor(t, "MVS1 to own DVA1", func() bool { return sx.Owner(dva1) == "MVS1" })
	serveAPPA(t, sx)
	app := netip.AddrPortFrom(dva1, 60)
	var clients []*lan.Client
	for i, addr := range []string{"192.0.2.10", "192.0.2.11"} {
		client, err := sx.AddClient(fmt.Sprintf("client%d", i), netip.MustParseAddr(addr))
		if err != nil {
			t.Fatal(err)
		}
		cfg, err := ClientIPsec(sx.Plan(), client.Addr, dva1)
		if err != nil {
			t.Fatal(err)
		}
		cfg.ID = ipsec.AddrIdentity(netip.MustParseAddr("192.0.2.10")) // the rule's identity
		if err := client.EnableIPsec(cfg, clk, nil); err != nil {
			t.Fatal(err)
		}
		clients = append(clients, client)
	}
	// Interleave: a connection from each, then another from each.
	for round := range 2 {
		for i, client := range clients {
			c := dial(t, client, app)
			t.Cleanup(func() { c.Close() })
			echoOnce(t, c, fmt.Sprintf("client %d, round %d", i, round))
		}
	}
	sas := sx.Stack("MVS1").IPsecSAs(dva1)
	remotes := map[netip.Addr]bool{}
	for _, d := range sas.Dynamic {
		remotes[d.Remote.Addr()] = true
	}
	if len(sas.IKE) != 2 || !remotes[clients[0].Addr] || !remotes[clients[1].Addr] {
		t.Fatalf("MVS1's SAs for DVA1: %d IKE SAs, ESP to %v; want one per client", len(sas.IKE), remotes)
	}
}

// TestIPsecMismatchRefused: a client whose pre-shared key is not the
// rule's, or whose IKE offer the policy does not accept, never gets
// through, and nothing reaches the application in the clear either.
func TestIPsecMismatchRefused(t *testing.T) {
	for _, c := range []struct {
		name   string
		change func(*ipsec.Config)
	}{
		{"wrong key", func(cfg *ipsec.Config) { cfg.Peers[0].PSK = []byte("not-the-policy-key") }},
		{"unaccepted offer", func(cfg *ipsec.Config) {
			su, err := ikesa.ParseProposal("aes256gcm16-prfsha384-x25519", true)
			if err != nil {
				t.Fatal(err)
			}
			cfg.IKE = []ikesa.Suite{su}
		}},
	} {
		t.Run(c.name, func(t *testing.T) {
			leakcheck.Check(t)
			sx, clk := startSysplex(t, figure9Plan(t), withIPsec)
			waitFor(t, "MVS1 to own DVA1", func() bool { return sx.Owner(dva1) == "MVS1" })
			app := netip.AddrPortFrom(dva1, 60)
			e := serveEcho(t, sx.Stack("MVS1"), app)
			t.Cleanup(e.close)
			client, err := sx.AddClient("intruder", netip.MustParseAddr("192.0.2.66"))
			if err != nil {
				t.Fatal(err)
			}
			cfg, err := ClientIPsec(sx.Plan(), client.Addr, dva1)
			if err != nil {
				t.Fatal(err)
			}
			c.change(&cfg)
			if err := client.EnableIPsec(cfg, clk, nil); err != nil {
				t.Fatal(err)
			}
			ctx, cancel := context.WithTimeout(context.Background(), time.Second)
			defer cancel()
			if conn, err := client.Netstack().DialTCP(ctx, app); err == nil {
				conn.Close()
				t.Fatal("the client connected")
			}
			if sas := sx.Stack("MVS1").IPsecSAs(dva1); sas == nil || len(sas.Dynamic) != 0 {
				t.Fatalf("MVS1 has dynamic tunnels: %+v", sas)
			}
			e.mu.Lock()
			defer e.mu.Unlock()
			if len(e.open) != 0 {
				t.Fatal("the application accepted a connection")
			}
		})
	}
}
