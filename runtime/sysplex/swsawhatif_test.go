package sysplex

import (
	"fmt"
	"net/netip"
	"slices"
	"testing"
	"time"

	"github.com/tcpipc/tcpipc/internal/testkit/leakcheck"
	"github.com/tcpipc/tcpipc/plan"
	"github.com/tcpipc/tcpipc/runtime/ipsec"
	"github.com/tcpipc/tcpipc/whatif"
)

// TestSWSARunAgreesWithWhatif plays, on the running sysplex and the manual
// clock, every single-stack failure and return of figure 9 with IPsec
// tunnels to DVA1 and DVB1, and the failure and return of MVS1 in variants
// whatif says do not recover (no DVIPSEC on the backup, a coarse filter
// rule, a V1R12 backup). Each time a DVIPA changes holder, the tunnels the
// new holder recovered, or the reason codes it gave for not recovering
// them, must be whatif's for that move.
func TestSWSARunAgreesWithWhatif(t *testing.T) {
	if testing.Short() {
		t.Skip("plays eight sysplex runs")
	}
	variants := []struct {
		name   string
		change func(p *plan.Plan)
		fail   []string
	}{
		{"figure9", func(*plan.Plan) {}, []string{"MVS1", "MVS2", "MVS3", "MVS4", "MVS5"}},
		{"no DVIPSEC MVS5", func(p *plan.Plan) { p.Stack("MVS5").DVIPSec = false }, []string{"MVS1"}},
		{"V1R12 MVS5", func(p *plan.Plan) { p.Stack("MVS5").Release = "V1R12" }, []string{"MVS1"}},
		{"coarse filter MVS5", func(p *plan.Plan) {
			for i, f := range p.Stack("MVS5").SPD.Filters {
				if slices.Contains(f.AnchorFor, dva1) {
					p.Stack("MVS5").SPD.Filters[i].Local = "201.2.10.0/24"
				}
			}
		}, []string{"MVS1"}},
	}
	compared := 0
	for _, v := range variants {
		for _, failed := range v.fail {
			t.Run(v.name+"/"+failed, func(t *testing.T) {
				leakcheck.Check(t)
				p := figure9Plan(t)
				v.change(p)
				n := playAgainstWhatif(t, p, failed)
				t.Logf("%d moves compared", n)
				compared += n
			})
		}
	}
	if compared < 5 {
		t.Fatalf("only %d moves compared: the test no longer exercises SWSA", compared)
	}
}

