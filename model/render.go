package model

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"

	"github.com/tcpipc/tcpipc/diag"
)

// WriteText prints the model for people: the sysplex, each stack, and the
// DVIPAs across stacks. Secrets never appear.
func (sx *Sysplex) WriteText(w io.Writer) error {
	var b strings.Builder
	fmt.Fprintf(&b, "sysplex %s", sx.Name)
	if sx.Manifest != nil && sx.Manifest.Path != "" {
		fmt.Fprintf(&b, " (manifest %s)", diag.DisplayPath(sx.Manifest.Path))
	}
	b.WriteString("\n")
	if sx.VTAMXCFGrpID != nil {
		fmt.Fprintf(&b, "  VTAM XCFGRPID %02d\n", *sx.VTAMXCFGrpID)
	}
	for _, s := range sx.Stacks {
		s.writeText(&b)
	}
	for _, v := range sx.DVIPAs {
		v.writeText(&b)
	}
	_, err := io.WriteString(w, b.String())
	return err
}

func (s *Stack) writeText(b *strings.Builder) {
	fmt.Fprintf(b, "\nstack %s job %s", s.Name, s.Job)
	if s.Release.Known() {
		fmt.Fprintf(b, " release %s", s.Release)
	}
	b.WriteString("\n")
	if s.Profile != nil {
		fmt.Fprintf(b, "  profile %s\n", diag.DisplayPath(s.Profile.Main))
	}
	fmt.Fprintf(b, "  XCF group %s, SWSA structure %s, SYSPLEXPORTS structure %s\n", s.Groups.XCFGroup, s.Groups.SWSA, s.Groups.SysplexPorts)
	for _, x := range s.DynamicXCF {
		cost := ""
		if x.Cost != nil {
			cost = fmt.Sprintf(" cost %d", *x.Cost)
		}
		fmt.Fprintf(b, "  dynamic XCF %s/%d%s\n", x.Addr.Addr, x.PrefixLen, cost)
	}
	for _, h := range s.Home {
		fmt.Fprintf(b, "  home %s %s\n", h.Addr.Addr, h.Link)
	}
	fmt.Fprintf(b, "  IPSECURITY %s, IPCONFIG6 IPSECURITY %s, SOURCEVIPA %s", yes(s.IPSecurity != nil), yes(s.IPSecurity6 != nil), yes(s.SourceVIPA != nil))
	if s.TCPStackSourceVIPA != nil {
		fmt.Fprintf(b, ", TCPSTACKSOURCEVIPA %s", s.TCPStackSourceVIPA.Addr)
	}
	b.WriteString("\n")
	sm := s.SysplexMonitor
	fmt.Fprintf(b, "  SYSPLEXMONITOR recovery %s autorejoin %s delayjoin %s timersecs %d\n", yes(sm.Recovery), yes(sm.AutoRejoin), yes(sm.DelayJoin), sm.TimerSecs)
	if blk := s.IPSec; blk != nil {
		fmt.Fprintf(b, "  IPSEC DVIPSEC %s DVLOCALFLTR %s, %d default filter rules\n", yes(blk.DVIPSec != nil), yes(blk.DVLocalFltr != nil), len(blk.Rules))
		for _, r := range blk.Rules {
			fmt.Fprintf(b, "    %s\n", r)
		}
	}
	if pol := s.Policy; pol != nil {
		var files []string
		for _, f := range pol.Files {
			files = append(files, diag.DisplayPath(f))
		}
		fmt.Fprintf(b, "  policy %s: installed %s, %d filters\n", strings.Join(files, " + "), yes(pol.Installed), len(pol.FilterRules))
		if pol.NotInstalled != "" {
			fmt.Fprintf(b, "    not installed: %s\n", pol.NotInstalled)
		}
		for _, r := range pol.FilterRules {
			fmt.Fprintf(b, "    %s\n", r)
		}
		if kp := pol.KeyExchange; kp != nil {
			live := "none"
			if kp.LivenessInterval != nil {
				live = fmt.Sprintf("%ds", *kp.LivenessInterval)
			}
			fmt.Fprintf(b, "  key exchange: allow NAT %s, liveness %s, %d rules\n", yes(kp.AllowNat), live, len(kp.Rules))
			for _, r := range kp.Rules {
				fmt.Fprintf(b, "    %s\n", r)
			}
		}
	}
	if k := s.Iked; k != nil {
		fmt.Fprintf(b, "  iked %s: %d IkeConfig parameters, NSS %s\n", diag.DisplayPath(k.File), len(k.Params), orNone([]string{k.NetworkSecurityServer}[:min(1, len(k.NetworkSecurityServer))]))
	}
	for _, e := range s.SrcIP {
		fmt.Fprintf(b, "  SRCIP %s%s source %s\n", e.Destination, e.JobName, e.Source.Addr)
	}
	for _, d := range s.VIPA.Defines {
		fmt.Fprintf(b, "  VIPADEFINE %s/%d moveable %s\n", d.Addr.Addr, d.PrefixLen, strings.ToLower(d.Moveable))
	}
	for _, bk := range s.VIPA.Backups {
		form := ""
		if bk.Mask != nil {
			form = fmt.Sprintf(" /%d moveable %s", bk.PrefixLen, strings.ToLower(bk.Moveable))
		}
		fmt.Fprintf(b, "  VIPABACKUP %s rank %d%s\n", bk.Addr.Addr, bk.Rank, form)
	}
	for _, d := range s.VIPA.Distributes {
		fmt.Fprintf(b, "  VIPADISTRIBUTE %s ports %s method %s to %s\n", d.Addr.Addr, portList(d.Ports), strings.ToLower(d.Method), d.destText())
	}
	for _, r := range s.VIPA.Rejected {
		fmt.Fprintf(b, "  rejected %s %s (already defined at %s)\n", r.Kind, r.Addr.Addr, r.First)
	}
	for _, r := range s.VIPA.Ranges {
		fmt.Fprintf(b, "  VIPARANGE %s moveable %s\n", r.Prefix, strings.ToLower(r.Moveable))
	}
	for _, r := range s.VIPA.Routes {
		fmt.Fprintf(b, "  VIPAROUTE %s via %s\n", r.DestXCF, r.Target.Addr)
	}
}

