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

// TestSysplexVipadynShowsMoving: a stack that still serves connections to
// a DVIPA another stack took over is MOVING in D TCPIP,,SYSPLEX,VIPADYN
// (EZZ8260I), as in its own NETSTAT VIPADYN; the sysplex display had left
// it out (a VIPADEFINE stack) or shown it as BACKUP.
func TestSysplexVipadynShowsMoving(t *testing.T) {
	dvipa := netip.MustParseAddr("10.9.9.1")
	p := &plan.Plan{Sysplex: "P", Stacks: []plan.Stack{{Name: "A", Job: "TCPA"}, {Name: "B", Job: "TCPB"}, {Name: "C", Job: "TCPC"}},
		DVIPAs: []plan.DVIPA{{Addr: dvipa, PrefixLen: 24, Owner: "B", DefinedBy: []string{"A"},
			Backups: []plan.Backup{{Stack: "B", Rank: 100}, {Stack: "C", Rank: 50}}}}}
	live := &Live{Moving: func(a netip.Addr, stack string) bool { return a == dvipa && stack == "A" }}
	var b strings.Builder
	if err := WriteLive(&b, p, "sysplex-vipadyn", "", live); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"  TCPB     B        ACTIVE", "  TCPA     A        MOVING", "  TCPC     C        BACKUP 050"} {
		if !strings.Contains(b.String(), want) {
			t.Errorf("missing %q in:\n%s", want, b.String())
		}
	}
}

// TestEveryPortSetIsInForce: A distributes port 8000 to itself and port
// 8001 to B, with two VIPADISTRIBUTE statements (IBM's distributor
// example does so for ports 5000 and 23). NETSTAT VDPT lists every
// DVIPA, port and target; B is a target (Dest) in its VIPADYN and ACTIVE
// in the sysplex display. Before, the displays read only the first
// statement: VDPT had no port 8001, and B was left out of both.
func TestEveryPortSetIsInForce(t *testing.T) {
	dvipa := netip.MustParseAddr("10.9.9.1")
	xcfA, xcfB := netip.MustParseAddr("10.0.0.1"), netip.MustParseAddr("10.0.0.2")
	p := &plan.Plan{Sysplex: "P", Stacks: []plan.Stack{{Name: "A", Job: "TCPA"}, {Name: "B", Job: "TCPB"}},
		DVIPAs: []plan.DVIPA{{Addr: dvipa, PrefixLen: 24, Owner: "A", DefinedBy: []string{"A"}, DistributedBy: "A", Distributions: []plan.Distribution{
			{Stack: "A", Method: plan.RoundRobin, Ports: []plan.PortRange{{From: 8000, To: 8000}}, Targets: []plan.Target{{Stack: "A", XCF: xcfA}}},
			{Stack: "A", Method: plan.RoundRobin, Ports: []plan.PortRange{{From: 8001, To: 8001}}, Targets: []plan.Target{{Stack: "B", XCF: xcfB}}},
		}}}}
	for _, c := range []struct{ view, stack, want string }{
		{"vdpt", "A", "Dest:        10.9.9.1..8001\n  DestXCF:   10.0.0.2\n"},
		{"vipadyn", "B", "Origin: VIPADistribute  DistStat: Dest"},
		{"sysplex-vipadyn", "", "  TCPB     B        ACTIVE"},
	} {
		var b strings.Builder
		if err := Write(&b, p, c.view, c.stack); err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(b.String(), c.want) {
			t.Errorf("%s of %s lacks %q:\n%s", c.view, c.stack, c.want, b.String())
		}
	}
}

