package sysplex

import (
	"context"
	"net/netip"
	"testing"

	"github.com/tcpipc/tcpipc/internal/testkit/leakcheck"
	"github.com/tcpipc/tcpipc/plan"
	"github.com/tcpipc/tcpipc/runtime/ipsec"
	"gvisor.dev/gvisor/pkg/tcpip/header"
)

// TestInboundClearRefusedWithoutEndpoint: when the routing stack protects
// a DVIPA but cannot run its endpoint (here the VPN action's only offer,
// ESP AES-GCM with an 8-byte ICV, is one tcpipc does not implement), a
// cleartext SYN to a port the policy wants protected is dropped and
// counted, as outbound traffic is. It was distributed to a target: only
// the replies were stopped.
func TestInboundClearRefusedWithoutEndpoint(t *testing.T) {
	leakcheck.Check(t)
	p := figure9Plan(t)
	forEachESPTransform(p, func(tr *plan.Transform) {
		if tr.Type == "ENCR" {
			tr.ID, tr.Name = 18, "ENCR_AES_GCM_8"
		}
	})
	sx, _ := startSysplex(t, p, withIPsec)
	serveAPPA(t, sx)
	waitFor(t, "MVS1 to own DVA1", func() bool { return sx.Owner(dva1) == "MVS1" })
	mvs1 := sx.Stack("MVS1")
	if mvs1.secFor(dva1) != nil {
		t.Fatal("MVS1 runs an endpoint for DVA1 with an offer tcpipc does not implement")
	}
	before := mvs1.RouteDrops().Unprotected
	clearSYNRefused(t, sx, mvs1)
	if after := mvs1.RouteDrops().Unprotected; after != before+1 {
		t.Errorf("unprotected drops %d -> %d, want the SYN counted", before, after)
	}
}

// clearSYNRefused sends a cleartext SYN from a client of the IPSEC filter
// to DVA1 port 60 into s from the LAN and checks it is dropped and
// no connection entry made.
func clearSYNRefused(t *testing.T, sx *Sysplex, s *Stack) {
	t.Helper()
	client := netip.MustParseAddr("192.0.2.10")
	if _, err := sx.AddClient("client", client); err != nil {
		t.Fatal(err)
	}
	from := netip.AddrPortFrom(client, 40123)
	if err := s.fromLAN(tcpSegment(from, netip.AddrPortFrom(dva1, 60), header.TCPFlagSyn, nil)); err != nil {
		t.Fatal(err)
	}
	for _, c := range s.Routing(dva1).CRT() {
		if c.Key.Client == from {
			t.Fatalf("cleartext SYN to DVA1:60 (an IPSEC filter's traffic) accepted: %+v", c)
		}
	}
}

// forEachESPTransform calls f on every transform of every VPN action.
func forEachESPTransform(p *plan.Plan, f func(*plan.Transform)) {
	for i := range p.Stacks {
		for j := range p.Stacks[i].SPD.VPNActions {
			for k := range p.Stacks[i].SPD.VPNActions[j].Proposals {
				pr := &p.Stacks[i].SPD.VPNActions[j].Proposals[k]
				for l := range pr.Transforms {
					f(&pr.Transforms[l])
				}
			}
		}
	}
}

// TestDVIPAProtectedWithoutDVIPSEC: DVIPSEC makes a DVIPA's tunnels move
// and distribute with it (SWSA); without it they are ordinary tunnels of
// the stack (IBM, IPSEC statement, DVIPSEC). The stack's policy still
// applies to the DVIPA: an endpoint runs on it, cleartext to a protected
// port is refused, and nothing is written to the SWSA structure. Without
// DVIPSEC the runtime had applied no policy to the DVIPA at all.
func TestDVIPAProtectedWithoutDVIPSEC(t *testing.T) {
	leakcheck.Check(t)
	p := figure9Plan(t)
	for i := range p.Stacks {
		p.Stacks[i].DVIPSec = false
	}
	sx, _ := startSysplex(t, p, withIPsec)
	serveAPPA(t, sx)
	waitFor(t, "MVS1 to own DVA1", func() bool { return sx.Owner(dva1) == "MVS1" })
	mvs1 := sx.Stack("MVS1")
	waitFor(t, "MVS1's endpoint on DVA1", func() bool { return mvs1.secFor(dva1) != nil })
	clearSYNRefused(t, sx, mvs1)
	if n := mvs1.secFor(dva1).ep.Stats().Drops[ipsec.DropPolicy]; n != 1 {
		t.Errorf("endpoint policy drops %d, want the SYN counted", n)
	}
	_, stored, _, err := sx.SWSARecords(context.Background())
	if err != nil || len(stored) != 0 {
		t.Errorf("SWSA records without DVIPSEC: %d (%v)", len(stored), err)
	}
}

// TestClearRefusedByHonoursConnect: a PERMIT filter that lets only the
// stack open connections (OUTBOUNDCONNECT) refuses a client's SYN, as the
// endpoint does; the run's warning and the guard without an endpoint
// took any PERMIT as letting it in.
func TestClearRefusedByHonoursConnect(t *testing.T) {
	p := figure9Plan(t)
	for i := range p.Stacks {
		for j := range p.Stacks[i].SPD.Filters {
			if f := &p.Stacks[i].SPD.Filters[j]; f.Name == "permit-all" {
				f.Connect = plan.Connect("OUTBOUNDCONNECT")
			}
		}
	}
	client, dst := netip.MustParseAddrPort("198.51.100.10:49152"), netip.AddrPortFrom(dva1, 60)
	if stack, filter := ClearRefusedBy(p, client, dst); stack != "MVS1" || filter != "permit-all" {
		t.Errorf("ClearRefusedBy = %q %q, want MVS1's permit-all refusing the connection", stack, filter)
	}
	spd := protectingSPD(p.Stack("MVS1"), dva1)
	if spd.AdmitsClear(ipsec.Inbound, tcpSegment(client, dst, header.TCPFlagSyn, nil)) {
		t.Error("the guard without an endpoint admits the SYN")
	}
	if !spd.AdmitsClear(ipsec.Inbound, tcpSegment(client, dst, header.TCPFlagAck, nil)) {
		t.Error("the guard refuses a segment of a connection the stack opened")
	}
}

// TestClearRefusedByCoversVIPARange: a cleartext client of an application
// DVIPA of a VIPARANGE is refused by the policy that protects it, as the
// run enforces it there too (the warning had looked at VIPADEFINE and
// home addresses only).
func TestClearRefusedByCoversVIPARange(t *testing.T) {
	p := planFile(t, "swsa-range")
	client := netip.MustParseAddrPort("192.0.2.10:49152")
	if stack, filter := ClearRefusedBy(p, client, netip.AddrPortFrom(rng1, 60)); stack == "" || filter != "RNG1-app60-client-net" {
		t.Errorf("ClearRefusedBy = %q %q, want the range's IPSEC filter", stack, filter)
	}
}
