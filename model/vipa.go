package model

import (
	"fmt"
	"net/netip"
	"slices"
	"strconv"
	"strings"

	"github.com/tcpipc/tcpipc/diag"
	"github.com/tcpipc/tcpipc/grammar/profile"
)

// vipa applies one VIPADYNAMIC statement to the stack's configuration, in
// profile order, the way the stack processes its block: definitions add,
// VIPADELETE and VIPADISTRIBUTE DELETE remove, and a second definition of
// an address without a VIPADELETE in between is rejected.
func (b *stackBuilder) vipa(st profile.Statement) {
	if b.vipaLoopback(st) {
		return // the stack ignores the statement
	}
	v := &b.s.VIPA
	v.Statements++
	switch s := st.(type) {
	case *profile.VIPADefine:
		b.vipaDefine(s)
	case *profile.VIPABackup:
		b.vipaBackup(s)
	case *profile.VIPADelete:
		for _, a := range b.deletedAddrs(s) {
			v.Defines = removeWhere(v.Defines, func(d *VIPADefine) bool { return d.Addr.Addr == a })
			v.Backups = removeWhere(v.Backups, func(d *VIPABackup) bool { return d.Addr.Addr == a })
			delete(b.vipaFirst, a)
		}
	case *profile.VIPADistribute:
		b.vipaDistribute(s)
	case *profile.VIPARange:
		b.vipaRange(s)
	case *profile.VIPARoute:
		if s.Action == "DELETE" {
			v.Routes = removeWhere(v.Routes, func(r *VIPARoute) bool { return r.DestXCF == s.DestXCF })
			return
		}
		t := &profile.Addr{Node: s.Sub(s.Len()-1, s.Len()), Text: s.Target}
		if a, ok := b.addr(t); ok {
			v.Routes = append(v.Routes, &VIPARoute{DestXCF: s.DestXCF, Target: a, Statement: s.Info().Range})
		}
	}
}

// claim records a VIPADEFINE or VIPABACKUP of an address and reports
// whether the stack accepts it.
func (b *stackBuilder) claim(a Addr, kind string) bool {
	if first, dup := b.vipaFirst[a.Addr]; dup {
		b.s.VIPA.Rejected = append(b.s.VIPA.Rejected, &RejectedVIPA{Addr: a, Kind: kind, First: first})
		return false
	}
	b.vipaFirst[a.Addr] = a.Range
	return true
}

// moveable is a statement's MOVEABLE mode, dflt when it codes none. A
// mode the statement does not take is an error, and dflt stands: by IBM's
// syntax diagrams VIPADEFINE and VIPABACKUP take IMMEDIATE or WHENIDLE
// (an IPv6 DVIPA IMMEDIATE only), VIPARANGE NONDISRUPTIVE or DISRUPTIVE.
func (b *stackBuilder) moveable(m *profile.Moveable, stmt string, v6 bool, dflt string) string {
	if m == nil {
		return dflt
	}
	allowed := []string{"IMMEDIATE", "WHENIDLE"}
	switch {
	case stmt == "VIPARANGE":
		allowed = []string{"NONDISRUPTIVE", "DISRUPTIVE"}
	case v6:
		allowed = []string{"IMMEDIATE"}
	}
	if slices.Contains(allowed, m.Mode) {
		return m.Mode
	}
	family := ""
	if v6 && stmt != "VIPARANGE" {
		family = " for an IPv6 DVIPA"
	}
	d := b.errorf(b.prof.RangeOf(&m.Node), "%s takes MOVEABLE %s%s, not %s", stmt, strings.Join(allowed, " or "), family, m.Mode)
	d.Detail = "The stack rejects the statement (IP Configuration Reference, " + stmt + " statement)."
	return dflt
}

// maxIntfName is the longest IPv6 interface name a VIPADEFINE,
// VIPABACKUP or VIPARANGE gives ("The maximum length is 16 characters",
// VIPADELETE statement).
const maxIntfName = 16

// checkIntfName reports an IPv6 DVIPA interface name over maxIntfName.
func (b *stackBuilder) checkIntfName(n *profile.Name, stmt string) {
	if n != nil && len(n.Text) > maxIntfName {
		b.errorf(b.prof.RangeOf(&n.Node), "%s: interface name %s is %d characters long; IPv6 interface names have at most %d",
			stmt, n.Text, len(n.Text), maxIntfName)
	}
}

