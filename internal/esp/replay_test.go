package esp

import (
	"encoding/binary"
	"errors"
	"math"
	"math/rand/v2"
	"sync"
	"testing"
)

// TestReplayWindowAgainstModel drives the block-ring window and a plain
// set-based statement of RFC 4303 §3.4.3 with the same random sequence
// numbers and requires identical answers.
func TestReplayWindowAgainstModel(t *testing.T) {
	for _, size := range []int{64, 100, 128, 1024} {
		w := newReplayWindow(size)
		var top uint64
		seen := map[uint64]bool{}
		rng := rand.New(rand.NewPCG(1, uint64(size)))
		next := uint64(1)
		for i := range 200000 {
			// Mostly a little ahead, sometimes behind or far ahead.
			var seq uint64
			switch r := rng.IntN(100); {
			case r < 60:
				seq = next + uint64(rng.IntN(8))
			case r < 95:
				seq = next - min(next, uint64(rng.IntN(2*size)))
			default:
				seq = next + uint64(rng.IntN(5*size))
			}
			next = max(next, seq+1)

			want := seq != 0 && !seen[seq] && (seq > top || top-seq < uint64(size))
			if got := w.check(seq); got != want {
				t.Fatalf("W=%d step %d: check(%d) = %v, model says %v (T=%d)", size, i, seq, got, want, top)
			}
			if got := w.accept(seq); got != want {
				t.Fatalf("W=%d step %d: accept(%d) = %v, model says %v", size, i, seq, got, want)
			}
			if want {
				seen[seq] = true
				top = max(top, seq)
			}
		}
	}
}

// TestReplayThroughSA covers the cases RFC 4303 §3.4.3 names, end to end.
func TestReplayThroughSA(t *testing.T) {
	for _, tc := range []struct {
		name   string
		window int
		order  []int // which encapsulated packet to deliver next, 1-based
		ok     []bool
	}{
		{"in order", 64, []int{1, 2, 3}, []bool{true, true, true}},
		{"duplicate", 64, []int{1, 2, 2, 1}, []bool{true, true, false, false}},
		{"out of order in window", 64, []int{3, 1, 2, 5, 4}, []bool{true, true, true, true, true}},
		{"too old", 64, []int{1, 100, 36, 37, 100}, []bool{true, true, false, true, false}},
		{"window larger than gap", 1024, []int{1, 1000, 2, 999}, []bool{true, true, true, true}},
		{"gap larger than window", 64, []int{1, 1000, 2, 999}, []bool{true, true, false, true}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfg := suites[0].config(0x1000, Tunnel, false)
			cfg.ReplayWindow = tc.window
			out, in := pair(t, cfg)
			n := 0
			for _, i := range tc.order {
				n = max(n, i)
			}
			wire := make([][]byte, n+1)
			for i := 1; i <= n; i++ {
				wire[i], _ = out.Encap(nil, ipv4UDP(8), ProtoIPv4)
			}
			drops := 0
			for k, i := range tc.order {
				_, _, err := in.Decap(nil, wire[i])
				if tc.ok[k] && err != nil || !tc.ok[k] && !errors.Is(err, ErrReplay) {
					t.Fatalf("delivery %d (packet %d): %v, want ok=%v", k, i, err, tc.ok[k])
				}
				if !tc.ok[k] {
					drops++
				}
			}
			if c := in.Counters(); c.ReplayDrops != uint64(drops) {
				t.Fatalf("ReplayDrops = %d, want %d", c.ReplayDrops, drops)
			}
		})
	}
}

// TestInferSeq checks the high-half guess of RFC 4303 Appendix A2.2 in both
// of its cases.
func TestInferSeq(t *testing.T) {
	const W = 64
	for _, tc := range []struct {
		top  uint64
		low  uint32
		want uint64
	}{
		// Window inside one subspace (Tl >= W-1).
		{5<<32 | 1000, 1000, 5<<32 | 1000},
		{5<<32 | 1000, 937, 5<<32 | 937},   // bottom of window
		{5<<32 | 1000, 936, 6<<32 | 936},   // below: next subspace
		{5<<32 | 1000, 5000, 5<<32 | 5000}, // ahead
		{5<<32 | math.MaxUint32, 3, 6<<32 | 3},
		// Window spans two subspaces (Tl < W-1).
		{5<<32 | 10, 5, 5<<32 | 5},
		{5<<32 | 10, math.MaxUint32 - 2, 4<<32 | (math.MaxUint32 - 2)},
		{5<<32 | 10, math.MaxUint32 - 52, 4<<32 | (math.MaxUint32 - 52)}, // bottom
		{5<<32 | 10, math.MaxUint32 - 53, 5<<32 | (math.MaxUint32 - 53)}, // ahead
		// Nothing received yet: there is no previous subspace.
		{0, math.MaxUint32, math.MaxUint32},
		{0, 1, 1},
	} {
		w := newReplayWindow(W)
		w.top = tc.top
		if got := w.inferSeq(tc.low); got != tc.want {
			t.Errorf("T=%#x low=%#x: inferred %#x, want %#x", tc.top, tc.low, got, tc.want)
		}
	}
}

