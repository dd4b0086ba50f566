package ikesa

import (
	"errors"

	"github.com/tcpipc/tcpipc/internal/ike/wire"
)

// Reassembly of IKE fragments (RFC 7383). We never announce
// IKEV2_FRAGMENTATION_SUPPORTED and never fragment what we send, as z/OS
// IKED does not; but a peer may fragment all the same (strongSwan's
// fragmentation = force splits any message larger than its fragment_size,
// announced or not), and dropping its fragments left it retransmitting
// until it gave up. So fragments that arrive are put together.

// Bounds on what one message's fragments may take: a peer's fragments
// each pass the integrity check before they are kept, so only the peer
// itself can fill these.
const (
	maxFragments     = 64
	maxReassembledIn = 64 << 10
)

// maxReassembling bounds the bytes the unfinished messages of all IKE
// SAs hold together. Anyone who completes an IKE_SA_INIT shares keys with
// us and may send fragments, so what half-open SAs hold is bounded apart,
// by maxReassemblingHalfOpen: a flood of them, each keeping 64 KiB for
// HalfOpenTimeout, never takes the part established SAs rely on.
var (
	maxReassembling         = 1 << 20
	maxReassemblingHalfOpen = 256 << 10
)

// errFragments refuses a fragmented message beyond those bounds.
var errFragments = errors.New("ikesa: fragmented message too large")

// fragments collects the fragments of one message: our peer's request or
// its response to ours, by message ID.
type fragments struct {
	id    uint32
	total uint16
	first wire.PayloadType
	parts [][]byte // plaintext by fragment number - 1
	have  int
	size  int
	// halfOpen: an IKE_AUTH request to a half-open SA, counted in
	// maxReassemblingHalfOpen too.
	halfOpen bool
}

// decodeProtected opens the encrypted payload of m, decoded from raw,
// which is the peer's response when response is set, else its request:
// an SK payload, or one fragment of an SKF-split message. For a fragment,
// complete is false until the last missing one arrives, and then the
// payloads are the whole message's. A fragment that fails its integrity
// check or does not fit the ones before is an error, as an undecodable SK
// payload is.
func (sa *IKESA) decodeProtected(raw []byte, m *wire.Message, response bool) (payloads []wire.Payload, complete bool, err error) {
	if len(m.Payloads) == 0 || m.Payloads[len(m.Payloads)-1].Type() != wire.PayloadSKF {
		payloads, err = sa.open.DecodeInner(raw, m)
		return payloads, err == nil, err
	}
	f, plain, err := sa.open.OpenFragment(raw, m)
	if err != nil {
		return nil, false, err
	}
	sa.d.stats.fragments.Add(1)
	r := sa.reassembly[slot(response)]
	if r == nil || r.id != m.MessageID || f.Total > r.total {
		// A new message, or the sender started over with smaller
		// fragments (RFC 7383 section 2.6.2): forget what was collected.
		if f.Total > maxFragments {
			return nil, false, errFragments
		}
		r = &fragments{id: m.MessageID, total: f.Total, parts: make([][]byte, f.Total), halfOpen: sa.halfOpen != nil}
		sa.setReassembly(response, r)
	}
	switch {
	case f.Total < r.total:
		// Left over from before the sender started over.
		return nil, false, nil
	case r.parts[f.Number-1] != nil:
		return nil, false, nil // a duplicate
	case r.size+len(plain) > maxReassembledIn || sa.d.reassembling+len(plain) > maxReassembling ||
		r.halfOpen && sa.d.reassemblingHalfOpen+len(plain) > maxReassemblingHalfOpen:
		sa.setReassembly(response, nil)
		return nil, false, errFragments
	}
	if f.Number == 1 {
		r.first = f.NextInner
	}
	if plain == nil {
		plain = []byte{}
	}
	r.parts[f.Number-1], r.have, r.size = plain, r.have+1, r.size+len(plain)
	sa.d.reassembling += len(plain)
	if r.halfOpen {
		sa.d.reassemblingHalfOpen += len(plain)
	}
	if r.have < int(r.total) {
		return nil, false, nil
	}
	sa.setReassembly(response, nil)
	whole := make([]byte, 0, r.size)
	for _, p := range r.parts {
		whole = append(whole, p...)
	}
	if payloads, err = wire.DecodePayloads(r.first, whole); err != nil {
		return nil, false, err
	}
	sa.d.stats.reassembled.Add(1)
	return payloads, true, nil
}

// setReassembly replaces the request, or the response, sa collects
// fragments of with r (nil: none), giving back to the daemon's budget what
// the last one held. d.mu is held.
func (sa *IKESA) setReassembly(response bool, r *fragments) {
	if old := sa.reassembly[slot(response)]; old != nil {
		sa.d.reassembling -= old.size
		if old.halfOpen {
			sa.d.reassemblingHalfOpen -= old.size
		}
	}
	sa.reassembly[slot(response)] = r
}

// slot is where sa.reassembly keeps the peer's request (0) or its
// response to ours (1): the two may be under way at once, their fragments
// interleaved.
func slot(response bool) int {
	if response {
		return 1
	}
	return 0
}

// isLaterFragment reports whether m is a fragment other than the first
// one of a message: a retransmitted request is answered again only once,
// on its first fragment (RFC 7383 section 2.6.1).
func isLaterFragment(m *wire.Message) bool {
	if len(m.Payloads) == 0 {
		return false
	}
	f, ok := m.Payloads[len(m.Payloads)-1].(*wire.SKF)
	return ok && f.Number != 1
}
