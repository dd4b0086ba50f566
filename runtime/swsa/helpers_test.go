package swsa

import (
	"net/netip"
	"os"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/tcpipc/tcpipc/plan"
)

var (
	dva1   = netip.MustParseAddr("201.2.10.11")
	dvb1   = netip.MustParseAddr("201.2.10.12")
	start  = time.Date(2026, 12, 7, 1, 0, 0, 0, time.UTC)
	figPSK = "figure9-demo-psk-0001" // the pre-shared key figure 9's plan holds
)

// sample is a tunnel of figure 9 as MVS1 negotiated it with client
// 192.0.2.<n>: IKEv2 AES-CBC-128/SHA-256/ECP-256, ESP AES-GCM-16-128,
// tunnel mode, host selectors.
func sample(n byte) *Record {
	peer := netip.AddrFrom4([4]byte{192, 0, 2, n})
	return &Record{
		Version:   Version,
		DVIPA:     dva1,
		TunnelID:  "MVS1.Y" + string('0'+n%10) + string('0'+n/10%10),
		VPNAction: "dvipa-esp-gcm",
		Writer:    "MVS1",
		Written:   start,
		Local:     Identity{Type: "IPADDR", Value: "201.2.10.11"},
		Peer:      Peer{Identity: Identity{Type: "IPADDR", Value: peer.String()}, Addr: netip.AddrPortFrom(peer, 500)},
		IKE: IKESA{Version: "IKEv2", SPIi: 0x1122334455667788, SPIr: 0x99aabbccddeeff00, LifetimeSeconds: 28800,
			Transforms: []plan.Transform{
				{Type: plan.TypeENCR, ID: plan.EncrAESCBC, Name: "ENCR_AES_CBC", KeyLength: 128},
				{Type: plan.TypePRF, ID: plan.PRFHMACSHA2_256, Name: "PRF_HMAC_SHA2_256"},
				{Type: plan.TypeINTEG, ID: plan.IntegHMACSHA2_256_128, Name: "AUTH_HMAC_SHA2_256_128"},
				{Type: plan.TypeDH, ID: plan.DHECP256, Name: "ECP_256"},
			}},
		Children: []ChildSA{child(0x1000+uint32(n), 0x2000+uint32(n), peer)},
	}
}

func child(in, out uint32, peer netip.Addr) ChildSA {
	return ChildSA{Protocol: "ESP", Mode: "TUNNEL", Encap: "NONE", InboundSPI: in, OutboundSPI: out, LifetimeSeconds: 14400,
		Transforms: []plan.Transform{
			{Type: plan.TypeENCR, ID: plan.EncrAESGCM16, Name: "ENCR_AES_GCM_16", KeyLength: 128},
			{Type: plan.TypeESN, ID: plan.ESNNo, Name: "NO_ESN"},
		},
		Local:  []TrafficSelector{{Protocol: 6, Start: dva1, End: dva1, StartPort: 0, EndPort: 65535}},
		Remote: []TrafficSelector{{Protocol: 6, Start: peer, End: peer, StartPort: 0, EndPort: 65535}},
	}
}

// figure9 reads the checked-in plan of figure 9.
func figure9(t testing.TB) *plan.Plan {
	t.Helper()
	f, err := os.Open("../../testdata/plans/figure9.json")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	p, err := plan.Read(f)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// cmpOpts compares netip values by value.
var cmpOpts = []cmp.Option{cmpopts.EquateComparable(netip.Addr{}, netip.AddrPort{})}
