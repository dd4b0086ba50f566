package display

import (
	"fmt"
	"io"
	"net/netip"
	"slices"
	"strings"
	"time"

	"github.com/tcpipc/tcpipc/plan"
)

// View is a display tcpipc can print from a plan.
type View struct {
	Name string
	// PerStack views print one report per stack (or for --stack only).
	PerStack bool
	Summary  string
	write    func(b *strings.Builder, p *plan.Plan, s *plan.Stack, live *Live)
}

// Live carries what only a running sysplex knows into the displays; the
// plan alone shows the state expected once every stack has started.
type Live struct {
	// DPT returns the counters of a destination port table entry: the
	// connections routed to the target so far and its listening servers.
	DPT func(dvipa netip.Addr, ports plan.PortRange, target string) (total, ready int)
	// Moving reports a stack that still serves connections to a DVIPA
	// another stack has taken over.
	Moving func(dvipa netip.Addr, stack string) bool
	// Activated returns when the stack last became the DVIPA's holder
	// (VIPADYN's ActTime), false when it never did.
	Activated func(dvipa netip.Addr, stack string) (time.Time, bool)
	// HotStandby returns the HOTSTANDBY target new connections to the
	// port go to now (VDPT's Active flag), "" when none. The distributor
	// keeps one per port, so ports of one range may differ.
	HotStandby func(dvipa netip.Addr, port uint16) string
}

// moving is Moving, safe on a nil Live or without the function.
func (l *Live) moving(a netip.Addr, stack string) bool {
	return l != nil && l.Moving != nil && l.Moving(a, stack)
}

// activated is Activated, safe on a nil Live or without the function.
func (l *Live) activated(a netip.Addr, stack string) (time.Time, bool) {
	if l == nil || l.Activated == nil {
		return time.Time{}, false
	}
	return l.Activated(a, stack)
}

// Views lists the displays, in the order help shows them.
var Views = []View{
	{"vipadcfg", true, "NETSTAT VIPADCFG: the stack's configured dynamic VIPAs", vipadcfg},
	{"vipadyn", true, "NETSTAT VIPADYN: the DVIPA state expected once every stack has started", vipadyn},
	{"vdpt", true, "NETSTAT VDPT: the configured destination port table of a distributing stack", vdpt},
	{"ipsec-filters", true, "ipsec -f display: the filters the stack installs, in search order", ipsecFilters},
	{"sysplex-vipadyn", false, "D TCPIP,,SYSPLEX,VIPADYN: every DVIPA across the stacks that know it", sysplexVipadyn},
	{"backup-chains", false, "tcpipc's own table: owner, backup chain, distribution and SWSA of each DVIPA", backupChains},
}

// Write prints a view of the state a plan expects. stack selects one stack ("" all of them for
// per-stack views; for sysplex views the stack that answers, or whose
// DVIPAs are shown).
func Write(w io.Writer, p *plan.Plan, view, stack string) error {
	return WriteLive(w, p, view, stack, nil)
}

// WriteLive prints a view of a running sysplex: p is its current
// state as a plan (owners, routing stacks, stacks that are up) and live
// the counters a plan lacks.
func WriteLive(w io.Writer, p *plan.Plan, view, stack string, live *Live) error {
	i := slices.IndexFunc(Views, func(v View) bool { return v.Name == view })
	if i < 0 {
		var names []string
		for _, v := range Views {
			names = append(names, v.Name)
		}
		return fmt.Errorf("unknown view %q (want one of %s)", view, strings.Join(names, ", "))
	}
	var sel *plan.Stack
	if stack != "" {
		if sel = p.Stack(stack); sel == nil {
			return fmt.Errorf("no stack %s in sysplex %s", stack, p.Sysplex)
		}
	}
	v := Views[i]
	var b strings.Builder
	switch {
	case !v.PerStack || sel != nil:
		v.write(&b, p, sel, live)
	default:
		for i := range p.Stacks {
			if i > 0 {
				b.WriteString("\n")
			}
			v.write(&b, p, &p.Stacks[i], live)
		}
	}
	// Empty fields leave blanks at line ends; the displays do not need them.
	lines := strings.Split(b.String(), "\n")
	for i, l := range lines {
		lines[i] = strings.TrimRight(l, " ")
	}
	_, err := io.WriteString(w, strings.Join(lines, "\n"))
	return err
}

// WriteNetstatHeader writes the first line of every NETSTAT report.
func WriteNetstatHeader(w io.Writer, s *plan.Stack) {
	var b strings.Builder
	netstatHeader(&b, s)
	_, _ = io.WriteString(w, b.String())
}

