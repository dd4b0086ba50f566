package compile

import (
	"fmt"
	"io"
	"net/netip"
	"slices"
	"strings"

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
	DPT func(dvipa string, ports plan.PortRange, target string) (total, ready int)
	// Moving reports a stack that still serves connections to a DVIPA
	// another stack has taken over.
	Moving func(dvipa, stack string) bool
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

// WriteDisplay prints a view. stack selects one stack ("" all of them for
// per-stack views; for sysplex views the stack that answers, or whose
// DVIPAs are shown).
func WriteDisplay(w io.Writer, p *plan.Plan, view, stack string) error {
	return WriteLiveDisplay(w, p, view, stack, nil)
}

// WriteLiveDisplay prints a view of a running sysplex: p is its current
// state as a plan (owners, routing stacks, stacks that are up) and live
// the counters a plan lacks.
func WriteLiveDisplay(w io.Writer, p *plan.Plan, view, stack string, live *Live) error {
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
	"HOTSTANDBY": "HotStandby", "PERMIT": "Permit", "DENY": "Deny", "IPSEC": "IPSec",
	"LOCAL": "Local", "ROUTED": "Routed", "EITHER": "Either", "INBOUND": "Inbound", "OUTBOUND": "Outbound",
}

func labelOf(s string) string {
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
			addr, mov := d.Addr, ""
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
			xcfs := []string{"ALL"}
			if !dist.DestAll {
				xcfs = nil
				for _, t := range dist.Targets {
					xcfs = append(xcfs, t.XCF)
				}
			}
			for _, port := range displayPorts(dist.Ports) {
				for _, x := range xcfs {
					dists = append(dists, fmt.Sprintf("    Dest:         %s..%s\n      DestXCF:    %s\n      SysPt:      %-8s  TimAff: %-8s  Flg: %s\n",
						d.Addr, port, x, yesNo(dist.SysplexPorts), timAff(dist.TimedAffinity), labelOf(dist.Method)))
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

// active returns the distribution in force at start, or nil.
func active(d *plan.DVIPA) *plan.Distribution {
	for i := range d.Distributions {
		if d.Distributions[i].Stack == d.DistributedBy && d.DistributedBy != "" {
			return &d.Distributions[i]
		}
	}
	return nil
}

// isTarget reports whether the stack is a target of the distribution in
// force at start.
func isTarget(d *plan.DVIPA, stack string) bool {
	if a := active(d); a != nil {
		return slices.ContainsFunc(a.Targets, func(t plan.Target) bool { return t.Stack == stack })
	}
	return false
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
		case live != nil && live.Moving != nil && live.Moving(d.Addr, s.Name):
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
	}
	fmt.Fprintf(b, "%d of %d Records Displayed\n", n, n)
}

func vdpt(b *strings.Builder, p *plan.Plan, s *plan.Stack, live *Live) {
	netstatHeader(b, s)
	b.WriteString("Dynamic VIPA Destination Port Table for TCP/IP stacks:\n")
	n := 0
	for i := range p.DVIPAs {
		d := &p.DVIPAs[i]
		a := active(d)
		if d.DistributedBy != s.Name || a == nil || len(a.Ports) == 0 {
			continue // dynamic ports appear only when servers bind
		}
		for _, pr := range a.Ports {
			port := pr.String()
			for _, t := range a.Targets {
				n++
				total, ready := 0, 0
				if live != nil && live.DPT != nil {
					total, ready = live.DPT(d.Addr, pr, t.Stack)
				}
				wlm := 0
				if t.Weight != nil {
					wlm = *t.Weight
				}
				flg := labelOf(a.Method)
				switch t.Role {
				case "PREFERRED":
					flg += ", Preferred"
				case "BACKUP":
					flg += ", Backup"
				}
				fmt.Fprintf(b, "Dest:        %s..%s\n  DestXCF:   %s\n  TotalConn: %010d  Rdy: %03d  WLM: %02d  TSR: 000\n  Flg:       %s\n",
					d.Addr, port, t.XCF, total, ready, wlm, flg)
			}
		}
	}
	fmt.Fprintf(b, "%d of %d Records Displayed\n", n, n)
}

func ipsecFilters(b *strings.Builder, p *plan.Plan, s *plan.Stack, _ *Live) {
	rel := "CS"
	if s.Release != "" {
		rel = "CS " + s.Release
	}
	fmt.Fprintf(b, "%s ipsec  Stack Name: %s  (%s)\n", rel, s.Job, s.Name)
	if s.SPD.From == "none" {
		b.WriteString("The stack does no IP filtering: IPCONFIG IPSECURITY is not coded.\n")
		return
	}
	source := "Stack Policy"
	if s.SPD.From == "profile" {
		source = "Stack Profile"
	}
	logging := "Off"
	if s.SPD.Logging {
		logging = "On"
	}
	fmt.Fprintf(b, "Primary:  %-14s  Function: %-17s  Format:   %s\n", "Filter", "Display", "Detail")
	fmt.Fprintf(b, "Source:   %-14s  Scope:    %-17s  TotAvail: %d\n", source, "Current", len(s.SPD.Filters))
	fmt.Fprintf(b, "Logging:  %-14s  Predecap: %-17s  DVIPSec:  %s\n", logging, "Off", yesNo(s.DVIPSec))
	b.WriteString("Defensive Mode: Inactive\n")
	for _, f := range s.SPD.Filters {
		b.WriteString("\n")
		typ, vpn := "Generic", "n/a"
		switch {
		case f.ManualTunnel != "":
			typ, vpn = "Manual", f.ManualTunnel
		case f.VPNAction != "":
			typ, vpn = "Dynamic", f.VPNAction
		}
		log := "None"
		if f.Log {
			log = "All"
		}
		src, dst, sp, dp := f.Local, f.Remote, f.LocalPorts, f.RemotePorts
		if f.Direction == "INBOUND" {
			src, dst, sp, dp = dst, src, dp, sp
		}
		line := func(k, v string) { fmt.Fprintf(b, "%-30s%s\n", k+":", v) }
		line("FilterName", f.Name)
		line("FilterNameExtension", fmt.Sprint(f.Extension))
		line("GroupName", "n/a")
		line("LocalStartActionName", "n/a")
		line("VpnActionName", vpn)
		line("TunnelID", "0x00")
		line("Type", typ)
		line("DefensiveType", "n/a")
		line("State", "Active")
		line("Action", labelOf(f.Action))
		line("Scope", labelOf(f.Routing))
		line("Direction", labelOf(f.Direction))
		line("SecurityClass", fmt.Sprint(f.SecClass))
		line("Logging", log)
		line("Protocol", plan.ProtocolName(f.Protocol))
		if f.ICMPType != nil || f.ICMPCode != nil {
			line("ICMPType", deref(f.ICMPType))
			line("ICMPCode", deref(f.ICMPCode))
		}
		addrLines(line, "Source", src)
		portLines(line, "Source", sp)
		addrLines(line, "Dest", dst)
		portLines(line, "Dest", dp)
		if len(f.AnchorFor) > 0 {
			line("DVIPAs (tcpipc)", strings.Join(f.AnchorFor, " "))
		}
	}
}

// addrLines writes a selector as Address, AddressPrefix and AddressRange.
func addrLines(line func(k, v string), side, sel string) {
	addr, prefix, upper := "0.0.0.0", "0", "n/a"
	switch s, err := plan.ParseSelector(sel); {
	case err != nil || s.All:
	case strings.Contains(sel, "-"):
		addr, prefix, upper = s.Lo.String(), "n/a", s.Hi.String()
	case strings.Contains(sel, "/"):
		pf, _ := netip.ParsePrefix(sel)
		addr, prefix = pf.Masked().Addr().String(), fmt.Sprint(pf.Bits())
	default:
		addr, prefix = s.Lo.String(), fmt.Sprint(s.Lo.BitLen())
	}
	line(side+"Address", addr)
	line(side+"AddressPrefix", prefix)
	line(side+"AddressRange", upper)
}

func portLines(line func(k, v string), side string, p plan.PortRange) {
	if p == plan.AnyPort {
		line(side+"Port", "0")
		line(side+"PortRange", "0")
		return
	}
	line(side+"Port", fmt.Sprint(p.From))
	line(side+"PortRange", fmt.Sprint(p.To))
}

// linkName is the link name the stack gives an IPv4 DVIPA: VIPL and the
// address in hex.
func linkName(addr string) string {
	a, err := netip.ParseAddr(addr)
	if err != nil || !a.Is4() {
		return "n/a"
	}
	b := a.As4()
	return fmt.Sprintf("VIPL%02X%02X%02X%02X", b[0], b[1], b[2], b[3])
}

func sysplexVipadyn(b *strings.Builder, p *plan.Plan, from *plan.Stack, _ *Live) {
	if from == nil && len(p.Stacks) > 0 {
		from = &p.Stacks[0]
	}
	if from == nil {
		return
	}
	rel := "CS"
	if from.Release != "" {
		rel = "CS " + from.Release
	}
	fmt.Fprintf(b, "EZZ8260I SYSPLEX %s\nVIPA DYNAMIC DISPLAY FROM %-8s AT %s\n", rel, from.Job, from.Name)
	records := 0
	for i := range p.DVIPAs {
		d := &p.DVIPAs[i]
		if d.IntfName != "" {
			fmt.Fprintf(b, "INTFNAME: %s  IPADDR: %s\n", d.IntfName, d.Addr)
		} else {
			fmt.Fprintf(b, "IPADDR: %s  LINKNAME: %s\n", d.Addr, linkName(d.Addr))
		}
		fmt.Fprintf(b, "  ORIGIN: %s\n", orDash(d.Origin))
		b.WriteString("  TCPNAME  MVSNAME  STATUS RANK ADDRESS MASK    NETWORK PREFIX  DIST\n")
		b.WriteString("  -------- -------- ------ ---- --------------- --------------- ----\n")
		row := func(stack, status, rank, mask, network string) {
			s := p.Stack(stack)
			job := ""
			if s != nil {
				job = s.Job
			}
			records++
			dist := strings.ToUpper(distStat(d, stack))
			if dist == "DIST/DEST" {
				dist = "BOTH"
			}
			fmt.Fprintf(b, "  %-8s %-8s %-6s %-4s %-15s %-15s %s\n", job, stack, status, rank, mask, network, dist)
		}
		listed := map[string]bool{}
		if d.Owner != "" {
			network := d.Addr
			if pf, err := netip.ParsePrefix(fmt.Sprintf("%s/%d", d.Addr, d.PrefixLen)); err == nil {
				network = pf.Masked().Addr().String()
			}
			mask := d.Mask
			if mask == "" {
				mask = fmt.Sprintf("/%d", d.PrefixLen)
			}
			row(d.Owner, "ACTIVE", "", mask, network)
			listed[d.Owner] = true
		}
		for _, bk := range d.Backups {
			if !listed[bk.Stack] {
				row(bk.Stack, "BACKUP", fmt.Sprintf("%03d", bk.Rank), "", "")
				listed[bk.Stack] = true
			}
		}
		if a := active(d); a != nil {
			for _, t := range a.Targets {
				if t.Stack != "" && !listed[t.Stack] {
					row(t.Stack, "ACTIVE", "", "", "")
					listed[t.Stack] = true
				}
			}
		}
	}
	fmt.Fprintf(b, "%d OF %d RECORDS DISPLAYED\n", records, records)
}

func backupChains(b *strings.Builder, p *plan.Plan, only *plan.Stack, _ *Live) {
	for i := range p.DVIPAs {
		d := &p.DVIPAs[i]
		if only != nil && !involves(d, only.Name) {
			continue
		}
		if b.Len() > 0 {
			b.WriteString("\n")
		}
		fmt.Fprintf(b, "%s/%d", d.Addr, d.PrefixLen)
		if d.Mask != "" {
			fmt.Fprintf(b, " (mask %s)", d.Mask)
		}
		b.WriteString("\n")
		if d.Owner == "" {
			b.WriteString("  owner      -  (no stack activates it)\n")
		} else {
			fmt.Fprintf(b, "  owner      %-8s %s, MOVEABLE %s\n", d.Owner, d.Origin, d.Moveable)
		}
		for _, bk := range d.Backups {
			form := ""
			if bk.CanCreate {
				form = ", long form (can create it)"
			}
			fmt.Fprintf(b, "  backup %-3d %-8s rank %d%s\n", bk.Position, bk.Stack, bk.Rank, form)
		}
		for _, dist := range d.Distributions {
			when := "in force at start"
			if dist.Stack != d.DistributedBy {
				when = "used when it holds the DVIPA"
			}
			var ts []string
			for _, t := range dist.Targets {
				s := orDash(t.Stack)
				if t.Weight != nil {
					s += fmt.Sprintf(" weight %d", *t.Weight)
				}
				if t.Role != "" {
					s += " " + strings.ToLower(t.Role)
				}
				ts = append(ts, s)
			}
			all := ""
			if dist.DestAll {
				all = "ALL = "
			}
			fmt.Fprintf(b, "  distribute %-8s (%s) ports %s, %s, to %s%s\n", dist.Stack, when, plan.PortList(dist.Ports), strings.ToLower(dist.Method), all, listOr(ts, "no target"))
		}
		switch sw := d.SWSA; {
		case !sw.Protected:
			b.WriteString("  SWSA       not protected by IPsec\n")
		case sw.Eligible:
			v := "IKEv1"
			if sw.IKEv2 {
				v = "IKEv2"
			}
			fmt.Fprintf(b, "  SWSA       eligible (%s)\n", v)
		default:
			b.WriteString("  SWSA       not eligible:\n")
			for _, r := range sw.Reasons {
				fmt.Fprintf(b, "             - %s [%s]\n", r.Text, r.Code)
			}
		}
		for _, n := range d.Notes {
			fmt.Fprintf(b, "  note       %s\n", n)
		}
	}
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
