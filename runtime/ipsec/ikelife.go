package ipsec

import (
	"math/rand/v2"
	"time"

	"github.com/tcpipc/tcpipc/internal/ike/ikesa"
)

// DefaultIKELifetime is an IKE SA's lifetime when the key exchange offers
// give none: 480 minutes, the lifetime a KeyExchangeOffer proposes when
// RefreshLifetimeProposed is not coded (unconfirmed; see README).
const DefaultIKELifetime = 480 * time.Minute

// scheduleIKERefresh arms the refresh of an IKE SA that just came up.
// z/OS refreshes an IKEv2 phase 1 SA when its configured lifetime runs
// out: new keys, the peer not authenticated again (IBM, "Refreshing
// Security Associations"), which is an IKE SA rekey (RFC 7296 §2.18). It
// starts at nine tenths of the lifetime less up to another tenth at
// random, so that two ends with one lifetime seldom start together
// (§2.8.1); an SA still there at the end of its lifetime is deleted. A
// rekeyed SA (ours or the peer's) comes up again here with its own
// lifetime; the old one's timers then find nothing to do. With a
// reauthentication interval the SA is also negotiated afresh that long
// after its peer last authenticated (scheduleReauthentication). e.mu is
// held.
func (e *Endpoint) scheduleIKERefresh(info ikesa.IKESAInfo) ikeTimes {
	now := e.clock.Now()
	authenticated := info.Authenticated
	if authenticated.IsZero() {
		authenticated = now
	}
	peer := e.peerConfig(info.Peer)
	times := ikeTimes{up: now, reauth: e.scheduleReauthentication(info.ID, peer.ReauthInterval, authenticated)}
	life := peer.IKELifetime
	if life <= 0 {
		return times
	}
	soft := life*9/10 - rand.N(life/10+1)
	e.after(soft, func() { e.refreshIKE(info.ID, &backoff{}) })
	e.after(life, func() { e.expireIKE(info.ID) })
	times.refresh, times.expires = now.Add(soft), now.Add(life)
	return times
}

// ikeTimes are when an IKE SA came up and when it is to be refreshed,
// reauthenticated and expires (zero when it never is).
type ikeTimes struct{ up, refresh, reauth, expires time.Time }

// scheduleReauthentication arms the reauthentication of IKE SA id, whose
// peer authenticated at authenticated, every ReauthInterval of its
// KeyExchangeAction (IBM, "Refreshing phase 1 Security Associations"):
// the interval after it, less up to a tenth at random as for a refresh.
// It returns when, zero without an interval. e.mu is held.
func (e *Endpoint) scheduleReauthentication(id ikesa.IKESAID, every time.Duration, authenticated time.Time) time.Time {
	if every <= 0 {
		return time.Time{}
	}
	due := authenticated.Add(every - rand.N(every/10+1))
	e.after(max(due.Sub(e.clock.Now()), 0), func() { e.reauthenticateIKE(id, &backoff{}) })
	return due
}

// peerConfig is the configuration of the named peer (zero when none has
// the name).
func (e *Endpoint) peerConfig(name string) Peer {
	for _, p := range e.cfg.Peers {
		if p.Name == name {
			return p
		}
	}
	return Peer{}
}

// refreshIKE rekeys IKE SA id if it is still ours (replaceIKE).
func (e *Endpoint) refreshIKE(id ikesa.IKESAID, b *backoff) {
	e.replaceIKE(id, b, (*ikesa.IKESA).Rekey)
}

// reauthenticateIKE negotiates IKE SA id afresh, both ends authenticated
// again, if it is still ours (replaceIKE).
func (e *Endpoint) reauthenticateIKE(id ikesa.IKESAID, b *backoff) {
	e.replaceIKE(id, b, (*ikesa.IKESA).Reauthenticate)
}

// replaceIKE replaces IKE SA id by replace if the SA is still ours and up.
// A replacement that cannot start or fails (a collision, a refresh or
// reauthentication already under way, the peer busy or refusing) is
// tried again as b paces it (backoff.go), until the SA's lifetime ends.
func (e *Endpoint) replaceIKE(id ikesa.IKESAID, b *backoff, replace func(*ikesa.IKESA, func(error)) error) {
	sa := e.daemon.Lookup(id)
	if sa == nil || sa.Info().State != ikesa.StateEstablished {
		return
	}
	retry := func(err error) {
		e.mu.Lock()
		defer e.mu.Unlock()
		if wait, ok := b.next(err, e.clock.Now(), e.ikeTimes[id].expires); ok {
			e.after(wait, func() { e.replaceIKE(id, b, replace) })
		}
	}
	if err := replace(sa, func(err error) {
		if err != nil {
			retry(err)
		}
	}); err != nil {
		retry(err)
	}
}

// expireIKE ends IKE SA id and its children at the end of its lifetime:
// at once, even while a refresh is still being retransmitted (a Delete
// would wait behind it), and also an SA a rekey replaced whose Delete
// never came (a responder whose peer went away mid-rekey).
func (e *Endpoint) expireIKE(id ikesa.IKESAID) {
	if sa := e.daemon.Lookup(id); sa != nil {
		if st := sa.Info().State; st == ikesa.StateEstablished || st == ikesa.StateRekeyed {
			sa.Expire()
		}
	}
}
