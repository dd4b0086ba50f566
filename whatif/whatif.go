package whatif

import (
	"fmt"
	"maps"
	"net/netip"
	"slices"

	"github.com/tcpipc/tcpipc/plan"
)

// Version names the takeover-analysis format.
const Version = "tcpipc.whatif/v1"

// Scenario is a set of stacks that fail together and, optionally, the
// ones among them that come back afterwards.
type Scenario struct {
	Failed    []string `json:"failed"`
	Recovered []string `json:"recovered"`
}

// Outcome is what a scenario does to every DVIPA, derived from the plan
// alone: the behaviour the runtime must show.
type Outcome struct {
	Version   string         `json:"version"`
	Sysplex   string         `json:"sysplex"`
	Failed    []string       `json:"failed"`
	Recovered []string       `json:"recovered"`
	DVIPAs    []DVIPAOutcome `json:"dvipas"`
	// Ranges are the VIPARANGEs, whose DVIPAs applications create
	// (ranges.go).
	Ranges []RangeOutcome `json:"ranges,omitempty"`
}

// DVIPAOutcome follows one DVIPA through the scenario.
type DVIPAOutcome struct {
	Addr      netip.Addr `json:"addr"`
	PrefixLen int        `json:"prefixLen"`
	Start     string     `json:"start"` // owner at start
	// AfterFailure is the state once the failed stacks are gone;
	// AfterRecovery (nil without recovered stacks) once they are back.
	AfterFailure  Phase  `json:"afterFailure"`
	AfterRecovery *Phase `json:"afterRecovery,omitempty"`
}

// Phase is where a DVIPA is and what it does at one point of a scenario.
type Phase struct {
	// Owner holds the DVIPA ("" when no stack does).
	Owner string `json:"owner"`
	// Event is none, unchanged, takeover, unavailable, takeback,
	// takeback-when-idle or reactivated.
	Event string `json:"event"`
	Text  string `json:"text"`
	// Distribution is nil when the DVIPA is not distributed;
	// MoreDistributions are the holder's definitions for other ports of
	// the DVIPA (one VIPADISTRIBUTE per port set).
	Distribution      *DistState  `json:"distribution,omitempty"`
	MoreDistributions []DistState `json:"moreDistributions,omitempty"`
	// Undistributed are ports the distribution in force at start names
	// and the holder's own VIPADISTRIBUTE does not: their connections
	// carry on, new ones go to the holder's own servers.
	Undistributed []plan.PortRange `json:"undistributed,omitempty"`
	SA            SAState          `json:"sa"`
}

// DistState is the distribution in force.
type DistState struct {
	// Definition is the stack whose VIPADISTRIBUTE is used; Inherited is
	// true when the holder uses the owner's definition for lack of its own.
	Definition string           `json:"definition"`
	Inherited  bool             `json:"inherited"`
	Ports      []plan.PortRange `json:"ports"`
	Method     plan.Method      `json:"method"`
	Targets    []string         `json:"targets"`
	// Dropped are targets that are down (or no stack has the address).
	Dropped []string `json:"dropped"`
	// Active (HOTSTANDBY) is the target new connections go to, taking
	// every target that is up to have a server ready.
	Active string `json:"active,omitempty"`
}

// SAState says what happens to the DVIPA's SAs.
type SAState struct {
	// Status is not-protected, kept (the DVIPA did not move), recovered
	// (through the coupling facility) or lost (peers negotiate anew).
	Status  string        `json:"status"`
	Reasons []plan.Reason `json:"reasons"`
	Note    string        `json:"note,omitempty"`
}

