package sysplex

import (
	"net/netip"
	"sync"
	"testing"
	"time"

	"github.com/tcpipc/tcpipc/internal/clock"
	"github.com/tcpipc/tcpipc/runtime/distributor"
)

// TestRoutingRoleLifecycle walks one DVIPA's role through takeover, a late
// VIPA list, handover and a VIPARANGE delete: what each method says it does.
func TestRoutingRoleLifecycle(t *testing.T) {
	clk := clock.NewManual(time.Unix(1000, 0))
	a := netip.MustParseAddr("201.2.10.11")
	var rs roles
	if rs.lookup(a) != nil || rs.lookup(a).distributor() != nil || rs.lookup(a).routerOf() != "" {
		t.Fatal("a role exists before anyone made it")
	}
	r := rs.get(a)
	if rs.get(a) != r || rs.lookup(a) != r {
		t.Fatal("get and lookup do not return the one role of the address")
	}
	dist := distributor.New(clk, a.String(), localOnly("MVS1"))
	r.setMoving(true)
	r.activate(dist, "MVS1", clk.Now(), false)
	if r.distributor() != dist || r.routerOf() != "MVS1" || !r.isMoving() {
		t.Fatalf("after activate: dist %v, router %q, moving %v", r.distributor(), r.routerOf(), r.isMoving())
	}
	if !r.settling(clk.Now().Add(time.Second), 2*time.Second) || r.settling(clk.Now().Add(2*time.Second), 2*time.Second) {
		t.Error("settling does not end grace after the activation")
	}
	if r.heardVIPAList("MVS5", true) || r.routerOf() != "MVS1" {
		t.Error("a late VIPA list replaced the router while this stack routes the DVIPA")
	}
	if got := r.giveUp("MVS5"); got != dist || r.distributor() != nil || r.routerOf() != "MVS5" {
		t.Errorf("giveUp returned %v, left router %q", got, r.routerOf())
	}
	if !r.heardVIPAList("MVS5", true) {
		t.Error("a VIPA list after the handover was ignored")
	}
	if sec, router := r.outbound("MVS1"); sec != nil || router != "MVS5" {
		t.Errorf("outbound = %v, %q; want the protecting router MVS5", sec, router)
	}
	if r.forget("MVS1") || r.routerOf() != "MVS5" {
		t.Error("forget dropped a DVIPA another stack routes")
	}
	r.activate(dist, "MVS1", clk.Now(), true)
	if r.isMoving() || !r.forget("MVS1") || r.routerOf() != "" || r.distributor() != nil {
		t.Error("a bind's activate kept Moving, or forget left the route")
	}
	sec := &dvipaSec{}
	r.setSec(sec)
	if got, _ := r.outbound("MVS1"); got != sec || r.endpoint() != sec {
		t.Error("the endpoint set is not the one packets leave through")
	}
	rs.resetAll()
	if r.endpoint() != nil || r.isMoving() || r.routerOf() != "" || !r.activatedAt.IsZero() {
		t.Error("resetAll left state of the stack's last run")
	}
}

// TestRoutingRoleConcurrent races the packet path's role-only reads (no
// stack lock) with changes made under the stack lock, then the role lock:
// run with -race.
func TestRoutingRoleConcurrent(t *testing.T) {
	clk := clock.NewManual(time.Unix(1000, 0))
	a := netip.MustParseAddr("201.2.10.11")
	var stackMu sync.Mutex
	var rs roles
	stackMu.Lock()
	rs.get(a)
	stackMu.Unlock()
	dist := distributor.New(clk, a.String(), localOnly("MVS1"))
	var wg sync.WaitGroup
	wg.Add(2)
	go func() {
		defer wg.Done()
		for range 1000 {
			stackMu.Lock()
			rs.get(a).activate(dist, "MVS1", clk.Now(), false)
			rs.get(a).giveUp("MVS5")
			stackMu.Unlock()
		}
	}()
	go func() {
		defer wg.Done()
		for range 1000 {
			r := rs.lookup(a)
			if d := r.distributor(); d != nil && d != dist {
				t.Error("a distributor nobody set")
			}
			r.outbound("MVS1")
		}
	}()
	wg.Wait()
}
