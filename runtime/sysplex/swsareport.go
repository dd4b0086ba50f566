package sysplex

import (
	"context"
	"fmt"
	"net/netip"
	"strings"
	"time"

	"github.com/tcpipc/tcpipc/runtime/swsa"
)

// SWSAOutcome is what one change of a DVIPA's holder did with the DVIPA's
// SA records: the tunnels the new holder renegotiated, those it tried and
// failed, and those the planner said it cannot recover, with the reasons
// whatif gives.
type SWSAOutcome struct {
	DVIPA netip.Addr
	// Stack is the new holder; Writers the stacks whose records it read.
	Stack   string
	Writers []string
	// At is when the holder read the records; Done when the last
	// renegotiation ended (zero when none was started).
	At, Done                        time.Time
	Recovered, Failed, NotRecovered []swsa.Decision
	// Unreachable: the structure could not be read, nothing recovered.
	Unreachable bool
}

func (sx *Sysplex) renegotiateHook() func(context.Context, string) {
	sx.mu.Lock()
	defer sx.mu.Unlock()
	return sx.beforeRenegotiate
}

// noteSWSA keeps an outcome for the report.
func (sx *Sysplex) noteSWSA(o SWSAOutcome) {
	sx.mu.Lock()
	defer sx.mu.Unlock()
	sx.swsaOutcomes = append(sx.swsaOutcomes, o)
}

// SWSAOutcomes returns every outcome so far, in the order they ended.
func (sx *Sysplex) SWSAOutcomes() []SWSAOutcome {
	sx.mu.Lock()
	defer sx.mu.Unlock()
	return append([]SWSAOutcome(nil), sx.swsaOutcomes...)
}

// SWSAFailures counts the records the stacks' journals could not write or
// delete (each write failure is an EZD0831I in the timeline).
func (sx *Sysplex) SWSAFailures() int {
	sx.mu.Lock()
	defer sx.mu.Unlock()
	return sx.swsaFailed
}

// swsaFailure reports a record a journal could not write (z/OS's EZD0831I:
// the tunnel works but cannot be taken over) or delete.
func (sx *Sysplex) swsaFailure(stack string, f swsa.Failure) {
	sx.mu.Lock()
	sx.swsaFailed++
	sx.mu.Unlock()
	what := f.Message
	if what == "" {
		what = fmt.Sprintf("SWSA: record %s/%s not deleted", f.DVIPA, f.TunnelID)
	}
	sx.record(stack, what+": "+f.Err.Error())
}

// covers reports whether a filter's address field ("*", an address, a
// prefix or a first-last range) holds a.
func covers(field string, a netip.Addr) bool {
	switch {
	case field == "*" || field == "" || strings.EqualFold(field, "all"):
		return true
	case strings.Contains(field, "/"):
		p, err := netip.ParsePrefix(field)
		return err == nil && p.Contains(a)
	case strings.Contains(field, "-"):
		lo, hi, _ := strings.Cut(field, "-")
		l, err1 := netip.ParseAddr(lo)
		h, err2 := netip.ParseAddr(hi)
		return err1 == nil && err2 == nil && l.Compare(a) <= 0 && a.Compare(h) <= 0
	}
	b, err := netip.ParseAddr(field)
	return err == nil && b == a
}

// SWSARecords reads the group's SWSA structure, as a display of it shows:
// its name, every valid record by DVIPA and tunnel, and the entries that
// are not valid records.
func (sx *Sysplex) SWSARecords(ctx context.Context) (string, []swsa.Stored, []swsa.Corrupt, error) {
	if len(sx.plan.Stacks) == 0 {
		return "", nil, nil, fmt.Errorf("sysplex: no stacks")
	}
	st, err := swsa.Open(ctx, sx.cf, sx.plan, sx.plan.Stacks[0].Name)
	if err != nil {
		name, _ := swsa.StructureName(sx.plan, sx.plan.Stacks[0].Name)
		return name, nil, nil, err
	}
	stored, corrupt, err := st.ListAll(ctx)
	return st.Name(), stored, corrupt, err
}