func netstatHeader(b *strings.Builder, s *plan.Stack) {
	rel := "CS"
	if s.Release != "" {
		rel = "CS " + s.Release
	}
	fmt.Fprintf(b, "MVS TCP/IP NETSTAT %-10s TCPIP Name: %-8s  (%s)\n", rel, s.Job, s.Name)
}

// label turns IBM keywords into the mixed case the displays use.
var label = map[string]string{
	"IMMEDIATE": "Immediate", "WHENIDLE": "WhenIdle", "NONDISRUPTIVE": "NonDisr", "DISRUPTIVE": "Disrupt",
	"BASEWLM": "BaseWLM", "ROUNDROBIN": "RoundRobin", "SERVERWLM": "ServerWLM", "WEIGHTEDACTIVE": "WeightedActive",
	"HOTSTANDBY": "HotStandby", "PREFERRED": "Preferred", "BACKUP": "Backup", "PERMIT": "Permit", "DENY": "Deny", "IPSEC": "IPSec",
	"LOCAL": "Local", "ROUTED": "Routed", "EITHER": "Either", "INBOUND": "Inbound", "OUTBOUND": "Outbound",
}

func labelOf[T ~string](w T) string {
	s := string(w)
	if l, ok := label[s]; ok {
		return l
	}
	return s
}

func vipadcfg(b *strings.Builder, p *plan.Plan, s *plan.Stack, _ *Live) {
	netstatHeader(b, s)
	var backups, defines, dists []string
	for i := range p.DVIPAs {
		d := &p.DVIPAs[i]
		for _, bk := range d.Backups {
			if bk.Stack != s.Name {
				continue
			}
			addr, mov := d.Addr.String(), ""
			if bk.CanCreate {
				addr, mov = fmt.Sprintf("%s/%d", d.Addr, d.PrefixLen), labelOf(d.Moveable)
			}
			backups = append(backups, addrLine(d, addr)+fmt.Sprintf("      Rank: %06d  Moveable: %-10s SrvMgr: %s\n", bk.Rank, mov, srvMgr(bk.CanCreate)))
		}
		if slices.Contains(d.DefinedBy, s.Name) {
			defines = append(defines, addrLine(d, fmt.Sprintf("%s/%d", d.Addr, d.PrefixLen))+fmt.Sprintf("      Moveable: %-10s SrvMgr: %s\n", labelOf(d.Moveable), srvMgrDefine(d)))
		}
		for _, dist := range d.Distributions {
			if dist.Stack != s.Name {
				continue
			}
			targets := dist.Targets
			if dist.DestAll {
				targets = []plan.Target{{}} // DestXCF ALL
			}
			for _, port := range displayPorts(dist.Ports) {
				for _, t := range targets {
					x := "ALL"
					if !dist.DestAll {
						x = t.XCF.String()
					}
					dists = append(dists, fmt.Sprintf("    Dest:         %s..%s\n      DestXCF:    %s\n      SysPt:      %-8s  TimAff: %-8s  Flg: %s\n%s",
						d.Addr, port, x, yesNo(dist.SysplexPorts), timAff(dist.TimedAffinity), labelOf(dist.Method), srvType(&dist, t)))
				}
			}
		}
	}
	if len(backups)+len(defines)+len(dists)+len(s.VIPARanges)+len(s.VIPARoutes) == 0 {
		return
	}
	b.WriteString("Dynamic VIPA Information:\n")
	section(b, "VIPA Backup:", backups)
	section(b, "VIPA Define:", defines)
	var ranges, routes []string
	for _, r := range s.VIPARanges {
		ranges = append(ranges, fmt.Sprintf("    IpAddr/PrefixLen: %s\n      Moveable: %s\n", r.Prefix, labelOf(r.Moveable)))
	}
	for _, r := range s.VIPARoutes {
		routes = append(routes, fmt.Sprintf("    DestXCF:      %s\n      TargetIp:   %s\n", r.DestXCF, r.Target))
	}
	section(b, "VIPA Range:", ranges)
	section(b, "VIPA Distribute:", dists)
	section(b, "VIPA Route:", routes)
}

// addrLine names a DVIPA in VIPADCFG: IpAddr/PrefixLen, or for IPv6 the
// interface name and the address.
func addrLine(d *plan.DVIPA, addr string) string {
	if d.IntfName != "" {
		return fmt.Sprintf("    IntfName: %s\n      IpAddr: %s\n", d.IntfName, addr)
	}
	return fmt.Sprintf("    IpAddr/PrefixLen: %s\n", addr)
}