// TestVDPTFlagsTheActiveHotStandby: a running sysplex's NETSTAT VDPT flags
// the HOTSTANDBY target new connections go to, as IBM's hot standby
// example shows it (Flg: Active), here the backup B while the preferred
// A is out.
func TestVDPTFlagsTheActiveHotStandby(t *testing.T) {
	p := hotStandbyVDPT(80)
	live := &Live{HotStandby: func(a netip.Addr, port uint16) string { return "B" }}
	var b strings.Builder
	if err := WriteLive(&b, p, "vdpt", "A", live); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(b.String(), "DestXCF:   10.0.0.2\n  TotalConn: 0000000000  Rdy: 000  WLM: 00  TSR: 000\n  Flg:       HotStandby, Backup, Active\n") ||
		strings.Count(b.String(), "Active") != 1 {
		t.Errorf("VDPT:\n%s", b.String())
	}
}

// TestVIPADCFGShowsHotStandbyRoles: NETSTAT VIPADCFG gives a HOTSTANDBY
// target's server type, a backup's rank and AUTOSWITCHBACK, as IBM's hot
// standby example shows them (SrvType: Preferred, SrvType: Backup Rank:
// 050, AutoSwitchBack: Yes); before, only the method was shown, so the
// preferred target could not be told from the backups.
func TestVIPADCFGShowsHotStandbyRoles(t *testing.T) {
	dvipa := netip.MustParseAddr("10.9.9.1")
	rank := 50
	p := &plan.Plan{Sysplex: "P", Stacks: []plan.Stack{{Name: "A"}, {Name: "B"}},
		DVIPAs: []plan.DVIPA{{Addr: dvipa, PrefixLen: 24, Owner: "A", DefinedBy: []string{"A"}, DistributedBy: "A", Distributions: []plan.Distribution{{
			Stack: "A", Method: plan.HotStandby, NoAutoSwitchBack: true, Ports: []plan.PortRange{{From: 80, To: 80}},
			Targets: []plan.Target{{Stack: "A", XCF: netip.MustParseAddr("10.0.0.1"), Role: "PREFERRED"},
				{Stack: "B", XCF: netip.MustParseAddr("10.0.0.2"), Role: "BACKUP", BackupRank: &rank}}}}}}}
	var b strings.Builder
	if err := Write(&b, p, "vipadcfg", "A"); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		"DestXCF:    10.0.0.1\n      SysPt:      No        TimAff: No        Flg: HotStandby\n      SrvType:    Preferred  AutoSwitchBack: No  HealthSwitch: Yes\n",
		"DestXCF:    10.0.0.2\n      SysPt:      No        TimAff: No        Flg: HotStandby\n      SrvType:    Backup  Rank: 050  AutoSwitchBack: No  HealthSwitch: Yes\n",
	} {
		if !strings.Contains(b.String(), want) {
			t.Errorf("VIPADCFG lacks %q:\n%s", want, b.String())
		}
	}
}

// TestVIPADCFGShowsHealthSwitch: VIPADCFG gives a HOTSTANDBY target's
// HealthSwitch beside AutoSwitchBack, as IBM's hot standby example does:
// Yes by default (IBM's default), No with NOHEALTHSWITCH.
func TestVIPADCFGShowsHealthSwitch(t *testing.T) {
	for _, noHealth := range []bool{false, true} {
		rank := 50
		p := &plan.Plan{Sysplex: "P", Stacks: []plan.Stack{{Name: "A"}, {Name: "B"}},
			DVIPAs: []plan.DVIPA{{Addr: netip.MustParseAddr("10.9.9.1"), PrefixLen: 24, Owner: "A", DefinedBy: []string{"A"}, DistributedBy: "A",
				Distributions: []plan.Distribution{{Stack: "A", Method: plan.HotStandby, NoHealthSwitch: noHealth, Ports: []plan.PortRange{{From: 80, To: 80}},
					Targets: []plan.Target{{Stack: "A", XCF: netip.MustParseAddr("10.0.0.1"), Role: "PREFERRED"},
						{Stack: "B", XCF: netip.MustParseAddr("10.0.0.2"), Role: "BACKUP", BackupRank: &rank}}}}}}}
		var b strings.Builder
		if err := Write(&b, p, "vipadcfg", "A"); err != nil {
			t.Fatal(err)
		}
		want := map[bool]string{false: "HealthSwitch: Yes\n", true: "HealthSwitch: No\n"}[noHealth]
		if strings.Count(b.String(), want) != 2 {
			t.Errorf("NoHealthSwitch %v: VIPADCFG lacks %q for both targets:\n%s", noHealth, want, b.String())
		}
	}
}

