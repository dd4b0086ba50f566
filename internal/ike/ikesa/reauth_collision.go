package ikesa

import (
	"bytes"
)

// Simultaneous reauthentication. RFC 7296 section 2.8.3 makes a
// reauthentication a new IKE SA like any other, so when both ends
// reauthenticate one SA at once each answers the other's new SA while
// making its own, and both end up with two IKE SAs, each with a copy of
// the children. Nothing on the wire says that the peer's new SA
// reauthenticates ours, and strongSwan does not detect it either (its
// uniqueids=replace policy deletes the older of two SAs with the same
// identities, ten seconds later). tcpipc settles it as section 2.8.1
// settles colliding IKE SA rekeys: of our reauthentication R of SA O and
// an SA P the peer started while O still stood, with the same peer,
// identity and address, the one whose IKE_SA_INIT holds the lowest nonce
// is redundant and its initiator deletes it, children and all; the other
// end's initiator keeps its own. Each end knows both exchanges' nonces,
// so both reach the same verdict.
//
// "While O still stood" is taken when P's IKE_SA_INIT arrives, and O
// stands from when it came up until its deletion is complete: until our
// Delete is answered or the peer's arrives. The daemon's tick orders
// these events. The peer sends its IKE_SA_INIT only while O stands
// on its side, and before its answer to our Delete or its own Delete of
// O, so a peer that has a reauthentication of O of its own has always
// sent it before O is gone here: the two ends agree on which SAs
// collide.

// span is when an IKE SA came up and when it died, in ticks (0: not
// yet); the SA that reauthenticates it keeps it, not the SA itself.
type span struct{ up, gone uint64 }

// nextTick advances and returns the daemon's tick. d.mu is held.
func (d *Daemon) nextTick() uint64 {
	d.tick++
	return d.tick
}

// resolveReauthCollision runs when sa is up (the peer's new SA) or has
// finished reauthenticating (ours): if it and another SA collide, the one
// with the lowest nonce goes, deleted here if we initiated it. d.mu is
// held.
func (d *Daemon) resolveReauthCollision(sa *IKESA) {
	for _, other := range d.sas {
		r, p := sa, other
		if !sa.reauthDone {
			r, p = other, sa
		}
		if !reauthCollides(r, p) {
			continue
		}
		if bytes.Compare(lowerNonce(r.ni, r.nr), lowerNonce(p.ni, p.nr)) < 0 {
			r.delete()
		}
		return
	}
}

// reauthCollides reports whether r, our finished reauthentication of
// O, and p, an SA the peer started afresh after O came up and before O
// died, are both up, with the same peer, identity and address.
func reauthCollides(r, p *IKESA) bool {
	if r == p || !r.reauthDone || r.state != StateEstablished || p.initiator || p.initAt == 0 || p.state != StateEstablished {
		return false
	}
	o := r.reauthOf
	return o.up < p.initAt && (o.gone == 0 || o.gone > p.initAt) &&
		p.peerName() == r.peerName() && p.peerID.String() == r.peerID.String() && p.remote.Addr() == r.remote.Addr()
}
