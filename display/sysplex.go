package display

import (
	"fmt"
	"strings"

	"github.com/tcpipc/tcpipc/plan"
)

func sysplexVipadyn(b *strings.Builder, p *plan.Plan, from *plan.Stack, live *Live) {
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
			network := d.Addr.String()
			if pf, err := d.Addr.Prefix(d.PrefixLen); err == nil {
				network = pf.Addr().String()
			}
			mask := d.Mask
			if mask == "" {
				mask = fmt.Sprintf("/%d", d.PrefixLen)
			}
			row(d.Owner, "ACTIVE", "", mask, network)
			listed[d.Owner] = true
		}
		// A stack still serving connections to the DVIPA another took
		// over is MOVING, as in its NETSTAT VIPADYN.
		for _, st := range d.DefinedBy {
			if !listed[st] && live.moving(d.Addr, st) {
				row(st, "MOVING", "", "", "")
				listed[st] = true
			}
		}
		for _, bk := range d.Backups {
			if !listed[bk.Stack] {
				status, rank := "BACKUP", fmt.Sprintf("%03d", bk.Rank)
				if live.moving(d.Addr, bk.Stack) {
					status, rank = "MOVING", ""
				}
				row(bk.Stack, status, rank, "", "")
				listed[bk.Stack] = true
			}
		}
		for _, a := range d.InForce() {
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
			fmt.Fprintf(b, "  distribute %-8s (%s) ports %s, %s, to %s%s\n", dist.Stack, when, plan.PortList(dist.Ports), strings.ToLower(string(dist.Method)), all, listOr(ts, "no target"))
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
