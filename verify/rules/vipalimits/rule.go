package vipalimits

import (
	_ "embed"
	"net/netip"

	"github.com/tcpipc/tcpipc/diag"
	"github.com/tcpipc/tcpipc/model"
	"github.com/tcpipc/tcpipc/verify"
)

//go:embed doc.go
var doc string

// Rule is DVIPA006.
var Rule = &verify.Rule{
	ID:       "DVIPA006",
	Name:     "vipa-limits",
	Severity: diag.Error,
	Summary:  "more than 1024 DVIPAs on a stack, or more VIPARANGE statements than the release allows",
	Doc:      verify.DocOf(doc),
	Run:      run,
}

// Documented limits.
const (
	maxDVIPAs         = 1024
	maxRangesOld      = 1024 // up to V2R2
	maxRangesFromV2R3 = 4096
)

func run(p *verify.Pass) (any, error) {
	targets := map[*model.Stack]map[netip.Addr]bool{}
	for _, v := range p.Sysplex.DVIPAs {
		for _, d := range v.Distributes {
			for _, s := range targetStacks(p.Sysplex, d) {
				if targets[s] == nil {
					targets[s] = map[netip.Addr]bool{}
				}
				targets[s][v.Addr] = true
			}
		}
	}
	for _, s := range p.Sysplex.Stacks {
		all := map[netip.Addr]bool{}
		for a := range targets[s] {
			all[a] = true
		}
		for _, d := range s.VIPA.Defines {
			all[d.Addr.Addr] = true
		}
		for _, b := range s.VIPA.Backups {
			all[b.Addr.Addr] = true
		}
		if len(all) > maxDVIPAs && s.Profile != nil {
			p.Reportf(profileStart(s), "%s has %d dynamic VIPAs (configured or distribution targets); the limit is %d", s.Name, len(all), maxDVIPAs)
		}
		limit := maxRangesFromV2R3
		if s.Release.Known() && s.Release.Before(model.Release{Version: 2, Release: 3}) {
			limit = maxRangesOld
		}
		if n := len(s.VIPA.Ranges); n > limit {
			p.Reportf(s.VIPA.Ranges[limit].Statement, "%s codes %d VIPARANGE statements; %s allows %d", s.Name, n, releaseName(s), limit)
		}
	}
	return nil, nil
}

// targetStacks are the stacks a distribution can send connections to.
func targetStacks(sx *model.Sysplex, d *model.VIPADistribute) []*model.Stack {
	if d.DestAll {
		var out []*model.Stack
		for _, s := range sx.Stacks {
			if len(s.DynamicXCF) > 0 {
				out = append(out, s)
			}
		}
		return out
	}
	var out []*model.Stack
	for _, dest := range d.Dests {
		if dest.Stack != nil {
			out = append(out, dest.Stack)
		}
	}
	return out
}

func profileStart(s *model.Stack) diag.Range {
	return diag.Range{File: s.Profile.Main, Start: diag.Pos{Line: 1, Column: 1}, End: diag.Pos{Line: 1, Column: 1}}
}

func releaseName(s *model.Stack) string {
	if s.Release.Known() {
		return s.Release.String()
	}
	return "a current release"
}
