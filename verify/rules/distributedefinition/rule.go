package distributedefinition

import (
	_ "embed"
	"fmt"
	"net/netip"

	"github.com/tcpipc/tcpipc/diag"
	"github.com/tcpipc/tcpipc/model"
	"github.com/tcpipc/tcpipc/verify"
)

//go:embed doc.go
var doc string

// Rule is DIST001.
var Rule = &verify.Rule{
	ID:       "DIST001",
	Name:     "distribute-definition",
	Severity: diag.Error,
	Also:     []diag.Severity{diag.Warning},
	Summary:  "VIPADISTRIBUTE without the DVIPA, with unknown targets, without DYNAMICXCF, or with options IBM rejects",
	Doc:      verify.DocOf(doc),
	Run:      run,
}

// methodOnly maps an option keyword to the only DISTMETHOD it belongs to.
var methodOnly = map[string]string{
	"AUTOSWITCHBACK": "HOTSTANDBY", "NOAUTOSWITCHBACK": "HOTSTANDBY",
	"HEALTHSWITCH": "HOTSTANDBY", "NOHEALTHSWITCH": "HOTSTANDBY",
	"PROCTYPE": "BASEWLM", "PROCXCOST": "SERVERWLM", "ILWEIGHTING": "SERVERWLM",
}

func run(p *verify.Pass) (any, error) {
	for _, s := range p.Sysplex.Stacks {
		owned := map[string]bool{}
		for _, d := range s.VIPA.Defines {
			owned[d.Addr.Addr.String()] = true
		}
		for _, b := range s.VIPA.Backups {
			owned[b.Addr.Addr.String()] = true
		}
		for _, d := range s.VIPA.Distributes {
			check(p, s, d, owned[d.Addr.Addr.String()])
		}
	}
	return nil, nil
}

func check(p *verify.Pass, s *model.Stack, d *model.VIPADistribute, owned bool) {
	if !owned {
		p.Reportf(d.Addr.Range, "VIPADISTRIBUTE %s on %s: the stack neither defines nor backs up this DVIPA", d.Addr.Addr, s.Name).Detail =
			"A stack can only distribute a dynamic VIPA it owns or backs up; add VIPADEFINE or VIPABACKUP for it to this profile."
	}
	if len(s.DynamicXCF) == 0 {
		p.Reportf(d.Statement, "VIPADISTRIBUTE on %s, which has no IPCONFIG DYNAMICXCF", s.Name).Detail =
			"Distributed connections are forwarded over dynamic XCF; code IPCONFIG DYNAMICXCF on this stack."
	}
	if !d.DestAll && len(d.Dests) == 0 {
		p.Reportf(d.Statement, "VIPADISTRIBUTE %s has no DESTIP", d.Addr.Addr).Detail = "Code DESTIP ALL or the dynamic XCF addresses of the target stacks."
	}
	// A tier-1 distributor's targets are tier-2 groups or, with GRE,
	// appliances outside z/OS (IBM, "Configure sysplex distributor tier 1
	// distributed DVIPAs and ports"): not dynamic XCF addresses.
	_, tier1 := d.Options["TIER1"]
	seen := map[netip.Addr]bool{}
	for _, dest := range d.Dests {
		if seen[dest.Addr.Addr] {
			w := p.Reportf(dest.Addr.Range, "DESTIP %s is listed twice for %s", dest.Addr.Addr, d.Addr.Addr)
			w.Severity = diag.Warning
			w.Detail = "Each target is named once; the second entry adds nothing but a second row in VDPT."
		}
		seen[dest.Addr.Addr] = true
		if dest.Stack == nil && !tier1 {
			p.Reportf(dest.Addr.Range, "DESTIP %s is not the dynamic XCF address of any stack in sysplex %s", dest.Addr.Addr, p.Sysplex.Name).Detail =
				"Targets are named by their IPCONFIG DYNAMICXCF address; this one never receives a connection."
		}
		if dest.Weight != nil && d.Method != "WEIGHTEDACTIVE" {
			methodError(p, d, dest.Addr.Range, "WEIGHT", "WEIGHTEDACTIVE")
		}
		if (dest.Preferred || dest.Backup) && d.Method != "HOTSTANDBY" {
			kw := map[bool]string{true: "PREFERRED", false: "BACKUP"}[dest.Preferred]
			methodError(p, d, dest.Addr.Range, kw, "HOTSTANDBY")
		}
	}
	if why := d.HotStandbyRefusal(); why != "" {
		p.Reportf(d.Statement, "VIPADISTRIBUTE %s: %s", d.Addr.Addr, why).Detail =
			"tcpipc leaves the distribution out of the plan, as the stack does."
	}
	for kw, r := range d.Options {
		if m, ok := methodOnly[kw]; ok && d.Method != m {
			methodError(p, d, r, kw, m)
		}
	}
	if r1, ok := d.Options["TIER1"]; ok {
		if _, ok2 := d.Options["TIER2"]; ok2 {
			p.Reportf(r1, "VIPADISTRIBUTE %s codes both TIER1 and TIER2", d.Addr.Addr)
		}
	}
	if d.OptLocal != nil && (*d.OptLocal < 0 || *d.OptLocal > 16) {
		w := p.Reportf(d.Options["OPTLOCAL"], "OPTLOCAL %d is outside 0-16", *d.OptLocal)
		w.Severity = diag.Warning
	}
	for _, pr := range d.Ports {
		if pr.From < 1 || pr.To > 65535 || pr.To < pr.From {
			p.Reportf(d.Statement, "VIPADISTRIBUTE %s: port %s is not a port or an ascending range of ports in 1-65535", d.Addr.Addr, portText(pr))
		}
	}
}

func methodError(p *verify.Pass, d *model.VIPADistribute, r diag.Range, kw, method string) {
	e := p.Reportf(r, "%s needs DISTMETHOD %s, but %s is distributed with %s", kw, method, d.Addr.Addr, d.Method)
	switch method {
	case "HOTSTANDBY":
		e.Detail = "The stack rejects the statement (EZZ0831I) and ignores the rest of the VIPADYNAMIC block."
	case "WEIGHTEDACTIVE":
		e.Severity = diag.Warning // the stack keeps the statement
		e.Detail = "The stack ignores the WEIGHT and distributes with " + d.Method + " (EZZ0799I); code DISTMETHOD WEIGHTEDACTIVE for weights to count, or leave WEIGHT out."
	}
}

func portText(p model.PortRange) string {
	if p.From == p.To {
		return fmt.Sprint(p.From)
	}
	return fmt.Sprintf("%d-%d", p.From, p.To)
}