func (b *stackBuilder) vipaDefine(s *profile.VIPADefine) {
	r := s.Info().Range
	b.checkIntfName(s.IntfName, "VIPADEFINE")
	b.cpcScope(s.CPCScope, r, "VIPADEFINE")
	if s.IntfName != nil {
		p, err := netip.ParsePrefix(withPrefix(s.Addr6))
		if err != nil {
			b.errorf(r, "%s is not a valid IPv6 address", s.Addr6)
			return
		}
		a := Addr{Addr: p.Addr(), Text: s.Addr6, Range: r}
		if !b.v4Compatible(a.Addr, r, "VIPADEFINE") && b.claim(a, "VIPADEFINE") {
			b.s.VIPA.Defines = append(b.s.VIPA.Defines, &VIPADefine{Stack: b.s, Addr: a, PrefixLen: p.Bits(),
				IntfName: s.IntfName.Text, Moveable: b.moveable(s.Moveable, "VIPADEFINE", true, "IMMEDIATE"), Tier: s.Tier, CPCScope: s.CPCScope, Statement: r})
		}
		return
	}
	mask, bits, ok := b.maskLen(s.Mask)
	if !ok {
		return
	}
	mode := b.moveable(s.Moveable, "VIPADEFINE", false, "IMMEDIATE")
	for _, pa := range s.Addrs {
		a, ok := b.addr(pa)
		if !ok || !b.claim(a, "VIPADEFINE") {
			continue
		}
		b.s.VIPA.Defines = append(b.s.VIPA.Defines, &VIPADefine{Stack: b.s, Addr: a, Mask: mask, PrefixLen: bits,
			Moveable: mode, Tier: s.Tier, CPCScope: s.CPCScope, Statement: r})
	}
}

func (b *stackBuilder) vipaBackup(s *profile.VIPABackup) {
	r := s.Info().Range
	rank := 1
	var rankRange = r
	if s.Rank != nil {
		rank = *s.Rank
		rankNode := s.Sub(1, 2) // the rank follows VIPABACKUP
		rankRange = b.prof.RangeOf(&rankNode)
	}
	b.checkIntfName(s.IntfName, "VIPABACKUP")
	b.cpcScope(s.CPCScope, r, "VIPABACKUP")
	base := VIPABackup{Stack: b.s, Rank: rank, RankRange: rankRange, Moveable: b.moveable(s.Moveable, "VIPABACKUP", s.IntfName != nil, ""),
		Tier: s.Tier, CPCScope: s.CPCScope, Statement: r}
	if s.IntfName != nil {
		p, err := netip.ParsePrefix(withPrefix(s.Addr6))
		if err != nil {
			b.errorf(r, "%s is not a valid IPv6 address", s.Addr6)
			return
		}
		e := base
		e.Addr, e.IntfName, e.PrefixLen = Addr{Addr: p.Addr(), Text: s.Addr6, Range: r}, s.IntfName.Text, p.Bits()
		if !b.v4Compatible(e.Addr.Addr, r, "VIPABACKUP") && b.claim(e.Addr, "VIPABACKUP") {
			b.s.VIPA.Backups = append(b.s.VIPA.Backups, &e)
		}
		return
	}
	addrs := s.Addrs
	if s.Moveable != nil && len(addrs) > 0 {
		// Form B: the first address is the mask the backup can create the
		// DVIPA with.
		mask, bits, ok := b.maskLen(addrs[0])
		if !ok {
			return
		}
		base.Mask, base.PrefixLen = mask, bits
		addrs = addrs[1:]
	}
	for _, pa := range addrs {
		a, ok := b.addr(pa)
		if !ok || !b.claim(a, "VIPABACKUP") {
			continue
		}
		e := base
		e.Addr = a
		b.s.VIPA.Backups = append(b.s.VIPA.Backups, &e)
	}
}

