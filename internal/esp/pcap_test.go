package esp

import (
	"encoding/binary"
	"fmt"
	"io"

	"github.com/gopacket/gopacket/layers"
)

// A minimal reader and writer for classic pcap files (the libpcap format:
// a 24-byte file header, then a 16-byte header before each packet).
// gopacket's pcapgo would do, but it pulls in golang.org/x/net and
// golang.org/x/sys, which go.sum does not list.

const (
	pcapMagicMicro = 0xa1b2c3d4
	pcapMagicNano  = 0xa1b23c4d
)

// readPcap returns the link type and the packets of a pcap file.
func readPcap(r io.Reader) (layers.LinkType, [][]byte, error) {
	var hdr [24]byte
	if _, err := io.ReadFull(r, hdr[:]); err != nil {
		return 0, nil, fmt.Errorf("pcap header: %w", err)
	}
	var order binary.ByteOrder
	switch {
	case binary.LittleEndian.Uint32(hdr[:]) == pcapMagicMicro, binary.LittleEndian.Uint32(hdr[:]) == pcapMagicNano:
		order = binary.LittleEndian
	case binary.BigEndian.Uint32(hdr[:]) == pcapMagicMicro, binary.BigEndian.Uint32(hdr[:]) == pcapMagicNano:
		order = binary.BigEndian
	default:
		return 0, nil, fmt.Errorf("not a pcap file (magic % x)", hdr[:4])
	}
	link := layers.LinkType(order.Uint32(hdr[20:]) & 0xffff)
	var packets [][]byte
	for {
		var rec [16]byte
		if _, err := io.ReadFull(r, rec[:]); err == io.EOF {
			return link, packets, nil
		} else if err != nil {
			return 0, nil, fmt.Errorf("pcap record header: %w", err)
		}
		n := order.Uint32(rec[8:])
		if n > 1<<18 {
			return 0, nil, fmt.Errorf("pcap record of %d bytes", n)
		}
		p := make([]byte, n)
		if _, err := io.ReadFull(r, p); err != nil {
			return 0, nil, fmt.Errorf("pcap record: %w", err)
		}
		packets = append(packets, p)
	}
}

// writePcap writes packets as a little-endian, microsecond pcap file with
// LINKTYPE_RAW (101): each packet starts with its IP header.
func writePcap(w io.Writer, packets [][]byte) error {
	var hdr [24]byte
	binary.LittleEndian.PutUint32(hdr[0:], pcapMagicMicro)
	binary.LittleEndian.PutUint16(hdr[4:], 2) // version 2.4
	binary.LittleEndian.PutUint16(hdr[6:], 4)
	binary.LittleEndian.PutUint32(hdr[16:], 65535) // snap length
	binary.LittleEndian.PutUint32(hdr[20:], uint32(layers.LinkTypeRaw))
	if _, err := w.Write(hdr[:]); err != nil {
		return err
	}
	for i, p := range packets {
		var rec [16]byte
		binary.LittleEndian.PutUint32(rec[0:], uint32(1_800_000_000+i)) // any fixed time
		binary.LittleEndian.PutUint32(rec[8:], uint32(len(p)))
		binary.LittleEndian.PutUint32(rec[12:], uint32(len(p)))
		if _, err := w.Write(rec[:]); err != nil {
			return err
		}
		if _, err := w.Write(p); err != nil {
			return err
		}
	}
	return nil
}
