package sysplex

import (
	"fmt"
	"net"
	"net/netip"
	"testing"

	"github.com/tcpipc/tcpipc/internal/testkit/leakcheck"
	"github.com/tcpipc/tcpipc/runtime/ipsec"
	"github.com/tcpipc/tcpipc/runtime/lan"
)

// rng1 is the application DVIPA of testdata/runtime/swsa-range: figure 9
// with a VIPARANGE 201.2.20.0/28 (MOVEABLE NONDISRUPTIVE) on MVS1 and
// MVS5, and IPsec policy for 201.2.20.5 like DVA1's.
var rng1 = netip.MustParseAddr("201.2.20.5")

// TestSWSAVIPARangeMove: an application DVIPA of a VIPARANGE carries IPsec
// like a VIPADEFINE one: the stack an application's bind makes its owner
// runs its endpoint and journals its tunnels; when a bind on another stack
// moves it (NONDISRUPTIVE), the new owner renegotiates every tunnel from
// the records, the old owner deletes its SAs after, and the connections
// the old owner keeps (Moving) carry on under the new SAs.
func TestSWSAVIPARangeMove(t *testing.T) {
	leakcheck.Check(t)
	sx, _ := startSysplex(t, planFile(t, "swsa-range"), withIPsec)
	app := netip.AddrPortFrom(rng1, 60)
	onMVS1 := serveEcho(t, sx.Stack("MVS1"), app)
	defer onMVS1.close()
	if got := sx.Owner(rng1); got != "MVS1" {
		t.Fatalf("after a bind on MVS1 the DVIPA is owned by %q", got)
	}
	const n = 3
	conns, clients := rangeClients(t, sx, app, n)
	waitFor(t, "MVS1's records", func() bool { return recordsBy(t, sx, rng1)["MVS1"] == n })

	onMVS5 := serveEcho(t, sx.Stack("MVS5"), app)
	defer onMVS5.close()
	if got := sx.Owner(rng1); got != "MVS5" {
		t.Fatalf("after a bind on MVS5 the DVIPA is owned by %q", got)
	}
	waitFor(t, "MVS5 to renegotiate", func() bool {
		o := lastOutcomeOf(sx, rng1, "MVS5")
		return o != nil && !o.Done.IsZero()
	})
	if o := lastOutcomeOf(sx, rng1, "MVS5"); len(o.Recovered) != n {
		t.Fatalf("MVS5 recovered %d of %d tunnels:\n%s", len(o.Recovered), n, timelineText(sx))
	}
	waitFor(t, "MVS5's records to replace MVS1's", func() bool {
		r := recordsBy(t, sx, rng1)
		return r["MVS5"] == n && r["MVS1"] == 0
	})
	oneIKESAEach(t, clients, "after the move")
	waitFor(t, "MVS1 to delete its SAs", func() bool { sas := sx.Stack("MVS1").IPsecSAs(rng1); return sas == nil || len(sas.IKE) == 0 })
	for i, c := range conns {
		if err := tryEcho(c, fmt.Sprintf("after the move %d", i)); err != nil {
			t.Fatalf("connection %d (kept Moving on MVS1) after the move: %v", i, err)
		}
	}

	// The owner's last bind closes: the DVIPA is deleted, and with it its
	// SAs (deleted at the peers) and its records, which no holder will
	// ever recover.
	onMVS5.close()
	if got := sx.Owner(rng1); got != "" {
		t.Fatalf("after the last close the DVIPA is owned by %q", got)
	}
	waitFor(t, "the deleted DVIPA's records to go", func() bool { return recordsOf(t, sx, rng1) == 0 })
	for _, c := range clients {
		waitFor(t, fmt.Sprintf("%s to drop its SAs", c.Addr), func() bool { return len(c.IPsec().SAs().IKE) == 0 })
	}
}

// rangeClients attaches n IPsec clients of a DVIPA (192.0.2.10 and on,
// all with the rule's identity 192.0.2.10), each with a connection to app
// that echoed once.
func rangeClients(t *testing.T, sx *Sysplex, app netip.AddrPort, n int) ([]net.Conn, []*lan.Client) {
	t.Helper()
	var conns []net.Conn
	var clients []*lan.Client
	for i := range n {
		addr := netip.AddrFrom4([4]byte{192, 0, 2, byte(10 + i)})
		client, err := sx.AddClient(fmt.Sprintf("client%d", i), addr)
		if err != nil {
			t.Fatal(err)
		}
		cfg, err := ClientIPsec(sx.Plan(), addr, app.Addr())
		if err != nil {
			t.Fatal(err)
		}
		cfg.ID = ipsec.AddrIdentity(netip.MustParseAddr("192.0.2.10"))
		if err := client.EnableIPsec(cfg, sx.Clock(), nil); err != nil {
			t.Fatal(err)
		}
		c := dial(t, client, app)
		t.Cleanup(func() { c.Close() })
		echoOnce(t, c, fmt.Sprintf("hello %d", i))
		conns, clients = append(conns, c), append(clients, client)
	}
	return conns, clients
}

// lastOutcomeOf is the latest SWSA outcome of a DVIPA on stack, or nil.
func lastOutcomeOf(sx *Sysplex, d netip.Addr, stack string) *SWSAOutcome {
	all := sx.SWSAOutcomes()
	for i := len(all) - 1; i >= 0; i-- {
		if all[i].DVIPA == d && all[i].Stack == stack {
			return &all[i]
		}
	}
	return nil
}

// TestSWSAVIPARangeOwnerFails: MVS5's bind took the application DVIPA
// from MVS1, whose server stays bound; IPsec clients connect to MVS5.
// MVS5 fails: MVS1 takes the DVIPA over for its bound server and
// renegotiates every tunnel from MVS5's records, as a takeover does, and
// the clients reach MVS1's server under the new SAs.
func TestSWSAVIPARangeOwnerFails(t *testing.T) {
	leakcheck.Check(t)
	sx, clk := startSysplex(t, planFile(t, "swsa-range"), withIPsec)
	app := netip.AddrPortFrom(rng1, 60)
	onMVS1 := serveEcho(t, sx.Stack("MVS1"), app)
	defer onMVS1.close()
	onMVS5 := serveEcho(t, sx.Stack("MVS5"), app)
	defer onMVS5.close()
	if got := sx.Owner(rng1); got != "MVS5" {
		t.Fatalf("after a bind on MVS5 the DVIPA is owned by %q", got)
	}
	const n = 3
	_, clients := rangeClients(t, sx, app, n)
	waitFor(t, "MVS5's records", func() bool { return recordsBy(t, sx, rng1)["MVS5"] == n })

	failOver(t, sx, clk, "MVS5", rng1, "MVS1")
	waitFor(t, "MVS1 to renegotiate", func() bool {
		o := lastOutcomeOf(sx, rng1, "MVS1")
		return o != nil && !o.Done.IsZero()
	})
	if o := lastOutcomeOf(sx, rng1, "MVS1"); len(o.Recovered) != n {
		t.Fatalf("MVS1 recovered %d of %d tunnels:\n%s", len(o.Recovered), n, timelineText(sx))
	}
	waitFor(t, "MVS1's records to replace MVS5's", func() bool {
		r := recordsBy(t, sx, rng1)
		return r["MVS1"] == n && r["MVS5"] == 0
	})
	for i, client := range clients {
		c := dial(t, client, app)
		echoOnce(t, c, fmt.Sprintf("to MVS1 after MVS5 failed %d", i))
		c.Close()
	}
}
