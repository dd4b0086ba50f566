package compile

import (
	"fmt"
	"net/netip"
	"strings"

	"github.com/tcpipc/tcpipc/diag"
	"github.com/tcpipc/tcpipc/model"
	"github.com/tcpipc/tcpipc/plan"
)

// RuleCompile is the id of what the compiler reports: offers it cannot
// express as IKEv2 transforms or refuses.
const RuleCompile = "COMPILE"

// Options control compilation.
type Options struct {
	// IncludeSecrets puts pre-shared keys into the plan; without it they
	// are "<redacted>", so plans can be shared.
	IncludeSecrets bool
}

// Compile compiles a sysplex without secrets; see Options.Compile.
func Compile(sx *model.Sysplex) (*plan.Plan, diag.Diagnostics) {
	return Options{}.Compile(sx)
}

// Compile turns a loaded sysplex into a plan. It compiles whatever the
// model holds; callers decide whether lint errors stop them first. The
// diagnostics are warnings about offers left out of the plan.
func (o Options) Compile(sx *model.Sysplex) (*plan.Plan, diag.Diagnostics) {
	c := &compiler{sx: sx, opts: o, seen: map[string]bool{}}
	if sx.Manifest != nil {
		c.dir = strings.TrimSuffix(sx.Manifest.Dir, "/")
	}
	p := &plan.Plan{Version: plan.Version, Sysplex: sx.Name, VTAMXCFGrpID: sx.VTAMXCFGrpID, Secrets: "redacted",
		Groups: []plan.Group{}, Stacks: []plan.Stack{}, DVIPAs: []plan.DVIPA{}}
	if o.IncludeSecrets {
		p.Secrets = "included"
	}
	if sx.Manifest != nil && sx.Manifest.CFRMGiven {
		p.CFRM = append([]string{}, sx.Manifest.CFRM...)
	}
	var dvipas []netip.Addr
	for _, v := range sx.DVIPAs {
		dvipas = append(dvipas, v.Addr)
	}
	for _, s := range sx.Stacks {
		p.Stacks = append(p.Stacks, c.stack(s, dvipas))
		addGroup(p, s)
	}
	for _, v := range sx.DVIPAs {
		p.DVIPAs = append(p.DVIPAs, c.dvipa(v))
	}
	for i := range p.DVIPAs {
		p.DVIPAs[i].SWSA = p.SWSA(&p.DVIPAs[i])
	}
	c.ds.Sort()
	return p, c.ds
}

type compiler struct {
	sx   *model.Sysplex
	opts Options
	dir  string // the manifest's directory: sources are shown relative to it
	ds   diag.Diagnostics
	seen map[string]bool // diagnostics already reported (shared offers)
	psks []model.Secret  // the distinct pre-shared keys met (pskGroup)
}

func addGroup(p *plan.Plan, s *model.Stack) {
	for i := range p.Groups {
		if p.Groups[i].XCFGroup == s.Groups.XCFGroup {
			p.Groups[i].Stacks = append(p.Groups[i].Stacks, s.Name)
			return
		}
	}
	p.Groups = append(p.Groups, plan.Group{XCFGroup: s.Groups.XCFGroup, SWSAStructure: s.Groups.SWSA,
		SysplexPortsStructure: s.Groups.SysplexPorts, Stacks: []string{s.Name}})
}

// source shows a range relative to the manifest's directory, so a plan
// does not depend on where it was compiled.
func (c *compiler) source(r diag.Range) string {
	if r.IsZero() {
		return ""
	}
	f := r.File
	if c.dir != "" && c.dir != "." {
		f = strings.TrimPrefix(f, c.dir+"/")
	}
	return fmt.Sprintf("%s:%d:%d", f, r.Start.Line, r.Start.Column)
}

func (c *compiler) warn(r diag.Range, format string, args ...any) {
	msg := fmt.Sprintf(format, args...)
	key := r.String() + msg
	if c.seen[key] {
		return
	}
	c.seen[key] = true
	d := c.ds.Warnf(RuleCompile, r, "%s", msg)
	d.Detail = "The plan leaves this offer out; the runtime never proposes or accepts it. Use AES_CBC or AES_GCM_16, HMAC_SHA2 integrity and PRF, and DH group 14, 19 or 20."
}

func (c *compiler) stack(s *model.Stack, dvipas []netip.Addr) plan.Stack {
	out := plan.Stack{Name: s.Name, Job: s.Job, Release: s.Release.String(), XCFGroup: s.Groups.XCFGroup,
		XCF: []plan.Interface{}, Home: []plan.Home{}, VIPARanges: []plan.VIPARange{}, VIPARoutes: []plan.VIPARoute{},
		IPSecurity: s.IPSecurity != nil, IPSecurity6: s.IPSecurity6 != nil, IKED: s.Iked != nil}
	for _, x := range s.DynamicXCF {
		out.XCF = append(out.XCF, plan.Interface{Addr: x.Addr.Addr, PrefixLen: x.PrefixLen})
	}
	for _, h := range s.Home {
		out.Home = append(out.Home, plan.Home{Addr: h.Addr.Addr, Link: h.Link})
	}
	if s.IPSec != nil {
		out.DVIPSec = s.DVIPSec()
		out.DVLocalFltr = s.IPSec.DVLocalFltr != nil
	}
	for _, r := range s.VIPA.Ranges {
		out.VIPARanges = append(out.VIPARanges, plan.VIPARange{Prefix: r.Prefix, Moveable: plan.RangeMoveable(r.Moveable)})
	}
	for _, r := range s.VIPA.Routes {
		out.VIPARoutes = append(out.VIPARoutes, plan.VIPARoute{DestXCF: r.DestXCF, Target: r.Target.Addr})
	}
	out.SPD = c.spd(s, dvipas)
	out.IKE = c.ike(s)
	out.KeyRing = c.keyRing(s)
	return out
}