// Derive derives what happens when the scenario's stacks fail together and
// the recovered ones come back, one after the other in the order given.
func Derive(p *plan.Plan, sc Scenario) (*Outcome, error) {
	failed := map[string]bool{}
	for _, n := range sc.Failed {
		switch {
		case n == "":
			return nil, fmt.Errorf("an empty stack name in the failing stacks")
		case p.Stack(n) == nil:
			return nil, fmt.Errorf("no stack %s in sysplex %s", n, p.Sysplex)
		case failed[n]:
			return nil, fmt.Errorf("stack %s fails twice", n)
		}
		failed[n] = true
	}
	back := map[string]bool{}
	for _, n := range sc.Recovered {
		switch {
		case n == "":
			return nil, fmt.Errorf("an empty stack name in the recovering stacks")
		case !failed[n]:
			return nil, fmt.Errorf("stack %s recovers but does not fail", n)
		case back[n]:
			return nil, fmt.Errorf("stack %s recovers twice", n)
		}
		back[n] = true
	}
	out := &Outcome{Version: Version, Sysplex: p.Sysplex, Failed: inOrder(p, failed), Recovered: append([]string{}, sc.Recovered...), DVIPAs: []DVIPAOutcome{}}
	for i := range p.DVIPAs {
		d := &p.DVIPAs[i]
		o := DVIPAOutcome{Addr: d.Addr, PrefixLen: d.PrefixLen, Start: d.Owner}
		o.AfterFailure = afterFailure(p, d, failed)
		if len(sc.Recovered) > 0 {
			ph := afterRecovery(p, d, o.AfterFailure, sc.Recovered, failed)
			o.AfterRecovery = &ph
		}
		out.DVIPAs = append(out.DVIPAs, o)
	}
	out.Ranges = deriveRanges(p, failed, sc.Recovered)
	return out, nil
}

// inOrder lists the named stacks in manifest order.
func inOrder(p *plan.Plan, set map[string]bool) []string {
	out := []string{}
	for _, s := range p.Stacks {
		if set[s.Name] {
			out = append(out, s.Name)
		}
	}
	return out
}

// successor is the highest-ranked backup that is up, is not the stack
// giving the DVIPA up, and joins the same XCF group (stacks of other groups
// never hear of the failure). Ties were broken by manifest order at compile
// time.
func successor(p *plan.Plan, d *plan.DVIPA, down map[string]bool, leaving string) (plan.Backup, bool) {
	group := p.Stack(leaving).XCFGroup
	for _, b := range d.Backups {
		if !down[b.Stack] && b.Stack != leaving && p.Stack(b.Stack).XCFGroup == group {
			return b, true
		}
	}
	return plan.Backup{}, false
}

func afterFailure(p *plan.Plan, d *plan.DVIPA, failed map[string]bool) Phase {
	switch {
	case d.Owner == "":
		return Phase{Event: "none", Text: "no stack activates it", SA: SAState{Status: "not-protected", Reasons: []plan.Reason{}}}
	case !failed[d.Owner]:
		ph := Phase{Owner: d.Owner, Event: "unchanged", Text: d.Owner + " keeps it"}
		ph.Distribution, ph.MoreDistributions = distState(p, d, d.Owner, failed)
		ph.Undistributed = undistributed(d, d.Owner)
		ph.SA = saState(p, d, "", "")
		return ph
	}
	b, ok := successor(p, d, failed, d.Owner)
	if !ok {
		ph := Phase{Event: "unavailable", Text: "no backup in its XCF group survives: no stack holds it until one comes back"}
		ph.SA = saState(p, d, d.Owner, "")
		return ph
	}
	ph := Phase{Owner: b.Stack, Event: "takeover",
		Text: fmt.Sprintf("%s takes it over: the highest-ranked surviving backup (rank %d)", b.Stack, b.Rank)}
	ph.Distribution, ph.MoreDistributions = distState(p, d, b.Stack, failed)
	ph.Undistributed = undistributed(d, b.Stack)
	ph.SA = saState(p, d, d.Owner, b.Stack)
	return ph
}

// afterRecovery follows the DVIPA through the recoveries, one stack at a
// time in the given order, and says what they did together: the last
// move they caused, or that the holder keeps it.
func afterRecovery(p *plan.Plan, d *plan.DVIPA, f Phase, order []string, failed map[string]bool) Phase {
	if d.Owner == "" {
		return f
	}
	down := maps.Clone(failed)
	ph := noMove(p, d, f, order)
	for _, r := range order {
		delete(down, r)
		if next, moved := recoverOne(p, d, ph, r, down); moved {
			ph = next
		}
	}
	if ph.Owner != "" {
		// Targets that came back after the last move serve as well.
		ph.Distribution, ph.MoreDistributions = distState(p, d, ph.Owner, down)
		ph.Undistributed = undistributed(d, ph.Owner)
		if ph.Owner == f.Owner {
			keepStandby(d, f, ph, down)
		}
	}
	return ph
}