// TestVDPTFlagsTheActiveHotStandbyOfEachPort: the distributor keeps a
// HOTSTANDBY target per port, so a port range whose ports have different
// active targets (the preferred server listens on 80 only) is shown in
// parts, each flagging its own; before, 81 was flagged by 80's target.
func TestVDPTFlagsTheActiveHotStandbyOfEachPort(t *testing.T) {
	p := hotStandbyVDPT(83)
	active := map[uint16]string{80: "A", 81: "B", 82: "B", 83: ""}
	live := &Live{HotStandby: func(a netip.Addr, port uint16) string { return active[port] }}
	var b strings.Builder
	if err := WriteLive(&b, p, "vdpt", "A", live); err != nil {
		t.Fatal(err)
	}
	want := "Dynamic VIPA Destination Port Table for TCP/IP stacks:\n" +
		"Dest:        10.9.9.1..80\n  DestXCF:   10.0.0.1\n  TotalConn: 0000000000  Rdy: 000  WLM: 00  TSR: 000\n  Flg:       HotStandby, Preferred, Active\n" +
		"Dest:        10.9.9.1..80\n  DestXCF:   10.0.0.2\n  TotalConn: 0000000000  Rdy: 000  WLM: 00  TSR: 000\n  Flg:       HotStandby, Backup\n" +
		"Dest:        10.9.9.1..81-82\n  DestXCF:   10.0.0.1\n  TotalConn: 0000000000  Rdy: 000  WLM: 00  TSR: 000\n  Flg:       HotStandby, Preferred\n" +
		"Dest:        10.9.9.1..81-82\n  DestXCF:   10.0.0.2\n  TotalConn: 0000000000  Rdy: 000  WLM: 00  TSR: 000\n  Flg:       HotStandby, Backup, Active\n" +
		"Dest:        10.9.9.1..83\n  DestXCF:   10.0.0.1\n  TotalConn: 0000000000  Rdy: 000  WLM: 00  TSR: 000\n  Flg:       HotStandby, Preferred\n" +
		"Dest:        10.9.9.1..83\n  DestXCF:   10.0.0.2\n  TotalConn: 0000000000  Rdy: 000  WLM: 00  TSR: 000\n  Flg:       HotStandby, Backup\n" +
		"6 of 6 Records Displayed\n"
	if got := b.String(); !strings.Contains(got, want) {
		t.Errorf("VDPT:\n%s\nwant it to end\n%s", got, want)
	}
}

// hotStandbyVDPT: A distributes 10.9.9.1 ports 80 to last by HOTSTANDBY,
// A preferred, B a backup of rank 100.
func hotStandbyVDPT(last int) *plan.Plan {
	rank := 100
	return &plan.Plan{Sysplex: "P", Stacks: []plan.Stack{{Name: "A"}, {Name: "B"}},
		DVIPAs: []plan.DVIPA{{Addr: netip.MustParseAddr("10.9.9.1"), Owner: "A", DistributedBy: "A", Distributions: []plan.Distribution{{
			Stack: "A", Method: plan.HotStandby, Ports: []plan.PortRange{{From: 80, To: last}},
			Targets: []plan.Target{{Stack: "A", XCF: netip.MustParseAddr("10.0.0.1"), Role: "PREFERRED"},
				{Stack: "B", XCF: netip.MustParseAddr("10.0.0.2"), Role: "BACKUP", BackupRank: &rank}}}}}}}
}
