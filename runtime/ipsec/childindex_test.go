package ipsec

import (
	"math/rand/v2"
	"net/netip"
	"testing"

	"github.com/tcpipc/tcpipc/internal/esp"
	"github.com/tcpipc/tcpipc/internal/ike/ikesa"
	"github.com/tcpipc/tcpipc/internal/ike/wire"
)

// linearPick is the scan the index replaces: the newest ready child
// whose selectors fit, else the newest fitting one.
func linearPick(children []*child, fl flow) *child {
	var fallback *child
	for i := len(children) - 1; i >= 0; i-- {
		c := children[i]
		if !c.out.Alive() || !fitsSelectors(fl, c.info.LocalTS, c.info.RemoteTS) {
			continue
		}
		if c.ready.Load() {
			return c
		}
		if fallback == nil {
			fallback = c
		}
	}
	return fallback
}

// TestChildIndexPicksAsTheScan: through random installs and removals of
// children with host, multi-host, port-narrowed and range selectors,
// ready or not, the index picks for every flow the child the linear
// scan picks.
func TestChildIndexPicksAsTheScan(t *testing.T) {
	gw := netip.MustParseAddr("201.2.10.11")
	host := func(i int) netip.Addr { return netip.AddrFrom4([4]byte{192, 0, 2, byte(10 + i)}) }
	rng := rand.New(rand.NewPCG(1, 2))
	newChild := func() *child {
		out, err := esp.NewSA(esp.Config{SPI: rng.Uint32() | 1, Mode: esp.Tunnel, Cipher: esp.AESGCM16, EncKey: make(esp.Key, 20)})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { out.Close() })
		var remote []wire.Selector
		switch rng.IntN(4) {
		case 0: // the whole client net
			remote = []wire.Selector{ikesa.Prefix(netip.MustParsePrefix("192.0.2.0/28"))}
		case 1: // two hosts
			remote = []wire.Selector{ikesa.Prefix(netip.PrefixFrom(host(rng.IntN(6)), 32)), ikesa.Prefix(netip.PrefixFrom(host(rng.IntN(6)), 32))}
		case 2: // one host, one port
			s := ikesa.Prefix(netip.PrefixFrom(host(rng.IntN(6)), 32))
			s.IPProtocol, s.StartPort, s.EndPort = protoUDP, 7, 7
			remote = []wire.Selector{s}
		default:
			remote = []wire.Selector{ikesa.Prefix(netip.PrefixFrom(host(rng.IntN(6)), 32))}
		}
		c := &child{info: ikesa.ChildSA{LocalTS: []wire.Selector{ikesa.Prefix(netip.PrefixFrom(gw, 32))}, RemoteTS: remote}, out: out}
		c.ready.Store(rng.IntN(3) > 0)
		return c
	}
	ps := &peerState{}
	for step := range 2000 {
		if len(ps.children) > 0 && rng.IntN(3) == 0 {
			ps.removeChild(ps.children[rng.IntN(len(ps.children))])
		} else {
			ps.addChild(newChild())
		}
		for i := range 7 {
			for _, port := range []uint16{7, 9} {
				fl, _ := parseFlow(udp4(gw, host(i), 40000, port, nil))
				if got, want := ps.index.pick(fl), linearPick(ps.children, fl); got != want {
					t.Fatalf("step %d, to %s port %d: index picked %p, the scan %p", step, host(i), port, got, want)
				}
			}
		}
	}
}

// BenchmarkPickChild1000: a range peer with 1,000 clients' children; the
// index looks at one host's.
func BenchmarkPickChild1000(b *testing.B) {
	gw := netip.MustParseAddr("201.2.10.11")
	ps := &peerState{}
	for i := range 1000 {
		out, err := esp.NewSA(esp.Config{SPI: uint32(i + 256), Mode: esp.Tunnel, Cipher: esp.AESGCM16, EncKey: make(esp.Key, 20)})
		if err != nil {
			b.Fatal(err)
		}
		defer out.Close()
		a := netip.AddrFrom4([4]byte{10, 9, byte(i >> 8), byte(i)})
		c := &child{info: ikesa.ChildSA{LocalTS: []wire.Selector{ikesa.Prefix(netip.PrefixFrom(gw, 32))}, RemoteTS: []wire.Selector{ikesa.Prefix(netip.PrefixFrom(a, 32))}}, out: out}
		c.ready.Store(true)
		ps.addChild(c)
	}
	fl, _ := parseFlow(udp4(gw, netip.AddrFrom4([4]byte{10, 9, 0, 3}), 40000, 9, nil))
	b.ResetTimer()
	for range b.N {
		if ps.index.pick(fl) == nil {
			b.Fatal("no child")
		}
	}
}
