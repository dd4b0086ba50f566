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
// lifetime; the old one's timers then find nothing to do. e.mu is held.
func (e *Endpoint) scheduleIKERefresh(info ikesa.IKESAInfo) ikeTimes {
	now := e.clock.Now()
	life := e.ikeLifetime(info.Peer)
	if life <= 0 {
		return ikeTimes{up: now}
	}
	soft := life*9/10 - rand.N(life/10+1)
	e.after(soft, func() { e.refreshIKE(info.ID, rekeyRetry) })
	e.after(life, func() { e.expireIKE(info.ID) })
	return ikeTimes{up: now, refresh: now.Add(soft), expires: now.Add(life)}
}

// ikeTimes are when an IKE SA came up, is to be refreshed and expires
// (zero without a lifetime).
type ikeTimes struct{ up, refresh, expires time.Time }

// ikeLifetime is the IKE SA lifetime configured for the named peer.
func (e *Endpoint) ikeLifetime(peer string) time.Duration {
	for _, p := range e.cfg.Peers {
		if p.Name == peer {
			return p.IKELifetime
		}
	}
	return 0
}

// refreshIKE rekeys IKE SA id if it is still ours; a rekey that cannot
// start or fails (a collision, the peer busy or refusing) is tried again
// after wait and a random part of it, wait doubling up to a minute, until
// the SA expires.
func (e *Endpoint) refreshIKE(id ikesa.IKESAID, wait time.Duration) {
	sa := e.daemon.Lookup(id)
	if sa == nil || sa.Info().State != ikesa.StateEstablished {
		return
	}
	retry := func() {
		e.mu.Lock()
		defer e.mu.Unlock()
		e.after(wait+rand.N(wait), func() { e.refreshIKE(id, min(2*wait, time.Minute)) })
	}
	if err := sa.Rekey(func(err error) {
		if err != nil {
			retry()
		}
	}); err != nil {
		retry()
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
