package dvipa

import (
	"fmt"
	"net/netip"

	"github.com/tcpipc/tcpipc/plan"
)

// State is a stack's state for one DVIPA, as NETSTAT VIPADYN shows it.
type State int

const (
	// None: the stack has nothing to do with the DVIPA now.
	None State = iota
	// Active: the stack owns the DVIPA and advertises it.
	Active
	// Backup: the stack would take the DVIPA over.
	Backup
	// Moving: the stack gave the DVIPA up but still serves connections
	// it had.
	Moving
	// Quiescing: the stack is giving the DVIPA up when idle (WHENIDLE).
	Quiescing
	// Deactivated: an operator deactivated the DVIPA on the stack.
	Deactivated
)

func (s State) String() string {
	switch s {
	case None:
		return "None"
	case Active:
		return "Active"
	case Backup:
		return "Backup"
	case Moving:
		return "Moving"
	case Quiescing:
		return "Quiescing"
	case Deactivated:
		return "Deactivated"
	}
	return fmt.Sprintf("State(%d)", int(s))
}

// Kind says why ownership changed.
type Kind int

const (
	// Activate: the DVIPA comes up where nobody held it.
	Activate Kind = iota + 1
	// Takeover: a backup takes the DVIPA from a stack that went away.
	Takeover
	// Takeback: the owner takes the DVIPA back from a backup.
	Takeback
	// Lost: no stack that can hold the DVIPA is up.
	Lost
)

func (k Kind) String() string {
	switch k {
	case Activate:
		return "activate"
	case Takeover:
		return "takeover"
	case Takeback:
		return "takeback"
	case Lost:
		return "lost"
	}
	return fmt.Sprintf("Kind(%d)", int(k))
}

// Change is one ownership change to carry out.
type Change struct {
	Kind Kind
	// From is the stack that held the DVIPA ("" if none); To the stack
	// that holds it now ("" when lost).
	From, To string
	// KeepsConnections is set when From stays up and keeps serving its
	// existing connections in Moving state.
	KeepsConnections bool
}

// Owner tracks the holder of one DVIPA.
type Owner struct {
	d      plan.DVIPA
	holder string
	// def is the definer (definer), found once: every stack decides
	// every DVIPA again on each change of its view.
	def string
	// deactivated holds stacks an operator deactivated the DVIPA on.
	deactivated map[string]bool
}

// New starts tracking a DVIPA of the plan; nobody holds it yet.
func New(d plan.DVIPA) *Owner {
	o := &Owner{d: d, deactivated: map[string]bool{}}
	o.def = o.findDefiner()
	return o
}

// Holder is the stack that holds the DVIPA now ("" when nobody does).
func (o *Owner) Holder() string { return o.holder }

// Addr is the DVIPA's address.
func (o *Owner) Addr() netip.Addr { return o.d.Addr }

// Deactivated reports whether the DVIPA is deactivated on stack.
func (o *Owner) Deactivated(stack string) bool { return o.deactivated[stack] }

// SetDeactivated records VARY TCPIP,,SYSPLEX,DEACTIVATE (on) or
// REACTIVATE (off) of the DVIPA on a stack.
func (o *Owner) SetDeactivated(stack string, on bool) {
	if on {
		o.deactivated[stack] = true
	} else {
		delete(o.deactivated, stack)
	}
}

// Settle replaces the holder this stack assumed while it did not know the
// group yet (a starting stack counts the peers it has not heard of as up,
// so it believes the VIPADEFINE stack holds the DVIPA) with what it has
// learnt since: holder is the stack that announced it routes the DVIPA
// (its VIPA list), or "" when none did. Without this, a backup would take
// the assumed holder's absence for a failure and take over a DVIPA that
// is active nowhere.
func (o *Owner) Settle(holder string) { o.holder = holder }

// eligible reports whether a stack can hold the DVIPA now.
func (o *Owner) eligible(stack string, up func(string) bool) bool {
	return stack != "" && up(stack) && !o.deactivated[stack]
}

// preferred is the stack that should hold the DVIPA given who is up: the
// owner that VIPADEFINEs it, else the highest-ranked backup. A backup
// without a mask only takes over a DVIPA that some stack holds; only one
// with MOVEABLE and a mask creates a DVIPA that is active nowhere (IBM
// technote dwa1433874, "Backup sysplex distributor is not creating the
// DVIPA"; z/OS Communications Server: IP Configuration Reference,
// VIPADYNAMIC - VIPABACKUP statement).
func (o *Owner) preferred(up func(string) bool) string {
	if def := o.definer(); o.eligible(def, up) {
		return def
	}
	for _, b := range o.d.Backups {
		if o.eligible(b.Stack, up) && (b.CanCreate || o.holder != "") {
			return b.Stack
		}
	}
	return ""
}

// Update re-evaluates ownership. up says which stacks are up (joined to
// the group); conns says how many connections a stack holds for the DVIPA
// (for MOVEABLE WHENIDLE). It returns the change to carry out, if any.
func (o *Owner) Update(up func(stack string) bool, conns func(stack string) int) (Change, bool) {
	want := o.preferred(up)
	cur := o.holder
	switch {
	case want == cur:
		return Change{}, false
	case cur == "" && want != "":
		o.holder = want
		return Change{Kind: Activate, To: want}, true
	case want == "":
		o.holder = ""
		return Change{Kind: Lost, From: cur}, true
	case !o.eligible(cur, up):
		// The holder went away: the best remaining stack takes over.
		o.holder = want
		return Change{Kind: Takeover, From: cur, To: want}, true
	case o.isDefiner(want) && !o.isDefiner(cur):
		// The owner is back and the holder is a backup: takeback.
		if o.d.Moveable == plan.WhenIdle && conns(cur) > 0 {
			return Change{}, false
		}
		o.holder = want
		return Change{Kind: Takeback, From: cur, To: want, KeepsConnections: o.d.Moveable != plan.WhenIdle}, true
	}
	// A higher-ranked backup came up while a lower one holds the DVIPA:
	// the holder keeps it (backups do not take over from each other).
	return Change{}, false
}

// Preview returns the change Update would return, changing nothing: what
// a stack would decide on a view its event loop has not read yet.
func (o *Owner) Preview(up func(stack string) bool, conns func(stack string) int) (Change, bool) {
	c := *o // Update sets only the holder, a field of the copy
	return c.Update(up, conns)
}

// definer is the plan's owner when it VIPADEFINEs the DVIPA ("" when a
// backup created it). Of several VIPADEFINE stacks only the plan's owner,
// the first, takes part, as the plan's note and whatif say.
func (o *Owner) definer() string { return o.def }

func (o *Owner) findDefiner() string {
	for _, s := range o.d.DefinedBy {
		if s == o.d.Owner {
			return s
		}
	}
	return ""
}

func (o *Owner) isDefiner(stack string) bool { return stack != "" && stack == o.definer() }

// StateOf returns a stack's state for the DVIPA, given who is up and who
// still serves old connections (moving).
func (o *Owner) StateOf(stack string, up func(string) bool, moving func(string) bool) State {
	switch {
	case o.deactivated[stack]:
		return Deactivated
	case stack == o.holder:
		if o.d.Moveable == plan.WhenIdle && o.isDefiner(o.preferred(up)) && !o.isDefiner(stack) {
			return Quiescing
		}
		return Active
	case moving(stack):
		return Moving
	}
	for _, b := range o.d.Backups {
		if b.Stack == stack {
			return Backup
		}
	}
	if o.isDefiner(stack) {
		return Backup // a returning owner waits for a WHENIDLE holder
	}
	return None
}
