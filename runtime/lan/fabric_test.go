package lan

import (
	"net/netip"
	"slices"
	"testing"
)

// TestFabricStaleWithdrawKeepsRealHolder is the end of a split brain: two
// stacks both advertised a DVIPA, the one that was wrong withdraws it, and
// the route must go back to the one that still advertises it, not vanish.
// The order of the two advertisements must not matter.
func TestFabricStaleWithdrawKeepsRealHolder(t *testing.T) {
	dva1 := netip.MustParseAddr("201.2.10.11")
	for _, staleLast := range []bool{true, false} {
		f := NewFabric()
		owner, _ := f.Attach("MVS1", func([]byte) error { return nil })
		stale, _ := f.Attach("MVS5", func([]byte) error { return nil })
		if staleLast {
			owner.Advertise(dva1)
			stale.Advertise(dva1)
		} else {
			stale.Advertise(dva1)
			owner.Advertise(dva1)
		}
		stale.Withdraw(dva1)
		if got := f.Owner(dva1); got != "MVS1" {
			t.Errorf("stale advertiser last=%v: after its withdraw the route goes to %q, want MVS1", staleLast, got)
		}
		if got := f.Advertisers(dva1); !slices.Equal(got, []string{"MVS1"}) {
			t.Errorf("stale advertiser last=%v: advertisers %v, want [MVS1]", staleLast, got)
		}
	}
}

// TestFabricLatestAdvertiserRoutes: a takeover re-advertises from the new
// holder, which routes at once; detaching a port (a failed stack) removes
// every advertisement it made and the route falls back to the one left.
func TestFabricLatestAdvertiserRoutes(t *testing.T) {
	a := netip.MustParseAddr("201.2.10.11")
	f := NewFabric()
	p1, _ := f.Attach("MVS1", func([]byte) error { return nil })
	p5, _ := f.Attach("MVS5", func([]byte) error { return nil })
	p1.Advertise(a)
	p5.Advertise(a)
	if got := f.Owner(a); got != "MVS5" {
		t.Fatalf("route goes to %q, want the latest advertiser MVS5", got)
	}
	p1.Advertise(a) // re-advertising moves the route back
	if got := f.Owner(a); got != "MVS1" {
		t.Fatalf("route goes to %q after MVS1 re-advertised, want MVS1", got)
	}
	p1.Detach()
	if got := f.Owner(a); got != "MVS5" {
		t.Fatalf("route goes to %q after MVS1 detached, want MVS5", got)
	}
	p5.Withdraw(a)
	if got, adv := f.Owner(a), f.Advertisers(a); got != "" || len(adv) != 0 {
		t.Fatalf("after the last withdraw: owner %q, advertisers %v", got, adv)
	}
}
