package ipsec

import (
	"bytes"
	"net/netip"
	"testing"

	"github.com/tcpipc/tcpipc/internal/ike/wire"
	"github.com/tcpipc/tcpipc/plan"
)

// TestPlanIdentities: each policy identity becomes its IKEv2 ID payload
// (RFC 7296 §3.5): UserAtFqdn is ID_RFC822_ADDR (3), a KeyID is ID_KEY_ID
// (11) with the bytes the plan carries in hex (compile turns KeyID Ascii,
// Ebcdic and Hex into them). A value the runtime cannot read is an error,
// never a panic.
func TestPlanIdentities(t *testing.T) {
	tests := []struct {
		id   plan.Identity
		typ  wire.IDType
		data []byte
		bad  bool
	}{
		{id: plan.Identity{Type: "USERFQDN", Value: "ops@example.com"}, typ: wire.ID_RFC822_ADDR, data: []byte("ops@example.com")},
		{id: plan.Identity{Type: "KEYID", Value: "c7e6f1"}, typ: wire.ID_KEY_ID, data: []byte{0xc7, 0xe6, 0xf1}},
		{id: plan.Identity{Type: "KEYID", Value: "not hex"}, bad: true},
		{id: plan.Identity{Type: "KEYID", Value: ""}, bad: true},
		{id: plan.Identity{Type: "IPADDR", Value: "192.0.2.0/24-"}, bad: true},
		{id: plan.Identity{Type: "IPADDR", Value: "192.0.2.9-192.0.2.1"}, bad: true},
		{id: plan.Identity{Type: "X500DN", Value: "CN=*, O=Example"}, bad: true},
	}
	for _, tt := range tests {
		got, err := identity(tt.id, netip.Addr{}, true)
		switch {
		case tt.bad && err == nil:
			t.Errorf("%s %q: no error, want one", tt.id.Type, tt.id.Value)
		case !tt.bad && err != nil:
			t.Errorf("%s %q: %v", tt.id.Type, tt.id.Value, err)
		case !tt.bad && (got.Type != tt.typ || !bytes.Equal(got.Data, tt.data)):
			t.Errorf("%s %q: %v %x, want %v %x", tt.id.Type, tt.id.Value, got.Type, got.Data, tt.typ, tt.data)
		}
	}
}

// TestPlanWildcardIdentities: a remote identity IBM lets stand for many
// peers (an IpAddr subnet or range, an Fqdn or UserAtFqdn with '*')
// becomes a wildcard the IKE daemon matches peers against; our own
// identity is sent, so a wildcard there is an error.
func TestPlanWildcardIdentities(t *testing.T) {
	for _, tc := range []struct {
		id          plan.Identity
		first, last string
	}{
		{id: plan.Identity{Type: "IPADDR", Value: "192.0.2.0/25"}, first: "192.0.2.0", last: "192.0.2.127"},
		{id: plan.Identity{Type: "IPADDR", Value: "2001:db8::1-2001:db8::9"}, first: "2001:db8::1", last: "2001:db8::9"},
		{id: plan.Identity{Type: "FQDN", Value: "*.branch.example.com"}},
		{id: plan.Identity{Type: "USERFQDN", Value: "*@example.com"}},
	} {
		got, err := identity(tc.id, netip.Addr{}, true)
		if err != nil || !got.Wildcard {
			t.Errorf("remote %s %q: %+v %v, want a wildcard", tc.id.Type, tc.id.Value, got, err)
			continue
		}
		if tc.first != "" && (got.First.String() != tc.first || got.Last.String() != tc.last) {
			t.Errorf("remote %s %q covers %s-%s, want %s-%s", tc.id.Type, tc.id.Value, got.First, got.Last, tc.first, tc.last)
		}
		if _, err := identity(tc.id, netip.Addr{}, false); err == nil {
			t.Errorf("local %s %q: accepted as our identity", tc.id.Type, tc.id.Value)
		}
	}
}
