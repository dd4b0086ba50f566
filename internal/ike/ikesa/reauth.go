package ikesa

import (
	"fmt"
	"maps"
	"slices"
	"sync/atomic"
)

// reauthentication is what a new IKE SA that reauthenticates an old one
// (Reauthenticate) still has to do once it is up.
type reauthentication struct {
	old *IKESA
	// rest are the selectors of the old SA's children but the first,
	// which IKE_AUTH carries.
	rest []Selectors
	done func(error)
}

// Reauthenticate replaces this IKE SA with one negotiated from scratch, in
// which both ends prove their identities again (RFC 7296 §2.8.3), as z/OS
// IKED does at a KeyExchangeAction's ReauthInterval: IKE_SA_INIT and
// IKE_AUTH to the same peer and address with the SA's own proposals, the
// first child's selectors in IKE_AUTH and every other child's in a
// CREATE_CHILD_SA, and only then a Delete of this SA and its children, so
// that traffic never waits for an SA ("make before break"). The new SA
// reports Replaces and Reauthenticated. No INITIAL_CONTACT goes with it:
// this SA still stands when the peer sees the new one. done, if not nil,
// learns the outcome: nil once the new SA is up and its children asked
// for, or why the new SA failed, this one then left as it was.
func (sa *IKESA) Reauthenticate(done func(error)) error {
	d := sa.d
	d.mu.Lock()
	defer d.runEventsLocked()
	switch {
	case d.closed:
		return ErrClosed
	case sa.state != StateEstablished || sa.rekeyingIKE || sa.reauthBy != nil || sa.peer == nil:
		return fmt.Errorf("ikesa: IKE SA is %s, rekeying or already reauthenticating", sa.state)
	}
	var all []Selectors
	for _, spi := range slices.Sorted(maps.Keys(sa.children)) {
		c := sa.children[spi]
		all = append(all, Selectors{Local: c.LocalTS, Remote: c.RemoteTS})
	}
	next := d.newSA(StateInitSent, true, sa.peer, sa.remote)
	if len(all) > 0 {
		next.authTS, all = all[0], all[1:]
	}
	next.proposing, next.replaces = sa.proposing, sa.id()
	next.reauth, next.reauthenticated = &reauthentication{old: sa, rest: all, done: done}, true
	next.spiI = d.newIKESPI()
	d.sas[next.spiI] = next
	sa.reauthBy = next
	if err := next.sendInitRequest(next.ikeAlgs()[0].dh); err != nil {
		next.reauth, sa.reauthBy = nil, nil // the error is the caller's one answer
		next.die(err)
		return err
	}
	return nil
}

// finishReauthentication runs when a reauthenticating SA is up: the old
// SA's other children are asked for here, and once all are answered the
// old SA is deleted. d.mu is held.
func (sa *IKESA) finishReauthentication() {
	r := sa.reauth
	sa.reauth = nil
	// The old SA stays marked as being replaced until it is deleted, in
	// the same hold of d.mu: a rekey of it meanwhile, ours or the peer's,
	// would move its children to a successor this Delete never reaches.
	finish := func() { // an event: runs without d.mu
		d := sa.d
		d.mu.Lock()
		defer d.runEventsLocked()
		if r.old.reauthBy == sa {
			r.old.reauthBy = nil
		}
		var err error
		switch sa.state {
		case StateEstablished, StateRekeyed: // up, or its successor is
			r.old.delete()
			sa.reauthDone, sa.reauthOf = true, r.old.span
			d.resolveReauthCollision(sa)
		default:
			err = fmt.Errorf("ikesa: reauthenticated IKE SA is %s before its children are up", sa.state)
		}
		if r.done != nil {
			d.emit(func() { r.done(err) })
		}
	}
	if len(r.rest) == 0 {
		sa.d.emit(finish)
		return
	}
	var left atomic.Int32
	left.Store(int32(len(r.rest)))
	answered := func(error) {
		// A child the peer refuses is left to on-demand negotiation,
		// as after any other failed CREATE_CHILD_SA.
		if left.Add(-1) == 0 {
			finish()
		}
	}
	for _, ts := range r.rest {
		if err := sa.createChild(ts, answered, false); err != nil {
			sa.d.emit(func() { answered(err) })
		}
	}
}

// reauthenticationFailed tells the caller of Reauthenticate that the new
// SA died before it was up; the old one goes on. d.mu is held.
func (sa *IKESA) reauthenticationFailed(err error) {
	r := sa.reauth
	sa.reauth = nil
	if r.old.reauthBy == sa {
		r.old.reauthBy = nil
	}
	if r.done != nil {
		sa.d.emit(func() { r.done(err) })
	}
}
