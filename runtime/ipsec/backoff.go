package ipsec

import (
	"errors"
	"math/rand/v2"
	"time"

	"github.com/tcpipc/tcpipc/internal/ike/ikesa"
	"github.com/tcpipc/tcpipc/internal/ike/wire"
)

// Retrying a rekey or reauthentication the peer refused. A transient
// refusal (TEMPORARY_FAILURE, a collision, no answer) is tried again
// soon; a definitive one (NO_PROPOSAL_CHOSEN, INVALID_KE_PAYLOAD after the
// one group switch, an authentication failure) will most likely be
// refused again until someone changes a configuration, so its waits grow
// faster and further. Each wait is doubled (or quadrupled) from the last,
// capped, and a random part of it is added so that two ends do not retry
// in step (RFC 7296 section 2.25). No try is made at or after the SA's
// hard lifetime: the last comes lastTryLead before it, and after that the
// SA just expires and is negotiated again as any expired SA is.
const (
	transientCap   = 30 * time.Second
	definitiveBase = 4 * rekeyRetry
	definitiveCap  = 10 * time.Minute
	lastTryLead    = 2 * rekeyRetry
)

// backoff counts the failed tries to replace one SA. A new SA starts
// with a zero backoff, so a success resets it. Its owner's lock guards it.
type backoff struct {
	failures int
	// final is set once the try just before the deadline is scheduled.
	final bool
}

// next returns how long after now to try again after a failure with err,
// for an SA whose hard lifetime ends at deadline (zero: never), and false
// when no try is left before the deadline.
func (b *backoff) next(err error, now, deadline time.Time) (time.Duration, bool) {
	b.failures++
	base, factor, limit := rekeyRetry, 2, transientCap
	if definitiveRefusal(err) {
		base, factor, limit = definitiveBase, 4, definitiveCap
	}
	wait := base
	for i := 1; i < b.failures && wait < limit; i++ {
		wait *= time.Duration(factor)
	}
	wait = min(wait, limit)
	wait += rand.N(wait)
	if deadline.IsZero() {
		return wait, true
	}
	last := deadline.Add(-lastTryLead)
	switch {
	case now.Add(wait).Before(last):
		return wait, true
	case b.final || !now.Before(last):
		return 0, false
	}
	b.final = true
	return last.Sub(now), true
}

// definitiveRefusal reports whether err says the peer will refuse the
// same request again: an error notification other than
// TEMPORARY_FAILURE, or an answer we could not accept.
func definitiveRefusal(err error) bool {
	var pe *ikesa.PeerError
	if errors.As(err, &pe) {
		return pe.Notify != wire.TEMPORARY_FAILURE
	}
	return errors.Is(err, ikesa.ErrAuthFailed) || errors.Is(err, ikesa.ErrNoProposal) ||
		errors.Is(err, ikesa.ErrBadResponse)
}
