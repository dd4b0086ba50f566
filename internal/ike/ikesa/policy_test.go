package ikesa

import (
	"net/netip"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/tcpipc/tcpipc/internal/ike/wire"
)

// sel4 is an IPv4 selector: addresses first-last, a protocol (0 any) and
// a port range.
func sel4(first, last string, proto uint8, lo, hi uint16) wire.Selector {
	return wire.Selector{TSType: wire.TS_IPV4_ADDR_RANGE, IPProtocol: proto, StartPort: lo, EndPort: hi,
		Start: netip.MustParseAddr(first), End: netip.MustParseAddr(last)}
}

// Two filter rules of the responder's policy for one peer: TCP from the
// application's port 60 to the clients' ports 1024-65535, and UDP to
// ports 5000-5099 of a second host from one client.
var (
	appRule = Selectors{
		Local:  []wire.Selector{sel4("10.99.0.1", "10.99.0.1", 6, 60, 60)},
		Remote: []wire.Selector{sel4("10.1.0.0", "10.1.0.255", 6, 1024, 65535)},
	}
	udpRule = Selectors{
		Local:  []wire.Selector{sel4("10.99.0.5", "10.99.0.5", 17, 5000, 5099)},
		Remote: []wire.Selector{sel4("10.1.0.7", "10.1.0.7", 17, 0, 65535)},
	}
)

// policyPair is pair with the responder's child SAs limited to its filter
// rules for the peer.
func policyPair(t *testing.T, rules ...Selectors) (*node, *node) {
	t.Helper()
	_, initiator, responder := pair(t, setup{})
	responder.d.cfg.Peers[0].Policies = rules
	return initiator, responder
}

// TestResponderNarrowsToOneFilterRule: an initiator proposing every
// protocol and port between wide address ranges gets a child SA that
// carries exactly the first filter rule its proposal overlaps, narrowed
// (RFC 7296 §2.9), not the key exchange rule's locations and not a mix
// of two rules' selectors.
func TestResponderNarrowsToOneFilterRule(t *testing.T) {
	initiator, responder := policyPair(t, appRule, udpRule)
	_, ic, rc := establish(t, initiator, responder)
	want := Selectors{
		Local:  []wire.Selector{sel4("10.99.0.1", "10.99.0.1", 6, 60, 60)},
		Remote: []wire.Selector{sel4("10.1.0.0", "10.1.0.255", 6, 1024, 65535)},
	}
	if d := cmp.Diff(want, Selectors{rc.LocalTS, rc.RemoteTS}, cmpAddr) +
		cmp.Diff(want, Selectors{ic.RemoteTS, ic.LocalTS}, cmpAddr); d != "" {
		t.Errorf("child selectors (-want +got):\n%s", d)
	}
}

// TestInitiatorProposesTriggeringRule: an initiator asked for one filter
// rule's selectors proposes exactly them, and the responder picks the
// rule that holds them even when another rule comes first.
func TestInitiatorProposesTriggeringRule(t *testing.T) {
	initiator, responder := policyPair(t, appRule, udpRule)
	mine := Selectors{Local: udpRule.Remote, Remote: udpRule.Local}
	if _, err := initiator.d.InitiateWith("gw", netip.AddrPort{}, mine); err != nil {
		t.Fatal(err)
	}
	ic := wait(t, initiator.children, "initiator child")
	rc := wait(t, responder.children, "responder child")
	if d := cmp.Diff(udpRule, Selectors{rc.LocalTS, rc.RemoteTS}, cmpAddr) +
		cmp.Diff(mine, Selectors{ic.LocalTS, ic.RemoteTS}, cmpAddr); d != "" {
		t.Errorf("child selectors (-want +got):\n%s", d)
	}
}

