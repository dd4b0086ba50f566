package ipsec

import (
	"fmt"
	"testing"

	"github.com/tcpipc/tcpipc/plan"
)

// TestPeerLocationsTakeRanges: a key exchange rule's endpoint may give its
// locations as address ranges (Location a-b, an IpAddrSet or IpAddrGroup
// through LocationSetRef or LocationGroupRef), which the plan carries as
// "a-b". The endpoint takes them as the prefixes that cover exactly the
// range; it refused the peer ("remote location: ParseAddr") and the
// stack ran without it.
func TestPeerLocationsTakeRanges(t *testing.T) {
	p := plan.Peer{Rule: "range-peer", Version: "IKEv2", Auth: "PRESHAREDKEY", PSK: "range-test-psk", PSKFormat: "ASCII",
		Local:  plan.Identity{Type: "IPADDR", Value: "201.2.10.11", Locations: []string{"201.2.10.11"}},
		Remote: plan.Identity{Type: "IPADDR", Value: "192.0.2.0/24", Locations: []string{"192.0.2.10-192.0.2.20", "2001:db8::-2001:db8::ff", "198.51.100.7"}}}
	got, err := peerFromPlan(p, nil)
	if err != nil {
		t.Fatal(err)
	}
	want := "[192.0.2.10/31 192.0.2.12/30 192.0.2.16/30 192.0.2.20/32 2001:db8::/120 198.51.100.7/32]"
	if s := fmt.Sprint(got.RemoteTS); s != want {
		t.Errorf("remote selectors %s, want %s", s, want)
	}
	if got.Addr.IsValid() {
		t.Errorf("a peer anywhere in a range has address %s, want none (reached where its traffic goes)", got.Addr)
	}
}

// TestRangePrefixesReachTheEnd: a range that ends at the family's last
// address ends the split there.
func TestRangePrefixesReachTheEnd(t *testing.T) {
	got, err := locationPrefixes([]string{"0.0.0.0-255.255.255.255", "255.255.255.254-255.255.255.255"})
	if err != nil {
		t.Fatal(err)
	}
	if s := fmt.Sprint(got); s != "[0.0.0.0/0 255.255.255.254/31]" {
		t.Errorf("got %s", s)
	}
}
