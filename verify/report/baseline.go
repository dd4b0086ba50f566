package report

import (
	"bytes"
	"cmp"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"

	"github.com/tcpipc/tcpipc/diag"
)

// BaselineVersion is the version of the baseline file format this package
// reads and writes. It moves with FingerprintKey: a baseline of other
// fingerprints would match nothing and silently let every finding through
// as new, so reading one is an error instead.
const BaselineVersion = 1

// Baseline is a set of accepted findings, kept in a versioned JSON file.
// Only fingerprints are matched; rule, file and summary are there so a
// reviewer can read the file.
type Baseline struct {
	Version  int             `json:"version"`
	Tool     string          `json:"tool"`
	Findings []BaselineEntry `json:"findings"`
}

// BaselineEntry is one accepted finding.
type BaselineEntry struct {
	Fingerprint string `json:"fingerprint"`
	Rule        string `json:"rule"`
	File        string `json:"file"`
	Summary     string `json:"summary"`
}

// NewBaseline accepts every finding of ds.
func NewBaseline(ds diag.Diagnostics, src diag.Sources) *Baseline {
	ds = sorted(ds)
	fps := Fingerprints(ds, src)
	b := &Baseline{Version: BaselineVersion, Tool: ToolName, Findings: make([]BaselineEntry, len(ds))}
	for i, d := range ds {
		b.Findings[i] = BaselineEntry{Fingerprint: fps[i], Rule: d.Rule, File: displayFile(d.Range), Summary: d.Summary}
	}
	return b
}

// ReadBaseline reads a baseline file written by Write.
func ReadBaseline(path string) (*Baseline, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var b Baseline
	if err := json.Unmarshal(data, &b); err != nil {
		return nil, fmt.Errorf("baseline %s: %w", path, err)
	}
	if b.Version != BaselineVersion {
		return nil, fmt.Errorf("baseline %s: version %d, but this tcpipc reads version %d; write a new baseline", path, b.Version, BaselineVersion)
	}
	return &b, nil
}

// Write saves the baseline, entries sorted by file, rule and fingerprint so
// that regenerating it shows only real changes in review. It replaces the
// file by renaming a complete temporary file over it, so an interrupted run
// never leaves half a baseline.
func (b *Baseline) Write(path string) error {
	c := *b
	c.Version, c.Tool = BaselineVersion, ToolName
	c.Findings = slices.Clone(b.Findings)
	if c.Findings == nil {
		c.Findings = []BaselineEntry{}
	}
	slices.SortFunc(c.Findings, func(x, y BaselineEntry) int {
		return cmp.Or(cmp.Compare(x.File, y.File), cmp.Compare(x.Rule, y.Rule), cmp.Compare(x.Fingerprint, y.Fingerprint))
	})
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	if err := enc.Encode(c); err != nil {
		return err
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), ".baseline-*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(buf.Bytes()); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	if err := os.Chmod(tmp.Name(), baselineMode(path)); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}

// baselineMode is the mode a baseline is written with: 0644 for a new
// file, like tcpipc's other outputs that hold no key (a baseline holds
// fingerprints and summaries, never a snippet, and diagnostics never quote
// a key; it is meant to be committed and reviewed); the existing file's
// mode when one is replaced, so that a baseline its owner restricted is
// not opened up again by the next --write-baseline.
func baselineMode(path string) os.FileMode {
	if fi, err := os.Stat(path); err == nil && fi.Mode().IsRegular() {
		return fi.Mode().Perm()
	}
	return 0o644
}

// Filter splits ds into the findings the baseline does not know (kept) and
// those it accepts (suppressed), each in the order of ds.
func (b *Baseline) Filter(ds diag.Diagnostics, src diag.Sources) (kept, suppressed diag.Diagnostics) {
	known := make(map[string]bool, len(b.Findings))
	for _, e := range b.Findings {
		known[e.Fingerprint] = true
	}
	fps := Fingerprints(ds, src)
	for i, d := range ds {
		if d == nil {
			continue
		}
		if known[fps[i]] {
			suppressed = append(suppressed, d)
		} else {
			kept = append(kept, d)
		}
	}
	return kept, suppressed
}
