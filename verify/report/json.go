package report

import (
	"encoding/json"
	"io"

	"github.com/tcpipc/tcpipc/diag"
)

// jsonFinding is diag's JSON shape plus the fingerprint.
type jsonFinding struct {
	*diag.Diagnostic
	Fingerprint string `json:"fingerprint"`
}

// WriteJSON writes findings as a JSON array in the shape of diag.WriteJSON,
// sorted, with display paths everywhere (related ranges and the include
// chain too) and a "fingerprint" per finding.
func WriteJSON(w io.Writer, ds diag.Diagnostics, o Options) error {
	ds = sorted(ds)
	fps := Fingerprints(ds, o.Sources)
	out := make([]jsonFinding, len(ds))
	for i, d := range ds {
		out[i] = jsonFinding{Diagnostic: withDisplayPaths(d), Fingerprint: fps[i]}
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(out)
}

// withDisplayPaths copies d with every range's file as a display path.
func withDisplayPaths(d *diag.Diagnostic) *diag.Diagnostic {
	c := *d
	fix := func(r diag.Range) diag.Range {
		r.File = displayFile(r)
		return r
	}
	c.Range = fix(c.Range)
	if d.Related != nil {
		c.Related = make([]diag.Related, len(d.Related))
		for i, r := range d.Related {
			c.Related[i] = diag.Related{Range: fix(r.Range), Message: r.Message}
		}
	}
	if d.IncludedFrom != nil {
		c.IncludedFrom = make([]diag.Range, len(d.IncludedFrom))
		for i, r := range d.IncludedFrom {
			c.IncludedFrom[i] = fix(r)
		}
	}
	return &c
}
