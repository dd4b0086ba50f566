package ipsec

import (
	"errors"
	"net"
	"net/netip"
	"testing"
	"time"

	"github.com/tcpipc/tcpipc/internal/esp"
)

// scriptedESP is an ESPConn whose reads return the scripted results in
// turn, then net.ErrClosed.
type scriptedESP struct{ reads []func(b []byte) (int, error) }

func (s *scriptedESP) ReadESP(b []byte) (int, netip.Addr, error) {
	if len(s.reads) == 0 {
		return 0, netip.Addr{}, net.ErrClosed
	}
	r := s.reads[0]
	s.reads = s.reads[1:]
	n, err := r(b)
	return n, netip.MustParseAddr("192.0.2.9"), err
}

func (s *scriptedESP) WriteESP([]byte, netip.Addr) error { return nil }

// TestESPLoopSurvivesReadErrors: a read error that is not the close of
// the socket is counted and the loop reads on (the next packet is
// handled: a truncated one, counted); the close ends the loop.
func TestESPLoopSurvivesReadErrors(t *testing.T) {
	e := &Endpoint{children: map[uint32]*child{}, sad: esp.NewSAD()}
	conn := &scriptedESP{reads: []func([]byte) (int, error){
		func([]byte) (int, error) { return 0, errors.New("recvfrom: no buffer space available") },
		func(b []byte) (int, error) { return copy(b, []byte{0, 0, 1, 0}), nil },
	}}
	e.wg.Add(1)
	done := make(chan struct{})
	go func() { e.espLoop(conn); close(done) }()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("the ESP loop did not end at the close")
	}
	// Stats needs a daemon; the counters are what it reports.
	if r, tr := e.stats.drops[DropReadError].Load(), e.stats.drops[DropTruncated].Load(); r != 1 || tr != 1 {
		t.Errorf("%d read errors and %d truncated packets, want one of each", r, tr)
	}
}
