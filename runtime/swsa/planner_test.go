package swsa

import (
	"encoding/json"
	"fmt"
	"net/netip"
	"slices"
	"strings"
	"testing"

	"github.com/tcpipc/tcpipc/plan"
	"github.com/tcpipc/tcpipc/whatif"
)

// recordOf is tunnel n of a DVIPA as the writer negotiated it.
func recordOf(dvipa netip.Addr, writer string, n byte) *Record {
	r := sample(n)
	r.DVIPA, r.Writer = dvipa, writer
	r.TunnelID = fmt.Sprintf("%s.Y%d", writer, n)
	r.Local.Value = dvipa.String()
	for i := range r.Children {
		r.Children[i].Local = []TrafficSelector{{Protocol: 6, Start: dvipa, End: dvipa, EndPort: 65535}}
	}
	return r
}

func codes(rs []plan.Reason) []string {
	var out []string
	for _, r := range rs {
		out = append(out, r.Stack+":"+r.Code)
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// TestRecoverFigure9: MVS5 taking DVA1 over from MVS1 renegotiates every
// tunnel with its own rule for the client net, proposing what MVS1 had
// negotiated, and knows the SPIs of MVS1's child SAs; nothing of the
// plan's pre-shared key is in a decision.
func TestRecoverFigure9(t *testing.T) {
	p := figure9(t)
	var recs []*Record
	for n := byte(1); n <= 3; n++ {
		recs = append(recs, recordOf(dva1, "MVS1", n))
	}
	got, err := Recover(p, "MVS5", dva1, recs)
	if err != nil {
		t.Fatal(err)
	}
	for i, d := range got {
		if !d.Recover || len(d.Reasons) != 0 {
			t.Fatalf("tunnel %s not recovered: %+v", d.TunnelID, d.Reasons)
		}
		r := recs[i]
		switch {
		case d.Rule != "DVA1-client-net":
			t.Errorf("%s: rule %q", d.TunnelID, d.Rule)
		case d.Peer != r.Peer.Addr:
			t.Errorf("%s: peer %s, want %s", d.TunnelID, d.Peer, r.Peer.Addr)
		case d.IKE.SPIi != 0 || d.Children[0].InboundSPI != 0 || d.Children[0].OutboundSPI != 0:
			t.Errorf("%s: the writer's SPIs carried into the new SAs", d.TunnelID)
		case !slices.Equal(d.IKE.Transforms, r.IKE.Transforms) || !slices.Equal(d.Children[0].Transforms, r.Children[0].Transforms):
			t.Errorf("%s: transforms changed", d.TunnelID)
		case len(d.Old) != 1 || d.Old[0].InboundSPI != r.Children[0].InboundSPI || d.Old[0].OutboundSPI != r.Children[0].OutboundSPI:
			t.Errorf("%s: old SAs %+v", d.TunnelID, d.Old)
		}
	}
	out, _ := json.Marshal(got)
	if strings.Contains(string(out), figPSK) {
		t.Error("a decision carries the pre-shared key")
	}
	if _, err := Recover(p, "MVS9", dva1, recs); err == nil {
		t.Error("an unknown holder was accepted")
	}
	if _, err := Recover(p, "MVS5", dvb1, recs); err == nil {
		t.Error("records of another DVIPA were accepted")
	}
}

// TestRecoverRefuses: each way a tunnel cannot move, with the reason code
// whatif uses where whatif can see it, and the record-only reasons.
func TestRecoverRefuses(t *testing.T) {
	for _, tc := range []struct {
		name   string
		plan   func(p *plan.Plan)
		record func(r *Record)
		want   []string
	}{
		{name: "no DVIPSEC on the backup", plan: func(p *plan.Plan) { p.Stack("MVS5").DVIPSec = false }, want: []string{"MVS5:no-dvipsec"}},
		{name: "no DVIPSEC on the writer", plan: func(p *plan.Plan) { p.Stack("MVS1").DVIPSec = false }, want: []string{"MVS1:no-dvipsec"}},
		{name: "no IKED", plan: func(p *plan.Plan) { p.Stack("MVS5").IKED = false }, want: []string{"MVS5:no-iked"}},
		{name: "V1R12 backup for IKEv2", plan: func(p *plan.Plan) { p.Stack("MVS5").Release = "V1R12" }, want: []string{"MVS5:release"}},
		{name: "IKEv1 on a V1R12 backup", plan: func(p *plan.Plan) { p.Stack("MVS5").Release = "V1R12" },
			record: func(r *Record) { r.IKE.Version = "IKEv1" }, want: nil},
		{name: "structure not in CFRM", plan: func(p *plan.Plan) { p.CFRM = []string{"EZBEPORT1121"} }, want: []string{"MVS5:cf-structure"}},
		{name: "peer behind NAPT: translated port", record: func(r *Record) {
			r.Peer.Addr, r.Peer.BehindNAT = netip.MustParseAddrPort("192.0.2.99:61234"), true
		}, want: []string{"MVS5:" + ReasonPeerBehindNAPT}},
		{name: "peer behind a 1:1 NAT", record: func(r *Record) {
			r.Peer.Addr, r.Peer.BehindNAT = netip.MustParseAddrPort("192.0.2.99:4500"), true
		}, want: nil},
		{name: "no rule for the peer", record: func(r *Record) {
			r.Peer.Identity = Identity{Type: "FQDN", Value: "elsewhere.example"}
			r.Peer.Addr = netip.MustParseAddrPort("198.51.100.7:500")
			r.Children[0].Remote = []TrafficSelector{{Start: r.Peer.Addr.Addr(), End: r.Peer.Addr.Addr(), EndPort: 65535}}
		}, want: []string{"MVS5:no-key-exchange-rule"}},
		{name: "rule never initiates", plan: func(p *plan.Plan) { p.Stack("MVS5").IKE.Peers[0].Initiate = "DONOT" }, want: []string{"MVS5:" + ReasonCannotInitiate}},
		{name: "action is remote only", plan: func(p *plan.Plan) { p.Stack("MVS5").SPD.VPNActions[0].Initiation = "REMOTEONLY" }, want: []string{"MVS5:" + ReasonCannotInitiate}},
		{name: "coarse local selector", record: func(r *Record) {
			r.Children[0].Local[0].Start = netip.MustParseAddr("201.2.10.0")
			r.Children[0].Local[0].End = netip.MustParseAddr("201.2.10.255")
		}, want: []string{"MVS5:coarse-granularity"}},
		{name: "manual tunnel on the backup", plan: func(p *plan.Plan) {
			for i, f := range p.Stack("MVS5").SPD.Filters {
				if slices.Contains(f.AnchorFor, dva1) && f.Action == plan.IPsec {
					p.Stack("MVS5").SPD.Filters[i].ManualTunnel = "T1"
				}
			}
		}, want: []string{"MVS5:anchor-mismatch", "MVS5:manual-tunnel"}},
		{name: "unknown writer", record: func(r *Record) { r.Writer = "MVS9" }, want: []string{"MVS9:" + ReasonUnknownWriter}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := figure9(t)
			if tc.plan != nil {
				tc.plan(p)
			}
			r := recordOf(dva1, "MVS1", 5)
			if tc.record != nil {
				tc.record(r)
			}
			if err := r.Validate(); err != nil {
				t.Fatalf("test record invalid: %v", err)
			}
			got, err := Recover(p, "MVS5", dva1, []*Record{r})
			if err != nil {
				t.Fatal(err)
			}
			d := got[0]
			if d.Recover != (len(tc.want) == 0) || !slices.Equal(codes(d.Reasons), tc.want) {
				t.Fatalf("recover %v, reasons %v; want %v", d.Recover, codes(d.Reasons), tc.want)
			}
			if d.Recover && (d.Children == nil || d.Rule == "") {
				t.Fatalf("recovered without what to negotiate: %+v", d)
			}
			for _, x := range d.Reasons {
				if x.Text == "" {
					t.Errorf("reason %s has no text", x.Code)
				}
			}
		})
	}
}

// TestRecoverNAT: IBM recovers SAs through a NAT only where IKE can
// initiate: through a one-to-one NAT (the recorded public address, port
// 4500, UDP encapsulation), not through a NAPT. A NAPT shows as a
// recorded port other than 500 or 4500, or as two tunnels whose peers
// share a public address on different ports (a NAPT that kept port 4500
// for its first client); a lone tunnel at port 4500 cannot be told from
// a one-to-one NAT and is recovered.
func TestRecoverNAT(t *testing.T) {
	p := figure9(t)
	behind := func(n byte, addr string) *Record {
		r := recordOf(dva1, "MVS1", n)
		r.Peer.Addr, r.Peer.BehindNAT = netip.MustParseAddrPort(addr), true
		return r
	}
	for _, tc := range []struct {
		name string
		recs []*Record
		want []bool // recovered, per record
	}{
		{"one-to-one NAT", []*Record{behind(1, "192.0.2.91:4500"), behind(2, "192.0.2.92:4500")}, []bool{true, true}},
		{"NAPT, port translated", []*Record{behind(1, "192.0.2.91:1025")}, []bool{false}},
		{"NAPT, shared address", []*Record{behind(1, "192.0.2.91:4500"), behind(2, "192.0.2.91:1025"), behind(3, "192.0.2.92:4500")}, []bool{false, false, true}},
		{"same peer, same port, no NAT", []*Record{recordOf(dva1, "MVS1", 1), recordOf(dva1, "MVS1", 1)}, []bool{true, true}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := Recover(p, "MVS5", dva1, tc.recs)
			if err != nil {
				t.Fatal(err)
			}
			for i, d := range got {
				if d.Recover != tc.want[i] {
					t.Fatalf("%s at %s: recover %v, want %v (%v)", d.TunnelID, d.Peer, d.Recover, tc.want[i], codes(d.Reasons))
				}
				if !d.Recover && !slices.Equal(codes(d.Reasons), []string{"MVS5:" + ReasonPeerBehindNAPT}) {
					t.Errorf("%s: reasons %v", d.TunnelID, codes(d.Reasons))
				}
				if !d.Recover && !strings.Contains(d.Reasons[0].Text, "ipsecurity_swsa_natt_dvipa_recovery") {
					t.Errorf("%s: the reason does not cite IBM: %s", d.TunnelID, d.Reasons[0].Text)
				}
				if d.Recover && d.UDPEncap != tc.recs[i].Peer.BehindNAT {
					t.Errorf("%s: UDP encapsulation %v for a peer behind NAT %v", d.TunnelID, d.UDPEncap, tc.recs[i].Peer.BehindNAT)
				}
				if d.Recover && d.UDPEncap && d.Peer.Port() != 4500 {
					t.Errorf("%s: initiates to %s, not to port 4500", d.TunnelID, d.Peer)
				}
			}
		})
	}
}