// TestESNAcrossSubspaces sends across the 2^32 boundary with ESN and
// delivers out of order; then checks that without ESN the sender stops at
// 2^32-1 and asks for a rekey.
func TestESNAcrossSubspaces(t *testing.T) {
	for _, s := range suites {
		t.Run(s.name, func(t *testing.T) {
			out, in := pair(t, s.config(0x1000, Tunnel, true))
			start := uint64(math.MaxUint32 - 3)
			out.outSeq.Store(start - 1)
			in.replay.top = start - 1 // as if everything before had arrived
			var wire [][]byte
			for range 8 {
				p, err := out.Encap(nil, ipv4UDP(8), ProtoIPv4)
				if err != nil {
					t.Fatal(err)
				}
				wire = append(wire, p)
			}
			// start+4 is 2^32: low half 0 on the wire.
			if Packet(wire[4]).Seq() != 0 || Packet(wire[3]).Seq() != math.MaxUint32 {
				t.Fatalf("low halves around 2^32 on the wire: %#x, %#x", Packet(wire[3]).Seq(), Packet(wire[4]).Seq())
			}
			for _, i := range []int{0, 5, 1, 4, 2, 3, 7, 6} {
				if _, _, err := in.Decap(nil, wire[i]); err != nil {
					t.Fatalf("packet %d (seq %#x): %v", i, start+uint64(i), err)
				}
			}
			if in.replay.top != start+7 {
				t.Fatalf("T = %#x, want %#x", in.replay.top, start+7)
			}
			for _, i := range []int{2, 6} {
				if _, _, err := in.Decap(nil, wire[i]); !errors.Is(err, ErrReplay) {
					t.Fatalf("replay of packet %d: %v", i, err)
				}
			}

			// A packet sent 2^32 numbers earlier whose low half lies
			// just ahead of the window: the receiver infers the current
			// high half, so the ICV, computed over the old one, fails.
			old, _ := pair(t, s.config(0x1000, Tunnel, true))
			old.outSeq.Store(start + 7 + 10 - 1<<32 - 1)
			stale, _ := old.Encap(nil, ipv4UDP(8), ProtoIPv4)
			if _, _, err := in.Decap(nil, stale); !errors.Is(err, ErrICV) {
				t.Fatalf("packet from the previous subspace: %v, want ErrICV", err)
			}
		})
	}
}

func TestSeqNeverWraps(t *testing.T) {
	for _, esn := range []bool{false, true} {
		var asked []Expiry
		cfg := suites[0].config(0x1000, Tunnel, esn)
		cfg.OnSoftExpire = func(_ *SA, why Expiry) { asked = append(asked, why) }
		sa, err := NewSA(cfg)
		if err != nil {
			t.Fatal(err)
		}
		last := uint64(math.MaxUint32)
		if esn {
			last = math.MaxUint64
		}
		sa.outSeq.Store(last - 1)
		if _, err := sa.Encap(nil, ipv4UDP(1), ProtoIPv4); err != nil {
			t.Fatalf("esn=%v: last sequence number refused: %v", esn, err)
		}
		for range 2 {
			if _, err := sa.Encap(nil, ipv4UDP(1), ProtoIPv4); !errors.Is(err, ErrSeqExhausted) {
				t.Fatalf("esn=%v: past the last sequence number: %v", esn, err)
			}
		}
		if len(asked) != 1 || asked[0] != ExpirySeq {
			t.Fatalf("esn=%v: soft expiry calls %v, want one ExpirySeq", esn, asked)
		}
		if c := sa.Counters(); c.SeqExhausted != 2 || c.PacketsOut != 1 {
			t.Fatalf("esn=%v: counters %+v", esn, c)
		}
	}
}

// TestConcurrentDecapAcceptsEachSeqOnce delivers every packet from several
// goroutines at once; each sequence number must get through exactly once.
func TestConcurrentDecapAcceptsEachSeqOnce(t *testing.T) {
	out, in := pair(t, suites[0].config(0x1000, Tunnel, false))
	const n, copies = 200, 4
	wire := make([][]byte, n)
	for i := range wire {
		wire[i], _ = out.Encap(nil, ipv4UDP(64), ProtoIPv4)
	}
	var wg sync.WaitGroup
	var mu sync.Mutex
	accepted := 0
	for range copies {
		wg.Go(func() {
			var buf []byte
			for _, p := range wire {
				var err error
				if buf, _, err = in.Decap(buf[:0], p); err == nil {
					mu.Lock()
					accepted++
					mu.Unlock()
				} else if !errors.Is(err, ErrReplay) {
					t.Error(err)
				}
			}
		})
	}
	wg.Wait()
	c := in.Counters()
	if accepted != n || c.PacketsIn != n || c.ReplayDrops != n*(copies-1) {
		t.Fatalf("accepted %d, counters %+v; want %d accepted, %d replays", accepted, c, n, n*(copies-1))
	}
}

// TestForgeryDoesNotMoveWindow sends a forged packet far ahead of the
// window; if it moved the window, the genuine first packet would then look
// too old (RFC 4303 §3.4.3: update only after the ICV verifies).
func TestForgeryDoesNotMoveWindow(t *testing.T) {
	for _, esn := range []bool{false, true} {
		cfg := suites[0].config(0x1000, Tunnel, esn)
		cfg.ReplayWindow = 64
		out, in := pair(t, cfg)
		genuine, _ := out.Encap(nil, ipv4UDP(8), ProtoIPv4)
		forged := append([]byte{}, genuine...)
		binary.BigEndian.PutUint32(forged[4:], 1_000_000)
		if _, _, err := in.Decap(nil, forged); !errors.Is(err, ErrICV) {
			t.Fatalf("esn=%v: forged packet: %v, want ErrICV", esn, err)
		}
		if _, _, err := in.Decap(nil, genuine); err != nil {
			t.Fatalf("esn=%v: genuine packet after forgery: %v", esn, err)
		}
	}
}
