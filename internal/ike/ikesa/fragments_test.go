package ikesa

import (
	"net/netip"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/tcpipc/tcpipc/internal/clock"
	"github.com/tcpipc/tcpipc/internal/ike/ikecrypto"
	"github.com/tcpipc/tcpipc/internal/ike/wire"
	"github.com/tcpipc/tcpipc/internal/testkit/memnet"
)

// fragmenter is the sending side of a peer that fragments every
// encrypted message it sends (RFC 7383), as strongSwan does with
// fragmentation = force: it opens what the daemon sealed and sends it
// again as Encrypted Fragment payloads of at most size bytes of
// plaintext each, in the order order gives (nil: in order).
type fragmenter struct {
	Transport
	size      int
	initiator bool // whose keys seal: SK_ei/SK_ai, else SK_er/SK_ar
	order     func(total int) []int

	mu      sync.Mutex
	ciphers map[IKESAID]*ikecrypto.SKCipher
}

// onKeys learns each IKE SA's keys as the daemon derives them.
func (f *fragmenter) onKeys(k IKESAKeys) {
	algs, err := resolveIKE(k.Suite)
	if err != nil {
		panic(err)
	}
	ek, ak := k.Keys.Er, k.Keys.Ar
	if f.initiator {
		ek, ak = k.Keys.Ei, k.Keys.Ai
	}
	c, err := ikecrypto.NewSKCipher(algs.encr, algs.integ, ek, ak)
	if err != nil {
		panic(err)
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.ciphers == nil {
		f.ciphers = map[IKESAID]*ikecrypto.SKCipher{}
	}
	f.ciphers[k.ID] = c
}

func (f *fragmenter) Send(local, remote netip.AddrPort, msg []byte) error {
	m, err := wire.DecodeMessage(msg)
	if err != nil || m.Exchange == wire.IKE_SA_INIT || len(m.Payloads) != 1 {
		return f.Transport.Send(local, remote, msg)
	}
	f.mu.Lock()
	c := f.ciphers[IKESAID{m.SPIi, m.SPIr}]
	f.mu.Unlock()
	sk, ok := m.Payloads[0].(*wire.SK)
	if c == nil || !ok {
		return f.Transport.Send(local, remote, msg)
	}
	plain, err := c.Open(msg, len(sk.Body))
	if err != nil {
		panic(err)
	}
	var frags [][]byte
	for total := (len(plain) + f.size - 1) / f.size; len(frags) < total; {
		chunk := plain[len(frags)*f.size : min(len(plain), (len(frags)+1)*f.size)]
		skf := &wire.SKF{Number: uint16(len(frags) + 1), Total: uint16(total), Body: make([]byte, c.BodyLen(len(chunk)))}
		if skf.Number == 1 {
			skf.NextInner = sk.NextInner
		}
		out := *m
		out.Payloads = []wire.Payload{skf}
		b, err := out.Encode()
		if err == nil {
			err = c.Seal(b, chunk)
		}
		if err != nil {
			panic(err)
		}
		frags = append(frags, b)
	}
	order := make([]int, len(frags))
	for i := range order {
		order[i] = i
	}
	if f.order != nil {
		order = f.order(len(frags))
	}
	for _, i := range order {
		if err := f.Transport.Send(local, remote, frags[i]); err != nil {
			return err
		}
	}
	return nil
}

// TestFragmentedMessagesReassembled: both peers fragment every encrypted
// message they send, though neither announced RFC 7383 support; each
// reassembles the other's requests and responses, and the IKE SA, its
// child, a child rekey and a Delete all complete. Fragments arrive in
// order, reversed, or with the first one twice (which, for a message of
// one fragment, is a retransmission: a response dropped, a request
// answered again).
func TestFragmentedMessagesReassembled(t *testing.T) {
	for name, order := range map[string]func(int) []int{
		"in order": nil,
		"reversed": func(n int) []int {
			o := make([]int, n)
			for i := range o {
				o[i] = n - 1 - i
			}
			return o
		},
		"first twice": func(n int) []int {
			o := []int{0}
			for i := range n {
				o = append(o, i)
			}
			return o
		},
	} {
		t.Run(name, func(t *testing.T) {
			fi := &fragmenter{size: 40, initiator: true, order: order}
			fr := &fragmenter{size: 40, order: order}
			_, ini, resp := pair(t, setup{onKeysI: fi.onKeys, onKeysR: fr.onKeys})
			fi.Transport, fr.Transport = ini.d.cfg.Transport, resp.d.cfg.Transport
			ini.d.cfg.Transport, resp.d.cfg.Transport = fi, fr
			if _, err := ini.d.Initiate("gw"); err != nil {
				t.Fatal(err)
			}
			c := wait(t, ini.children, "the initiator's child")
			wait(t, resp.children, "the responder's child")
			sa := ini.d.Lookup(c.IKE)
			if err := sa.RekeyChild(c.InboundSPI, nil); err != nil {
				t.Fatal(err)
			}
			wait(t, ini.children, "the rekeyed child")
			wait(t, ini.deleted, "the old child, deleted")
			for _, n := range []*node{ini, resp} {
				if st := n.d.Stats(); st.Reassembled < 2 || st.Fragments < 2*st.Reassembled || st.Dropped != 0 && name != "first twice" {
					t.Errorf("stats %+v: want several messages reassembled from fragments, none dropped", st)
				}
			}
			if !slices.ContainsFunc(resp.d.SAs(), func(i IKESAInfo) bool { return i.State == StateEstablished && i.Children == 1 }) {
				t.Errorf("responder's SAs %+v", resp.d.SAs())
			}
		})
	}
}

// TestFragmentBuffersBoundedAcrossSAs: anyone who completes an
// IKE_SA_INIT may send fragments under the keys it shares with us, so
// many half-open SAs each holding part of a fragmented IKE_AUTH must not
// hold more than maxReassembling bytes between them.
func TestFragmentBuffersBoundedAcrossSAs(t *testing.T) {
	defer func(old int) { maxReassembling = old }(maxReassembling)
	maxReassembling = 1000
	clk := clock.NewManual(epoch)
	n, ini, resp := pair(t, setup{clock: clk, respLimits: noLimits})
	fragmentFlood(t, n, clk, ini, resp, 20)
	held, partial := 0, 0
	resp.d.mu.Lock()
	for _, sa := range resp.d.sas {
		for _, r := range sa.reassembly {
			if r != nil {
				held, partial = held+r.size, partial+1
			}
		}
	}
	resp.d.mu.Unlock()
	if held > maxReassembling || partial == 0 {
		t.Errorf("%d half-open SAs hold %d bytes of fragments, want some and at most %d", partial, held, maxReassembling)
	}
}

// fragmentFlood has ini start count IKE SAs with resp whose IKE_AUTH
// requests, dropped on the way, reach resp as fragments, all but the
// last: half-open SAs that each hold part of a message.
func fragmentFlood(t *testing.T, n *memnet.Network, clk clock.Clock, ini, resp *node, count int) {
	t.Helper()
	tp := tap{drop: func(h wire.Header, _ int) bool { return h.Exchange() == wire.IKE_AUTH }}
	tp.install(n, clk)
	for range count {
		if _, err := ini.d.Initiate("gw"); err != nil {
			t.Fatal(err)
		}
	}
	deadline := time.Now().Add(5 * time.Second)
	for len(tp.matching(wire.IKE_AUTH, false)) < count && time.Now().Before(deadline) {
		time.Sleep(time.Millisecond)
	}
	f := &fragmenter{size: 40, initiator: true, ciphers: map[IKESAID]*ikecrypto.SKCipher{}, order: func(total int) []int {
		o := make([]int, total-1)
		for i := range o {
			o[i] = i
		}
		return o
	}}
	f.Transport = deliver(func(msg []byte) { resp.d.HandleDatagram(initAddr, msg) })
	for _, r := range tp.matching(wire.IKE_AUTH, false) {
		h, _ := wire.ParseHeader(r.msg)
		ini.d.mu.Lock()
		f.ciphers[IKESAID{h.SPIi(), h.SPIr()}] = ini.d.sas[h.SPIi()].seal
		ini.d.mu.Unlock()
		if err := f.Send(initAddr, respAddr, r.msg); err != nil {
			t.Fatal(err)
		}
	}
}

// deliver is a Transport that hands each message to a function.
type deliver func(msg []byte)

func (d deliver) Send(_, _ netip.AddrPort, msg []byte) error { d(msg); return nil }

// TestFragmentedRequestAndResponseInterleaved: the peer's fragmented
// answer to our request and its own fragmented request arrive interleaved
// (each is a message of its own, RFC 7383 section 2.6): both are put
// together, neither throws away the other's fragments.
func TestFragmentedRequestAndResponseInterleaved(t *testing.T) {
	_, ini, resp := pair(t, setup{})
	_, ic, _ := establish(t, ini, resp)
	isa, rsa := ini.d.Lookup(ic.IKE), handle(t, resp)
	captured := make(chan []byte, 100)
	resp.d.mu.Lock()
	resp.d.cfg.Transport = &fragmenter{size: 40, ciphers: map[IKESAID]*ikecrypto.SKCipher{ic.IKE: rsa.seal},
		Transport: deliver(func(msg []byte) { captured <- msg })}
	resp.d.mu.Unlock()
	ours, theirs := make(chan error, 1), make(chan error, 1)
	collect := func(what string) (frags [][]byte) {
		for {
			msg := wait(t, captured, what)
			frags = append(frags, msg)
			m, err := wire.DecodeMessage(msg)
			if err != nil {
				t.Fatal(err)
			}
			if f, ok := m.Payloads[len(m.Payloads)-1].(*wire.SKF); !ok || f.Number == f.Total {
				return frags
			}
		}
	}
	if err := isa.CreateChild(func(err error) { ours <- err }); err != nil {
		t.Fatal(err)
	}
	response := collect("the peer's answer")
	if err := rsa.CreateChild(func(err error) { theirs <- err }); err != nil {
		t.Fatal(err)
	}
	request := collect("the peer's request")
	if len(response) < 2 || len(request) < 2 {
		t.Fatalf("%d and %d fragments, want several each", len(response), len(request))
	}
	for i := range max(len(response), len(request)) {
		for _, frags := range [][][]byte{request, response} {
			if i < len(frags) {
				ini.d.HandleDatagram(respAddr, frags[i])
			}
		}
	}
	waitDone(t, ours, "our new child")
	// Our answer to the peer's request went out through the network.
	waitDone(t, theirs, "the peer's new child")
}
