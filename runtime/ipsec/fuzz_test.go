package ipsec

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/tcpipc/tcpipc/internal/testkit/golden"
)

// FuzzHandleDatagram throws arbitrary datagrams at an endpoint that holds
// an established IKE SA and child SA. Whatever arrives, on either port,
// must be handled or dropped and counted, never panic. The seed corpus in
// testdata/fuzz holds real datagrams of a session (IKE_SA_INIT, IKE on
// port 4500 behind the marker, ESP, a keepalive); TestFuzzCorpus rewrites
// it with TCPIPC_UPDATE=1.
func FuzzHandleDatagram(f *testing.F) {
	tp := newTopo(f, withEcho())
	tp.establish(f)
	f.Add(true, []byte{0xff})
	f.Add(false, make([]byte, 28))
	f.Add(true, []byte{0, 0, 0, 0})
	src := tp.gw.e.SAs().Dynamic[0].Remote
	f.Fuzz(func(t *testing.T, natt bool, data []byte) {
		port := uint16(ikePort)
		if natt {
			port = nattPort
		}
		tp.gw.e.HandleDatagram(port, src, data)
		s := tp.gw.e.Stats()
		if s.Drops[DropPanic] != 0 || s.IKE.Panics != 0 {
			t.Fatalf("a datagram panicked: %+v", s)
		}
	})
}

// FuzzOutbound hands arbitrary bytes to Outbound as if the stack sent
// them: the SPD lookup must classify or drop them, never panic.
func FuzzOutbound(f *testing.F) {
	tp := newTopo(f)
	f.Add(udp4(clientIn, appAddr, 40000, 7, []byte("x")))
	f.Add(udp4(clientIn, appAddr, 40000, 53, nil)[:24])
	f.Add([]byte{0x60, 0, 0, 0, 0, 8, 17, 64})
	f.Fuzz(func(t *testing.T, pkt []byte) {
		v := tp.client.e.Outbound(pkt)
		if _, err := parseFlow(pkt); err != nil && v != Dropped {
			t.Fatalf("malformed packet got verdict %v", v)
		}
	})
}

// TestFuzzCorpus checks the checked-in seed corpus exists and, with
// TCPIPC_UPDATE=1, records a fresh one from a session.
func TestFuzzCorpus(t *testing.T) {
	dir := filepath.Join("testdata", "fuzz", "FuzzHandleDatagram")
	if golden.Updating() {
		tp := newTopo(t, withEcho())
		var cp capture
		cp.install(tp.net)
		tp.establish(t)
		recv(t, tp.client.got, "echo")
		tp.clk.Advance(20 * time.Second) // a keepalive
		eventually(t, "keepalive", func() bool { return tp.gw.e.Stats().KeepalivesIn == 1 })
		if err := os.RemoveAll(dir); err != nil {
			t.Fatal(err)
		}
		if err := os.MkdirAll(dir, 0o755); err != nil {
			t.Fatal(err)
		}
		for i, c := range cp.all() {
			if c.dst.Addr() != gwAddr {
				continue
			}
			body := fmt.Sprintf("go test fuzz v1\nbool(%v)\n[]byte(%s)\n", c.dst.Port() == nattPort, strconv.Quote(string(c.payload)))
			if err := os.WriteFile(filepath.Join(dir, fmt.Sprintf("session-%02d", i)), []byte(body), 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}
	entries, err := os.ReadDir(dir)
	if err != nil || len(entries) < 4 {
		t.Fatalf("seed corpus %s: %d files, %v; regenerate with TCPIPC_UPDATE=1", dir, len(entries), err)
	}
}
