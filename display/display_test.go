package display

import (
	"net/netip"
	"strings"
	"testing"

	"github.com/tcpipc/tcpipc/plan"
)

// TestDisplayErrors: an unknown stack or view is refused.
func TestDisplayErrors(t *testing.T) {
	p := figure9(t)
	var b strings.Builder
	if err := Write(&b, p, "vipadyn", "MVS9"); err == nil {
		t.Error("Write accepts an unknown stack")
	}
	if err := Write(&b, p, "netstat", ""); err == nil {
		t.Error("Write accepts an unknown view")
	}
}

// TestVDPTShowsTheDefaultWeight: a WEIGHTEDACTIVE target without WEIGHT
// weighs 10, IBM's default, which the distributor uses; VDPT showed 00.
func TestVDPTShowsTheDefaultWeight(t *testing.T) {
	dvipa := netip.MustParseAddr("10.9.9.1")
	p := &plan.Plan{Sysplex: "P", Stacks: []plan.Stack{{Name: "A"}},
		DVIPAs: []plan.DVIPA{{Addr: dvipa, Owner: "A", DistributedBy: "A", Distributions: []plan.Distribution{{
			Stack: "A", Method: plan.WeightedActive, Ports: []plan.PortRange{{From: 80, To: 80}},
			Targets: []plan.Target{{Stack: "A", XCF: netip.MustParseAddr("10.0.0.1")}}}}}}}
	var b strings.Builder
	if err := Write(&b, p, "vdpt", "A"); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(b.String(), "WLM: 10") {
		t.Errorf("VDPT:\n%s", b.String())
	}
}
