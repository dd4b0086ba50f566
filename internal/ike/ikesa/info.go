package ikesa

import (
	"encoding/binary"
	"fmt"

	"github.com/tcpipc/tcpipc/internal/ike/wire"
)

// handleInformational answers an INFORMATIONAL request (RFC 7296 section
// 1.4): a Delete of the IKE SA ends it after an empty answer; a Delete of
// ESP SPIs removes those children and answers with our SPIs of the same
// pairs; anything else, including an empty request (a liveness check),
// gets an empty answer. AUTHENTICATION_FAILED from the initiator ends the
// SA after an empty answer.
func (sa *IKESA) handleInformational(m *wire.Message, payloads []wire.Payload) {
	var ours [][]byte
	deleteIKE := false
	for _, p := range payloads {
		del, ok := p.(*wire.Delete)
		if !ok {
			continue
		}
		switch del.Protocol {
		case wire.ProtoIKE:
			deleteIKE = true
		case wire.ProtoESP:
			for _, spi := range del.SPIs {
				// The peer names its inbound SPI, which is our outbound.
				out := binary.BigEndian.Uint32(spi)
				for in, c := range sa.children {
					if c.OutboundSPI == out {
						ours = append(ours, binary.BigEndian.AppendUint32(nil, in))
						sa.removeChild(in)
					}
				}
			}
		}
	}
	if wire.FindNotify(payloads, wire.AUTHENTICATION_FAILED) != nil && !sa.initiator {
		// The initiator refused our IKE_AUTH response (RFC 7296 section
		// 2.21.2): the SA is of no use to it, so it is of none to us.
		sa.respond(m, nil)
		sa.die(fmt.Errorf("%w: the initiator refused our authentication", ErrAuthFailed))
		return
	}
	if deleteIKE {
		sa.respond(m, nil)
		if sa.state == StateRekeyed {
			sa.die(ErrRekeyed)
		} else {
			sa.die(ErrDeleted)
		}
		return
	}
	var resp []wire.Payload
	if len(ours) > 0 {
		resp = append(resp, &wire.Delete{Protocol: wire.ProtoESP, SPISize: 4, SPIs: ours})
	}
	sa.respond(m, resp)
}

// Delete ends the IKE SA and its children: INFORMATIONAL with a Delete
// payload, then the SA is gone once answered or given up on.
func (sa *IKESA) Delete() {
	sa.d.mu.Lock()
	defer sa.d.runEventsLocked()
	sa.delete()
}

// delete is Delete with d.mu held.
func (sa *IKESA) delete() {
	if sa.state != StateEstablished {
		sa.die(ErrDeleted)
		return
	}
	sa.state = StateDeleting
	sa.startRequest(&request{
		exchange: wire.INFORMATIONAL,
		payloads: []wire.Payload{&wire.Delete{Protocol: wire.ProtoIKE}},
		onResponse: func(*response) error {
			sa.die(ErrDeleted)
			return nil
		},
	})
}

// Expire ends the IKE SA and its children now: its lifetime is over and
// it must not carry traffic any longer (RFC 7296 §2.8). The peer is sent
// a Delete when no exchange is under way; one under way (a rekey still
// retransmitted) is abandoned, and the peer learns of the end from its
// own liveness checks or lifetime.
func (sa *IKESA) Expire() {
	d := sa.d
	d.mu.Lock()
	defer d.runEventsLocked()
	if sa.state == StateEstablished && sa.pending == nil {
		sa.startRequest(&request{exchange: wire.INFORMATIONAL, payloads: []wire.Payload{&wire.Delete{Protocol: wire.ProtoIKE}}})
	}
	sa.die(ErrExpired)
}

// DeleteChild ends the child SA we receive on inboundSPI.
func (sa *IKESA) DeleteChild(inboundSPI uint32) error {
	d := sa.d
	d.mu.Lock()
	defer d.runEventsLocked()
	if sa.state != StateEstablished || sa.children[inboundSPI] == nil {
		return fmt.Errorf("ikesa: no child SA with inbound SPI %#08x", inboundSPI)
	}
	// Stop using it now; the peer's answer names its side of the pair.
	out := sa.children[inboundSPI].OutboundSPI
	sa.removeChild(inboundSPI)
	sa.deleting[out] = true
	sa.startRequest(&request{
		exchange: wire.INFORMATIONAL,
		payloads: []wire.Payload{&wire.Delete{Protocol: wire.ProtoESP, SPISize: 4,
			SPIs: [][]byte{binary.BigEndian.AppendUint32(nil, inboundSPI)}}},
		onResponse: func(*response) error {
			delete(sa.deleting, out)
			return nil
		},
	})
	return nil
}

// CheckLiveness sends an empty INFORMATIONAL request (RFC 7296 section
// 2.4). done, if not nil, is called with nil when the peer answers, or
// with the error the SA died of when it never does.
func (sa *IKESA) CheckLiveness(done func(error)) error {
	d := sa.d
	d.mu.Lock()
	defer d.runEventsLocked()
	if sa.state != StateEstablished {
		return fmt.Errorf("ikesa: IKE SA is %s", sa.state)
	}
	sa.startRequest(&request{exchange: wire.INFORMATIONAL, onResponse: func(*response) error { return nil }, done: done})
	return nil
}
