package ipsec

import (
	"testing"

	"github.com/tcpipc/tcpipc/plan"
)

// TestOSPFType: a plan filter for one OSPF packet type (IPSEC statement:
// PROTOCOL OSPF TYPE ospftype) matches OSPF packets of that type only,
// read from the OSPF header's second byte (RFC 2328 A.3.1); other types
// fall to the next filter. A packet too short to show its type matches
// only a filter for every type.
func TestOSPFType(t *testing.T) {
	hello := 1
	pf := plan.Filter{Name: "ospf-hello", Direction: plan.Outbound, Action: plan.Permit, Local: "*", Remote: "*",
		Protocol: 89, LocalPorts: plan.AnyPort, RemotePorts: plan.AnyPort, OSPFType: &hello}
	f, err := filterFromPlan(pf, AddrRange{})
	if err != nil {
		t.Fatal(err)
	}
	spd, err := NewSPD(f, Filter{Name: "deny-all", Action: ActionDeny})
	if err != nil {
		t.Fatal(err)
	}
	ospf := func(typ byte, n int) []byte {
		p := ipv4Header(appAddr, clientIn, 89, n)
		if n >= 2 {
			p[20], p[21] = 2, typ // version 2, packet type
		}
		return p
	}
	for _, c := range []struct {
		name string
		pkt  []byte
		want string
	}{
		{"hello", ospf(1, 24), "ospf-hello"},
		{"link state update", ospf(4, 24), "deny-all"},
		{"no header", ospf(0, 1), "deny-all"},
	} {
		got, err := spd.Lookup(Outbound, c.pkt)
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		if got == nil || got.Name != c.want {
			t.Errorf("%s: filter %v, want %s", c.name, got, c.want)
		}
	}
}
