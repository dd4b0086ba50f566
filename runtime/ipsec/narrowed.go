package ipsec

import (
	"net/netip"

	"github.com/tcpipc/tcpipc/internal/ike/ikesa"
)

// An acquire is the negotiation one outbound packet starts for the IPSEC
// filter it matched (RFC 4301 §5.1: the SPD entry's template, led by the
// packet's own selectors, see proposal in rules.go). The responder may
// narrow what we propose to any part of it (RFC 7296 §2.9), even a part
// that leaves out the packet that asked. Its answer holds for the filter:
// asking again for the next packet of the same filter would bring another
// child SA with the same narrowed selectors, one per packet, for ever.
//
// So when the child an acquire brings does not cover its trigger, the
// filter is marked as narrowed to that child's selectors, for the address
// the acquire went to: a peer configured for a range of addresses is many
// remote parties, and one client's answer says nothing of another's. While a child
// with those selectors is up (rekeys keep them), a packet of the filter
// that no child covers is dropped and counted (DropNarrowed) without a new
// negotiation; once no such child is left, the next packet may ask again.
// A child that covers its trigger marks nothing, so a peer that narrows
// each acquire to its packet (one SA per connection) keeps getting one
// child per flow. This follows Linux's XFRM, which lets one acquire per
// policy and flow be outstanding, and strongSwan's refusal to install a
// duplicate of a CHILD_SA it already has.

// acquireKey names an acquire's answer: the filter, and the address the
// negotiation goes to (the peer's, or for a peer anywhere in a range, the
// packet's destination, as negotiate does).
type acquireKey struct {
	filter *Filter
	to     netip.Addr
}

// acquireTo is where a negotiation for ps started by a packet of flow fl
// goes.
func acquireTo(ps *peerState, fl flow) netip.Addr {
	if ps.cfg.Addr.IsValid() {
		return ps.cfg.Addr
	}
	return fl.dst
}

// noteAcquireAnswered records, when the child ch came as the answer to the
// negotiation under way for ps and does not cover the packet that started
// it, that ps's trigger filter is narrowed to ch's selectors. It reports
// whether it did. e.mu is held.
func (e *Endpoint) noteAcquireAnswered(ps *peerState, ch *child) bool {
	if !ps.negotiating || ps.trigger == nil || len(ps.queue) == 0 {
		return false
	}
	fl, err := parseFlow(ps.queue[0])
	if err != nil || fitsSelectors(fl, ch.info.LocalTS, ch.info.RemoteTS) {
		return false
	}
	if ps.narrowed == nil {
		ps.narrowed = map[acquireKey]ikesa.Selectors{}
	}
	ps.narrowed[acquireKey{ps.trigger, acquireTo(ps, fl)}] = ikesa.Selectors{Local: ch.info.LocalTS, Remote: ch.info.RemoteTS}
	return true
}

// narrowedAway reports whether the peer answered an acquire for filter f,
// to where a packet of flow fl would go, with a child narrowed below it
// that is still up, so that packet, which no child covers, must not start
// another one. A mark whose child is gone is forgotten. e.mu is held.
func (e *Endpoint) narrowedAway(ps *peerState, f *Filter, fl flow) bool {
	key := acquireKey{f, acquireTo(ps, fl)}
	ts, ok := ps.narrowed[key]
	if !ok {
		return false
	}
	for _, c := range ps.children {
		if c.out.Alive() && eqSelectors(c.info.LocalTS, ts.Local) && eqSelectors(c.info.RemoteTS, ts.Remote) {
			return true
		}
	}
	delete(ps.narrowed, key)
	return false
}