func (b *stackBuilder) vipaDistribute(s *profile.VIPADistribute) {
	r := s.Info().Range
	a, ok := b.distributedAddr(s, r)
	if !ok {
		return
	}
	d := &VIPADistribute{Stack: b.s, Addr: a, Method: "BASEWLM", Options: map[string]diag.Range{}, Statement: r}
	del := false
	for _, o := range append(append([]*profile.DistOption(nil), s.Options...), s.Trailing...) {
		or := b.prof.RangeOf(&o.Node)
		switch {
		case o.Action != "":
			del = o.Action == "DELETE"
			d.Options[o.Action] = or
		case o.Method != "":
			d.Method = o.Method
			d.Options["DISTMETHOD"] = or
		case o.OptLocal != nil:
			if o.OptLocal.Off {
				d.Options["NOOPTLOCAL"] = or
				continue
			}
			v := 1
			if o.OptLocal.Value != nil {
				v = *o.OptLocal.Value
			}
			d.OptLocal = &v
			d.Options["OPTLOCAL"] = or
		case o.SysplexPorts:
			d.SysplexPorts = true
			d.Options["SYSPLEXPORTS"] = or
		case o.TimedAffinity != nil:
			d.TimedAffinity = *o.TimedAffinity
			d.Options["TIMEDAFFINITY"] = or
		case o.ProcType != nil:
			d.Options["PROCTYPE"] = or
		case o.ProcXCost != nil:
			d.Options["PROCXCOST"] = or
		case o.ILWeighting != nil:
			d.Options["ILWEIGHTING"] = or
		case o.AutoSwitchBack != "":
			d.Options[o.AutoSwitchBack] = or
		case o.HealthSwitch != "":
			d.Options[o.HealthSwitch] = or
		case o.Tier != "":
			d.Options[o.Tier] = or
		case o.Other != nil:
			d.Options[o.Other.Name] = or
		}
	}
	for _, p := range s.Ports {
		from, to, isRange := strings.Cut(p, "-")
		f, _ := strconv.Atoi(from)
		t := f
		if isRange {
			t, _ = strconv.Atoi(to)
		}
		d.Ports = append(d.Ports, PortRange{From: f, To: t})
	}
	if !del && d.Method == "HOTSTANDBY" {
		b.healthSwitch(d)
	}
	v := &b.s.VIPA
	if d.HotStandbyRefusal() == "" {
		// A statement the stack rejects replaces nothing; it is kept
		// for lint (DIST001), and compile leaves it out.
		v.Distributes = withoutPorts(v.Distributes, a.Addr, d.Ports)
	}
	if del {
		return
	}
	if s.DestIP != nil {
		d.DestAll = s.DestIP.All
		for _, pd := range s.DestIP.Dests {
			da, ok := b.addr(pd.Addr)
			if !ok {
				continue
			}
			d.Dests = append(d.Dests, &Dest{Addr: da, Weight: pd.Weight, Preferred: pd.Preferred, Backup: pd.Backup, BackupRank: pd.BackupRank})
		}
	}
	v.Distributes = append(v.Distributes, d)
}

// HotStandbyRefusal says why the stack rejects or ignores a HOTSTANDBY
// VIPADISTRIBUTE, "" when it takes it: DESTIP ALL (EZZ0165I), not exactly
// one PREFERRED and at least one BACKUP (EZZ0826I, EZZ0827I), more than 31
// BACKUPs (EZZ0829I), a target both PREFERRED and BACKUP (EZZ0830I). compile leaves such a distribution out, and lint
// reports it (DIST001).
func (d *VIPADistribute) HotStandbyRefusal() string {
	if d.Method != "HOTSTANDBY" {
		return ""
	}
	if d.DestAll {
		return "DESTIP ALL cannot be used with DISTMETHOD HOTSTANDBY (EZZ0165I); the stack rejects the statement"
	}
	preferred, backups := 0, 0
	for _, dest := range d.Dests {
		if dest.Preferred {
			preferred++
		}
		if dest.Backup {
			backups++
		}
	}
	switch {
	case preferred != 1 || backups == 0:
		return fmt.Sprintf("DISTMETHOD HOTSTANDBY needs exactly one PREFERRED and at least one BACKUP target, and has %d and %d (EZZ0827I); the stack ignores the statement", preferred, backups)
	case backups > 31:
		return fmt.Sprintf("DISTMETHOD HOTSTANDBY takes at most 31 BACKUP targets, and has %d (EZZ0829I); the stack ignores the statement", backups)
	}
	return d.preferredAlsoBackup()
}

