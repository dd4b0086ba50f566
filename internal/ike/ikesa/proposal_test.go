package ikesa

import (
	"net/netip"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/tcpipc/tcpipc/internal/ike/wire"
)

func TestChoose(t *testing.T) {
	cbc := Suite{Encr: wire.ENCR_AES_CBC, KeyBits: 128, Integ: wire.AUTH_HMAC_SHA2_256_128, PRF: wire.PRF_HMAC_SHA2_256, DH: wire.ECP256}
	// One proposal listing alternatives per type, as strongSwan can send.
	multi := wire.Proposal{Number: 1, Protocol: wire.ProtoIKE, Transforms: []wire.Transform{
		{Type: wire.TransformENCR, ID: uint16(wire.ENCR_AES_CBC), KeyLength: 256},
		{Type: wire.TransformENCR, ID: uint16(wire.ENCR_AES_CBC), KeyLength: 128},
		{Type: wire.TransformINTEG, ID: uint16(wire.AUTH_HMAC_SHA2_256_128)},
		{Type: wire.TransformPRF, ID: uint16(wire.PRF_HMAC_SHA2_256)},
		{Type: wire.TransformDH, ID: uint16(wire.Curve25519)},
		{Type: wire.TransformDH, ID: uint16(wire.ECP256)},
	}}
	got, s, ok := choose(&wire.SA{Proposals: []wire.Proposal{multi}}, []Suite{gcm128, cbc}, ikeInit)
	if !ok || s != cbc {
		t.Fatalf("chose %v %s", ok, s)
	}
	if d := cmp.Diff(wire.Proposal{Number: 1, Protocol: wire.ProtoIKE, Transforms: transforms(cbc, ikeInit)}, got); d != "" {
		t.Errorf("chosen proposal (-want +got):\n%s", d)
	}
	if _, _, ok := accepted(&wire.SA{Proposals: []wire.Proposal{got}}, []Suite{cbc}, ikeInit); !ok {
		t.Error("initiator refuses the responder's choice")
	}
	if _, _, ok := accepted(&wire.SA{Proposals: []wire.Proposal{multi}}, []Suite{cbc}, ikeInit); ok {
		t.Error("initiator accepts a response with several transforms per type")
	}

	withUnknown := func(p wire.Proposal, t wire.Transform) wire.Proposal {
		p.Transforms = append(append([]wire.Transform{}, p.Transforms...), t)
		return p
	}
	gcmProposal := wire.Proposal{Number: 1, Protocol: wire.ProtoIKE, Transforms: transforms(gcm128, ikeInit)}
	for name, p := range map[string]wire.Proposal{
		"unknown transform type": withUnknown(gcmProposal, wire.Transform{Type: 9, ID: 1}),
		"unknown attribute": withUnknown(gcmProposal, wire.Transform{Type: wire.TransformENCR, ID: uint16(wire.ENCR_AES_GCM_16),
			KeyLength: 128, Unknown: []wire.Attribute{{Type: 20, TV: true, Value: []byte{0, 1}}}}),
	} {
		// The unknown attribute rides on an extra transform; the proposal
		// as a whole must still be refused.
		if _, _, ok := choose(&wire.SA{Proposals: []wire.Proposal{p}}, []Suite{gcm128}, ikeInit); ok {
			t.Errorf("%s: proposal chosen", name)
		}
	}
	if _, _, ok := choose(&wire.SA{Proposals: []wire.Proposal{gcmProposal}}, []Suite{gcm128}, ikeRekey); ok {
		t.Error("IKE proposal with the wrong SPI size chosen")
	}

	esp := wire.Proposal{Number: 1, Protocol: wire.ProtoESP, SPI: []byte{0, 0, 1, 0}, Transforms: []wire.Transform{
		{Type: wire.TransformENCR, ID: uint16(wire.ENCR_AES_GCM_16), KeyLength: 128},
		{Type: wire.TransformDH, ID: uint16(wire.Curve25519)}, // PFS group: no use in IKE_AUTH
	}}
	if _, _, ok := choose(&wire.SA{Proposals: []wire.Proposal{esp}}, []Suite{espGCM}, espAuth); !ok {
		t.Error("ESP proposal without ESN transform refused for a no-ESN suite")
	}
	withESN := espGCM
	withESN.ESN = true
	if _, _, ok := choose(&wire.SA{Proposals: []wire.Proposal{esp}}, []Suite{withESN}, espAuth); ok {
		t.Error("ESN suite chose a proposal without ESN")
	}

	// In CREATE_CHILD_SA the DH transform asks for PFS and must be met.
	pfs := espGCM
	pfs.DH = wire.Curve25519
	noDH := wire.Proposal{Number: 1, Protocol: wire.ProtoESP, SPI: esp.SPI, Transforms: esp.Transforms[:1]}
	for _, tc := range []struct {
		name  string
		p     wire.Proposal
		suite Suite
		want  bool
	}{
		{"PFS offered, PFS suite", esp, pfs, true},
		{"PFS demanded, suite without", esp, espGCM, false},
		{"no PFS offered, PFS suite", noDH, pfs, false},
		{"no PFS offered, suite without", noDH, espGCM, true},
	} {
		if _, _, ok := choose(&wire.SA{Proposals: []wire.Proposal{tc.p}}, []Suite{tc.suite}, espChild); ok != tc.want {
			t.Errorf("%s: chose %v", tc.name, ok)
		}
	}
}

