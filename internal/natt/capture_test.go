package natt

import (
	"encoding/binary"
	"os"
	"path/filepath"
	"testing"

	"github.com/gopacket/gopacket"
	"github.com/gopacket/gopacket/layers"
)

// TestClassifyCaptures sorts the UDP datagrams of the shared captures, one
// of them real strongSwan NAT-T traffic, and compares the tally with what
// tshark's udpencap dissector reports for the same files.
func TestClassifyCaptures(t *testing.T) {
	for _, tc := range []struct {
		file string
		want map[Kind]int
	}{
		{"synthetic-esp-gcm.pcap", map[Kind]int{KindIKE: 2, KindESP: 6, KindKeepalive: 1}},
		{"strongswan-libipsec-natt.pcap", map[Kind]int{KindIKE: 4, KindESP: 11}},
	} {
		t.Run(tc.file, func(t *testing.T) {
			got := map[Kind]int{}
			for _, udp := range udpDatagrams(t, filepath.Join(vectorsDir(t), tc.file)) {
				kind, payload, err := Classify(uint16(udp.DstPort), udp.Payload)
				if err != nil {
					t.Fatalf("datagram to port %d: %v", udp.DstPort, err)
				}
				if kind == KindIKE && payload[17] != 0x20 {
					t.Fatalf("IKE payload does not carry version 2.0 at offset 17: % x", payload[:28])
				}
				got[kind]++
			}
			for k, n := range tc.want {
				if got[k] != n {
					t.Errorf("%v: %d datagrams, want %d (all: %v)", k, got[k], n, got)
				}
			}
		})
	}
}

// udpDatagrams returns the UDP layers of a little-endian, microsecond pcap
// file (the format of the shared captures).
func udpDatagrams(t *testing.T, path string) []*layers.UDP {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if len(data) < 24 || binary.LittleEndian.Uint32(data) != 0xa1b2c3d4 {
		t.Fatalf("%s: not a little-endian microsecond pcap file", path)
	}
	link := layers.LinkType(binary.LittleEndian.Uint32(data[20:]))
	var out []*layers.UDP
	for rest := data[24:]; len(rest) > 0; {
		if len(rest) < 16 {
			t.Fatalf("%s: truncated record header", path)
		}
		n := int(binary.LittleEndian.Uint32(rest[8:]))
		if len(rest) < 16+n {
			t.Fatalf("%s: truncated record", path)
		}
		pkt := gopacket.NewPacket(rest[16:16+n], link, gopacket.Default)
		if udp, ok := pkt.Layer(layers.LayerTypeUDP).(*layers.UDP); ok {
			out = append(out, udp)
		}
		rest = rest[16+n:]
	}
	return out
}

// vectorsDir is testdata/vectors at the module root: the captures and key
// tables of the shared known-answer vectors, copied into the repository.
func vectorsDir(t *testing.T) string {
	t.Helper()
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return filepath.Join(dir, "testdata", "vectors")
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Fatal("go.mod not found above the test directory")
		}
		dir = parent
	}
}
