package ikesa

import "fmt"

// State is where an IKE SA is in its life.
type State int

const (
	// StateInitSent: we initiated and wait for the IKE_SA_INIT response.
	StateInitSent State = iota
	// StateInitDone: we answered IKE_SA_INIT and wait for IKE_AUTH.
	StateInitDone
	// StateAuthSent: we sent the IKE_AUTH request and wait for its response.
	StateAuthSent
	// StateEstablished: both sides are authenticated.
	StateEstablished
	// StateRekeyed: a new IKE SA took over this one's children; this one
	// only waits for its Delete (RFC 7296 section 2.18).
	StateRekeyed
	// StateDeleting: we sent a Delete for the IKE SA and wait for the answer.
	StateDeleting
	// StateDead: the SA is gone, by deletion, failure or timeout.
	StateDead
)

var stateNames = [...]string{"INIT_SENT", "INIT_DONE", "AUTH_SENT", "ESTABLISHED", "REKEYED", "DELETING", "DEAD"}

func (s State) String() string {
	if s >= 0 && int(s) < len(stateNames) {
		return stateNames[s]
	}
	return fmt.Sprintf("State(%d)", int(s))
}
