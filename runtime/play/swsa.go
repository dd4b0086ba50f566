package play

import (
	"fmt"
	"maps"
	"net/netip"
	"slices"
	"strings"
	"time"

	"github.com/tcpipc/tcpipc/runtime/sysplex"
	"github.com/tcpipc/tcpipc/scenario"
)

// SWSAReport is one change of a DVIPA's holder as far as its IPsec SAs
// go (Sysplex-Wide Security Associations): how many tunnels the new
// holder renegotiated from the records, how many it tried and failed,
// how many it could not recover and why, and how long it took.
type SWSAReport struct {
	DVIPA             netip.Addr
	Stack             string
	From              []string
	At                time.Duration // after the run's start
	Took              time.Duration // from reading the records to the last renegotiation's end
	Done              bool
	Unread            bool // the structure could not be read
	Recovered, Failed int
	// NotRecovered counts the tunnels not recovered by reason code.
	NotRecovered map[string]int
}

func swsaReports(sx *sysplex.Sysplex, start time.Time) []SWSAReport {
	var out []SWSAReport
	for _, o := range sx.SWSAOutcomes() {
		r := SWSAReport{DVIPA: o.DVIPA, Stack: o.Stack, From: o.Writers, At: o.At.Sub(start), Done: !o.Done.IsZero(),
			Unread: o.Unreachable, Recovered: len(o.Recovered), Failed: len(o.Failed), NotRecovered: map[string]int{}}
		if r.Done {
			r.Took = o.Done.Sub(o.At)
		}
		for _, d := range o.NotRecovered {
			for _, reason := range d.Reasons {
				r.NotRecovered[reason.Code]++
			}
		}
		out = append(out, r)
	}
	return out
}

// String is the report's line for the outcome.
func (s SWSAReport) String() string {
	if s.Unread {
		return fmt.Sprintf("%s took %s: SA records unreadable, nothing recovered", s.Stack, s.DVIPA)
	}
	line := fmt.Sprintf("%s took %s: %d tunnels renegotiated from %s's records", s.Stack, s.DVIPA, s.Recovered, strings.Join(s.From, "+"))
	if s.Failed > 0 {
		line += fmt.Sprintf(", %d failed", s.Failed)
	}
	for _, code := range sortedKeys(s.NotRecovered) {
		line += fmt.Sprintf(", %d not recovered (%s)", s.NotRecovered[code], code)
	}
	return line
}

// tunnelsCheck: every new holder of the DVIPA renegotiated at least the
// expected number of tunnels, each recovery done within the bound.
func tunnelsCheck(r *Report, x *scenario.TunnelsRecovered) Check {
	what := fmt.Sprintf("every new holder of %s renegotiated at least %d tunnels within %s", x.DVIPA, x.Recovered, x.Within)
	var got []string
	ok, seen := true, 0
	for _, s := range r.SWSA {
		if s.DVIPA != x.DVIPA {
			continue
		}
		seen++
		ok = ok && s.Done && s.Recovered >= x.Recovered && s.Took <= x.Within
		took := "never done"
		if s.Done {
			took = "in " + ms(s.Took)
		}
		got = append(got, fmt.Sprintf("%s %d %s", s.Stack, s.Recovered, took))
	}
	if seen == 0 {
		return Check{What: what, OK: false, Got: "no holder read any record"}
	}
	return Check{What: what, OK: ok, Got: strings.Join(got, ", ")}
}

func sortedKeys(m map[string]int) []string { return slices.Sorted(maps.Keys(m)) }
