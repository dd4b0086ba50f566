package ipsec

import (
	"context"
	"net/netip"
	"testing"
	"time"

	"github.com/tcpipc/tcpipc/internal/ike/ikesa"
	"github.com/tcpipc/tcpipc/runtime/cf"
	"github.com/tcpipc/tcpipc/runtime/swsa"
)

// TestSimultaneousReauthenticationUnderTraffic: the client and the
// gateway (a DVIPSEC DVIPA journaling its tunnels) reauthenticate their
// IKE SA at the same moment while traffic flows. Both new IKE SAs come
// up with a copy of the child; the one with the lowest IKE_SA_INIT nonce
// goes with its child, so each end keeps one IKE SA and one child, no
// packet is lost or refused, and the coupling facility holds one record,
// for the tunnel that stays. Before, both IKE SAs and both children
// stayed, and the gateway's journal held two records for one peer.
func TestSimultaneousReauthenticationUnderTraffic(t *testing.T) {
	t.Run("no NAT", func(t *testing.T) { simultaneousReauthentication(t, withoutNAT()) })
	t.Run("client behind a NAT", func(t *testing.T) { simultaneousReauthentication(t) })
}

func simultaneousReauthentication(t *testing.T, opts ...topoOption) {
	ctx := context.Background()
	tp := newTopo(t, append(opts, withEcho())...)
	mem := cf.NewMemory()
	t.Cleanup(func() { mem.Close() })
	st, err := mem.Structure(ctx, "EZBDVIPA1121")
	if err != nil {
		t.Fatal(err)
	}
	store := swsa.NewStore(st)
	journal := swsa.NewCFJournal(store, swsa.Options{Stack: "MVS1", Clock: tp.clk})
	t.Cleanup(journal.Close)
	tp.gw.e.SetSWSA(SWSA{Journal: journal, Stack: "MVS1", VPNAction: func(netip.Addr) string { return "dvipa-esp" }})
	tp.gw.e.EndRecoveryPlanning()
	tp.establish(t)
	recv(t, tp.client.got, "echo")
	old := tp.gw.e.SAs().IKE[0].ID

	tr := startTraffic(t, tp)
	finished := false
	defer func() {
		// Should the test fail before finish, stop the traffic and make
		// room for what is still on its way, or a delivery blocks and
		// the endpoints never close.
		if !finished {
			close(tr.stop)
			tr.done.Wait()
			for _, ch := range []chan []byte{tp.gw.got, tp.client.got} {
				for len(ch) > 0 {
					<-ch
				}
			}
		}
	}()
	tr.flow(t)
	// IKE waits until both have started; ESP goes on.
	release := tp.net.Hold(isIKE)
	done := make(chan error, 2)
	for _, n := range []*node{tp.client, tp.gw} {
		if err := n.e.Daemon().Lookup(old).Reauthenticate(func(err error) { done <- err }); err != nil {
			t.Fatal(err)
		}
	}
	release()
	for range 2 {
		select {
		case err := <-done:
			if err != nil {
				t.Fatal(err)
			}
		case <-time.After(10 * time.Second):
			t.Fatal("a reauthentication never ended")
		}
	}
	tr.flow(t)
	tp.clk.Advance(ikesa.RedundantSADelay)
	var ike ikesa.IKESAID
	defer func() {
		if t.Failed() {
			t.Logf("client %+v\ngateway %+v", tp.client.e.SAs(), tp.gw.e.SAs())
		}
	}()
	eventually(t, "one new IKE SA with one child on both ends", func() bool {
		c, g := tp.client.e.SAs(), tp.gw.e.SAs()
		ok := len(c.IKE) == 1 && len(g.IKE) == 1 && c.IKE[0].ID != old && c.IKE[0].ID == g.IKE[0].ID &&
			len(c.Dynamic) == 1 && len(g.Dynamic) == 1 && c.Dynamic[0].InboundSPI == g.Dynamic[0].OutboundSPI
		if ok {
			ike = g.IKE[0].ID
		}
		return ok
	})
	tr.flow(t)
	tp.clk.Advance(DefaultRekeyedGrace) // the redundant child's inbound SA goes
	tr.flow(t)
	finished = true
	tr.finish(t, tp)
	noDrops(t, tp.client.e)
	noDrops(t, tp.gw.e)
	for _, n := range []*node{tp.client, tp.gw} {
		if l := n.e.sad.Len(); l != 1 {
			t.Errorf("%d inbound SAs after the grace period, want 1", l)
		}
	}

	if err := journal.Flush(ctx); err != nil {
		t.Fatal(err)
	}
	recs, corrupt, err := store.List(ctx, gwAddr)
	if err != nil || len(corrupt) != 0 {
		t.Fatalf("listing the records: %v, %d corrupt", err, len(corrupt))
	}
	if len(recs) != 1 {
		t.Fatalf("%d records after both reauthentications, want one for the one tunnel: %+v", len(recs), recs)
	}
	if got := recs[0].Record.IKE.SPIi; got != ike.SPIi {
		t.Errorf("the record names IKE SA %016x, want the one left, %v", got, ike)
	}
}
