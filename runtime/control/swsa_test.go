package control

import (
	"net/netip"
	"strings"
	"testing"
	"time"

	"github.com/tcpipc/tcpipc/internal/clock"
	"github.com/tcpipc/tcpipc/internal/testkit/leakcheck"
	"github.com/tcpipc/tcpipc/internal/testkit/sysplextest"
	"github.com/tcpipc/tcpipc/runtime/sysplex"
)

// TestControlSWSA: `cf swsa` lists the SWSA structure's records per DVIPA
// with writer and time, and after MVS1 fails `ipsec -k` and `ipsec -y` on
// MVS5 mark the tunnel it renegotiated from MVS1's record; no display
// shows the pre-shared key.
func TestControlSWSA(t *testing.T) {
	leakcheck.Check(t)
	clk := clock.NewManual(time.Unix(0, 0))
	sx, err := sysplex.New(sysplextest.Plan(t, "figure9"), sysplex.Options{Clock: clk, XCF: sysplextest.Timing, IPsec: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(sx.Stop)
	if err := sx.Start(); err != nil {
		t.Fatal(err)
	}
	sysplextest.WaitFor(t, "MVS1 to own DVA1", func() bool { return sx.Owner(dva1) == "MVS1" })
	ctl, err := New(sx, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer ctl.Close()
	addr := netip.MustParseAddr("192.0.2.10")
	client, err := sx.AddClient("client", addr)
	if err != nil {
		t.Fatal(err)
	}
	cfg, err := sysplex.ClientIPsec(sx.Plan(), addr, dva1)
	if err != nil {
		t.Fatal(err)
	}
	if err := client.EnableIPsec(cfg, clk, nil); err != nil {
		t.Fatal(err)
	}
	if _, err := client.IPsec().Daemon().Initiate("dvipa"); err != nil {
		t.Fatal(err)
	}
	do := func(args ...string) string {
		t.Helper()
		out, err := ctl.Do(args)
		if err != nil {
			t.Fatalf("%s: %v", strings.Join(args, " "), err)
		}
		if strings.Contains(out, "figure9-demo-psk-0001") {
			t.Fatalf("%s shows the key:\n%s", strings.Join(args, " "), out)
		}
		return out
	}
	sysplextest.WaitFor(t, "MVS1's record", func() bool { return strings.Contains(do("cf", "swsa"), "MVS1.Y1      MVS1") })
	out := do("cf", "swsa")
	for _, want := range []string{"STRNAME: EZBDVIPA1121", " ENTRIES IN USE: 1", "DVIPA 201.2.10.11: 1 records",
		"192.0.2.10:4500", "IPADDR 192.0.2.10", "IKEv2", "ESP 0x"} {
		if !strings.Contains(out, want) {
			t.Errorf("cf swsa lacks %q:\n%s", want, out)
		}
	}
	if out := do("ipsec", "-k", "--stack", "MVS1"); strings.Contains(out, "SysplexWide") {
		t.Errorf("a tunnel negotiated on MVS1 is marked recovered:\n%s", out)
	}

	if err := sx.Fail("MVS1"); err != nil {
		t.Fatal(err)
	}
	sysplextest.AwaitOwner(t, sx, clk, dva1, "MVS5")
	sysplextest.WaitFor(t, "MVS5's record", func() bool {
		o := do("cf", "swsa")
		return strings.Contains(o, "MVS5.Y1      MVS5") && !strings.Contains(o, "MVS1.Y1")
	})
	for _, which := range []string{"-k", "-y"} {
		out := do("ipsec", which, "--stack", "MVS5")
		if !strings.Contains(out, "SysplexWide:               Yes, recovered from MVS1 (record MVS1.Y1)") {
			t.Errorf("ipsec %s on MVS5 does not mark the recovered tunnel:\n%s", which, out)
		}
	}
	if _, err := ctl.Do([]string{"cf", "xyz"}); err == nil {
		t.Error("cf xyz: no error")
	}
}
