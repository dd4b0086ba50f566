package netstack

import (
	"net/netip"
	"strings"
	"testing"
)

// TestAddAddressesUpdatesTheSnapshot: a batch of addresses lands on the
// NIC and in forward.go's snapshot of the stack's own addresses, rebuilt
// once for the batch; one that fails is named in the error and the ones
// before it stay, in the snapshot too. After Close the snapshot is empty.
func TestAddAddressesUpdatesTheSnapshot(t *testing.T) {
	st, err := New(Options{Name: "T", Forwarding: true})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if err := st.AddVIPANIC(); err != nil {
		t.Fatal(err)
	}
	a, b := netip.MustParsePrefix("201.2.20.1/32"), netip.MustParsePrefix("201.2.20.2/32")
	if err := st.AddAddresses(VIPANIC, []netip.Prefix{a, b}); err != nil {
		t.Fatal(err)
	}
	c := netip.MustParsePrefix("201.2.20.3/32")
	err = st.AddAddresses(VIPANIC, []netip.Prefix{c, a})
	if err == nil || !strings.Contains(err.Error(), "add 201.2.20.1/32") {
		t.Fatalf("adding %s twice: error %v", a, err)
	}
	for _, p := range []netip.Prefix{a, b, c} {
		if !(*st.local.Load())[toTCPIP(p.Addr())] {
			t.Errorf("%s is not in the address snapshot", p)
		}
	}
	if got, _ := st.Addresses(VIPANIC); len(got) != 3 {
		t.Errorf("VIPA NIC holds %v, want 3 addresses", got)
	}
	st.Close()
	if n := len(*st.local.Load()); n != 0 {
		t.Errorf("a closed stack's snapshot holds %d addresses", n)
	}
}
