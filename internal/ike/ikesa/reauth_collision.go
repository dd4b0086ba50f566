package ikesa

import (
	"bytes"
	"time"
)

// Simultaneous reauthentication. RFC 7296 section 2.8.3 makes a
// reauthentication a new IKE SA like any other, so when both ends
// reauthenticate one SA at once each answers the other's new SA while
// making its own, and both end up with two IKE SAs, each with a copy of
// the children. Nothing on the wire says that the peer's new SA
// reauthenticates ours, and strongSwan does not detect it either (with
// unique = replace, ten seconds after it authenticates a new SA, it
// deletes all others with the same identities). tcpipc settles it as section 2.8.1
// settles colliding IKE SA rekeys: of our reauthentication R of SA O and
// an SA P the peer started while O still stood, with the same peer,
// identity and address, the one whose IKE_SA_INIT holds the lowest nonce
// is redundant and its initiator deletes it, children and all; the other
// end's initiator keeps its own. Each end knows both exchanges' nonces,
// so both reach the same verdict.
//
// "While O still stood" is taken when P's IKE_SA_INIT arrives, and O
// stands from when it came up until its deletion is complete (our Delete
// answered, or the peer's arrived) and crossingGrace beyond. The peer
// sends its IKE_SA_INIT only while O stands on its side, so before its
// answer to our Delete or its own Delete of O: a peer that has a
// reauthentication of O of its own has sent it before O is gone here,
// or so shortly after that it can only have crossed our messages, and
// the two ends agree on which SAs collide. Should only one end see the
// collision, it alone deletes the lowest nonce's SA: neither end ever
// deletes the SA the other keeps.

// RedundantSADelay is how long the initiator of the redundant SA of a
// reauthentication collision waits before deleting it, and it deletes it
// only if the other SA still stands then. The peer may not have taken in
// the other SA's children yet (its IKE_AUTH answer and our Delete can be
// handled in either order), and until it has, the redundant SA's
// children carry its traffic. And a peer with its own rule may delete the
// other SA: strongSwan with unique = replace deletes, 10 s after it
// authenticated our new SA, every other SA with our identities, its own
// reauthentication included, whatever the nonces say; deleting ours
// before would leave none.
const RedundantSADelay = 12 * time.Second

// crossingGrace is how long after an SA died a peer's IKE_SA_INIT still
// counts as sent while it stood. Our two ports' receive loops (IKE_SA_INIT
// comes to 500, the rest to 4500) and the network may hand us the peer's
// IKE_SA_INIT after a Delete the peer sent later.
const crossingGrace = 2 * time.Second

// instant is a point in the daemon's life: a tick, which orders events
// under d.mu, and the clock's time.
type instant struct {
	tick uint64
	at   time.Time
}

// span is when an IKE SA came up and when it died (zero: not yet); the
// SA that reauthenticates it keeps it, not the SA itself.
type span struct{ up, gone instant }

// now is the next instant. d.mu is held.
func (d *Daemon) now() instant {
	d.tick++
	return instant{d.tick, d.clock.Now()}
}

// stoodAt reports whether the SA of span s stood at i: it had come up,
// and had not died or died at most crossingGrace before.
func (s *span) stoodAt(i instant) bool {
	return s.up.tick < i.tick && (s.gone.tick == 0 || s.gone.tick > i.tick || i.at.Sub(s.gone.at) <= crossingGrace)
}

// resolveReauthCollision runs when sa is up (the peer's new SA) or has
// finished reauthenticating (ours): if it and another SA collide, the one
// with the lowest nonce goes, if the other still stands then: deleted
// here RedundantSADelay later if we initiated it, else peerRuleWait later
// should the peer not have deleted it by then. d.mu is held.
func (d *Daemon) resolveReauthCollision(sa *IKESA) {
	for _, other := range d.sas {
		r, p := sa, other
		if !sa.reauthDone {
			r, p = other, sa
		}
		if !reauthCollides(r, p) {
			continue
		}
		gone, kept, wait := p, r, peerRuleWait
		if bytes.Compare(lowerNonce(r.ni, r.nr), lowerNonce(p.ni, p.nr)) < 0 {
			gone, kept, wait = r, p, RedundantSADelay
		}
		if gone.redundant == nil {
			gone.redundant = d.clock.AfterFunc(wait, func() {
				d.mu.Lock()
				defer d.runEventsLocked()
				if gone.state == StateEstablished && kept.state == StateEstablished {
					gone.delete()
				}
			})
		}
		return
	}
}

// peerRuleWait is how long we leave the peer's redundant SA to the peer:
// one that is not tcpipc applies no such rule (strongSwan keeps both SAs
// unless its uniqueness policy is replace), and the two SAs would stay
// for good. Deleting it ourselves later than the peer would is safe: a
// tcpipc peer deletes the same SA, and a peer that deletes the other
// SA first makes us keep this one.
const peerRuleWait = RedundantSADelay + 5*time.Second

// reauthCollides reports whether r, our finished reauthentication of
// O, and p, an SA the peer started afresh after O came up and before O
// died, are both up, with the same peer, identity and address.
func reauthCollides(r, p *IKESA) bool {
	if r == p || !r.reauthDone || r.state != StateEstablished || p.initiator || p.init.tick == 0 || p.state != StateEstablished {
		return false
	}
	return r.reauthOf.stoodAt(p.init) && p.peerName() == r.peerName() && p.peerID.String() == r.peerID.String() && p.remote.Addr() == r.remote.Addr()
}