// keepStandby keeps, for a HOTSTANDBY with NOAUTOSWITCHBACK, the backup
// that became active during the failures while it is up, though the
// preferred target is back: the stack that distributed then still does
// (a new routing stack chooses afresh, as the runtime's does).
func keepStandby(d *plan.DVIPA, before, after Phase, down map[string]bool) {
	defs, _ := defsFor(d, after.Owner)
	was, now := allStates(before), allStates(after)
	for i, def := range defs {
		if def.NoAutoSwitchBack && i < len(was) && i < len(now) && was[i].Active != "" && !down[was[i].Active] {
			now[i].Active = was[i].Active
		}
	}
}

// allStates lists a phase's distributions, the first one included, as
// pointers into the phase.
func allStates(ph Phase) []*DistState {
	if ph.Distribution == nil {
		return nil
	}
	out := []*DistState{ph.Distribution}
	for i := range ph.MoreDistributions {
		out = append(out, &ph.MoreDistributions[i])
	}
	return out
}

// standby is the target a HOTSTANDBY distribution makes active: the
// preferred one when it is up, else the highest-ranked backup that is
// (the first listed of equal ranks), "" when none is.
func standby(def *plan.Distribution, down map[string]bool) string {
	best, bestRank := "", -1
	for _, t := range def.Targets {
		if t.Stack == "" || down[t.Stack] {
			continue
		}
		if t.Role == "PREFERRED" {
			return t.Stack
		}
		if r := rankOf(t); r > bestRank {
			best, bestRank = t.Stack, r
		}
	}
	return best
}

func rankOf(t plan.Target) int {
	if t.BackupRank == nil {
		return 0
	}
	return *t.BackupRank
}

// noMove is the phase of recoveries that do not move the DVIPA.
func noMove(p *plan.Plan, d *plan.DVIPA, f Phase, order []string) Phase {
	holder := f.Owner
	if holder == "" {
		return Phase{Event: "unavailable", Text: "no stack that can create it is up: a backup without a mask only takes over a DVIPA that is active", SA: f.SA}
	}
	ph := Phase{Owner: holder, Event: "unchanged", Text: holder + " keeps it"}
	if d.Origin == "VIPABACKUP" && slices.Contains(order, d.Owner) {
		ph.Text += fmt.Sprintf(" (%s created it as a backup and takes nothing back)", d.Owner)
	}
	ph.SA = SAState{Status: "kept", Reasons: []plan.Reason{}}
	if !d.SWSA.Protected {
		ph.SA.Status = "not-protected"
	}
	return ph
}

// recoverOne is what the return of stack r does to the DVIPA in phase
// cur, with the stacks in down still down; moved is false when it does
// nothing. IBM (z/OS Communications Server: IP Configuration Reference,
// VIPADYNAMIC VIPABACKUP statement; IBM technote dwa1433874 "Backup
// sysplex distributor is not creating the DVIPA"): a returning VIPADEFINE
// stack activates the DVIPA or takes it back as its MOVEABLE says; a
// backup without a mask only takes over a DVIPA active on a stack that
// goes away, and never creates one that is active nowhere; a backup with
// MOVEABLE and a mask creates it.
func recoverOne(p *plan.Plan, d *plan.DVIPA, cur Phase, r string, down map[string]bool) (Phase, bool) {
	holder := cur.Owner
	definer := r == d.Owner && d.Origin == "VIPADEFINE"
	switch {
	case definer && holder == "":
		ph := Phase{Owner: d.Owner, Event: "reactivated", Text: d.Owner + " activates it again: no stack held it meanwhile"}
		ph.SA = fresh(d)
		return ph, true
	case definer && d.Moveable == plan.WhenIdle:
		ph := Phase{Owner: holder, Event: "takeback-when-idle",
			Text: fmt.Sprintf("MOVEABLE WHENIDLE: %s keeps it until it has no connections to it, then %s takes it back", holder, d.Owner)}
		ph.SA = saState(p, d, holder, d.Owner)
		if ph.SA.Status != "not-protected" {
			note := "when " + holder + " is idle and gives the DVIPA back"
			if ph.SA.Note != "" {
				note += ": " + ph.SA.Note
			}
			ph.SA.Note = note
		}
		return ph, true
	case definer:
		ph := Phase{Owner: d.Owner, Event: "takeback",
			Text: fmt.Sprintf("MOVEABLE IMMEDIATE: %s takes it back at once; %s keeps its existing connections (MOVING) and new ones go to %s", d.Owner, holder, d.Owner)}
		ph.SA = saState(p, d, holder, d.Owner)
		return ph, true
	case holder == "":
		// Nobody holds the DVIPA, so no stack knows its attributes: only a
		// returning backup with the long form (mask) can create it.
		for _, b := range d.Backups {
			if down[b.Stack] || !b.CanCreate {
				continue
			}
			ph := Phase{Owner: b.Stack, Event: "takeover", Text: fmt.Sprintf("%s creates it on its return (long-form backup, rank %d)", b.Stack, b.Rank)}
			ph.SA = fresh(d)
			return ph, true
		}
	}
	return cur, false
}

