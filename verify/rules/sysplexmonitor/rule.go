package sysplexmonitor

import (
	_ "embed"

	"github.com/tcpipc/tcpipc/diag"
	"github.com/tcpipc/tcpipc/verify"
)

//go:embed doc.go
var doc string

// Rule is PLEX001.
var Rule = &verify.Rule{
	ID:       "PLEX001",
	Name:     "sysplex-monitor",
	Severity: diag.Info,
	Summary:  "SYSPLEXMONITOR RECOVERY without AUTOREJOIN, or OMPROUTE and DELAYJOIN without each other",
	Doc:      verify.DocOf(doc),
	Run:      run,
}

func run(p *verify.Pass) (any, error) {
	for _, s := range p.Sysplex.Stacks {
		sm := s.SysplexMonitor
		if len(s.VIPA.Defines)+len(s.VIPA.Backups) == 0 {
			continue // no DVIPAs of its own to lose or take over
		}
		at := sm.Range
		if at.IsZero() && s.Profile != nil {
			at = diag.Range{File: s.Profile.Main, Start: diag.Pos{Line: 1, Column: 1}, End: diag.Pos{Line: 1, Column: 1}}
		}
		if sm.Recovery && !sm.AutoRejoin {
			p.Reportf(at, "%s: SYSPLEXMONITOR RECOVERY without AUTOREJOIN", s.Name).Detail =
				"After recovery the stack stays out of the sysplex group, and its DVIPAs stay with the backups, until an operator issues VARY TCPIP,,SYSPLEX,JOINGROUP. Add AUTOREJOIN."
		}
		if s.Runs("OMPROUTE") && !sm.DelayJoin {
			where := at
			if r, ok := s.AutologAt["OMPROUTE"]; ok && sm.Range.IsZero() {
				where = r // no SYSPLEXMONITOR coded: where the stack starts OMPROUTE
			}
			p.Reportf(where, "%s runs OMPROUTE without SYSPLEXMONITOR DELAYJOIN", s.Name).Detail =
				"Without DELAYJOIN the stack joins the group and activates DVIPAs before OMPROUTE can advertise them. Add DELAYJOIN."
		}
		if sm.DelayJoin && !s.Runs("OMPROUTE") {
			p.Reportf(at, "%s: SYSPLEXMONITOR DELAYJOIN, but nothing in its profile starts OMPROUTE", s.Name).Detail =
				"With DELAYJOIN the stack joins the sysplex group, and activates or takes over DVIPAs, only once OMPROUTE is initialised, and no AUTOLOG or PORT entry names OMPROUTE: if nothing else starts it, the stack never joins. tcpipc's whatif and run take the stack as joined at once. Start OMPROUTE, or remove DELAYJOIN."
		}
	}
	return nil, nil
}
