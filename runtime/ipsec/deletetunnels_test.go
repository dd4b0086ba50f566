package ipsec

import (
	"context"
	"net/netip"
	"testing"
	"time"

	"github.com/tcpipc/tcpipc/internal/ike/ikesa"
)

// TestDeleteTunnelsAndWaitReachesThePeer: a Delete that must wait behind
// an exchange under way (here a liveness check whose request was lost and
// is sent again) still reaches the peer, because the endpoint waits for
// the answer before it closes. A stack deleting a DVIPA called
// DeleteTunnels and closed the endpoint at once: the queued Delete died
// with it and the client kept SAs no stack held (seen as a flaky
// TestSWSAVIPARangeMove under load).
func TestDeleteTunnelsAndWaitReachesThePeer(t *testing.T) {
	tp := newTopo(t)
	tp.establish(t)
	id := tp.gw.e.SAs().IKE[0].ID
	sa := tp.gw.e.Daemon().Lookup(id)
	tp.net.SetDrop(func(src, _ netip.AddrPort, _ []byte) bool { return src.Addr() == gwAddr })
	if err := sa.CheckLiveness(nil); err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		tp.gw.e.DeleteTunnelsAndWait(context.Background(), time.Minute)
	}()
	eventually(t, "the Delete queued behind the liveness check", func() bool {
		return sa.Info().State == ikesa.StateDeleting
	})
	tp.net.SetDrop(nil)
	tp.clk.Advance(ikesa.DefaultRetransmitTimeout) // the liveness check is sent again
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("DeleteTunnelsAndWait still waits after the peer answered")
	}
	tp.gw.e.Close()
	eventually(t, "the client's SAs gone", func() bool { return len(tp.client.e.SAs().IKE) == 0 })
}

// TestDeleteTunnelsAndWaitGivesUp: a peer that never answers holds the
// stack up no longer than the limit.
func TestDeleteTunnelsAndWaitGivesUp(t *testing.T) {
	tp := newTopo(t)
	tp.establish(t)
	tp.net.SetDrop(func(src, _ netip.AddrPort, _ []byte) bool { return src.Addr() == gwAddr })
	done := make(chan struct{})
	go func() {
		defer close(done)
		tp.gw.e.DeleteTunnelsAndWait(context.Background(), time.Second)
	}()
	eventually(t, "the Delete sent", func() bool {
		s := tp.gw.e.SAs().IKE
		return len(s) == 1 && s[0].State == ikesa.StateDeleting
	})
	tp.clk.Advance(time.Second)
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("DeleteTunnelsAndWait did not give up at its limit")
	}
}
