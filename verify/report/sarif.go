package report

import (
	"cmp"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"net/url"
	"slices"
	"strings"
	"unicode/utf16"

	"github.com/tcpipc/tcpipc/diag"
)

// SARIFSchema is the $schema every SARIF log names: the OASIS standard's
// schema with its approved errata.
const SARIFSchema = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"

// srcRoot is the uriBaseId of every relative artifact location: the
// directory lint ran in, which GitHub maps to the repository checkout.
const srcRoot = "%SRCROOT%"

// truncatedID identifies the notification that says results were cut.
const truncatedID = "TCPIPC-TRUNCATED"

type sarifLog struct {
	Schema  string     `json:"$schema"`
	Version string     `json:"version"`
	Runs    []sarifRun `json:"runs"`
}

type sarifRun struct {
	Tool        sarifTool         `json:"tool"`
	Invocations []sarifInvocation `json:"invocations,omitempty"`
	Artifacts   []sarifArtifact   `json:"artifacts,omitempty"`
	Results     []sarifResult     `json:"results"`
	ColumnKind  string            `json:"columnKind"`
}

type sarifTool struct {
	Driver sarifDriver `json:"driver"`
}

type sarifDriver struct {
	Name           string      `json:"name"`
	Version        string      `json:"version,omitempty"`
	InformationURI string      `json:"informationUri"`
	Rules          []sarifRule `json:"rules"`
}

type sarifText struct {
	Text     string `json:"text"`
	Markdown string `json:"markdown,omitempty"`
}

type sarifRule struct {
	ID                   string         `json:"id"`
	Name                 string         `json:"name,omitempty"`
	ShortDescription     *sarifText     `json:"shortDescription,omitempty"`
	FullDescription      *sarifText     `json:"fullDescription,omitempty"`
	Help                 *sarifText     `json:"help,omitempty"`
	HelpURI              string         `json:"helpUri,omitempty"`
	DefaultConfiguration *sarifRuleConf `json:"defaultConfiguration,omitempty"`
}

type sarifRuleConf struct {
	Level string `json:"level"`
}

type sarifInvocation struct {
	ExecutionSuccessful        bool                `json:"executionSuccessful"`
	ToolExecutionNotifications []sarifNotification `json:"toolExecutionNotifications,omitempty"`
}

type sarifNotification struct {
	Descriptor *sarifDescriptorRef `json:"descriptor,omitempty"`
	Level      string              `json:"level"`
	Message    sarifText           `json:"message"`
}

type sarifDescriptorRef struct {
	ID string `json:"id"`
}

type sarifArtifact struct {
	Location sarifArtifactLocation `json:"location"`
}

type sarifResult struct {
	RuleID              string            `json:"ruleId,omitempty"`
	RuleIndex           *int              `json:"ruleIndex,omitempty"`
	Level               string            `json:"level"`
	Message             sarifText         `json:"message"`
	Locations           []sarifLocation   `json:"locations,omitempty"`
	RelatedLocations    []sarifLocation   `json:"relatedLocations,omitempty"`
	PartialFingerprints map[string]string `json:"partialFingerprints"`
}

type sarifLocation struct {
	ID               *int                   `json:"id,omitempty"`
	PhysicalLocation *sarifPhysicalLocation `json:"physicalLocation,omitempty"`
	Message          *sarifText             `json:"message,omitempty"`
}

type sarifPhysicalLocation struct {
	ArtifactLocation sarifArtifactLocation `json:"artifactLocation"`
	Region           *sarifRegion          `json:"region,omitempty"`
	ContextRegion    *sarifRegion          `json:"contextRegion,omitempty"`
}

type sarifArtifactLocation struct {
	URI       string `json:"uri"`
	URIBaseID string `json:"uriBaseId,omitempty"`
}

type sarifRegion struct {
	StartLine   int        `json:"startLine"`
	StartColumn int        `json:"startColumn,omitempty"`
	EndLine     int        `json:"endLine,omitempty"`
	EndColumn   int        `json:"endColumn,omitempty"`
	Snippet     *sarifText `json:"snippet,omitempty"`
}

