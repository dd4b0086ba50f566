package ipsec

import (
	"fmt"
	"testing"

	"github.com/tcpipc/tcpipc/plan"
)

// TestICMPTypeAndCode: a rule that permits only ICMP echo (type 8 code 0)
// out and echo replies (type 0 code 0) in, compiled from the plan, lets
// exactly those through; any other ICMP type or code falls to the deny
// rule, outbound and inbound (z/OS IpService Protocol ICMP Type/Code).
func TestICMPTypeAndCode(t *testing.T) {
	echo, reply, zero := plan.PortRange{From: 8, To: 8}, plan.PortRange{From: 0, To: 0}, plan.PortRange{From: 0, To: 0}
	var filters []Filter
	for _, pf := range []plan.Filter{
		{Name: "ping-out", Direction: plan.Outbound, Action: plan.Permit, Remote: "10.99.0.0/16", Protocol: 1,
			LocalPorts: plan.AnyPort, RemotePorts: plan.AnyPort, ICMPType: &echo, ICMPCode: &zero},
		{Name: "ping-in", Direction: plan.Inbound, Action: plan.Permit, Remote: "10.99.0.0/16", Protocol: 1,
			LocalPorts: plan.AnyPort, RemotePorts: plan.AnyPort, ICMPType: &reply, ICMPCode: &zero},
	} {
		f, err := filterFromPlan(pf, AddrRange{appAddr, appAddr})
		if err != nil {
			t.Fatal(err)
		}
		filters = append(filters, f)
	}
	filters = append(filters, Filter{Name: "deny-all", Action: ActionDeny})
	tp := newTopo(t, withGatewayPolicy(nil, filters))
	gw := tp.gw.e
	for _, c := range []struct {
		typ, code byte
		out, in   bool
	}{
		{8, 0, true, false},   // echo request: out only
		{0, 0, false, true},   // echo reply: in only
		{8, 1, false, false},  // echo with another code
		{13, 0, false, false}, // timestamp
		{3, 3, false, false},  // port unreachable
	} {
		name := fmt.Sprintf("type %d code %d", c.typ, c.code)
		if got := gw.Outbound(icmp4(appAddr, clientIn, c.typ, c.code)) == Clear; got != c.out {
			t.Errorf("%s out: clear %v, want %v", name, got, c.out)
		}
		if got := gw.InboundClear(icmp4(clientIn, appAddr, c.typ, c.code)); got != c.in {
			t.Errorf("%s in: accepted %v, want %v", name, got, c.in)
		}
	}
	// An ICMP message too short to show its type, or a later fragment,
	// matches only a rule for every type and code.
	short := icmp4(appAddr, clientIn, 8, 0)[:21]
	short[3] = 21
	if v := gw.Outbound(short); v == Clear {
		t.Errorf("ICMP without its code: %v", v)
	}
}
