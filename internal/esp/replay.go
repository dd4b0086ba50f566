package esp

// DefaultReplayWindow is the anti-replay window size used when Config leaves
// it zero. RFC 4303 §3.4.3 asks for at least 32 and recommends 64; a larger
// window tolerates the reordering of a multi-queue path.
const DefaultReplayWindow = 1024

// MinReplayWindow is the smallest window Config accepts.
const MinReplayWindow = 64

// replayWindow is the receiver's sliding window of RFC 4303 Appendix A. It
// holds T, the highest sequence number that has passed the integrity check,
// and one bit for each of the W numbers ending at T.
//
// The bits live in a ring of 64-bit blocks indexed by seq/64, so moving the
// window forward clears whole blocks instead of shifting a bitmap (the
// technique of RFC 6479). The ring has one block more than W needs so that
// the block holding T never shares storage with the oldest block in the
// window.
//
// replayWindow is not safe for concurrent use; the SA guards it.
type replayWindow struct {
	size   uint64   // W
	top    uint64   // T, with the inferred high bits when ESN is on
	blocks []uint64 // bit seq%64 of blocks[(seq/64)%len] is set once seq is accepted
}

func newReplayWindow(size int) replayWindow {
	n := (size+63)/64 + 1
	return replayWindow{size: uint64(size), blocks: make([]uint64, n)}
}

// inferSeq rebuilds the 64-bit sequence number from the 32 bits on the wire
// (RFC 4303 Appendix A2.2): it picks the high half that puts seq closest to
// the window. The result is only a guess until the ICV, which covers the
// high half, confirms it.
func (w *replayWindow) inferSeq(low uint32) uint64 {
	tl := uint32(w.top)
	th := uint32(w.top >> 32)
	bottom := tl - uint32(w.size) + 1 // B = T-W+1 on the low half, mod 2^32
	var hi uint32
	if uint64(tl) >= w.size-1 {
		// Window [B, Tl] lies within one 2^32 subspace: below B means
		// the sender has moved on to the next subspace.
		hi = th
		if low < bottom {
			hi = th + 1
		}
	} else {
		// Window straddles a subspace boundary: B is in the previous
		// subspace, so seq at or above B belongs there.
		hi = th
		if low >= bottom && th > 0 {
			hi = th - 1
		}
	}
	return uint64(hi)<<32 | uint64(low)
}

// check is the quick test before any cryptography (Appendix A, step 1). It
// does not change the window.
func (w *replayWindow) check(seq uint64) bool {
	if seq == 0 {
		return false // never sent (RFC 4303 §3.3.3: the first packet is 1)
	}
	if seq > w.top {
		return true
	}
	if w.top-seq >= w.size {
		return false // left of the window
	}
	return !w.seen(seq)
}

// accept records an authenticated seq (Appendix A, step 2). It repeats check
// because another packet with the same number may have been accepted while
// this one was being verified; it reports whether seq was new.
func (w *replayWindow) accept(seq uint64) bool {
	if !w.check(seq) {
		return false
	}
	if seq > w.top {
		w.advance(seq)
	}
	n := uint64(len(w.blocks))
	w.blocks[(seq/64)%n] |= 1 << (seq % 64)
	return true
}

func (w *replayWindow) seen(seq uint64) bool {
	n := uint64(len(w.blocks))
	return w.blocks[(seq/64)%n]&(1<<(seq%64)) != 0
}

// advance moves T up to seq, clearing the blocks that come into the window.
func (w *replayWindow) advance(seq uint64) {
	n := uint64(len(w.blocks))
	from, to := w.top/64, seq/64
	steps := to - from
	if steps > n {
		steps = n // the whole ring is stale
	}
	for i := uint64(1); i <= steps; i++ {
		w.blocks[(from+i)%n] = 0
	}
	w.top = seq
}
