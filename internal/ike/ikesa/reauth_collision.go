package ikesa

import (
	"bytes"
	"net/netip"
	"slices"
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
// stands until its deletion is complete: until our Delete is answered or
// the peer's arrives. The peer sends its IKE_SA_INIT only while O stands
// on its side, and before its answer to our Delete or its own Delete of
// O, so a peer that has a reauthentication of O of its own has always
// sent it before O is gone here: the two ends agree on which SAs
// collide.

// standingWith lists the established SAs (or those waiting for their
// Delete's answer) with remote address addr. d.mu is held.
func (d *Daemon) standingWith(addr netip.Addr) []IKESAID {
	var ids []IKESAID
	for _, sa := range d.sas {
		if (sa.state == StateEstablished || sa.state == StateDeleting) && sa.remote.Addr() == addr {
			ids = append(ids, sa.id())
		}
	}
	return ids
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

// reauthCollides reports whether r, our finished reauthentication, and
// p, an SA the peer started afresh, are both up and made while the SA r
// replaces stood, with the same peer, identity and address.
func reauthCollides(r, p *IKESA) bool {
	return r != p && r.reauthDone && r.state == StateEstablished && !p.initiator && p.state == StateEstablished &&
		p.peerName() == r.peerName() && p.peerID.String() == r.peerID.String() &&
		p.remote.Addr() == r.remote.Addr() && slices.Contains(p.standing, r.replaces)
}