// distState is the distribution when holder owns the DVIPA: its own
// VIPADISTRIBUTE definitions, else the original owner's (the backup takes
// over the list the owner sent it), minus targets that are down. The first
// definition is returned apart from the others (other port sets).
func distState(p *plan.Plan, d *plan.DVIPA, holder string, down map[string]bool) (*DistState, []DistState) {
	defs, inherited := defsFor(d, holder)
	if len(defs) == 0 {
		return nil, nil
	}
	var states []DistState
	for _, def := range defs {
		ds := DistState{Definition: def.Stack, Inherited: inherited, Ports: def.Ports, Method: def.Method, Targets: []string{}, Dropped: []string{}}
		if def.Method == plan.HotStandby {
			ds.Active = standby(def, down)
		}
		for _, t := range def.Targets {
			switch {
			case t.Stack == "":
				ds.Dropped = append(ds.Dropped, t.XCF.String())
			case down[t.Stack]:
				ds.Dropped = append(ds.Dropped, t.Stack)
			default:
				ds.Targets = append(ds.Targets, t.Stack)
			}
		}
		states = append(states, ds)
	}
	if len(states) == 1 {
		return &states[0], nil
	}
	return &states[0], states[1:]
}

// undistributed lists the ports that the distribution in force at start
// names (every port when it names none) and the holder's own
// VIPADISTRIBUTE statements do not (nil when
// the holder distributes by the start's definitions, or by none of its
// own). The runtime still routes their connections, which the targets
// report after the takeover, and gives new ones to the holder's stack.
func undistributed(d *plan.DVIPA, holder string) []plan.PortRange {
	defs, inherited := defsFor(d, holder)
	if holder == "" || holder == d.DistributedBy || inherited || len(defs) == 0 {
		return nil
	}
	var out []plan.PortRange
	for _, start := range d.InForce() {
		ports := start.Ports
		if len(ports) == 0 {
			ports = []plan.PortRange{everyPort} // it distributes them all
		}
		for _, pr := range ports {
			left := []plan.PortRange{pr}
			for _, def := range defs {
				if len(def.Ports) == 0 {
					return nil // the holder distributes every port
				}
				for _, q := range def.Ports {
					left = subtract(left, q)
				}
			}
			out = append(out, left...)
		}
	}
	return merged(out)
}

// everyPort is what a VIPADISTRIBUTE naming no port distributes.
var everyPort = plan.PortRange{From: 1, To: 65535}

// merged sorts ranges and joins those that overlap or touch: an
// all-ports distribution at start may overlap one for named ports.
func merged(rs []plan.PortRange) []plan.PortRange {
	slices.SortFunc(rs, func(a, b plan.PortRange) int { return a.From - b.From })
	var out []plan.PortRange
	for _, r := range rs {
		if n := len(out); n > 0 && r.From <= out[n-1].To+1 {
			out[n-1].To = max(out[n-1].To, r.To)
			continue
		}
		out = append(out, r)
	}
	return out
}

// subtract removes the ports of q from each range.
func subtract(rs []plan.PortRange, q plan.PortRange) []plan.PortRange {
	var out []plan.PortRange
	for _, r := range rs {
		if q.To < r.From || q.From > r.To {
			out = append(out, r)
			continue
		}
		if r.From < q.From {
			out = append(out, plan.PortRange{From: r.From, To: q.From - 1})
		}
		if q.To < r.To {
			out = append(out, plan.PortRange{From: q.To + 1, To: r.To})
		}
	}
	return out
}

// defsFor lists the definitions in force when holder has the DVIPA: its
// own, else (inherited) the original owner's.
func defsFor(d *plan.DVIPA, holder string) (defs []*plan.Distribution, inherited bool) {
	defs = definitionsOf(d, holder)
	if len(defs) == 0 && holder != d.Owner {
		defs, inherited = definitionsOf(d, d.Owner), true
	}
	return defs, inherited
}