// WriteSARIF writes a SARIF 2.1.0 log with one run, as GitHub code scanning
// reads it. Rules come from o.Rules, plus an entry for every rule id a
// finding uses that o.Rules lacks. Columns are counted in UTF-16 code units
// when the source text is known, and the run says so in columnKind. When
// there are more findings than o.MaxResults, the most severe are kept and a
// tool execution notification says how many were left out.
func WriteSARIF(w io.Writer, ds diag.Diagnostics, o Options) error {
	ds = sorted(ds)
	fps := Fingerprints(ds, o.Sources)
	limit := o.MaxResults
	if limit <= 0 {
		limit = GitHubMaxResults
	}
	ds, fps, dropped := capResults(ds, fps, limit)

	rules, index := sarifRules(o.Rules, ds)
	run := sarifRun{
		Tool: sarifTool{Driver: sarifDriver{
			Name:           ToolName,
			Version:        o.ToolVersion,
			InformationURI: InformationURI,
			Rules:          rules,
		}},
		Results:    make([]sarifResult, 0, len(ds)),
		ColumnKind: "utf16CodeUnits",
	}
	if dropped != nil {
		run.Invocations = []sarifInvocation{{
			ExecutionSuccessful:        true,
			ToolExecutionNotifications: []sarifNotification{truncationNotice(len(ds), dropped)},
		}}
	}
	seen := map[string]bool{}
	for i, d := range ds {
		r := sarifResult{
			Level:               level(d.Severity),
			Message:             sarifText{Text: sarifMessage(d)},
			PartialFingerprints: map[string]string{FingerprintKey: fps[i]},
		}
		if d.Rule != "" {
			r.RuleID = d.Rule
			n := index[d.Rule]
			r.RuleIndex = &n
		}
		if loc := physicalLocation(anchor(d, o.Manifest), o.Sources, true); loc != nil {
			r.Locations = []sarifLocation{{PhysicalLocation: loc}}
		}
		r.RelatedLocations = relatedLocations(d, o.Sources)
		run.Results = append(run.Results, r)
		for _, loc := range append(r.Locations, r.RelatedLocations...) {
			if loc.PhysicalLocation != nil && !seen[loc.PhysicalLocation.ArtifactLocation.URI] {
				seen[loc.PhysicalLocation.ArtifactLocation.URI] = true
				run.Artifacts = append(run.Artifacts, sarifArtifact{Location: loc.PhysicalLocation.ArtifactLocation})
			}
		}
	}
	slices.SortFunc(run.Artifacts, func(a, b sarifArtifact) int { return cmp.Compare(a.Location.URI, b.Location.URI) })
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(sarifLog{Schema: SARIFSchema, Version: "2.1.0", Runs: []sarifRun{run}})
}

// capResults keeps at most max findings, the most severe first, and
// returns the kept ones in diag order with the dropped ones counted by
// severity (nil when nothing was dropped).
func capResults(ds diag.Diagnostics, fps []string, max int) (diag.Diagnostics, []string, map[diag.Severity]int) {
	if len(ds) <= max {
		return ds, fps, nil
	}
	idx := make([]int, len(ds))
	for i := range idx {
		idx[i] = i
	}
	// ds is in diag order, so a stable sort by severity keeps that order
	// within a severity and the cut is deterministic.
	slices.SortStableFunc(idx, func(a, b int) int { return cmp.Compare(ds[b].Severity, ds[a].Severity) })
	dropped := map[diag.Severity]int{}
	for _, i := range idx[max:] {
		dropped[ds[i].Severity]++
	}
	keep := idx[:max]
	slices.Sort(keep)
	kd := make(diag.Diagnostics, len(keep))
	kf := make([]string, len(keep))
	for j, i := range keep {
		kd[j], kf[j] = ds[i], fps[i]
	}
	return kd, kf, dropped
}

func truncationNotice(kept int, dropped map[diag.Severity]int) sarifNotification {
	sevs := slices.Collect(maps.Keys(dropped))
	slices.SortFunc(sevs, func(a, b diag.Severity) int { return cmp.Compare(b, a) })
	total := 0
	var parts []string
	for _, s := range sevs {
		total += dropped[s]
		parts = append(parts, fmt.Sprintf("%d %s", dropped[s], s))
	}
	return sarifNotification{
		Descriptor: &sarifDescriptorRef{ID: truncatedID},
		Level:      "warning",
		Message: sarifText{Text: fmt.Sprintf(
			"%d of %d results were left out (%s) because a run holds at most %d; the most severe were kept. Run tcpipc lint with text or JSON output to see them all.",
			total, kept+total, strings.Join(parts, ", "), kept)},
	}
}