// TestNoFilterRuleMatchesIsTSUnacceptable: a proposal that overlaps no
// filter rule of the peer is refused with TS_UNACCEPTABLE, though it
// lies inside the key exchange rule's locations; the IKE SA stays up.
func TestNoFilterRuleMatchesIsTSUnacceptable(t *testing.T) {
	initiator, responder := policyPair(t, appRule, udpRule)
	icmp := Selectors{
		Local:  []wire.Selector{sel4("10.1.0.7", "10.1.0.7", 1, 0, 65535)},
		Remote: []wire.Selector{sel4("10.99.0.1", "10.99.0.1", 1, 0, 65535)},
	}
	// Without the filter rules the key exchange rule's locations would
	// accept this proposal; with them it is refused, which shows as an
	// established IKE SA with no child on either side.
	sa, err := initiator.d.InitiateWith("gw", netip.AddrPort{}, icmp)
	if err != nil {
		t.Fatal(err)
	}
	for _, n := range []*node{initiator, responder} {
		if ev := wait(t, n.ike, "IKE SA up"); ev.err != nil {
			t.Fatal(ev.err)
		}
	}
	quiet(t, initiator.children, "child")
	quiet(t, responder.children, "child")
	if info := sa.Info(); info.State != StateEstablished || info.Children != 0 {
		t.Errorf("initiator SA %+v", info)
	}
}

// TestChooseSelectors covers the pure choice: the first rule that holds
// the initiator's first selectors (its triggering packet), else the first
// rule both lists overlap, else none.
func TestChooseSelectors(t *testing.T) {
	anyTS := []wire.Selector{sel4("0.0.0.0", "255.255.255.255", 0, 0, 65535)}
	for _, tc := range []struct {
		name     string
		tsi, tsr []wire.Selector
		want     Selectors
		ok       bool
	}{
		{"wide proposal: first rule", anyTS, anyTS, appRule, true},
		{"trigger in the second rule",
			[]wire.Selector{sel4("10.1.0.7", "10.1.0.7", 17, 40000, 40000), anyTS[0]},
			[]wire.Selector{sel4("10.99.0.5", "10.99.0.5", 17, 5001, 5001), anyTS[0]},
			udpRule, true},
		{"trigger alone in the second rule",
			[]wire.Selector{sel4("10.1.0.7", "10.1.0.7", 17, 40000, 40000)},
			[]wire.Selector{sel4("10.99.0.5", "10.99.0.5", 17, 5001, 5001)},
			Selectors{
				Local:  []wire.Selector{sel4("10.99.0.5", "10.99.0.5", 17, 5001, 5001)},
				Remote: []wire.Selector{sel4("10.1.0.7", "10.1.0.7", 17, 40000, 40000)},
			}, true},
		{"ports overlap partly",
			[]wire.Selector{sel4("10.1.0.0", "10.1.0.255", 6, 0, 2000)},
			[]wire.Selector{sel4("10.99.0.1", "10.99.0.1", 6, 0, 65535)},
			Selectors{Local: appRule.Local, Remote: []wire.Selector{sel4("10.1.0.0", "10.1.0.255", 6, 1024, 2000)}}, true},
		{"protocol of no rule", []wire.Selector{sel4("10.1.0.7", "10.1.0.7", 1, 0, 65535)}, anyTS, Selectors{}, false},
		{"addresses of no rule", []wire.Selector{sel4("10.2.0.1", "10.2.0.1", 0, 0, 65535)}, anyTS, Selectors{}, false},
		{"each side fits a different rule only",
			[]wire.Selector{sel4("10.1.0.7", "10.1.0.7", 17, 0, 65535)},
			[]wire.Selector{sel4("10.99.0.1", "10.99.0.1", 6, 60, 60)}, Selectors{}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, ok := chooseSelectors(tc.tsi, tc.tsr, []Selectors{appRule, udpRule})
			if ok != tc.ok {
				t.Fatalf("ok = %v, want %v", ok, tc.ok)
			}
			if d := cmp.Diff(tc.want, got, cmpAddr); ok && d != "" {
				t.Errorf("(-want +got):\n%s", d)
			}
		})
	}
}