// srvMgrDefine is SrvMgr of a VIPADEFINE: IPv6 DVIPAs have none.
func srvMgrDefine(d *plan.DVIPA) string {
	if d.IntfName != "" {
		return "n/a"
	}
	return "No"
}

// srvType is VIPADCFG's line for a HOTSTANDBY target: its server type,
// a backup's rank, AUTOSWITCHBACK and HEALTHSWITCH, as IBM's hot standby
// example shows them; "" for other methods.
func srvType(dist *plan.Distribution, t plan.Target) string {
	if dist.Method != plan.HotStandby || t.Role == "" {
		return ""
	}
	rank := ""
	if t.Role == "BACKUP" && t.BackupRank != nil {
		rank = fmt.Sprintf("  Rank: %03d", *t.BackupRank)
	}
	return fmt.Sprintf("      SrvType:    %s%s  AutoSwitchBack: %s  HealthSwitch: %s\n", labelOf(t.Role), rank,
		yesNo(!dist.NoAutoSwitchBack), yesNo(!dist.NoHealthSwitch))
}

func section(b *strings.Builder, title string, entries []string) {
	if len(entries) == 0 {
		return
	}
	b.WriteString("  " + title + "\n")
	for _, e := range entries {
		b.WriteString(e)
	}
}

func srvMgr(longForm bool) string {
	if longForm {
		return "No"
	}
	return ""
}

// orNA is s, or "n/a" as z/OS displays show a name that is not there.
func orNA(s string) string {
	if s == "" {
		return "n/a"
	}
	return s
}

func yesNo(v bool) string {
	if v {
		return "Yes"
	}
	return "No"
}

func timAff(secs int) string {
	if secs == 0 {
		return "No"
	}
	return fmt.Sprint(secs)
}

// displayPorts lists the ports of a distribution; "*" stands for the
// dynamic ports of a VIPADISTRIBUTE without PORT.
func displayPorts(ps []plan.PortRange) []string {
	if len(ps) == 0 {
		return []string{"*"}
	}
	var out []string
	for _, p := range ps {
		out = append(out, p.String())
	}
	return out
}

// isTarget reports whether the stack is a target of a distribution in
// force at start, for any port.
func isTarget(d *plan.DVIPA, stack string) bool {
	return slices.ContainsFunc(d.InForce(), func(a *plan.Distribution) bool {
		return slices.ContainsFunc(a.Targets, func(t plan.Target) bool { return t.Stack == stack })
	})
}

// distStat is NETSTAT's DistStat (Dist, Dest, Dist/Dest or blank).
func distStat(d *plan.DVIPA, stack string) string {
	dist, dest := d.DistributedBy == stack, isTarget(d, stack)
	switch {
	case dist && dest:
		return "Dist/Dest"
	case dist:
		return "Dist"
	case dest:
		return "Dest"
	}
	return ""
}

func vipadyn(b *strings.Builder, p *plan.Plan, s *plan.Stack, live *Live) {
	netstatHeader(b, s)
	b.WriteString("Dynamic VIPA:\n")
	n := 0
	for i := range p.DVIPAs {
		d := &p.DVIPAs[i]
		status, origin := "", ""
		switch {
		case d.Owner == s.Name:
			status, origin = "Active", "VIPADefine"
			// A backup that took the DVIPA over shows it as VIPABackup.
			switch {
			case d.Origin == "VIPARANGE":
				origin = "VIPARange Bind"
			case d.Origin == "VIPABACKUP" || !slices.Contains(d.DefinedBy, s.Name):
				origin = "VIPABackup"
			}
		case live.moving(d.Addr, s.Name):
			status, origin = "Moving", "VIPABackup"
			if d.Origin == "VIPARANGE" {
				origin = "VIPARange Bind"
			}
		case slices.ContainsFunc(d.Backups, func(bk plan.Backup) bool { return bk.Stack == s.Name }):
			status, origin = "Backup", "VIPABackup"
		case isTarget(d, s.Name):
			status, origin = "Active", "VIPADistribute"
		default:
			continue
		}
		n++
		fmt.Fprintf(b, "  IPAddr/PrefixLen: %s/%d\n    Status: %-12s  Origin: %-14s  DistStat: %s\n", d.Addr, d.PrefixLen, status, origin, distStat(d, s.Name))
		if at, ok := live.activated(d.Addr, s.Name); ok && d.Owner == s.Name {
			fmt.Fprintf(b, "    ActTime:      %s\n", at.UTC().Format("01/02/2006 15:04:05"))
		}
	}
	fmt.Fprintf(b, "%d of %d Records Displayed\n", n, n)
}

