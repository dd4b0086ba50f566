package ikesa

import (
	"net/netip"
	"testing"

	"github.com/tcpipc/tcpipc/internal/ike/wire"
)

// TestNarrowICMPTypeAndCode: a rule for ICMP echo requests carries type 8
// code 0 as ports 0x0800 (RFC 7296 §3.13.1). A proposal for any protocol,
// or for ICMP of any type, is narrowed to it; one for TCP, or for another
// ICMP type, overlaps nothing (TS_UNACCEPTABLE). This needs nothing of
// ICMP in the narrowing itself: the encoding makes type and code ports.
// It guards that it stays so.
func TestNarrowICMPTypeAndCode(t *testing.T) {
	sel := func(prefix string, proto uint8, lo, hi uint16) wire.Selector {
		s := Prefix(netip.MustParsePrefix(prefix))
		s.IPProtocol, s.StartPort, s.EndPort = proto, lo, hi
		return s
	}
	echo := Selectors{Local: []wire.Selector{sel("10.1.1.1/32", 1, 0x0800, 0x0800)}, Remote: []wire.Selector{sel("10.99.0.2/32", 1, 0x0800, 0x0800)}}
	for _, c := range []struct {
		name  string
		proto uint8
		lo    uint16
		hi    uint16
		ok    bool
	}{
		{"any protocol", 0, 0, 65535, true},
		{"ICMP, any type", 1, 0, 65535, true},
		{"ICMP echo", 1, 0x0800, 0x0800, true},
		{"ICMP types 0-8, any code", 1, 0x0000, 0x08ff, true},
		{"ICMP timestamp", 1, 0x0d00, 0x0d00, false},
		{"TCP", 6, 0, 65535, false},
	} {
		t.Run(c.name, func(t *testing.T) {
			tsi := []wire.Selector{sel("10.99.0.0/16", c.proto, c.lo, c.hi)}
			tsr := []wire.Selector{sel("10.1.1.0/24", c.proto, c.lo, c.hi)}
			got, ok := chooseSelectors(tsi, tsr, []Selectors{echo})
			if ok != c.ok {
				t.Fatalf("ok %v, want %v (%v)", ok, c.ok, got)
			}
			if ok && (!sameList(got.Local, echo.Local) || !sameList(got.Remote, echo.Remote)) {
				t.Errorf("narrowed to %v === %v, want %v === %v", got.Local, got.Remote, echo.Local, echo.Remote)
			}
		})
	}
}

func sameList(a, b []wire.Selector) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if !a[i].Same(b[i]) {
			return false
		}
	}
	return true
}
