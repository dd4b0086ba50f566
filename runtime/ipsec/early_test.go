package ipsec

import (
	"bytes"
	"net/netip"
	"sync"
	"testing"
	"time"

	"github.com/tcpipc/tcpipc/internal/ike/wire"
)

// TestESPNotStalledByIKE: while the gateway is in the middle of an
// IKE_SA_INIT from a stranger (held inside the handling: its response is
// blocked on the wire), ESP for the established child SA is still
// delivered. A lock around all received traffic would hold it until the
// IKE work ended, so a flood of IKE_SA_INIT would stall the data plane.
func TestESPNotStalledByIKE(t *testing.T) {
	tp := newTopo(t, withoutNAT())
	var cp capture
	cp.install(tp.net)
	tp.establish(t)
	var init []byte
	for _, c := range cp.all() {
		if c.dst.Addr() == gwAddr && c.dst.Port() == ikePort && ikeExchange(ikePort, c.payload) == wire.IKE_SA_INIT {
			init = bytes.Clone(c.payload)
			break
		}
	}
	if init == nil {
		t.Fatal("no IKE_SA_INIT captured")
	}
	copy(init[:8], []byte{1, 2, 3, 4, 5, 6, 7, 8}) // a new initiator SPI: a new IKE SA
	stranger := netip.MustParseAddrPort("203.0.113.9:500")
	entered, release := make(chan struct{}), make(chan struct{})
	var once sync.Once
	tp.net.SetDrop(func(src, dst netip.AddrPort, _ []byte) bool {
		if dst == stranger {
			once.Do(func() { close(entered) })
			<-release
			return true
		}
		return false
	})
	done := make(chan struct{})
	go func() {
		defer close(done)
		tp.gw.e.HandleDatagram(ikePort, stranger, init)
	}()
	select {
	case <-entered:
	case <-time.After(10 * time.Second):
		close(release)
		t.Fatal("the gateway did not answer the stranger's IKE_SA_INIT")
	}
	pkt := udp4(clientIn, appAddr, 40000, 7, []byte("during IKE"))
	if v := tp.client.e.Outbound(pkt); v != Protected {
		t.Fatalf("%v, want protected", v)
	}
	var got []byte
	select {
	case got = <-tp.gw.got:
	case <-time.After(5 * time.Second):
	}
	close(release)
	<-done
	if !bytes.Equal(got, pkt) {
		t.Fatalf("ESP for the established SA was not delivered while IKE_SA_INIT was handled (got % x)", got)
	}
}

// TestFirstESPBeforeInstallation: the client's first ESP on a new child
// reaches the gateway before the gateway has installed that child (its
// IKE_AUTH response is delivered, and the ESP read, while the gateway is
// still inside the handling that sent it). The packet is held, not
// dropped as an unknown SPI, and delivered once the child is in.
func TestFirstESPBeforeInstallation(t *testing.T) {
	tp := newTopo(t, withoutNAT())
	var once sync.Once
	held := false
	tp.net.SetDrop(func(src, dst netip.AddrPort, payload []byte) bool {
		if src.Addr() != gwAddr || ikeExchange(src.Port(), payload) != wire.IKE_AUTH {
			return false
		}
		mine := false
		once.Do(func() { mine = true })
		if !mine {
			return false
		}
		tp.net.Inject(src, dst, payload)
		// The gateway is still handling the IKE_AUTH: wait until the
		// client's first ESP has been read by the gateway's ESP loop.
		deadline := time.Now().Add(10 * time.Second)
		for tp.gw.e.Stats().ESPIn == 0 && time.Now().Before(deadline) {
			time.Sleep(time.Millisecond)
		}
		held = tp.gw.e.heldCount() == 1
		return true
	})
	tp.establish(t)
	if !held {
		t.Error("the first ESP was not held while its child was being installed")
	}
	if n := tp.gw.e.Stats().Drops[DropUnknownSPI]; n != 0 {
		t.Errorf("%d packets dropped as unknown SPIs", n)
	}
	if n := tp.gw.e.heldCount(); n != 0 {
		t.Errorf("%d packets still held", n)
	}
}

// TestEarlyHoldPerSource: during an IKE handling, a flood of unknown-SPI
// ESP from one (perhaps spoofed) source holds at most earlyPerSource
// packets; the hold still has room for another peer's first ESP.
func TestEarlyHoldPerSource(t *testing.T) {
	tp := newTopo(t, withoutNAT())
	e := tp.gw.e
	n := e.beginIKE()
	flooder, peer := netip.MustParseAddr("198.51.100.66"), netip.MustParseAddr("198.51.100.7")
	esp := func(spi byte) []byte { return []byte{0, 0, 1, spi, 0, 0, 0, 1, 0xde, 0xad} }
	for i := range byte(earlyLimit) {
		e.HandleESP(flooder, esp(i))
	}
	if got := e.heldCount(); got != earlyPerSource {
		t.Errorf("%d packets of one source held, want %d", got, earlyPerSource)
	}
	e.HandleESP(peer, esp(200))
	if got := e.heldCount(); got != earlyPerSource+1 {
		t.Errorf("another source's packet not held: %d held", got)
	}
	e.endIKE(n)
	if got := e.heldCount(); got != 0 {
		t.Errorf("%d packets still held after the handling ended", got)
	}
}