// preferredAlsoBackup says why the stack ignores a HOTSTANDBY
// distribution that names one target both PREFERRED and BACKUP (EZZ0830I),
// "" when the two are different targets.
func (d *VIPADistribute) preferredAlsoBackup() string {
	for _, p := range d.Dests {
		if !p.Preferred {
			continue
		}
		for _, bk := range d.Dests {
			if bk.Backup && bk.Addr.Addr == p.Addr.Addr {
				return fmt.Sprintf("DISTMETHOD HOTSTANDBY needs the PREFERRED and BACKUP targets to be different, and names %s as both (EZZ0830I); the stack ignores the statement", p.Addr.Addr)
			}
		}
	}
	return ""
}

// deletedAddrs are the DVIPAs a VIPADELETE names: IPv4 addresses, or the
// interface name of an IPv6 DVIPA (VIPADELete … | ipv6_intfname) that an
// earlier VIPADEFINE or VIPABACKUP of this stack gave.
func (b *stackBuilder) deletedAddrs(s *profile.VIPADelete) []netip.Addr {
	var out []netip.Addr
	for _, pa := range s.Addrs {
		if a, ok := b.addr(pa); ok {
			out = append(out, a.Addr)
		}
	}
	if s.IntfName != nil {
		name := s.IntfName.Text
		for _, d := range b.s.VIPA.Defines {
			if strings.EqualFold(d.IntfName, name) {
				out = append(out, d.Addr.Addr)
			}
		}
		for _, bk := range b.s.VIPA.Backups {
			if strings.EqualFold(bk.IntfName, name) {
				out = append(out, bk.Addr.Addr)
			}
		}
	}
	return out
}

// distributedAddr is the DVIPA a VIPADISTRIBUTE names: its IPv4 address,
// or the interface name of an IPv6 DVIPA that a VIPADEFINE or VIPABACKUP
// of this stack gave before it.
func (b *stackBuilder) distributedAddr(s *profile.VIPADistribute, r diag.Range) (Addr, bool) {
	if s.DVIPA != nil {
		return b.addr(s.DVIPA)
	}
	if s.IntfName == nil {
		return Addr{}, false
	}
	name := s.IntfName.Text
	for _, d := range b.s.VIPA.Defines {
		if strings.EqualFold(d.IntfName, name) {
			return Addr{Addr: d.Addr.Addr, Text: name, Range: b.prof.RangeOf(&s.IntfName.Node)}, true
		}
	}
	for _, bk := range b.s.VIPA.Backups {
		if strings.EqualFold(bk.IntfName, name) {
			return Addr{Addr: bk.Addr.Addr, Text: name, Range: b.prof.RangeOf(&s.IntfName.Node)}, true
		}
	}
	d := b.errorf(b.prof.RangeOf(&s.IntfName.Node), "VIPADISTRIBUTE names %s, which no earlier VIPADEFINE or VIPABACKUP of this stack defines", name)
	d.Detail = "An IPv6 DVIPA is distributed by the interface name its VIPADEFINE (or, on a backup, its VIPABACKUP) gives it; define it before the VIPADISTRIBUTE."
	return Addr{}, false
}

// withoutPorts takes the ports of a later VIPADISTRIBUTE (DEFINE or
// DELETE) for the DVIPA a out of the earlier ones: the stack keeps a
// distribution per DVIPA and port, so one for port 23 leaves another's
// port 5000 in place (IBM's sysplex distributor example codes both). A
// range that overlaps the later ports is taken out whole. A statement
// without ports, and an earlier one left without ports, apply to every
// port.
func withoutPorts(list []*VIPADistribute, a netip.Addr, ports []PortRange) []*VIPADistribute {
	return removeWhere(list, func(x *VIPADistribute) bool {
		if x.Addr.Addr != a {
			return false
		}
		if len(ports) == 0 || len(x.Ports) == 0 {
			return true
		}
		x.Ports = removeWhere(x.Ports, func(p PortRange) bool {
			for _, q := range ports {
				if p.From <= q.To && q.From <= p.To {
					return true
				}
			}
			return false
		})
		return len(x.Ports) == 0
	})
}