func (d *VIPADistribute) destText() string {
	if d.DestAll {
		return "ALL"
	}
	var parts []string
	for _, dest := range d.Dests {
		name := dest.StackName
		if name == "" {
			name = "?"
		}
		s := fmt.Sprintf("%s (%s)", name, dest.Addr.Addr)
		switch {
		case dest.Weight != nil:
			s += fmt.Sprintf(" weight %d", *dest.Weight)
		case dest.Preferred:
			s += " preferred"
		case dest.Backup:
			s += " backup"
		}
		parts = append(parts, s)
	}
	if len(parts) == 0 {
		return "(no DESTIP)"
	}
	return strings.Join(parts, ", ")
}

func (v *DVIPA) writeText(b *strings.Builder) {
	fmt.Fprintf(b, "\ndvipa %s/%d\n", v.Addr, v.PrefixLen)
	var owners, backups []string
	for _, d := range v.Defines {
		owners = append(owners, d.Stack.Name)
	}
	for _, bk := range v.Backups {
		backups = append(backups, fmt.Sprintf("%s (rank %d)", bk.Stack.Name, bk.Rank))
	}
	fmt.Fprintf(b, "  owner %s\n  backups %s\n", orNone(owners), orNone(backups))
	for _, d := range v.Distributes {
		fmt.Fprintf(b, "  distributed by %s, ports %s, %s, to %s\n", d.Stack.Name, portList(d.Ports), strings.ToLower(d.Method), d.destText())
	}
}

