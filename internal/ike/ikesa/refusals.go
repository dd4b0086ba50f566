package ikesa

import (
	"fmt"
	"maps"
	"net/netip"
	"strings"
	"sync"

	"github.com/tcpipc/tcpipc/internal/ike/wire"
)

// refusals counts the error notifications of refused exchanges, both
// ways, and remembers the last offer we refused for want of a proposal,
// so an operator whose peer cannot get an SA sees why on either side.
type refusals struct {
	mu             sync.Mutex
	sent, got      map[wire.NotifyType]uint64
	lastNoProposal string
}

// count adds each error notification of payloads to m.
func (r *refusals) count(m *map[wire.NotifyType]uint64, payloads []wire.Payload) {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, p := range payloads {
		if n, ok := p.(*wire.Notify); ok && n.NotifyType.IsError() {
			if *m == nil {
				*m = map[wire.NotifyType]uint64{}
			}
			(*m)[n.NotifyType]++
		}
	}
}

func (r *refusals) snapshot(s *Stats) {
	r.mu.Lock()
	defer r.mu.Unlock()
	s.Refused, s.PeerRefused, s.LastNoProposal = maps.Clone(r.sent), maps.Clone(r.got), r.lastNoProposal
}

// noteSent counts the error notifications of a response we send.
func (d *Daemon) noteSent(payloads []wire.Payload) { d.refusals.count(&d.refusals.sent, payloads) }

// noteGot counts the error notifications of a response the peer sent.
func (d *Daemon) noteGot(payloads []wire.Payload) { d.refusals.count(&d.refusals.got, payloads) }

// noteNoProposal remembers, for Stats, an offer we refused with
// NO_PROPOSAL_CHOSEN: from whom, in which exchange, what it offered and
// what we accept.
func (d *Daemon) noteNoProposal(from netip.AddrPort, x wire.ExchangeType, offered *wire.SA, ours []Suite) {
	var accept []string
	for _, s := range ours {
		accept = append(accept, s.String())
	}
	line := fmt.Sprintf("%s from %s offered %s; we accept %s", x, from, describeOffer(offered), strings.Join(accept, ", "))
	d.refusals.mu.Lock()
	d.refusals.lastNoProposal = line
	d.refusals.mu.Unlock()
}

// describeOffer writes an SA payload's proposals in the order sent, each
// as its transforms joined by "/", alternatives of one type included,
// with a key length after the cipher it belongs to.
func describeOffer(sa *wire.SA) string {
	var props []string
	for _, p := range sa.Proposals {
		var ts []string
		for _, t := range p.Transforms {
			var s string
			switch t.Type {
			case wire.TransformENCR:
				s = wire.EncrID(t.ID).String()
				if t.KeyLength != 0 {
					s += fmt.Sprintf("_%d", t.KeyLength)
				}
			case wire.TransformPRF:
				s = wire.PRFID(t.ID).String()
			case wire.TransformINTEG:
				s = wire.IntegID(t.ID).String()
			case wire.TransformDH:
				s = wire.DHGroup(t.ID).String()
			case wire.TransformESN:
				s = wire.ESNID(t.ID).String()
			default:
				s = fmt.Sprintf("%s(%d)", t.Type, t.ID)
			}
			ts = append(ts, s)
		}
		props = append(props, fmt.Sprintf("%s:%s", p.Protocol, strings.Join(ts, "/")))
	}
	if len(props) == 0 {
		return "no proposal"
	}
	return strings.Join(props, ", ")
}