func sel(proto uint8, ports [2]uint16, from, to string) wire.Selector {
	s := wire.Selector{TSType: wire.TS_IPV4_ADDR_RANGE, IPProtocol: proto, StartPort: ports[0], EndPort: ports[1],
		Start: netip.MustParseAddr(from), End: netip.MustParseAddr(to)}
	if s.Start.Is6() {
		s.TSType = wire.TS_IPV6_ADDR_RANGE
	}
	return s
}

func TestNarrow(t *testing.T) {
	all := [2]uint16{0, 65535}
	for _, tc := range []struct {
		name              string
		proposed, allowed []wire.Selector
		want              []wire.Selector
	}{
		{"subset kept", []wire.Selector{sel(0, all, "10.1.0.5", "10.1.0.5")}, []wire.Selector{Prefix(netip.MustParsePrefix("10.1.0.0/24"))},
			[]wire.Selector{sel(0, all, "10.1.0.5", "10.1.0.5")}},
		{"wide proposal cut down", []wire.Selector{Prefix(netip.MustParsePrefix("0.0.0.0/0"))}, []wire.Selector{sel(6, [2]uint16{443, 443}, "10.1.0.0", "10.1.0.255")},
			[]wire.Selector{sel(6, [2]uint16{443, 443}, "10.1.0.0", "10.1.0.255")}},
		{"partial overlap", []wire.Selector{sel(0, [2]uint16{1000, 2000}, "10.0.0.0", "10.0.0.100")}, []wire.Selector{sel(0, [2]uint16{1500, 3000}, "10.0.0.50", "10.0.0.200")},
			[]wire.Selector{sel(0, [2]uint16{1500, 2000}, "10.0.0.50", "10.0.0.100")}},
		{"different protocols", []wire.Selector{sel(6, all, "10.0.0.0", "10.0.0.9")}, []wire.Selector{sel(17, all, "10.0.0.0", "10.0.0.9")}, nil},
		{"disjoint ports", []wire.Selector{sel(0, [2]uint16{1, 10}, "10.0.0.0", "10.0.0.9")}, []wire.Selector{sel(0, [2]uint16{11, 20}, "10.0.0.0", "10.0.0.9")}, nil},
		{"different families", []wire.Selector{Prefix(netip.MustParsePrefix("::/0"))}, []wire.Selector{Prefix(netip.MustParsePrefix("0.0.0.0/0"))}, nil},
		{"IPv6", []wire.Selector{Prefix(netip.MustParsePrefix("2001:db8::/32"))}, []wire.Selector{Prefix(netip.MustParsePrefix("2001:db8:1::/48")), Prefix(netip.MustParsePrefix("10.0.0.0/8"))},
			[]wire.Selector{Prefix(netip.MustParsePrefix("2001:db8:1::/48"))}},
		{"unknown type ignored", []wire.Selector{{TSType: 9, Opaque: []byte{1}}}, []wire.Selector{Prefix(netip.MustParsePrefix("0.0.0.0/0"))}, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := narrow(tc.proposed, tc.allowed)
			if d := cmp.Diff(tc.want, got, cmpAddr); d != "" {
				t.Errorf("(-want +got):\n%s", d)
			}
			if len(got) > 0 && !within(got, tc.proposed) {
				t.Error("narrowed selectors are not within the proposal")
			}
		})
	}
	if within([]wire.Selector{Prefix(netip.MustParsePrefix("10.0.0.0/8"))}, []wire.Selector{Prefix(netip.MustParsePrefix("10.1.0.0/16"))}) {
		t.Error("a wider selector counts as within a narrower one")
	}
}

func TestPrefix(t *testing.T) {
	for in, want := range map[string][2]string{
		"10.1.2.3/24":   {"10.1.2.0", "10.1.2.255"},
		"0.0.0.0/0":     {"0.0.0.0", "255.255.255.255"},
		"192.0.2.1/32":  {"192.0.2.1", "192.0.2.1"},
		"2001:db8::/33": {"2001:db8::", "2001:db8:7fff:ffff:ffff:ffff:ffff:ffff"},
		"10.128.0.0/9":  {"10.128.0.0", "10.255.255.255"},
	} {
		s := Prefix(netip.MustParsePrefix(in))
		if s.Start.String() != want[0] || s.End.String() != want[1] || s.StartPort != 0 || s.EndPort != 65535 {
			t.Errorf("Prefix(%s) = %s", in, s)
		}
	}
}