func vdpt(b *strings.Builder, p *plan.Plan, s *plan.Stack, live *Live) {
	netstatHeader(b, s)
	b.WriteString("Dynamic VIPA Destination Port Table for TCP/IP stacks:\n")
	n := 0
	for i := range p.DVIPAs {
		d := &p.DVIPAs[i]
		if d.DistributedBy != s.Name {
			continue
		}
		// Every VIPADISTRIBUTE statement of the distributor: each
		// port set has its own targets and method.
		for _, a := range d.InForce() {
			n += vdptRows(b, d, a, live)
		}
	}
	fmt.Fprintf(b, "%d of %d Records Displayed\n", n, n)
}

// vdptRows writes the VDPT entries of one distribution, one per port and
// target, and returns how many. A distribution without ports has none:
// dynamic ports appear only when servers bind.
func vdptRows(b *strings.Builder, d *plan.DVIPA, a *plan.Distribution, live *Live) int {
	n := 0
	for _, sp := range activeSpans(d, a, live) {
		pr := sp.ports
		for _, t := range a.Targets {
			n++
			total, ready := 0, 0
			if live != nil && live.DPT != nil {
				total, ready = live.DPT(d.Addr, pr, t.Stack)
			}
			wlm := 0
			switch {
			case t.Weight != nil:
				wlm = *t.Weight
			case a.Method == plan.WeightedActive:
				wlm = plan.DefaultWeight // what the distributor uses
			}
			flg := labelOf(a.Method)
			switch t.Role {
			case "PREFERRED":
				flg += ", Preferred"
			case "BACKUP":
				flg += ", Backup"
			}
			if t.Role != "" && sp.active == t.Stack {
				flg += ", Active"
			}
			// TSR (target server responsiveness, 0-100) is not
			// modelled: a target with a ready server answers, 100.
			tsr := 0
			if ready > 0 {
				tsr = 100
			}
			fmt.Fprintf(b, "Dest:        %s..%s\n  DestXCF:   %s\n  TotalConn: %010d  Rdy: %03d  WLM: %02d  TSR: %03d\n  Flg:       %s\n",
				d.Addr, pr.String(), t.XCF, total, ready, wlm, tsr, flg)
		}
	}
	return n
}

// span is ports VDPT shows as one entry, and the HOTSTANDBY target
// active for all of them ("" for none, or another method).
type span struct {
	ports  plan.PortRange
	active string
}

// activeSpans is a distribution's port ranges as VDPT shows them: a
// HOTSTANDBY range is cut where the active target changes from one port
// to the next (the distributor keeps one per port), so each entry's
// Active flag holds for all its ports.
func activeSpans(d *plan.DVIPA, a *plan.Distribution, live *Live) []span {
	var out []span
	for _, pr := range a.Ports {
		if a.Method != plan.HotStandby || live == nil || live.HotStandby == nil {
			out = append(out, span{ports: pr})
			continue
		}
		cur := span{plan.PortRange{From: pr.From, To: pr.To}, live.HotStandby(d.Addr, uint16(pr.From))}
		for p := pr.From + 1; p <= pr.To; p++ {
			if s := live.HotStandby(d.Addr, uint16(p)); s != cur.active {
				cur.ports.To = p - 1
				out = append(out, cur)
				cur = span{plan.PortRange{From: p, To: pr.To}, s}
			}
		}
		out = append(out, cur)
	}
	return out
}

// linkName is the link name the stack gives an IPv4 DVIPA: VIPL and the
// address in hex.
func linkName(a netip.Addr) string {
	if !a.Is4() {
		return "n/a"
	}
	b := a.As4()
	return fmt.Sprintf("VIPL%02X%02X%02X%02X", b[0], b[1], b[2], b[3])
}

// involves reports whether a stack owns, defines, backs up or distributes
// the DVIPA, or is a target of it.
func involves(d *plan.DVIPA, stack string) bool {
	if d.Owner == stack || slices.Contains(d.DefinedBy, stack) || isTarget(d, stack) {
		return true
	}
	return slices.ContainsFunc(d.Backups, func(b plan.Backup) bool { return b.Stack == stack }) ||
		slices.ContainsFunc(d.Distributions, func(x plan.Distribution) bool { return x.Stack == stack })
}

func deref(p *plan.PortRange) string {
	if p == nil {
		return "*"
	}
	return p.String()
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

func listOr(s []string, none string) string {
	if len(s) == 0 {
		return none
	}
	return strings.Join(s, ", ")
}
