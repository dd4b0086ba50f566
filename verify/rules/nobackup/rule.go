package nobackup

import (
	_ "embed"

	"github.com/tcpipc/tcpipc/diag"
	"github.com/tcpipc/tcpipc/verify"
)

//go:embed doc.go
var doc string

// Rule is DVIPA005.
var Rule = &verify.Rule{
	ID:       "DVIPA005",
	Name:     "no-backup",
	Severity: diag.Info,
	Summary:  "a DVIPA with no backup anywhere (single point of failure)",
	Doc:      verify.DocOf(doc),
	Run:      run,
}

func run(p *verify.Pass) (any, error) {
	for _, v := range p.Sysplex.DVIPAs {
		if len(v.Defines) == 1 && len(v.Backups) == 0 {
			d := v.Defines[0]
			p.Reportf(d.Addr.Range, "DVIPA %s has no backup: it goes down with %s", v.Addr, d.Stack.Name).Detail =
				"No stack codes VIPABACKUP for it. Add a backup on another stack if the address should survive a failure of " + d.Stack.Name + "."
		}
	}
	return nil, nil
}
