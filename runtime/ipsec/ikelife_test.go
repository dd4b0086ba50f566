package ipsec

import (
	"net/netip"
	"testing"
	"time"

	"github.com/tcpipc/tcpipc/internal/ike/ikesa"
)

// withClientIKELifetime gives the client's peer (the gateway) an IKE SA
// lifetime: the client refreshes the IKE SA by itself.
func withClientIKELifetime(d time.Duration) topoOption {
	return func(t *topo) { t.clientIKELife = d }
}

// TestIKESARefreshedByLifetime: z/OS refreshes an IKEv2 phase 1 SA when
// its configured lifetime runs out, with new keys and without
// reauthenticating the peer (IBM, "Refreshing Security Associations"). The
// client rekeys the IKE SA before its lifetime ends, the child moves to the
// new one and traffic keeps flowing; the new SA is refreshed in its turn.
// Without the refresh the IKE SA lived for ever.
func TestIKESARefreshedByLifetime(t *testing.T) {
	tp := newTopo(t, withEcho(), withClientIKELifetime(time.Hour))
	tp.establish(t)
	recv(t, tp.client.got, "echo")
	first := tp.client.e.SAs().IKE[0]
	child := tp.client.e.SAs().Dynamic[0].InboundSPI
	life := first.Expires.Sub(first.Established)
	if soft := first.Refresh.Sub(first.Established); life != time.Hour || soft < 48*time.Minute || soft > 54*time.Minute {
		t.Fatalf("refresh after %v and expiry after %v, want 48 to 54 minutes and an hour", soft, life)
	}
	// Advance to the refresh in one step: a longer jump would also fire
	// the retransmissions of the rekey before the gateway's answer.
	tp.clk.Advance(first.Refresh.Sub(tp.clk.Now()) - time.Second)
	if id := tp.client.e.SAs().IKE[0].ID; id != first.ID {
		t.Fatalf("IKE SA rekeyed before its refresh time")
	}
	tp.clk.Advance(time.Second)
	second := refreshedFrom(t, tp, first.ID)
	if c := tp.client.e.SAs().Dynamic; len(c) != 1 || c[0].InboundSPI != child || c[0].IKE != second.ID {
		t.Fatalf("after the IKE rekey the children are %+v, want child %08x under %v", c, child, second.ID)
	}
	tr := startTraffic(t, tp)
	for range 3 {
		tr.flow(t)
	}
	tr.finish(t, tp)

	tp.clk.Advance(first.Expires.Sub(tp.clk.Now())) // the first SA's lifetime ends: nothing to do
	if s := tp.client.e.SAs().IKE; len(s) != 1 || s[0].ID != second.ID {
		t.Fatalf("at the first SA's lifetime the IKE SAs are %+v, want only %v", s, second.ID)
	}
	tp.clk.Advance(second.Refresh.Sub(tp.clk.Now())) // the second SA's refresh is due
	refreshedFrom(t, tp, second.ID)
}

// refreshedFrom waits until both ends hold one IKE SA, the same, other
// than old, and returns the client's.
func refreshedFrom(t *testing.T, tp *topo, old ikesa.IKESAID) IKETunnel {
	t.Helper()
	eventually(t, "one new IKE SA on both ends", func() bool {
		c, g := tp.client.e.SAs().IKE, tp.gw.e.SAs().IKE
		return len(c) == 1 && len(g) == 1 && c[0].ID != old && c[0].ID == g[0].ID
	})
	return tp.client.e.SAs().IKE[0]
}

// TestIKESAExpiresWhenNotRefreshed: an IKE SA whose refresh has not
// succeeded by the end of its lifetime ends then with its children, not
// kept while the refresh is retransmitted. With a 100-second lifetime the refresh
// starts at 80 to 90 seconds and its retransmissions would go on for two
// minutes more.
func TestIKESAExpiresWhenNotRefreshed(t *testing.T) {
	tp := newTopo(t, withClientIKELifetime(100*time.Second))
	tp.establish(t)
	first := tp.client.e.SAs().IKE[0]
	established := func() bool {
		sa := tp.client.e.Daemon().Lookup(first.ID)
		return sa != nil && sa.Info().State == ikesa.StateEstablished
	}
	tp.net.SetDrop(func(_, dst netip.AddrPort, _ []byte) bool { return dst.Addr() == gwAddr })
	tp.clk.Advance(first.Expires.Sub(tp.clk.Now()) - time.Second)
	if !established() {
		t.Fatalf("IKE SA not established any more before its lifetime ended")
	}
	tp.clk.Advance(time.Second)
	// Gone at once with its child, not left deleting behind the refresh
	// still retransmitted.
	eventually(t, "the expired IKE SA and its child gone", func() bool {
		s := tp.client.e.SAs()
		return tp.client.e.Daemon().Lookup(first.ID) == nil && len(s.Dynamic) == 0
	})
}