func (b *stackBuilder) vipaRange(s *profile.VIPARange) {
	r := s.Info().Range
	p, a, ok := b.rangePrefix(s, r)
	if !ok {
		return
	}
	v := &b.s.VIPA
	v.Ranges = removeWhere(v.Ranges, func(x *VIPARange) bool { return x.Prefix == p })
	if s.Action == "DELETE" {
		return
	}
	v.Ranges = append(v.Ranges, &VIPARange{Prefix: p, Addr: a, Moveable: b.moveable(s.Moveable, "VIPARANGE", false, "NONDISRUPTIVE"), SAF: s.SAF, Statement: r})
}

// rangePrefix is the prefix of a VIPARANGE: an IPv4 mask and address, or
// an IPv6 interface name and address/prefix length (IBM's examples write
// the length; an address alone is taken as /128, which tcpipc could not
// confirm).
func (b *stackBuilder) rangePrefix(s *profile.VIPARange, r diag.Range) (netip.Prefix, Addr, bool) {
	if s.Mask == nil {
		b.checkIntfName(s.IntfName, "VIPARANGE")
		p, err := netip.ParsePrefix(withPrefix(s.Addr6))
		if err != nil || !p.Addr().Is6() {
			b.errorf(r, "VIPARANGE %s %s: an IPv6 range is an IPv6 address with its prefix length (address/length)", s.IntfName.Text, s.Addr6)
			return netip.Prefix{}, Addr{}, false
		}
		if b.v4Compatible(p.Addr(), r, "VIPARANGE") {
			return netip.Prefix{}, Addr{}, false
		}
		return p.Masked(), Addr{Addr: p.Addr(), Text: s.Addr6, Range: r}, true
	}
	_, bits, ok1 := b.maskLen(s.Mask)
	a, ok2 := b.addr(s.Addr)
	if !ok1 || !ok2 {
		return netip.Prefix{}, Addr{}, false
	}
	return netip.PrefixFrom(a.Addr, bits).Masked(), a, true
}

func withPrefix(s string) string {
	if strings.Contains(s, "/") {
		return s
	}
	return s + "/128"
}

func removeWhere[T any](list []T, drop func(T) bool) []T {
	out := list[:0]
	for _, x := range list {
		if !drop(x) {
			out = append(out, x)
		}
	}
	return out
}

// cpcScope says that CPCSCOPE is kept but not acted on: IBM lets only
// stacks on the CPC that defines such a DVIPA take it over (z/OS
// Communications Server: IP Configuration Guide, sysplex distribution with
// DataPower, CPCSCOPE), and the manifest names no CPC.
func (b *stackBuilder) cpcScope(on bool, r diag.Range, stmt string) {
	if !on {
		return
	}
	d := b.ds.Infof(profile.RuleUnsupported, r, "%s CPCSCOPE is not modelled by tcpipc", stmt)
	d.Detail = "Only stacks on the same CPC may take a CPCSCOPE DVIPA over; the manifest names no CPC, so whatif and run let every backup in the chain take it over, wherever it runs."
	d.IncludedFrom = b.chain
}

// healthSwitch says that a coded HEALTHSWITCH or NOHEALTHSWITCH is kept
// but not acted on: IBM switches from an active target its health metrics
// find unhealthy (z/OS Communications Server: IP Configuration Guide,
// steps for configuring hot standby distribution), and tcpipc models no
// health metrics. Under another method DIST001 reports it as an error.
func (b *stackBuilder) healthSwitch(d *VIPADistribute) {
	for _, kw := range []string{"HEALTHSWITCH", "NOHEALTHSWITCH"} {
		r, ok := d.Options[kw]
		if !ok {
			continue
		}
		w := b.ds.Infof(profile.RuleUnsupported, r, "%s is not modelled by tcpipc", kw)
		w.Detail = "tcpipc models no health metrics (TSR and the others): whatif and run switch from the active HOTSTANDBY target only when its server stops listening, or its stack fails or leaves the sysplex group, whether HEALTHSWITCH or NOHEALTHSWITCH is coded."
		w.IncludedFrom = b.chain
	}
}
