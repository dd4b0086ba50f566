package link_test

import (
	"bytes"
	"errors"
	"io"
	"testing"
	"time"

	"github.com/gopacket/gopacket"
	"github.com/gopacket/gopacket/layers"
	"github.com/gopacket/gopacket/pcapgo"
	"github.com/tcpipc/tcpipc/internal/clock"
)

func clockForTest() clock.Clock { return clock.NewManual(time.Unix(1_700_000_000, 0)) }

// countPcap reads a LINKTYPE_RAW capture and checks each record decodes as
// IPv4 carrying TCP between the test addresses.
func countPcap(t *testing.T, file []byte) int {
	t.Helper()
	r, err := pcapgo.NewReader(bytes.NewReader(file))
	if err != nil {
		t.Fatal(err)
	}
	if r.LinkType() != layers.LinkTypeRaw {
		t.Fatalf("link type %v, want raw", r.LinkType())
	}
	n := 0
	for {
		data, _, err := r.ReadPacketData()
		if errors.Is(err, io.EOF) {
			return n
		}
		if err != nil {
			t.Fatal(err)
		}
		p := gopacket.NewPacket(data, layers.LayerTypeIPv4, gopacket.Default)
		ip, _ := p.Layer(layers.LayerTypeIPv4).(*layers.IPv4)
		if ip == nil || p.Layer(layers.LayerTypeTCP) == nil {
			t.Fatalf("record %d is not IPv4/TCP: %v", n, p)
		}
		if !ip.SrcIP.Equal(addrA.Addr().AsSlice()) && !ip.SrcIP.Equal(addrB.Addr().AsSlice()) {
			t.Fatalf("record %d from unexpected source %v", n, ip.SrcIP)
		}
		n++
	}
}
