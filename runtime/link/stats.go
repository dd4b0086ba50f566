package link

import (
	"fmt"
	"sync/atomic"
)

// DropReason says why a packet was not delivered.
type DropReason uint8

const (
	// DropShutdown: the endpoint or its stack was closing.
	DropShutdown DropReason = iota
	// DropDown: fault injection, the link was set down.
	DropDown
	// DropHandler: the outbound handler refused the packet (for an XCF
	// link, the far end rejected it).
	DropHandler
	// DropNoHandler: an outbound packet on an endpoint with no handler.
	DropNoHandler
	// DropMalformed: an injected packet that is not IPv4 or IPv6.
	DropMalformed
	numDropReasons
)

var dropNames = [numDropReasons]string{"shutdown", "down", "handler", "no-handler", "malformed"}

func (r DropReason) String() string {
	if r < numDropReasons {
		return dropNames[r]
	}
	return fmt.Sprintf("DropReason(%d)", uint8(r))
}

// Stats is a snapshot of an endpoint's counters.
type Stats struct {
	PacketsOut, BytesOut uint64 // handed to the handler
	PacketsIn, BytesIn   uint64 // delivered into the stack
	// Blocked counts the writes that had to wait for queue room: the
	// back-pressure the stack felt instead of a drop.
	Blocked uint64
	Drops   [numDropReasons]uint64
}

// Dropped returns the total of all drop counters.
func (s Stats) Dropped() uint64 {
	var n uint64
	for _, d := range s.Drops {
		n += d
	}
	return n
}

// String renders the counters on one line, drops by reason.
func (s Stats) String() string {
	out := fmt.Sprintf("out %d pkts/%d B, in %d pkts/%d B, blocked %d", s.PacketsOut, s.BytesOut, s.PacketsIn, s.BytesIn, s.Blocked)
	for r, d := range s.Drops {
		if d != 0 {
			out += fmt.Sprintf(", dropped %d (%s)", d, DropReason(r))
		}
	}
	return out
}

type counters struct {
	packetsOut, bytesOut atomic.Uint64
	packetsIn, bytesIn   atomic.Uint64
	blocked              atomic.Uint64
	drops                [numDropReasons]atomic.Uint64
}

func (c *counters) drop(r DropReason) { c.drops[r].Add(1) }

func (c *counters) snapshot() Stats {
	s := Stats{
		PacketsOut: c.packetsOut.Load(),
		BytesOut:   c.bytesOut.Load(),
		PacketsIn:  c.packetsIn.Load(),
		BytesIn:    c.bytesIn.Load(),
		Blocked:    c.blocked.Load(),
	}
	for i := range c.drops {
		s.Drops[i] = c.drops[i].Load()
	}
	return s
}
