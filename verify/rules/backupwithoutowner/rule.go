package backupwithoutowner

import (
	_ "embed"

	"github.com/tcpipc/tcpipc/diag"
	"github.com/tcpipc/tcpipc/verify"
)

//go:embed doc.go
var doc string

// Rule is DVIPA001.
var Rule = &verify.Rule{
	ID:       "DVIPA001",
	Name:     "backup-without-owner",
	Severity: diag.Warning,
	Summary:  "VIPABACKUP without a mask for a DVIPA no stack defines",
	Doc:      verify.DocOf(doc),
	Run:      run,
}

func run(p *verify.Pass) (any, error) {
	for _, v := range p.Sysplex.DVIPAs {
		if len(v.Defines) > 0 {
			continue
		}
		canCreate := false
		for _, b := range v.Backups {
			canCreate = canCreate || b.Mask != nil || b.IntfName != ""
		}
		if canCreate {
			continue
		}
		for _, b := range v.Backups {
			d := p.Reportf(b.Addr.Range, "VIPABACKUP %s on %s: no stack defines this DVIPA and the backup has no mask to create it", v.Addr, b.Stack.Name)
			d.Detail = "Nothing in the sysplex can create this dynamic VIPA. VIPADEFINE it on its owner, or use VIPABACKUP rank MOVEABLE IMMEDIATE mask address so the backup can create it."
		}
	}
	return nil, nil
}