func (r *FilterRule) String() string {
	name := r.Name
	if r.Extension > 0 {
		name = fmt.Sprintf("%s.%d", r.Name, r.Extension)
	}
	s := fmt.Sprintf("%s %s %s -> %s proto %s", name, strings.ToLower(r.Action), r.Src, r.Dst, r.Protocol)
	if !r.SrcPorts.Any() || !r.DstPorts.Any() {
		s += fmt.Sprintf(" ports %s -> %s", r.SrcPorts, r.DstPorts)
	}
	if r.ICMPType != nil || r.ICMPCode != nil {
		s += fmt.Sprintf(" icmp type %s code %s", r.ICMPType, r.ICMPCode)
	}
	if r.OSPFType != nil {
		s += " ospf type " + r.OSPFType.String()
	}
	s += fmt.Sprintf(" routing %s direction %s", strings.ToLower(r.Routing), strings.ToLower(r.Direction))
	if r.DynVPN != nil {
		s += " vpn " + r.DynVPN.String()
	}
	if r.ManVPN != nil {
		s += " manual vpn " + r.ManVPN.Name
	}
	return s
}

func (r *KeyExchangeRule) String() string {
	ep := func(e *SecurityEndpoint) string {
		if e == nil {
			return "?"
		}
		var locs []string
		for _, l := range e.Locations {
			locs = append(locs, l.String())
		}
		s := "no identity"
		if e.IdentityType != "" {
			s = strings.ToLower(e.IdentityType) + " " + e.Identity
		}
		if len(locs) > 0 {
			s += " at " + strings.Join(locs, ",")
		}
		return s
	}
	how := "?"
	if a := r.Action; a != nil {
		how = strings.ToLower(a.HowToInitiate + " " + a.HowToAuthMe)
	}
	key := "no shared key"
	if r.SharedKey.Present() {
		key = "shared key " + r.SharedKey.String()
	}
	return fmt.Sprintf("%s: local %s, remote %s, %s, %s", r.Name, ep(r.Local), ep(r.Remote), how, key)
}

func portList(ps []PortRange) string {
	if len(ps) == 0 {
		return "any"
	}
	var parts []string
	for _, p := range ps {
		if p.From == p.To {
			parts = append(parts, fmt.Sprint(p.From))
		} else {
			parts = append(parts, fmt.Sprintf("%d-%d", p.From, p.To))
		}
	}
	return strings.Join(parts, " ")
}

func yes(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}

func orNone(s []string) string {
	if len(s) == 0 {
		return "none"
	}
	return strings.Join(s, ", ")
}

// dvipaJSON is the JSON form of a DVIPA, naming stacks instead of pointing.
type dvipaJSON struct {
	Addr        string   `json:"addr"`
	PrefixLen   int      `json:"prefixLen"`
	Owners      []string `json:"owners"`
	Backups     []string `json:"backups"`
	Distributed []string `json:"distributedBy"`
}

// WriteJSON writes the model as JSON with display paths.
func (sx *Sysplex) WriteJSON(w io.Writer) error {
	dvipas := make([]dvipaJSON, 0, len(sx.DVIPAs))
	for _, v := range sx.DVIPAs {
		j := dvipaJSON{Addr: v.Addr.String(), PrefixLen: v.PrefixLen, Owners: []string{}, Backups: []string{}, Distributed: []string{}}
		for _, d := range v.Defines {
			j.Owners = append(j.Owners, d.Stack.Name)
		}
		for _, bk := range v.Backups {
			j.Backups = append(j.Backups, fmt.Sprintf("%s:%d", bk.Stack.Name, bk.Rank))
		}
		for _, d := range v.Distributes {
			j.Distributed = append(j.Distributed, d.Stack.Name)
		}
		dvipas = append(dvipas, j)
	}
	data, err := json.Marshal(struct {
		Name   string      `json:"name"`
		VTAM   *int        `json:"vtamXcfGrpId,omitempty"`
		Stacks []*Stack    `json:"stacks"`
		DVIPAs []dvipaJSON `json:"dvipas"`
	}{sx.Name, sx.VTAMXCFGrpID, sx.Stacks, dvipas})
	if err != nil {
		return err
	}
	// Ranges name files as read; show them as display paths.
	var v any
	if err := json.Unmarshal(data, &v); err != nil {
		return err
	}
	displayPaths(v)
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(v)
}

func displayPaths(v any) {
	switch x := v.(type) {
	case map[string]any:
		for k, c := range x {
			if s, ok := c.(string); ok && k == "file" {
				x[k] = diag.DisplayPath(s)
				continue
			}
			displayPaths(c)
		}
	case []any:
		for _, c := range x {
			displayPaths(c)
		}
	}
}
