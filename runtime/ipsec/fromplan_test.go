package ipsec

import (
	"bytes"
	"encoding/binary"
	"net/netip"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/tcpipc/tcpipc/internal/clock"
	"github.com/tcpipc/tcpipc/internal/ike/ikesa"
	"github.com/tcpipc/tcpipc/internal/ike/wire"
	"github.com/tcpipc/tcpipc/internal/testkit/memnet"
	"github.com/tcpipc/tcpipc/plan"
)

var (
	dva1      = netip.MustParseAddr("201.2.10.11")
	f9Client  = netip.MustParseAddr("192.0.2.10")
	f9PSK     = "figure9-demo-psk-0001"
	f9IKEWant = "AES_CBC_128-HMAC_SHA2_256_128-PRF_HMAC_SHA2_256-ECP_256"
)

func figure9Stack(t *testing.T, name string, secrets bool) *plan.Stack {
	t.Helper()
	// The figure 9 plan compiled with its demo key by compile's
	// TestCheckedInPlans; Redact makes the plan compiled without it.
	b, err := os.ReadFile("../../testdata/plans/figure9.json")
	if err != nil {
		t.Fatal(err)
	}
	p, err := plan.Read(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	if !secrets {
		p.Redact()
	}
	st := p.Stack(name)
	if st == nil {
		t.Fatalf("no stack %s", name)
	}
	return st
}

// TestFromPlanFigure9: MVS1's policy for DVA1 becomes an endpoint
// configuration: DVA1's filters (not DVB1's or the FTP rule of another
// address), the DVA1 key exchange rule as the only peer, its IKE offer and
// the VPN action's ESP offer.
func TestFromPlanFigure9(t *testing.T) {
	cfg, err := FromPlan(figure9Stack(t, "MVS1", true), dva1)
	if err != nil {
		t.Fatal(err)
	}
	if cfg.ID.String() != "201.2.10.11" || len(cfg.Peers) != 1 {
		t.Fatalf("identity %s, %d peers", cfg.ID, len(cfg.Peers))
	}
	p := cfg.Peers[0]
	if p.Name != "DVA1-client-net" || p.Addr.IsValid() || p.ID.String() != "192.0.2.10" || string(p.PSK) != f9PSK ||
		p.LocalTS[0].String() != "201.2.10.11/32" || p.RemoteTS[0].String() != "192.0.2.0/24" {
		t.Fatalf("peer %+v", p)
	}
	if p.IKELifetime != 480*time.Minute { // the offer's RefreshLifetimeProposed
		t.Errorf("IKE SA lifetime %v, want 480 minutes", p.IKELifetime)
	}
	if len(cfg.IKE) != 1 || cfg.IKE[0].String() != f9IKEWant {
		t.Fatalf("IKE suites %v", cfg.IKE)
	}
	if len(cfg.ESP) != 1 || cfg.ESP[0].Encr != wire.ENCR_AES_GCM_16 || cfg.ESP[0].KeyBits != 128 {
		t.Fatalf("ESP suites %v", cfg.ESP)
	}
	var names []string
	for _, f := range cfg.SPD.filters {
		names = append(names, f.Name+"/"+f.Direction.String()+"/"+f.Action.String())
		if f.Action == ActionIPsec && (f.Tunnel.Peer != "DVA1-client-net" || f.Tunnel.Lifetime.HardTime == 0) {
			t.Errorf("filter %s tunnel %+v", f.Name, f.Tunnel)
		}
	}
	got := strings.Join(names, " ")
	want := "DVA1-app60-client-net/OUTBOUND/IPSEC DVA1-app60-client-net/INBOUND/IPSEC permit-all/OUTBOUND/PERMIT " +
		"permit-all/INBOUND/PERMIT SYSDEFAULTDENYRULE/OUTBOUND/DENY SYSDEFAULTDENYRULE/INBOUND/DENY"
	if got != want {
		t.Errorf("filters\n got %s\nwant %s", got, want)
	}
}

// TestFromPlanNeedsKeys: a plan compiled without --include-secrets cannot
// configure an endpoint, and says why.
func TestFromPlanNeedsKeys(t *testing.T) {
	_, err := FromPlan(figure9Stack(t, "MVS1", false), dva1)
	if err == nil || !strings.Contains(err.Error(), "--include-secrets") {
		t.Fatalf("error %v", err)
	}
	if strings.Contains(err.Error(), f9PSK) {
		t.Fatal("the error shows the key")
	}
}

// figure9Pair starts the endpoint configured from MVS1's policy for DVA1
// and a client configured the way a z/OS client rule would be, on one
// in-memory network; each delivers its cleartext to its channel.
func figure9Pair(t *testing.T) (gw, client *Endpoint, gotGW, gotClient chan []byte) {
	t.Helper()
	netw := memnet.New()
	clk := clock.NewManual(epoch)
	gwCfg, err := FromPlan(figure9Stack(t, "MVS1", true), dva1)
	if err != nil {
		t.Fatal(err)
	}
	clientSPD, err := NewSPD(Filter{Name: "to-dva1", Local: AddrRange{f9Client, f9Client}, Remote: AddrRange{dva1, dva1},
		Protocol: protoTCP, RemotePorts: PortRange{60, 60}, Action: ActionIPsec, Tunnel: Tunnel{Peer: "dva1"}})
	if err != nil {
		t.Fatal(err)
	}
	clientCfg := Config{Local: f9Client, ID: AddrIdentity(f9Client), SPD: clientSPD, IKE: gwCfg.IKE, ESP: gwCfg.ESP,
		Peers: []Peer{{Name: "dva1", Addr: dva1, ID: ikesa.Identity{Type: wire.ID_IPV4_ADDR, Data: dva1.AsSlice()}, PSK: []byte(f9PSK),
			LocalTS: []netip.Prefix{netip.PrefixFrom(f9Client, 32)}, RemoteTS: []netip.Prefix{netip.PrefixFrom(dva1, 32)}}}}
	gotGW, gotClient = make(chan []byte, 16), make(chan []byte, 16)
	start := func(cfg Config, got chan []byte) *Endpoint { return startMem(t, netw, clk, cfg, got) }
	return start(gwCfg, gotGW), start(clientCfg, gotClient), gotGW, gotClient
}

// TestFromPlanNegotiates: the endpoint configured from MVS1's policy
// negotiates IKEv2 and ESP with a client configured the way a z/OS client
// rule would be, and TCP to DVA1 port 60 flows protected both ways.
func TestFromPlanNegotiates(t *testing.T) {
	gw, client, gotGW, gotClient := figure9Pair(t)
	syn := tcp4(f9Client, dva1, 40000, 60)
	if v := client.Outbound(syn); v != Queued {
		t.Fatalf("first packet: %v", v)
	}
	if got := recv(t, gotGW, "the SYN at DVA1"); !bytes.Equal(got, syn) {
		t.Fatalf("DVA1 got % x", got)
	}
	synAck := tcp4(dva1, f9Client, 60, 40000)
	synAck[33] = 0x12 // SYN-ACK: DVA1 may answer, not open (INBOUNDCONNECT)
	if v := gw.Outbound(synAck); v != Protected {
		t.Fatalf("reply: %v", v)
	}
	if got := recv(t, gotClient, "the SYN-ACK at the client"); !bytes.Equal(got, synAck) {
		t.Fatalf("client got % x", got)
	}
	// Traffic the policy does not protect stays clear; DVB1's is not ours.
	if v := gw.Outbound(tcp4(dva1, f9Client, 22, 40001)); v != Clear {
		t.Fatalf("port 22 from DVA1: %v, want clear (permit-all)", v)
	}
}

// TestFromPlanInitiatesToRange: the DVA1 rule names a client range, not
// an address; traffic for a client in it that needs an SA makes the
// endpoint initiate IKE to that client (z/OS on-demand negotiation).
func TestFromPlanInitiatesToRange(t *testing.T) {
	gw, client, _, gotClient := figure9Pair(t)
	reply := tcp4(dva1, f9Client, 60, 40000)
	reply[33] = 0x10 // an ACK of a connection the client opened
	if v := gw.Outbound(reply); v != Queued {
		t.Fatalf("first packet from DVA1: %v, want queued while IKE runs", v)
	}
	if got := recv(t, gotClient, "the packet at the client"); !bytes.Equal(got, reply) {
		t.Fatalf("client got % x", got)
	}
	if sas := client.SAs(); len(sas.IKE) != 1 || sas.IKE[0].Initiator {
		t.Fatalf("client's IKE SAs: %+v", sas.IKE)
	}
	if sas := gw.SAs(); len(sas.IKE) != 1 || !sas.IKE[0].Initiator || sas.IKE[0].Remote.Addr() != f9Client {
		t.Fatalf("DVA1's IKE SAs: %+v", sas.IKE)
	}
}

// tcp4 builds a minimal IPv4/TCP header pair (SYN) for SPD tests.
func tcp4(src, dst netip.Addr, sport, dport uint16) []byte {
	p := make([]byte, 40)
	p[0], p[8], p[9] = 0x45, 64, protoTCP
	binary.BigEndian.PutUint16(p[2:], uint16(len(p)))
	copy(p[12:16], src.AsSlice())
	copy(p[16:20], dst.AsSlice())
	binary.BigEndian.PutUint16(p[10:], checksum(p[:20], 0))
	binary.BigEndian.PutUint16(p[20:], sport)
	binary.BigEndian.PutUint16(p[22:], dport)
	p[32], p[33] = 5<<4, 0x02
	return p
}

// TestFromPlanInboundConnect: figure 9's DVA1 rules are INBOUNDCONNECT:
// clients may open connections to DVA1 port 60, DVA1 may not open one
// from port 60 (its SYN is denied), and a SYN-ACK reply is fine.
func TestFromPlanInboundConnect(t *testing.T) {
	cfg, err := FromPlan(figure9Stack(t, "MVS1", true), dva1)
	if err != nil {
		t.Fatal(err)
	}
	f := cfg.SPD.filters[0]
	if f.Connect != Inbound {
		t.Fatalf("filter %s: connect %v, want inbound", f.Name, f.Connect)
	}
	out := tcp4(dva1, f9Client, 60, 40000) // flags: SYN
	fl, _ := parseFlow(out)
	if !f.refusesConnect(Outbound, fl) {
		t.Error("an outbound SYN from DVA1:60 is allowed")
	}
	out[33] = 0x12 // SYN-ACK
	fl, _ = parseFlow(out)
	if f.refusesConnect(Outbound, fl) {
		t.Error("the SYN-ACK answering a client is refused")
	}
	in := tcp4(f9Client, dva1, 40000, 60)
	fl, _ = parseFlow(in)
	if in := cfg.SPD.filters[1]; in.refusesConnect(Inbound, fl) {
		t.Error("a client's SYN to DVA1:60 is refused")
	}
}

// TestFromPlanPFS: a VPN action with InitiateWithPfs gives the ESP suites
// its group, which CREATE_CHILD_SA then uses for rekeys.
func TestFromPlanPFS(t *testing.T) {
	st := figure9Stack(t, "MVS1", true)
	st.SPD.VPNActions[0].PFS = &plan.Transform{Type: "DH", ID: 19, Name: "ECP_256"}
	cfg, err := FromPlan(st, dva1)
	if err != nil {
		t.Fatal(err)
	}
	if len(cfg.ESP) != 1 || cfg.ESP[0].DH != wire.ECP256 {
		t.Fatalf("ESP suites %v", cfg.ESP)
	}
}

// TestFromPlanLeavesOutUnimplementedOffers: a policy may list offers z/OS
// runs and tcpipc does not implement (AES-XCBC, MODP-4096) beside ones it
// does. The endpoint runs with the ones it can and names the others; only
// a rule with no offer left is an error, never a silent fall back to
// tcpipc's defaults.
func TestFromPlanLeavesOutUnimplementedOffers(t *testing.T) {
	xcbc := plan.Proposal{Protocol: "ESP", Transforms: []plan.Transform{
		{Type: plan.TypeENCR, ID: plan.EncrAESCBC, KeyLength: 128},
		{Type: plan.TypeINTEG, ID: plan.IntegAESXCBC96}}}
	modp4096 := plan.Proposal{Protocol: "IKE", Transforms: []plan.Transform{
		{Type: plan.TypeENCR, ID: plan.EncrAESCBC, KeyLength: 128},
		{Type: plan.TypeINTEG, ID: plan.IntegHMACSHA2_256_128},
		{Type: plan.TypePRF, ID: plan.PRFHMACSHA2_256},
		{Type: plan.TypeDH, ID: plan.DHMODP4096}}}

	st := figure9Stack(t, "MVS1", true)
	for i := range st.IKE.Peers {
		st.IKE.Peers[i].Proposals = append([]plan.Proposal{modp4096}, st.IKE.Peers[i].Proposals...)
	}
	for i := range st.SPD.VPNActions {
		st.SPD.VPNActions[i].Proposals = append([]plan.Proposal{xcbc}, st.SPD.VPNActions[i].Proposals...)
	}
	cfg, err := FromPlan(st, dva1)
	if err != nil {
		t.Fatal(err)
	}
	if len(cfg.IKE) != 1 || cfg.IKE[0].String() != f9IKEWant || len(cfg.ESP) != 1 || cfg.ESP[0].Encr != wire.ENCR_AES_GCM_16 {
		t.Errorf("suites IKE %v ESP %v, want only the figure 9 ones", cfg.IKE, cfg.ESP)
	}
	left := strings.Join(cfg.LeftOut, "\n")
	if !strings.Contains(left, "MODP_4096") || !strings.Contains(left, "AES_XCBC_96") || len(cfg.LeftOut) != 2 {
		t.Errorf("left out:\n%s", left)
	}

	// An action no filter of this address uses may have nothing tcpipc
	// runs: it stops no endpoint.
	st = figure9Stack(t, "MVS1", true)
	st.SPD.VPNActions = append(st.SPD.VPNActions, plan.VPNAction{Name: "elsewhere", Proposals: []plan.Proposal{xcbc}})
	if _, err := FromPlan(st, dva1); err != nil {
		t.Fatalf("an unused action with only unimplemented offers: %v", err)
	}

	// Nothing left: an error naming what could not run.
	st = figure9Stack(t, "MVS1", true)
	for i := range st.SPD.VPNActions {
		st.SPD.VPNActions[i].Proposals = []plan.Proposal{xcbc}
	}
	if _, err := FromPlan(st, dva1); err == nil || !strings.Contains(err.Error(), "AES_XCBC_96") {
		t.Fatalf("only an unimplemented ESP offer: error %v", err)
	}
}
