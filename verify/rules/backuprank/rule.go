package backuprank

import (
	_ "embed"

	"github.com/tcpipc/tcpipc/diag"
	"github.com/tcpipc/tcpipc/verify"
)

//go:embed doc.go
var doc string

// Rule is DVIPA002.
var Rule = &verify.Rule{
	ID:       "DVIPA002",
	Name:     "backup-rank",
	Severity: diag.Warning,
	Also:     []diag.Severity{diag.Error},
	Summary:  "backups of one DVIPA with equal ranks, or a rank outside 1-254",
	Doc:      verify.DocOf(doc),
	Run:      run,
}

func run(p *verify.Pass) (any, error) {
	for _, v := range p.Sysplex.DVIPAs {
		byRank := map[int]string{}
		first := map[int]diag.Range{}
		for _, b := range v.Backups {
			if b.Rank < 1 || b.Rank > 254 {
				d := p.Reportf(b.RankRange, "VIPABACKUP rank %d for %s is outside 1-254", b.Rank, v.Addr)
				d.Severity = diag.Error
				d.Detail = "The stack rejects ranks outside 1 (last in the backup chain) to 254 (first)."
				continue
			}
			if other, dup := byRank[b.Rank]; dup {
				d := p.Reportf(b.RankRange, "%s and %s back up %s with the same rank %d", other, b.Stack.Name, v.Addr, b.Rank)
				d.Detail = "The order in which equal-rank backups take over is undefined; give each backup a distinct rank."
				d.Related = []diag.Related{{Range: first[b.Rank], Message: other + " has the same rank here"}}
				continue
			}
			byRank[b.Rank], first[b.Rank] = b.Stack.Name, b.RankRange
		}
	}
	return nil, nil
}
