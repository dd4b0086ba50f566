package whatif

import (
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/tcpipc/tcpipc/plan"
)

// WriteJSON writes the outcome as indented JSON.
func (o *Outcome) WriteJSON(w io.Writer) error { return writeJSON(w, o) }

func writeJSON(w io.Writer, v any) error { return plan.WriteIndented(w, v) }

// WriteText prints the outcome for people.
func (o *Outcome) WriteText(w io.Writer) error {
	var b strings.Builder
	fmt.Fprintf(&b, "sysplex %s: %s %s", o.Sysplex, listOr(o.Failed, "no stack"), plural(len(o.Failed), "fails", "fail"))
	if len(o.Recovered) > 0 {
		fmt.Fprintf(&b, ", then %s %s back", strings.Join(o.Recovered, ", "), plural(len(o.Recovered), "comes", "come"))
		if len(o.Recovered) > 1 {
			b.WriteString(" in that order")
		}
	}
	b.WriteString("\n")
	for _, d := range o.DVIPAs {
		fmt.Fprintf(&b, "\n%s/%d  owner at start: %s\n", d.Addr, d.PrefixLen, orDash(d.Start))
		writePhase(&b, "after failure", d.AfterFailure)
		if d.AfterRecovery != nil {
			writePhase(&b, "after recovery", *d.AfterRecovery)
		}
	}
	for _, r := range o.Ranges {
		writeRange(&b, r)
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// writeRange writes what the scenario does to a VIPARANGE's DVIPAs.
func writeRange(b *strings.Builder, r RangeOutcome) {
	var on []string
	for _, rs := range r.Stacks {
		on = append(on, rs.Stack+" "+string(rs.Moveable))
	}
	fmt.Fprintf(b, "\nVIPARANGE %s  on %s: DVIPAs exist only while an application binds them\n", r.Prefix, strings.Join(on, ", "))
	fmt.Fprintf(b, "  after failure: %s\n", r.Text)
	if r.AfterRecovery != "" {
		fmt.Fprintf(b, "  after recovery: %s\n", r.AfterRecovery)
	}
}

// writeDistribution writes one VIPADISTRIBUTE in force: whose, its ports,
// method and targets.
func writeDistribution(b *strings.Builder, ds DistState) {
	from := ds.Definition + "'s own VIPADISTRIBUTE"
	if ds.Inherited {
		from = ds.Definition + "'s VIPADISTRIBUTE (the holder has none of its own)"
	}
	fmt.Fprintf(b, "    distributed: %s, ports %s, %s, to %s", from, plan.PortList(ds.Ports), strings.ToLower(string(ds.Method)), listOr(ds.Targets, "no target"))
	if len(ds.Dropped) > 0 {
		fmt.Fprintf(b, " (dropped: %s)", strings.Join(ds.Dropped, ", "))
	}
	if ds.Active != "" {
		fmt.Fprintf(b, "; new connections to %s", ds.Active)
	}
	b.WriteString("\n")
}

func writePhase(b *strings.Builder, label string, ph Phase) {
	fmt.Fprintf(b, "  %s: %s\n", label, ph.Text)
	if ds := ph.Distribution; ds != nil {
		writeDistribution(b, *ds)
		for _, more := range ph.MoreDistributions {
			writeDistribution(b, more)
		}
	} else if ph.Owner != "" {
		b.WriteString("    not distributed\n")
	}
	if len(ph.Undistributed) > 0 {
		fmt.Fprintf(b, "    not distributed by %s: ports %s of the distribution at start; their connections carry on, new ones go to %s's own servers\n",
			ph.Owner, plan.PortList(ph.Undistributed), ph.Owner)
	}
	switch ph.SA.Status {
	case "not-protected":
		b.WriteString("    SAs: none (IPsec does not protect it)\n")
	case "kept":
		b.WriteString("    SAs: kept (the DVIPA does not move)\n")
	case "recovered":
		fmt.Fprintf(b, "    SAs: recovered through the coupling facility: %s\n", ph.SA.Note)
	case "lost":
		if slices.ContainsFunc(ph.SA.Reasons, func(r plan.Reason) bool { return r.Code == "peer-credentials" }) ||
			negotiatesNothing(ph.SA.Reasons, ph.Owner) {
			b.WriteString("    SAs: lost")
		} else {
			b.WriteString("    SAs: lost, peers negotiate new ones")
		}
		if ph.SA.Note != "" {
			b.WriteString(" (" + ph.SA.Note + ")")
		}
		b.WriteString("\n")
		for _, r := range ph.SA.Reasons {
			fmt.Fprintf(b, "      - %s [%s]\n", r.Text, r.Code)
		}
	}
}

// WriteMatrix prints the outcomes of AllSingle as one table: a row per
// DVIPA, a column per failing stack, each cell the owner after the failure
// with flags, then the reasons behind every lost SA.
func WriteMatrix(w io.Writer, p *plan.Plan, outs []*Outcome) error {
	var b strings.Builder
	fmt.Fprintf(&b, "sysplex %s: every single-stack failure\n", p.Sysplex)
	b.WriteString("cell: owner after the failure (- none); d distributed, R SAs recovered, L SAs lost\n\n")
	header := []string{"DVIPA", "START"}
	for _, o := range outs {
		header = append(header, "FAIL "+o.Failed[0])
	}
	rows := [][]string{header}
	for i, d := range p.DVIPAs {
		row := []string{fmt.Sprintf("%s/%d", d.Addr, d.PrefixLen), orDash(d.Owner)}
		for _, o := range outs {
			row = append(row, cell(o.DVIPAs[i].AfterFailure))
		}
		rows = append(rows, row)
	}
	writeTable(&b, rows)
	first := true
	for _, o := range outs {
		for _, d := range o.DVIPAs {
			if d.AfterFailure.SA.Status != "lost" {
				continue
			}
			if first {
				b.WriteString("\nSAs lost:\n")
				first = false
			}
			fmt.Fprintf(&b, "  %s fails, %s:\n", o.Failed[0], d.Addr)
			for _, r := range d.AfterFailure.SA.Reasons {
				fmt.Fprintf(&b, "    - %s [%s]\n", r.Text, r.Code)
			}
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
}

func cell(ph Phase) string {
	s := orDash(ph.Owner)
	flags := ""
	if ph.Distribution != nil {
		flags += "d"
	}
	switch ph.SA.Status {
	case "recovered":
		flags += "R"
	case "lost":
		flags += "L"
	}
	if flags != "" {
		s += " " + flags
	}
	return s
}

// writeTable pads columns to their widest cell.
func writeTable(b *strings.Builder, rows [][]string) {
	widths := map[int]int{}
	for _, r := range rows {
		for i, c := range r {
			widths[i] = max(widths[i], len(c))
		}
	}
	for _, r := range rows {
		var line strings.Builder
		for i, c := range r {
			if i < len(r)-1 {
				fmt.Fprintf(&line, "%-*s  ", widths[i], c)
			} else {
				line.WriteString(c)
			}
		}
		b.WriteString(strings.TrimRight(line.String(), " ") + "\n")
	}
}

func plural(n int, one, many string) string {
	if n > 1 {
		return many
	}
	return one
}

func listOr(s []string, none string) string {
	if len(s) == 0 {
		return none
	}
	return strings.Join(s, ", ")
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

// WriteOutcomesJSON writes several outcomes (AllSingle) as one JSON array.
func WriteOutcomesJSON(w io.Writer, outs []*Outcome) error { return writeJSON(w, outs) }
