package sysplex

import (
	"context"
	"fmt"
	"net"
	"net/netip"
	"strings"
	"testing"

	"github.com/tcpipc/tcpipc/internal/testkit/leakcheck"
	"github.com/tcpipc/tcpipc/runtime/ipsec"
	"github.com/tcpipc/tcpipc/runtime/lan"
	"github.com/tcpipc/tcpipc/runtime/swsa"
)

// swsaClients attaches n IPsec clients of DVA1 with their own addresses in
// 192.0.2.0/24 (all with the rule's identity 192.0.2.10), each with one
// connection to APP A that echoed once, and returns the connections with
// the stack serving each.
func swsaClients(t *testing.T, sx *Sysplex, n int) ([]net.Conn, []string) {
	conns, targets, _ := swsaClientHosts(t, sx, n)
	return conns, targets
}

// swsaClientHosts is swsaClients, with the client hosts.
func swsaClientHosts(t *testing.T, sx *Sysplex, n int) ([]net.Conn, []string, []*lan.Client) {
	t.Helper()
	app := netip.AddrPortFrom(dva1, 60)
	conns := make([]net.Conn, n)
	var clients []*lan.Client
	for i := range n {
		addr := netip.AddrFrom4([4]byte{192, 0, 2, byte(10 + i)})
		client, err := sx.AddClient(fmt.Sprintf("client%d", i), addr)
		if err != nil {
			t.Fatal(err)
		}
		cfg, err := ClientIPsec(sx.Plan(), addr, dva1)
		if err != nil {
			t.Fatal(err)
		}
		cfg.ID = ipsec.AddrIdentity(netip.MustParseAddr("192.0.2.10"))
		if err := client.EnableIPsec(cfg, sx.Clock(), nil); err != nil {
			t.Fatal(err)
		}
		clients = append(clients, client)
		conns[i] = dial(t, client, app)
		c := conns[i]
		t.Cleanup(func() { c.Close() })
		echoOnce(t, c, fmt.Sprintf("hello %d", i))
	}
	targets := make([]string, n)
	for _, c := range sx.Stack("MVS1").Routing(dva1).CRT() {
		for i, cl := range clients {
			if c.Key.Client.Addr() == cl.Addr {
				targets[i] = c.Target
			}
		}
	}
	return conns, targets, clients
}

// oneIKESAEach checks that every client holds exactly one IKE SA: the new
// holder's INITIAL_CONTACT made each drop the old holder's at once
// (docs/swsa.md), rather than by liveness checking.
func oneIKESAEach(t *testing.T, clients []*lan.Client, when string) {
	t.Helper()
	for _, c := range clients {
		waitFor(t, fmt.Sprintf("%s to hold one IKE SA %s", c.Addr, when), func() bool { return len(c.IPsec().SAs().IKE) == 1 })
	}
}

// records lists the SWSA records of DVA1 by writer.
func records(t *testing.T, sx *Sysplex) map[string]int { return recordsBy(t, sx, dva1) }

// recordsOf counts the SWSA records of a DVIPA.
func recordsOf(t *testing.T, sx *Sysplex, d netip.Addr) int {
	n := 0
	for _, k := range recordsBy(t, sx, d) {
		n += k
	}
	return n
}

// recordsBy lists the SWSA records of a DVIPA by writer.
func recordsBy(t *testing.T, sx *Sysplex, d netip.Addr) map[string]int {
	t.Helper()
	out := map[string]int{}
	for _, s := range storedOf(t, sx, d) {
		out[s.Record.Writer]++
	}
	return out
}

// storedOf lists the SWSA records of a DVIPA.
func storedOf(t *testing.T, sx *Sysplex, d netip.Addr) []swsa.Stored {
	t.Helper()
	st, err := swsa.Open(context.Background(), sx.cf, sx.plan, "MVS1")
	if err != nil {
		t.Fatal(err)
	}
	stored, corrupt, err := st.List(context.Background(), d)
	if err != nil || len(corrupt) > 0 {
		t.Fatalf("listing the records: %v %v", corrupt, err)
	}
	return stored
}

// lastOutcome is the latest SWSA outcome of DVA1 on stack, or nil.
func lastOutcome(sx *Sysplex, stack string) *SWSAOutcome {
	all := sx.SWSAOutcomes()
	for i := len(all) - 1; i >= 0; i-- {
		if all[i].DVIPA == dva1 && all[i].Stack == stack {
			return &all[i]
		}
	}
	return nil
}

