package link

import (
	"io"
	"sync"

	"github.com/gopacket/gopacket"
	"github.com/gopacket/gopacket/layers"
	"github.com/gopacket/gopacket/pcapgo"
	"github.com/tcpipc/tcpipc/internal/clock"
)

// PcapWriter records packets from one or more taps into a pcap file with
// link type LINKTYPE_RAW (101): each record is a bare IPv4 or IPv6
// datagram, which is what crosses an Endpoint. Timestamps come from the
// runtime's clock, so a capture taken under a manual clock is reproducible.
// It is safe for concurrent use by many taps.
type PcapWriter struct {
	mu  sync.Mutex
	w   *pcapgo.Writer
	clk clock.Clock
	err error
}

// pcapSnapLen is larger than any packet a link carries.
const pcapSnapLen = 65535

// NewPcapWriter writes the pcap file header to w and returns the writer.
func NewPcapWriter(w io.Writer, clk clock.Clock) (*PcapWriter, error) {
	pw := pcapgo.NewWriterNanos(w)
	if err := pw.WriteFileHeader(pcapSnapLen, layers.LinkTypeRaw); err != nil {
		return nil, err
	}
	return &PcapWriter{w: pw, clk: clk}, nil
}

// Tap returns a tap that records the packets crossing an endpoint in
// direction dir. Record one direction per endpoint: the out direction of
// both ends of a pipe captures each packet exactly once.
func (p *PcapWriter) Tap(dir Direction) Tap {
	return func(d Direction, pkt []byte) {
		if d == dir {
			p.write(pkt)
		}
	}
}

func (p *PcapWriter) write(pkt []byte) {
	ci := gopacket.CaptureInfo{Timestamp: p.clk.Now(), CaptureLength: len(pkt), Length: len(pkt)}
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.err == nil {
		p.err = p.w.WritePacket(ci, pkt)
	}
}

// Err returns the first write error, if any; after one, records stop.
func (p *PcapWriter) Err() error {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.err
}