// withReauth gives the client's and the gateway's peers a reauthentication
// interval (KeyExchangeAction ReauthInterval).
func withReauth(client, gw time.Duration) topoOption {
	return func(t *topo) { t.clientReauth, t.gwReauth = client, gw }
}

// TestIKESAReauthenticatedByInterval: with a ReauthInterval, z/OS IKED
// negotiates an IKEv2 SA afresh, the peer authenticated again (IBM,
// "Refreshing phase 1 Security Associations"). Here the gateway (the
// responder, its client behind a NAT) does: at the interval, less up to
// a tenth, a new IKE SA with a new child replaces the old pair on both
// ends, and traffic flows throughout without a packet queued or lost.
// Without it, ReauthInterval was parsed and never acted on.
func TestIKESAReauthenticatedByInterval(t *testing.T) {
	tp := newTopo(t, withEcho(), withReauth(0, time.Hour))
	tp.establish(t)
	recv(t, tp.client.got, "echo")
	first := tp.gw.e.SAs().IKE[0]
	if due := first.Reauth.Sub(first.Established); due < 54*time.Minute || due > time.Hour || first.ReauthInterval != time.Hour {
		t.Fatalf("reauthentication after %v (interval %v), want 54 to 60 minutes", due, first.ReauthInterval)
	}
	tr := startTraffic(t, tp)
	tr.flow(t)
	tp.clk.Advance(first.Reauth.Sub(tp.clk.Now()) - time.Second)
	if id := tp.gw.e.SAs().IKE[0].ID; id != first.ID {
		t.Fatal("IKE SA reauthenticated before its time")
	}
	tr.flow(t)
	tp.clk.Advance(time.Second)
	second := reauthenticatedFrom(t, tp, first.ID)
	if !second.Reauthenticated || second.Replaces != first.ID || !second.Initiator {
		t.Errorf("gateway's new SA %+v, want it to reauthenticate %v as initiator", second.IKESAInfo, first.ID)
	}
	tr.flow(t)
	tr.finish(t, tp)
	if next := second.Reauth.Sub(second.Established); next < 54*time.Minute || next > time.Hour {
		t.Errorf("next reauthentication after %v, want 54 to 60 minutes", next)
	}
}

// TestReauthIntervalCountsFromAuthentication: a lifetime refresh (a rekey,
// no AUTH) does not restart the reauthentication interval, or an IKE
// lifetime shorter than the interval would put reauthentication off for
// ever.
func TestReauthIntervalCountsFromAuthentication(t *testing.T) {
	tp := newTopo(t, withClientIKELifetime(time.Hour), withReauth(150*time.Minute, 0))
	tp.establish(t)
	first := tp.client.e.SAs().IKE[0]
	tp.clk.Advance(first.Refresh.Sub(tp.clk.Now()))
	second := refreshedFrom(t, tp, first.ID)
	if second.Reauthenticated {
		t.Fatal("the lifetime refresh reauthenticated")
	}
	if due := second.Reauth.Sub(first.Established); due < 135*time.Minute || due > 150*time.Minute {
		t.Fatalf("after a refresh reauthentication is due %v after the peer authenticated, want 135 to 150 minutes", due)
	}
	tp.clk.Advance(second.Refresh.Sub(tp.clk.Now())) // a second refresh, at about 100 minutes
	third := refreshedFrom(t, tp, second.ID)
	tp.clk.Advance(third.Reauth.Sub(tp.clk.Now()))
	if fourth := reauthenticatedFrom(t, tp, third.ID); !fourth.Reauthenticated {
		t.Errorf("at the interval the SA was replaced by %+v, want a reauthentication", fourth.IKESAInfo)
	}
}

// reauthenticatedFrom waits until both ends hold one IKE SA with one
// child, the same, other than old, and returns the gateway's view of it
// when the gateway reauthenticated, else the client's.
func reauthenticatedFrom(t *testing.T, tp *topo, old ikesa.IKESAID) IKETunnel {
	t.Helper()
	eventually(t, "one new IKE SA with one child on both ends", func() bool {
		c, g := tp.client.e.SAs(), tp.gw.e.SAs()
		return len(c.IKE) == 1 && len(g.IKE) == 1 && c.IKE[0].ID != old && c.IKE[0].ID == g.IKE[0].ID &&
			c.IKE[0].Children == 1 && g.IKE[0].Children == 1
	})
	if g := tp.gw.e.SAs().IKE[0]; g.Reauthenticated {
		return g
	}
	return tp.client.e.SAs().IKE[0]
}