// TestSWSATakeoverAndTakeback: seed 003 figures 14 and 15 with IPsec
// clients. MVS1 journals one record per client in EZBDVIPA1121; MVS1
// fails and MVS5 renegotiates every tunnel from the records at once,
// writes its own records and deletes MVS1's; the connections on MVS2 and
// MVS4 carry on byte for byte, only those MVS1 served are lost. MVS1
// recovers, takes DVA1 back and renegotiates from MVS5's records; MVS5
// deletes its SAs; no connection is lost.
func TestSWSATakeoverAndTakeback(t *testing.T) {
	leakcheck.Check(t)
	sx, clk := startSysplex(t, figure9Plan(t), withIPsec)
	waitFor(t, "MVS1 to own DVA1", func() bool { return sx.Owner(dva1) == "MVS1" })
	servers := serveAPPA(t, sx)
	const n = 6
	conns, targets, clients := swsaClientHosts(t, sx, n)
	waitFor(t, "MVS1 to write a record per tunnel", func() bool { return records(t, sx)["MVS1"] == n })

	failOver(t, sx, clk, "MVS1", dva1, "MVS5")
	t.Cleanup(func() {
		if t.Failed() {
			t.Log(timelineText(sx))
		}
	})
	waitFor(t, "MVS5 to renegotiate every tunnel", func() bool {
		o := lastOutcome(sx, "MVS5")
		return o != nil && !o.Done.IsZero()
	})
	if o := lastOutcome(sx, "MVS5"); len(o.Recovered) != n || len(o.Failed)+len(o.NotRecovered) != 0 {
		t.Fatalf("MVS5 recovered %d, failed %d, refused %d of %d tunnels:\n%s", len(o.Recovered), len(o.Failed), len(o.NotRecovered), n, timelineText(sx))
	}
	waitFor(t, "MVS5's records to replace MVS1's", func() bool {
		r := records(t, sx)
		return r["MVS5"] == n && r["MVS1"] == 0
	})
	if sas := sx.Stack("MVS5").IPsecSAs(dva1); len(sas.IKE) != n {
		t.Fatalf("MVS5 holds %d IKE SAs for DVA1, want %d", len(sas.IKE), n)
	}
	oneIKESAEach(t, clients, "after the takeover")
	for i, c := range conns {
		err := tryEcho(c, fmt.Sprintf("after takeover %d", i))
		if (err == nil) != (targets[i] != "MVS1") {
			t.Fatalf("connection %d on %s after the takeover: %v", i, targets[i], err)
		}
	}

	servers["MVS1"].close()
	if err := sx.Recover("MVS1"); err != nil {
		t.Fatal(err)
	}
	servers["MVS1"] = serveEcho(t, sx.Stack("MVS1"), netip.AddrPortFrom(dva1, 60))
	waitFor(t, "MVS1 to take DVA1 back", func() bool { return sx.Owner(dva1) == "MVS1" })
	waitFor(t, "MVS1 to renegotiate every tunnel", func() bool {
		o := lastOutcome(sx, "MVS1")
		return o != nil && !o.Done.IsZero()
	})
	if o := lastOutcome(sx, "MVS1"); len(o.Recovered) != n {
		t.Fatalf("MVS1 recovered %d of %d tunnels:\n%s", len(o.Recovered), n, timelineText(sx))
	}
	waitFor(t, "MVS1's records to replace MVS5's", func() bool {
		r := records(t, sx)
		return r["MVS1"] == n && r["MVS5"] == 0
	})
	oneIKESAEach(t, clients, "after the takeback")
	for i, c := range conns {
		if targets[i] == "MVS1" {
			continue
		}
		if err := tryEcho(c, fmt.Sprintf("after takeback %d", i)); err != nil {
			t.Fatalf("connection %d on %s dropped on takeback: %v", i, targets[i], err)
		}
	}
	if tl := timelineText(sx); !strings.Contains(tl, "SWSA: renegotiating 6 tunnels of 201.2.10.11 from EZBDVIPA1121 (written by MVS1)") {
		t.Fatalf("timeline:\n%s", tl)
	}
}