// playAgainstWhatif fails and recovers one stack and compares each move's
// SWSA outcome with whatif's; it returns how many moves it compared.
func playAgainstWhatif(t *testing.T, p *plan.Plan, failed string) int {
	o, err := whatif.Derive(p, whatif.Scenario{Failed: []string{failed}, Recovered: []string{failed}})
	if err != nil {
		t.Fatal(err)
	}
	sx, clk := startSysplex(t, p, withIPsec)
	waitFor(t, "the owners", func() bool { return sx.Owner(dva1) == "MVS1" && sx.Owner(dvb1) == "MVS5" })
	tunnels := map[netip.Addr]int{}
	for i, d := range []netip.Addr{dva1, dva1, dvb1, dvb1} {
		owner := p.DVIPA(d).Owner
		if sx.Stack(owner).IPsecSAs(d) == nil || !p.Stack(owner).DVIPSec {
			continue // the owner's tunnels are not recorded (no DVIPSEC)
		}
		initiateTunnel(t, sx, d, netip.AddrFrom4([4]byte{192, 0, 2, byte(10 + i)}))
		tunnels[d]++
	}
	for d, n := range tunnels {
		waitFor(t, fmt.Sprintf("%d records of %s", n, d), func() bool { return recordsOf(t, sx, d) == n })
	}
	compared := 0
	before := 0
	check := func(step string, phase func(whatif.DVIPAOutcome) (string, *whatif.Phase)) {
		for _, d := range o.DVIPAs {
			from, ph := phase(d)
			moved := ph != nil && ph.Owner != "" && ph.Owner != from && from != ""
			if !moved || tunnels[d.Addr] == 0 {
				continue
			}
			compared++
			waitFor(t, step+": "+ph.Owner+"'s outcome for "+d.Addr.String(), func() bool {
				got := outcomeAfter(sx, d.Addr, ph.Owner, before)
				return got != nil && (len(got.Recovered) == 0 || !got.Done.IsZero())
			})
			got := outcomeAfter(sx, d.Addr, ph.Owner, before)
			recovered := len(got.Recovered) == tunnels[d.Addr] && len(got.NotRecovered)+len(got.Failed) == 0
			var codes []string
			for _, dec := range got.NotRecovered {
				codes = appendCodes(codes, dec.Reasons)
			}
			want := appendCodes(nil, ph.SA.Reasons)
			if recovered != (ph.SA.Status == "recovered") || !slices.Equal(codes, want) {
				t.Errorf("%s: %s from %s to %s: the run recovered %d of %d tunnels (refused: %v); whatif says %s %v",
					step, d.Addr, from, ph.Owner, len(got.Recovered), tunnels[d.Addr], codes, ph.SA.Status, want)
			}
			if !recovered {
				tunnels[d.Addr] = 0 // nothing left to follow the DVIPA back
			}
		}
		all := sx.SWSAOutcomes()
		for _, got := range all[before:] {
			if moves := slices.ContainsFunc(o.DVIPAs, func(d whatif.DVIPAOutcome) bool {
				from, ph := phase(d)
				return d.Addr == got.DVIPA && ph != nil && ph.Owner == got.Stack && from != got.Stack
			}); !moves {
				t.Errorf("%s: %s read the records of %s, which whatif does not move there", step, got.Stack, got.DVIPA)
			}
		}
		before = len(all)
	}
	if err := sx.Fail(failed); err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 6; i++ {
		clk.Advance(time.Second / 10)
		time.Sleep(20 * time.Millisecond)
	}
	check(failed+" fails", func(d whatif.DVIPAOutcome) (string, *whatif.Phase) { return d.Start, &d.AfterFailure })
	if err := sx.Recover(failed); err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 6; i++ {
		clk.Advance(time.Second / 10)
		time.Sleep(20 * time.Millisecond)
	}
	check(failed+" returns", func(d whatif.DVIPAOutcome) (string, *whatif.Phase) { return d.AfterFailure.Owner, d.AfterRecovery })
	return compared
}

// initiateTunnel makes a client of DVIPA d at addr negotiate its tunnel.
func initiateTunnel(t *testing.T, sx *Sysplex, d, addr netip.Addr) {
	t.Helper()
	client, err := sx.AddClient("c"+addr.String(), addr)
	if err != nil {
		t.Fatal(err)
	}
	cfg, err := ClientIPsec(sx.Plan(), addr, d)
	if err != nil {
		t.Fatal(err)
	}
	cfg.ID = ipsec.AddrIdentity(netip.MustParseAddr("192.0.2.10"))
	if err := client.EnableIPsec(cfg, sx.Clock(), nil); err != nil {
		t.Fatal(err)
	}
	if _, err := client.IPsec().Daemon().Initiate("dvipa"); err != nil {
		t.Fatal(err)
	}
}

// outcomeAfter is the first SWSA outcome of DVIPA d on stack after the
// first skip outcomes, or nil.
func outcomeAfter(sx *Sysplex, d netip.Addr, stack string, skip int) *SWSAOutcome {
	all := sx.SWSAOutcomes()
	for i := skip; i < len(all); i++ {
		if all[i].DVIPA == d && all[i].Stack == stack {
			return &all[i]
		}
	}
	return nil
}

func appendCodes(out []string, rs []plan.Reason) []string {
	for _, r := range rs {
		if !slices.Contains(out, r.Code) {
			out = append(out, r.Code)
		}
	}
	slices.Sort(out)
	return out
}