// TestRecoverAgreesWithWhatif plays every single-stack failure, and the
// failed stack's return, of figure 9 and of variants whatif says do not
// recover; wherever a DVIPA with SAs moves, the planner, fed records the
// previous holder wrote, recovers exactly when whatif says "recovered",
// and otherwise gives whatif's reasons.
func TestRecoverAgreesWithWhatif(t *testing.T) {
	variants := map[string]func(p *plan.Plan){
		"figure9":           func(*plan.Plan) {},
		"no DVIPSEC MVS5":   func(p *plan.Plan) { p.Stack("MVS5").DVIPSec = false },
		"V1R12 MVS5":        func(p *plan.Plan) { p.Stack("MVS5").Release = "V1R12" },
		"no IKED MVS1":      func(p *plan.Plan) { p.Stack("MVS1").IKED = false },
		"no CFRM structure": func(p *plan.Plan) { p.CFRM = []string{"EZBEPORT1121"} },
		"coarse filter MVS5": func(p *plan.Plan) {
			for i, f := range p.Stack("MVS5").SPD.Filters {
				if slices.Contains(f.AnchorFor, dva1) {
					p.Stack("MVS5").SPD.Filters[i].Local = "201.2.10.0/24"
				}
			}
		},
	}
	moves := 0
	for name, change := range variants {
		p := figure9(t)
		change(p)
		for _, s := range p.Stacks {
			o, err := whatif.Derive(p, whatif.Scenario{Failed: []string{s.Name}, Recovered: []string{s.Name}})
			if err != nil {
				t.Fatal(err)
			}
			for _, d := range o.DVIPAs {
				phases := []struct {
					from string
					ph   *whatif.Phase
				}{{d.Start, &d.AfterFailure}, {d.AfterFailure.Owner, d.AfterRecovery}}
				for _, x := range phases {
					if x.ph == nil || x.from == "" || x.ph.Owner == "" || x.ph.Owner == x.from ||
						(x.ph.SA.Status != "recovered" && x.ph.SA.Status != "lost") {
						continue
					}
					moves++
					recs := []*Record{recordOf(d.Addr, x.from, 1), recordOf(d.Addr, x.from, 2)}
					got, err := Recover(p, x.ph.Owner, d.Addr, recs)
					if err != nil {
						t.Fatal(err)
					}
					for _, dec := range got {
						if dec.Recover != (x.ph.SA.Status == "recovered") || !slices.Equal(codes(dec.Reasons), codes(x.ph.SA.Reasons)) {
							t.Errorf("%s, %s fails, %s from %s to %s: planner recover=%v %v, whatif %s %v", name, s.Name, d.Addr, x.from, x.ph.Owner,
								dec.Recover, codes(dec.Reasons), x.ph.SA.Status, codes(x.ph.SA.Reasons))
						}
					}
				}
			}
		}
	}
	t.Logf("%d moves compared", moves)
	if moves < len(variants)*2 {
		t.Fatalf("only %d moves compared: the test no longer exercises takeover and takeback", moves)
	}
}