func (c *compiler) dvipa(v *model.DVIPA) plan.DVIPA {
	d := plan.DVIPA{Addr: v.Addr, PrefixLen: v.PrefixLen, DefinedBy: []string{}, Backups: []plan.Backup{},
		Distributions: []plan.Distribution{}, Moveable: "IMMEDIATE"}
	if v.Addr.Is4() {
		d.Mask = maskOf(v.PrefixLen)
	}
	for _, def := range v.Defines {
		d.DefinedBy = append(d.DefinedBy, def.Stack.Name)
		if d.IntfName == "" {
			d.IntfName = def.IntfName
		}
	}
	for _, bk := range v.Backups {
		if d.IntfName == "" {
			d.IntfName = bk.IntfName
		}
	}
	switch {
	case len(v.Defines) > 0:
		def := v.Defines[0]
		d.Owner, d.Origin, d.Moveable = def.Stack.Name, "VIPADEFINE", plan.Moveable(def.Moveable)
		if len(v.Defines) > 1 {
			d.Notes = append(d.Notes, fmt.Sprintf("VIPADEFINEd on %s: tcpipc takes the first in manifest order, %s, as the owner and leaves the others out of the takeover chain (IBM does not document how they behave)",
				strings.Join(d.DefinedBy, ", "), d.Owner))
		}
	default:
		for _, bk := range v.Backups {
			if longForm(bk) {
				d.Owner, d.Origin = bk.Stack.Name, "VIPABACKUP"
				if bk.Moveable != "" {
					d.Moveable = plan.Moveable(bk.Moveable)
				}
				d.Notes = append(d.Notes, fmt.Sprintf("no stack VIPADEFINEs it: %s, the highest-ranked backup with a mask, creates it", d.Owner))
				break
			}
		}
		if d.Owner == "" {
			d.Notes = append(d.Notes, "no stack VIPADEFINEs it and no backup has the long form (MOVEABLE and a mask): no stack activates it")
		}
	}
	ranks := map[int][]string{}
	for i, bk := range v.Backups {
		d.Backups = append(d.Backups, plan.Backup{Position: i + 1, Rank: bk.Rank, Stack: bk.Stack.Name, CanCreate: longForm(bk)})
		ranks[bk.Rank] = append(ranks[bk.Rank], bk.Stack.Name)
	}
	for _, bk := range d.Backups {
		if same := ranks[bk.Rank]; len(same) > 1 && same[0] == bk.Stack {
			d.Notes = append(d.Notes, fmt.Sprintf("%s share rank %d: IBM does not define which takes over first; tcpipc takes manifest order",
				strings.Join(same, " and "), bk.Rank))
		}
	}
	for _, dist := range v.Distributes {
		if dist.HotStandbyRefusal() != "" {
			continue // the stack rejects or ignores it (lint: DIST001)
		}
		d.Distributions = append(d.Distributions, c.distribution(dist, v.Addr))
		if dist.Stack.Name == d.Owner {
			d.DistributedBy = d.Owner
		}
	}
	return d
}

// longForm reports whether a VIPABACKUP carries MOVEABLE and a mask (IPv6:
// a prefix), so the backup can create the DVIPA without an owner.
func longForm(bk *model.VIPABackup) bool {
	return bk.Moveable != "" && (bk.Mask != nil || bk.IntfName != "")
}

func (c *compiler) distribution(dist *model.VIPADistribute, addr netip.Addr) plan.Distribution {
	out := plan.Distribution{Stack: dist.Stack.Name, Ports: []plan.PortRange{}, Method: plan.Method(dist.Method), OptLocal: dist.OptLocal,
		SysplexPorts: dist.SysplexPorts, TimedAffinity: dist.TimedAffinity, DestAll: dist.DestAll, Targets: []plan.Target{}}
	_, out.NoAutoSwitchBack = dist.Options["NOAUTOSWITCHBACK"]
	_, out.NoHealthSwitch = dist.Options["NOHEALTHSWITCH"]
	for _, pr := range dist.Ports {
		out.Ports = append(out.Ports, plan.PortRange{From: pr.From, To: pr.To})
	}
	if dist.DestAll {
		// ALL: every stack of the distributor's group with a dynamic XCF
		// address of the DVIPA's family, the distributor included.
		for _, s := range c.sx.Stacks {
			if s.Groups.XCFGroup != dist.Stack.Groups.XCFGroup {
				continue
			}
			for _, x := range s.DynamicXCF {
				if x.Addr.Addr.Is4() == addr.Is4() {
					out.Targets = append(out.Targets, plan.Target{Stack: s.Name, XCF: x.Addr.Addr})
					break
				}
			}
		}
		return out
	}
	for _, dest := range dist.Dests {
		t := plan.Target{Stack: dest.StackName, XCF: dest.Addr.Addr, Weight: dest.Weight, BackupRank: dest.BackupRank}
		switch {
		case dest.Preferred:
			t.Role = "PREFERRED"
		case dest.Backup:
			t.Role = "BACKUP"
		}
		out.Targets = append(out.Targets, t)
	}
	return out
}

// maskOf writes an IPv4 prefix length as a dotted mask.
func maskOf(bits int) string {
	if bits < 0 || bits > 32 {
		return ""
	}
	m := ^uint32(0) << (32 - bits)
	if bits == 0 {
		m = 0
	}
	return netip.AddrFrom4([4]byte{byte(m >> 24), byte(m >> 16), byte(m >> 8), byte(m)}).String()
}
