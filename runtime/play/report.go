package play

import (
	"fmt"
	"io"
	"sort"
	"strings"
	"time"

	"github.com/tcpipc/tcpipc/diag"
)

// WriteText prints the report: the timeline, each event's detection and
// takeover times, what happened to the clients' connections, and the
// checks.
func (r *Report) WriteText(w io.Writer) error {
	var b strings.Builder
	fmt.Fprintf(&b, "scenario %s\n\ntimeline (from the moment every client connection was up, %s after the first dial):\n",
		r.Scenario, ms(r.ClientsUp))
	for _, e := range r.Timeline {
		fmt.Fprintf(&b, "  %9s  %-5s %s\n", Offset(e.At.Sub(r.Start)), e.Stack, e.What)
	}
	r.writeEvents(&b)
	c := r.Clients
	fmt.Fprintf(&b, "\nclients: %d connections: %d completed, %d reset, %d failed; %d of %d bytes echoed and verified",
		c.Connections, c.Completed, c.Reset, c.Failed-c.Corrupt, c.BytesVerified, c.BytesSent)
	if c.Corrupt > 0 {
		fmt.Fprintf(&b, "; %d CORRUPT", c.Corrupt)
	}
	for _, t := range r.IPsec {
		replaced := ""
		if t.Replaced > 0 {
			replaced = fmt.Sprintf(" (and %d replaced, awaiting their delete)", t.Replaced)
		}
		fmt.Fprintf(&b, "\nipsec: %s for %s: %d IKE SA, %d child SA%s; %d ESP packets in, %d out, %d delivered, %d dropped",
			t.Stack, t.DVIPA, t.IKESAs, t.ChildSAs, replaced, t.ESPIn, t.ESPOut, t.Delivered, t.Drops)
		if len(t.DropsByReason) > 0 {
			var reasons []string
			for r, n := range t.DropsByReason {
				reasons = append(reasons, fmt.Sprintf("%s %d", r, n))
			}
			sort.Strings(reasons)
			fmt.Fprintf(&b, " (%s)", strings.Join(reasons, ", "))
		}
		if t.Reassembled > 0 {
			fmt.Fprintf(&b, "; %d IKE messages put together from a peer's fragments (RFC 7383), which z/OS IKED is not documented to accept",
				t.Reassembled)
		}
		t.writeInitLoad(&b)
	}
	for _, s := range r.SWSA {
		fmt.Fprintf(&b, "\nswsa: %s", s)
		if s.Done {
			fmt.Fprintf(&b, " in %s", ms(s.Took))
		}
	}
	for _, t := range r.Routing {
		fmt.Fprintf(&b, "\nrouting: %s: %d packets held back until their connections were reported, %d answered with a reset, %d dropped for a DVIPA it did not route",
			t.Stack, t.Settling, t.Reset, t.NotRouted)
		if t.Unprotected > 0 {
			fmt.Fprintf(&b, ", %d from a protected address dropped rather than sent in the clear with no IPsec endpoint to take them", t.Unprotected)
		}
		if t.NoSA > 0 {
			fmt.Fprintf(&b, ", %d ESP packets with no IPsec endpoint to take them discarded", t.NoSA)
		}
	}
	b.WriteString("\n\nchecks:\n")
	for _, ch := range r.Checks {
		mark := "ok  "
		if !ch.OK {
			mark = "FAIL"
		}
		fmt.Fprintf(&b, "  %s %s (got %s)\n", mark, ch.What, ch.Got)
	}
	if r.Passed() {
		b.WriteString("\nresult: every expectation holds\n")
	} else {
		b.WriteString("\nresult: expectations failed\n")
	}
	// Names in the report come from the scenario file: show its control
	// characters rather than pass them to the terminal.
	_, err := io.WriteString(w, diag.Visible(b.String()))
	return err
}

// writeEvents prints each timeline event with when it was applied and
// what it measured.
func (r *Report) writeEvents(b *strings.Builder) {
	b.WriteString("\nevents:")
	if late := r.lateness(); late != "" {
		fmt.Fprintf(b, " %s", late)
	}
	b.WriteString("\n")
	for _, ev := range r.Events {
		fmt.Fprintf(b, "  %9s  %s\n", Offset(ev.At), ev.Event)
		ev.writeLate(b)
		if ev.Detected > 0 {
			fmt.Fprintf(b, "             detected after %s\n", ms(ev.Detected))
		}
		for _, m := range ev.Moves {
			fmt.Fprintf(b, "             %s\n", m)
		}
		if ev.Takeover > 0 {
			fmt.Fprintf(b, "             DVIPA moved after %s", ms(ev.Takeover))
			if ev.Forwarding > 0 {
				fmt.Fprintf(b, ", first packet forwarded after %s", ms(ev.Forwarding))
			}
			b.WriteString("\n")
		}
	}
}

// Offset writes a time relative to the start of a timeline (+1.250s).
func Offset(d time.Duration) string {
	sign := "+"
	if d < 0 {
		sign, d = "-", -d
	}
	return fmt.Sprintf("%s%.3fs", sign, d.Seconds())
}

func ms(d time.Duration) string { return d.Round(time.Millisecond).String() }

// writeInitLoad says how many IKE_SA_INIT requests the endpoint turned
// away under load, if any: a run that met a flood, or so many peers at
// once that it asked them for cookies.
func (t IPsecTotals) writeInitLoad(b *strings.Builder) {
	if t.Cookies > 0 {
		fmt.Fprintf(b, "; %d IKE_SA_INIT requests answered with a COOKIE under load (RFC 7296 2.6)", t.Cookies)
	}
	if t.InitBlocked > 0 {
		fmt.Fprintf(b, "; %d IKE_SA_INIT requests dropped from addresses that held too many half-open IKE SAs", t.InitBlocked)
	}
	if t.InitOverLimit > 0 {
		fmt.Fprintf(b, "; %d IKE_SA_INIT requests dropped at the limit of half-open IKE SAs", t.InitOverLimit)
	}
}