// sarifRules lists o.Rules sorted by id, then rule ids that only findings
// name, and maps each id to its index.
func sarifRules(known []Rule, ds diag.Diagnostics) ([]sarifRule, map[string]int) {
	byID := ruleIndex(known)
	ids := make([]string, 0, len(byID))
	for id := range byID {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	var extra []string
	for _, d := range ds {
		if _, ok := byID[d.Rule]; !ok && d.Rule != "" && !slices.Contains(extra, d.Rule) {
			extra = append(extra, d.Rule)
		}
	}
	slices.Sort(extra)
	out := make([]sarifRule, 0, len(ids)+len(extra))
	index := map[string]int{}
	for _, id := range ids {
		index[id] = len(out)
		out = append(out, sarifRuleOf(byID[id]))
	}
	for _, id := range extra {
		index[id] = len(out)
		out = append(out, sarifRule{ID: id})
	}
	return out, index
}

func sarifRuleOf(r Rule) sarifRule {
	s := sarifRule{
		ID:                   r.ID,
		Name:                 r.Name,
		HelpURI:              absoluteURI(r.HelpURI),
		DefaultConfiguration: &sarifRuleConf{Level: level(r.Severity)},
	}
	short := cmp.Or(r.Summary, r.Name, r.ID)
	s.ShortDescription = &sarifText{Text: short}
	s.FullDescription = &sarifText{Text: cmp.Or(firstParagraph(r.Doc), short)}
	if r.Doc != "" {
		s.Help = &sarifText{Text: r.Doc, Markdown: r.Doc}
	}
	return s
}

// firstParagraph is the doc up to its first blank line, on one line.
func firstParagraph(doc string) string {
	doc = strings.TrimSpace(strings.ReplaceAll(doc, "\r\n", "\n"))
	if i := strings.Index(doc, "\n\n"); i >= 0 {
		doc = doc[:i]
	}
	return strings.Join(strings.Fields(doc), " ")
}

// sarifMessage is the summary, then the detail with its fix.
func sarifMessage(d *diag.Diagnostic) string {
	if d.Detail == "" {
		return d.Summary
	}
	return d.Summary + "\n\n" + strings.TrimRight(d.Detail, "\n")
}

func relatedLocations(d *diag.Diagnostic, src diag.Sources) []sarifLocation {
	var out []sarifLocation
	add := func(r diag.Range, msg string) {
		// Related places get no snippet: their lines are not the
		// finding's own, and a code-scanning alert links them anyway.
		loc := physicalLocation(r, src, false)
		if loc == nil {
			return
		}
		id := len(out) + 1
		out = append(out, sarifLocation{ID: &id, PhysicalLocation: loc, Message: &sarifText{Text: msg}})
	}
	for _, r := range d.Related {
		add(r.Range, r.Message)
	}
	for i, r := range d.IncludedFrom {
		msg := "the file is included from here"
		if i > 0 {
			msg = "which is included from here"
		}
		add(r, msg)
	}
	return out
}

// physicalLocation locates r. With snippets, a range on one line also
// carries its text and its line's; a range over several lines never does,
// so no output shows source text beyond the line a finding starts on.
func physicalLocation(r diag.Range, src diag.Sources, snippets bool) *sarifPhysicalLocation {
	if r.IsZero() {
		return nil
	}
	loc := &sarifPhysicalLocation{ArtifactLocation: artifactLocation(r.File)}
	if r.Start.Line < 1 {
		return loc
	}
	reg := &sarifRegion{StartLine: r.Start.Line}
	loc.Region = reg
	if r.End.Line > r.Start.Line {
		reg.EndLine = r.End.Line
	}
	if r.Start.Column < 1 {
		return loc
	}
	line, ok := sourceLine(src, r)
	if !ok {
		reg.StartColumn = r.Start.Column
		if r.End.Column > 0 && (r.End.Line > r.Start.Line || r.End.Column > r.Start.Column) {
			reg.EndColumn = r.End.Column
		}
		return loc
	}
	reg.StartColumn = utf16Column(line, r.Start.Column)
	if r.End.Line > r.Start.Line {
		if end, ok := sourceLine(src, diag.Range{File: r.File, Start: r.End}); ok && r.End.Column > 0 {
			reg.EndColumn = utf16Column(end, r.End.Column)
		}
		return loc
	}
	if r.End.Line < r.Start.Line {
		// No end recorded: the region runs to the end of the line.
		return loc
	}
	// An empty range keeps its endColumn: without it SARIF would read
	// the rest of the line.
	endCol := max(r.End.Column, r.Start.Column)
	reg.EndColumn = utf16Column(line, endCol)
	if !snippets {
		return loc
	}
	lo, hi := min(r.Start.Column-1, len(line)), min(endCol-1, len(line))
	if hi > lo {
		reg.Snippet = &sarifText{Text: line[lo:hi]}
	}
	if line != "" && (lo > 0 || hi < len(line)) {
		loc.ContextRegion = &sarifRegion{StartLine: r.Start.Line, Snippet: &sarifText{Text: line}}
	}
	return loc
}

// utf16Column converts a 1-based byte column of line to UTF-16 code units.
func utf16Column(line string, col int) int {
	n := min(col-1, len(line))
	if n < 0 {
		return col
	}
	units := 0
	for _, r := range line[:n] {
		units += utf16.RuneLen(r)
	}
	return units + 1 + (col - 1 - n)
}

// artifactLocation names a file relative to %SRCROOT% when it is relative,
// and as a file URI when it lies outside the working directory.
func artifactLocation(file string) sarifArtifactLocation {
	p := diag.DisplayPath(file)
	if strings.HasPrefix(p, "/") {
		return sarifArtifactLocation{URI: (&url.URL{Scheme: "file", Path: p}).String()}
	}
	u := (&url.URL{Path: p}).EscapedPath()
	// A colon in the first segment would read as a URI scheme.
	if first, _, _ := strings.Cut(u, "/"); strings.Contains(first, ":") {
		u = "./" + u
	}
	return sarifArtifactLocation{URI: u, URIBaseID: srcRoot}
}

// absoluteURI returns u when it is an absolute URI and "" otherwise: SARIF
// requires helpUri to be one, and GitHub rejects a log that breaks the
// schema.
func absoluteURI(u string) string {
	if p, err := url.Parse(u); err == nil && p.IsAbs() {
		return u
	}
	return ""
}
