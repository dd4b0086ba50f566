package ipsec

import (
	"sync"
	"testing"

	"github.com/tcpipc/tcpipc/runtime/swsa"
)

// eventLog is a swsa.Journal that keeps what it hears.
type eventLog struct {
	mu     sync.Mutex
	events []swsa.Event
}

func (l *eventLog) Report(ev swsa.Event) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.events = append(l.events, ev)
}

func (l *eventLog) kinds() []swsa.EventKind {
	l.mu.Lock()
	defer l.mu.Unlock()
	var out []swsa.EventKind
	for _, ev := range l.events {
		out = append(out, ev.Kind)
	}
	return out
}

// TestSWSAJournalAndHold: an endpoint journaling its tunnels starts no
// on-demand negotiation while its stack plans a recovery (the packet is
// dropped, TCP sends it again), then negotiates and reports the new
// tunnel, its record named after the stack, and its child SA.
func TestSWSAJournalAndHold(t *testing.T) {
	tp := newTopo(t)
	var log eventLog
	tp.client.e.SetSWSA(SWSA{Journal: &log, Stack: "MVS9"})
	pkt := udp4(clientIn, appAddr, 40000, 7, []byte("hello"))
	if v := tp.client.e.Outbound(pkt); v != Dropped {
		t.Fatalf("while planning a recovery: %v, want dropped", v)
	}
	if n := len(tp.client.e.Daemon().SAs()); n != 0 {
		t.Fatalf("%d IKE SAs started while planning", n)
	}
	tp.client.e.EndRecoveryPlanning()
	tp.establish(t)
	eventually(t, "the tunnel and its child journaled", func() bool { return len(log.kinds()) >= 2 })
	log.mu.Lock()
	first, second := log.events[0], log.events[1]
	log.mu.Unlock()
	if first.Kind != swsa.IKEEstablished || first.TunnelID != "MVS9.Y1" || first.Tunnel == nil ||
		first.Tunnel.Peer.Identity.Value != "gw.example" || first.Tunnel.IKE.Version != "IKEv2" {
		t.Fatalf("first event %+v", first)
	}
	if second.Kind != swsa.ChildInstalled || second.Child.InboundSPI < 256 || len(second.Child.Local) == 0 {
		t.Fatalf("second event %+v", second)
	}
}