// definitionsOf lists a stack's VIPADISTRIBUTE definitions of a DVIPA.
func definitionsOf(d *plan.DVIPA, stack string) []*plan.Distribution {
	var out []*plan.Distribution
	for i := range d.Distributions {
		if d.Distributions[i].Stack == stack {
			out = append(out, &d.Distributions[i])
		}
	}
	return out
}

// fresh is the SA state of a DVIPA activated after a time nobody held it:
// there is no SA to recover.
func fresh(d *plan.DVIPA) SAState {
	if !d.SWSA.Protected {
		return SAState{Status: "not-protected", Reasons: []plan.Reason{}}
	}
	return SAState{Status: "lost", Reasons: []plan.Reason{}, Note: "no stack held the DVIPA meanwhile"}
}

// saState says what happens to the SAs when the DVIPA moves from one stack
// to another ("" from: it does not move; "" to: nobody takes it).
func saState(p *plan.Plan, d *plan.DVIPA, from, to string) SAState {
	st := SAState{Reasons: []plan.Reason{}}
	switch {
	case !d.SWSA.Protected:
		st.Status = "not-protected"
		return st
	case from == "":
		st.Status = "kept"
		return st
	case to == "":
		st.Status = "lost"
		st.Reasons = append(st.Reasons, plan.Reason{Stack: from, Code: "no-holder", Text: "no stack takes the DVIPA over, so nobody recovers its SAs"})
		return st
	}
	src, dst := p.Stack(from), p.Stack(to)
	if !src.DVIPSec {
		st.Reasons = append(st.Reasons, plan.Reason{Stack: from, Code: "no-dvipsec", Text: from + " lacks IPSEC DVIPSEC: it never wrote its SAs to the coupling facility"})
	}
	st.Reasons = append(st.Reasons, p.CanHold(dst, src, d.Addr, d.SWSA.IKEv2, true)...)
	if len(st.Reasons) > 0 {
		st.Status = "lost"
		if slices.ContainsFunc(st.Reasons, func(r plan.Reason) bool { return r.Code == "peer-credentials" }) {
			// The peers keep the owner's key and identity: the new
			// holder fails their authentication on every new negotiation.
			st.Note = "new negotiations with those peers fail authentication too, until the credentials agree"
		}
		if negotiatesNothing(st.Reasons, to) {
			st.Note = fmt.Sprintf("%s negotiates no SA for %s: the peers' new negotiations fail too while it holds it", to, d.Addr)
		}
		return st
	}
	st.Status = "recovered"
	st.Note = fmt.Sprintf("%s reads the SA records from %s and its IKE daemon renegotiates them", to, p.Group(dst).SWSAStructure)
	if d.SWSA.IKEv2 {
		live := "no LivenessInterval: they linger until they expire"
		if n := src.IKE.LivenessSeconds; n > 0 {
			live = fmt.Sprintf("liveness checking (%ds) removes them", n)
		}
		// The runtime's reading (README, INITIAL_CONTACT): the new
		// holder's INITIAL_CONTACT ends them unless it already has an
		// IKE SA between the same identities.
		st.Note += "; with IKEv2 the peer sees new SAs and drops its old ones on the new holder's INITIAL_CONTACT, " +
			"unless the new holder already has an IKE SA with the same identities: then they go stale and " + live
	}
	return st
}

// negotiatesNothing reports whether the reasons say the holder cannot
// negotiate any SA for the DVIPA: no IPsec, no IKE daemon or no key
// exchange rule for it. Then no peer gets new SAs from it either. A
// holder with a manual tunnel for it needs no negotiation.
func negotiatesNothing(reasons []plan.Reason, holder string) bool {
	if slices.ContainsFunc(reasons, func(r plan.Reason) bool { return r.Stack == holder && r.Code == "manual-tunnel" }) {
		return false
	}
	return slices.ContainsFunc(reasons, func(r plan.Reason) bool {
		return r.Stack == holder && (r.Code == "no-ipsecurity" || r.Code == "no-iked" || r.Code == "no-key-exchange-rule")
	})
}

// AllSingle runs every single-stack failure, in manifest order.
func AllSingle(p *plan.Plan) []*Outcome {
	var out []*Outcome
	for _, s := range p.Stacks {
		o, _ := Derive(p, Scenario{Failed: []string{s.Name}})
		out = append(out, o)
	}
	return out
}
