package esp

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/binary"
	"errors"
	"fmt"
	"hash"
	"io"
	"math"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/tcpipc/tcpipc/internal/clock"
)

// Config describes one security association as IKE negotiated it.
type Config struct {
	// SPI identifies the SA; the receiver chose it (RFC 4303 §2.1).
	// Values below 256 are reserved and refused.
	SPI  uint32
	Mode Mode

	Cipher Cipher
	// EncKey is the encryption key material. For AESGCM16 it is a 16- or
	// 32-byte AES key followed by the 4-byte salt (RFC 4106 §8.1). For
	// AESCBC it is a 16- or 32-byte AES key.
	EncKey Key

	// Integrity must be NoIntegrity with AESGCM16 and set with AESCBC.
	Integrity Integrity
	// AuthKey is the HMAC key, as long as the hash's output: 20 bytes for
	// HMACSHA1_96, 32, 48 and 64 for the SHA-2 ones (RFC 2404 §3, RFC 4868
	// §2.1.1).
	AuthKey Key

	// ESN turns on 64-bit extended sequence numbers (RFC 4303 §2.2.1).
	ESN bool

	// ReplayWindow is the anti-replay window size W in packets; zero
	// means DefaultReplayWindow.
	ReplayWindow int

	Lifetime Lifetime

	// Clock drives the time lifetimes; nil means the wall clock.
	Clock clock.Clock

	// OnSoftExpire is called once when the SA wants replacing: a soft
	// lifetime was reached or the sequence numbers ran out. OnHardExpire
	// is called once when a hard lifetime kills the SA. Both run on the
	// goroutine that crossed the limit (a packet path or a clock timer)
	// and must not block.
	OnSoftExpire func(*SA, Expiry)
	OnHardExpire func(*SA, Expiry)
}

// Lifetime holds the soft and hard limits of RFC 4301 §4.4.2.1. A zero
// field means no limit. Bytes count payload bytes in both directions.
type Lifetime struct {
	SoftTime, HardTime       time.Duration
	SoftBytes, HardBytes     uint64
	SoftPackets, HardPackets uint64
}

// Expiry says which limit an SA reached.
type Expiry uint8

const (
	ExpiryTime    Expiry = iota + 1 // SoftTime or HardTime elapsed
	ExpiryBytes                     // SoftBytes or HardBytes reached
	ExpiryPackets                   // SoftPackets or HardPackets reached
	// ExpirySeq: the outbound sequence number would wrap (RFC 4303 §3.3.3).
	ExpirySeq
)

func (e Expiry) String() string {
	switch e {
	case ExpiryTime:
		return "time"
	case ExpiryBytes:
		return "bytes"
	case ExpiryPackets:
		return "packets"
	case ExpirySeq:
		return "sequence numbers"
	}
	return fmt.Sprintf("expiry-%d", uint8(e))
}

// Counters is a snapshot of an SA's counters.
type Counters struct {
	PacketsIn, BytesIn   uint64 // payloads delivered by Decap
	PacketsOut, BytesOut uint64 // payloads sent by Encap
	ReplayDrops          uint64 // ErrReplay
	ICVFailures          uint64 // ErrICV
	BadPadding           uint64 // ErrBadPadding
	TooShort             uint64 // ErrTooShort
	BadPayload           uint64 // ErrBadPayload
	Dummy                uint64 // ErrDummy: Next Header 59 packets discarded
	Expired              uint64 // ErrExpired, both directions
	SeqExhausted         uint64 // ErrSeqExhausted
}

// counters is the live form of Counters; every field is updated atomically.
type counters struct {
	packetsIn, bytesIn, packetsOut, bytesOut                     atomic.Uint64
	replay, icv, padding, tooShort, payload, dummy, expired, seq atomic.Uint64
}

// cbcMode is a CBC BlockMode whose IV can be reset, which lets a worker
// keep one per direction instead of allocating one per packet. The standard
// library's AES CBC modes have this method; crypto/tls relies on it too.
type cbcMode interface {
	cipher.BlockMode
	SetIV([]byte)
}

// worker is per-packet scratch space. Slices handed to the cipher.AEAD and
// hash.Hash interfaces escape to the heap, so the nonce, AAD and MAC output
// live here, in pooled memory, rather than on the stack.
type worker struct {
	nonce [12]byte
	aad   [12]byte
	seqHi [4]byte
	sum   [sha512.Size]byte
	mac   hash.Hash // nil for AESGCM16
	enc   cbcMode   // nil for AESGCM16, or if the block cipher lacks SetIV
	dec   cbcMode
}

// SA is one direction of an ESP security association. It is safe for
// concurrent use: Encap and Decap may be called from many goroutines.
type SA struct {
	spi       uint32
	mode      Mode
	cipher    Cipher
	keyBits   int
	integrity Integrity
	esn       bool
	ivLen     int // explicit IV in each packet
	icvLen    int
	align     int // payload+padding+trailer is a multiple of this (RFC 4303 §2.4)

	aead  cipher.AEAD // AESGCM16
	salt  [4]byte     // AESGCM16, RFC 4106 §4
	block cipher.Block
	hash  func() hash.Hash // AESCBC: the HMAC's hash
	authK Key              // AESCBC, copied so the caller may wipe Config

	workers sync.Pool // *worker

	outSeq   atomic.Uint64 // the last sequence number sent; the next is outSeq+1
	seqLimit uint64

	replayMu sync.Mutex
	replay   replayWindow

	stats counters

	life        Lifetime
	usedBytes   atomic.Uint64
	usedPackets atomic.Uint64
	onSoft      func(*SA, Expiry)
	onHard      func(*SA, Expiry)
	softFired   atomic.Bool
	dead        atomic.Bool
	timerMu     sync.Mutex // a real timer may fire while NewSA still adds the other
	timers      []clock.Timer
}

// NewSA checks cfg and builds the SA. Time lifetimes start now.
func NewSA(cfg Config) (*SA, error) {
	sa := &SA{
		spi:       cfg.SPI,
		mode:      cfg.Mode,
		cipher:    cfg.Cipher,
		integrity: cfg.Integrity,
		esn:       cfg.ESN,
		life:      cfg.Lifetime,
		onSoft:    cfg.OnSoftExpire,
		onHard:    cfg.OnHardExpire,
		seqLimit:  math.MaxUint32,
	}
	if cfg.SPI < 256 {
		return nil, fmt.Errorf("esp: SPI %d is reserved (RFC 4303 §2.1)", cfg.SPI)
	}
	if cfg.Mode != Tunnel && cfg.Mode != Transport {
		return nil, fmt.Errorf("esp: unknown mode %v", cfg.Mode)
	}
	if cfg.ESN {
		sa.seqLimit = math.MaxUint64
	}
	if err := sa.initCrypto(cfg); err != nil {
		return nil, err
	}
	w := cfg.ReplayWindow
	if w == 0 {
		w = DefaultReplayWindow
	}
	if w < MinReplayWindow || w > 1<<20 {
		return nil, fmt.Errorf("esp: replay window %d outside [%d, %d]", w, MinReplayWindow, 1<<20)
	}
	sa.replay = newReplayWindow(w)
	if err := cfg.Lifetime.check(); err != nil {
		return nil, err
	}
	sa.workers.New = func() any { return sa.newWorker() }

	clk := cfg.Clock
	if clk == nil {
		clk = clock.Real{}
	}
	sa.timerMu.Lock()
	if d := cfg.Lifetime.SoftTime; d > 0 {
		sa.timers = append(sa.timers, clk.AfterFunc(d, func() { sa.fireSoft(ExpiryTime) }))
	}
	if d := cfg.Lifetime.HardTime; d > 0 {
		sa.timers = append(sa.timers, clk.AfterFunc(d, func() { sa.expire(ExpiryTime) }))
	}
	sa.timerMu.Unlock()
	return sa, nil
}

func (sa *SA) initCrypto(cfg Config) error {
	switch cfg.Cipher {
	case AESGCM16:
		n := len(cfg.EncKey) - len(sa.salt)
		if n != 16 && n != 32 {
			return fmt.Errorf("esp: AES-GCM-16 needs a 16- or 32-byte key plus 4-byte salt, got %d bytes", len(cfg.EncKey))
		}
		if cfg.Integrity != NoIntegrity {
			return fmt.Errorf("esp: AES-GCM-16 takes no integrity algorithm, got %v (RFC 4106 §5)", cfg.Integrity)
		}
		block, err := aes.NewCipher(cfg.EncKey[:n])
		if err != nil {
			return err
		}
		aead, err := cipher.NewGCM(block)
		if err != nil {
			return err
		}
		sa.aead, sa.keyBits = aead, n*8
		copy(sa.salt[:], cfg.EncKey[n:])
		sa.ivLen, sa.icvLen, sa.align = 8, aead.Overhead(), 4
	case AESCBC:
		n := len(cfg.EncKey)
		if n != 16 && n != 32 {
			return fmt.Errorf("esp: AES-CBC needs a 16- or 32-byte key, got %d bytes", n)
		}
		block, err := aes.NewCipher(cfg.EncKey)
		if err != nil {
			return err
		}
		sa.block, sa.keyBits = block, n*8
		sa.ivLen, sa.align = aes.BlockSize, aes.BlockSize
		switch cfg.Integrity {
		case HMACSHA1_96:
			sa.hash, sa.icvLen = sha1.New, 12
		case HMACSHA2_256_128:
			sa.hash, sa.icvLen = sha256.New, 16
		case HMACSHA2_384_192:
			sa.hash, sa.icvLen = sha512.New384, 24
		case HMACSHA2_512_256:
			sa.hash, sa.icvLen = sha512.New, 32
		default:
			return fmt.Errorf("esp: AES-CBC needs an integrity algorithm, got %v", cfg.Integrity)
		}
		if want := sa.hash().Size(); len(cfg.AuthKey) != want {
			return fmt.Errorf("esp: %v needs a %d-byte key, got %d bytes", cfg.Integrity, want, len(cfg.AuthKey))
		}
		sa.authK = slices.Clone(cfg.AuthKey)
	default:
		return fmt.Errorf("esp: unsupported cipher %v", cfg.Cipher)
	}
	return nil
}

func (l Lifetime) check() error {
	if l.SoftTime < 0 || l.HardTime < 0 {
		return errors.New("esp: negative lifetime")
	}
	if l.SoftTime > 0 && l.HardTime > 0 && l.SoftTime >= l.HardTime ||
		l.SoftBytes > 0 && l.HardBytes > 0 && l.SoftBytes >= l.HardBytes ||
		l.SoftPackets > 0 && l.HardPackets > 0 && l.SoftPackets >= l.HardPackets {
		return errors.New("esp: soft lifetime must come before hard lifetime")
	}
	return nil
}

func (sa *SA) newWorker() *worker {
	w := &worker{}
	if sa.cipher == AESCBC {
		w.mac = hmac.New(sa.hash, sa.authK)
		var iv [aes.BlockSize]byte
		w.enc, _ = cipher.NewCBCEncrypter(sa.block, iv[:]).(cbcMode)
		w.dec, _ = cipher.NewCBCDecrypter(sa.block, iv[:]).(cbcMode)
	}
	return w
}

// SPI returns the SA's SPI.
func (sa *SA) SPI() uint32 { return sa.spi }

// Mode returns the SA's mode.
func (sa *SA) Mode() Mode { return sa.mode }

// String describes the SA without its keys.
func (sa *SA) String() string {
	alg := fmt.Sprintf("%v/%d", sa.cipher, sa.keyBits)
	if sa.integrity != NoIntegrity {
		alg += "+" + sa.integrity.String()
	}
	esn := ""
	if sa.esn {
		esn = " esn"
	}
	return fmt.Sprintf("ESP SA spi=0x%08x %s %v%s", sa.spi, alg, sa.mode, esn)
}

// Format prints String under every verb, so no verb can reach the keys.
func (sa *SA) Format(f fmt.State, verb rune) { io.WriteString(f, sa.String()) }

// Counters returns the current counters. Each field is read atomically; the
// snapshot as a whole is not, which is fine for monitoring.
func (sa *SA) Counters() Counters {
	s := &sa.stats
	return Counters{
		PacketsIn: s.packetsIn.Load(), BytesIn: s.bytesIn.Load(),
		PacketsOut: s.packetsOut.Load(), BytesOut: s.bytesOut.Load(),
		ReplayDrops: s.replay.Load(), ICVFailures: s.icv.Load(),
		BadPadding: s.padding.Load(), TooShort: s.tooShort.Load(),
		BadPayload: s.payload.Load(), Dummy: s.dummy.Load(),
		Expired: s.expired.Load(), SeqExhausted: s.seq.Load(),
	}
}

// Alive reports whether the SA still carries traffic: no hard lifetime was
// reached and Close was not called.
func (sa *SA) Alive() bool { return !sa.dead.Load() }

// Close kills the SA without calling OnHardExpire and stops its timers.
func (sa *SA) Close() {
	if sa.dead.CompareAndSwap(false, true) {
		sa.stopTimers()
	}
}

func (sa *SA) stopTimers() {
	sa.timerMu.Lock()
	defer sa.timerMu.Unlock()
	for _, t := range sa.timers {
		t.Stop()
	}
}

func (sa *SA) fireSoft(why Expiry) {
	if sa.dead.Load() || !sa.softFired.CompareAndSwap(false, true) {
		return
	}
	if sa.onSoft != nil {
		sa.onSoft(sa, why)
	}
}

func (sa *SA) expire(why Expiry) {
	if !sa.dead.CompareAndSwap(false, true) {
		return
	}
	sa.stopTimers()
	if sa.onHard != nil {
		sa.onHard(sa, why)
	}
}

// account charges one payload of n bytes to the byte and packet lifetimes.
func (sa *SA) account(n int) {
	bytes := sa.usedBytes.Add(uint64(n))
	packets := sa.usedPackets.Add(1)
	l := &sa.life
	switch {
	case l.HardBytes > 0 && bytes >= l.HardBytes:
		sa.expire(ExpiryBytes)
	case l.HardPackets > 0 && packets >= l.HardPackets:
		sa.expire(ExpiryPackets)
	case l.SoftBytes > 0 && bytes >= l.SoftBytes:
		sa.fireSoft(ExpiryBytes)
	case l.SoftPackets > 0 && packets >= l.SoftPackets:
		sa.fireSoft(ExpiryPackets)
	}
}

// nextSeq reserves the next outbound sequence number. It refuses rather
// than wrap: after 2^32-1 (or 2^64-1 with ESN) the SA must be replaced.
func (sa *SA) nextSeq() (uint64, bool) {
	for {
		last := sa.outSeq.Load()
		if last >= sa.seqLimit {
			return 0, false
		}
		if sa.outSeq.CompareAndSwap(last, last+1) {
			return last + 1, true
		}
	}
}

// padLen is the padding that makes payload+padding+trailer a multiple of
// the SA's alignment (RFC 4303 §2.4).
func (sa *SA) padLen(payloadLen int) int {
	return (sa.align - (payloadLen+trailerLen)%sa.align) % sa.align
}

// EncapLen returns the length of the ESP packet Encap makes from a payload
// of n bytes, so callers can size their buffers.
func (sa *SA) EncapLen(n int) int {
	return HeaderLen + sa.ivLen + n + sa.padLen(n) + trailerLen + sa.icvLen
}

// Encap builds the ESP packet for payload (RFC 4303 §3.3) and appends it to
// dst, starting at the SPI. next is the payload's protocol: ProtoIPv4 or
// ProtoIPv6 in tunnel mode, the upper-layer protocol in transport mode, or
// ProtoNone for a dummy packet. payload must not overlap dst's spare
// capacity. If dst has room for EncapLen(len(payload)) more bytes, Encap
// does not allocate.
func (sa *SA) Encap(dst, payload []byte, next Protocol) ([]byte, error) {
	if sa.dead.Load() {
		sa.stats.expired.Add(1)
		return dst, ErrExpired
	}
	if !sa.fits(payload, next) {
		return dst, ErrPayloadInvalid
	}
	seq, ok := sa.nextSeq()
	if !ok {
		sa.stats.seq.Add(1)
		sa.fireSoft(ExpirySeq)
		return dst, ErrSeqExhausted
	}

	padLen := sa.padLen(len(payload))
	ptLen := len(payload) + padLen + trailerLen
	start := len(dst)
	total := sa.EncapLen(len(payload))
	dst = slices.Grow(dst, total)[:start+total]
	pkt := dst[start:]

	// Plaintext: payload | padding 1, 2, 3, … | Pad Length | Next Header.
	pt := pkt[HeaderLen+sa.ivLen : HeaderLen+sa.ivLen+ptLen]
	n := copy(pt, payload)
	for i := range padLen {
		pt[n+i] = byte(i + 1)
	}
	pt[ptLen-2] = byte(padLen)
	pt[ptLen-1] = byte(next)
	sa.seal(pkt, seq)

	sa.stats.packetsOut.Add(1)
	sa.stats.bytesOut.Add(uint64(len(payload)))
	sa.account(len(payload))
	return dst, nil
}

// seal fills in the header, IV and ICV of pkt and encrypts its plaintext
// in place. pkt is the whole packet: header, IV, plaintext with padding and
// trailer, and room for the ICV.
func (sa *SA) seal(pkt []byte, seq uint64) {
	binary.BigEndian.PutUint32(pkt[0:4], sa.spi)
	binary.BigEndian.PutUint32(pkt[4:8], uint32(seq)) // only the low half travels (§2.2.1)
	iv := pkt[HeaderLen : HeaderLen+sa.ivLen]
	icvAt := len(pkt) - sa.icvLen
	pt := pkt[HeaderLen+sa.ivLen : icvAt]

	w := sa.workers.Get().(*worker)
	switch sa.cipher {
	case AESGCM16:
		// RFC 4106 §3.1: the IV must never repeat under one key, and
		// the sequence number never does.
		binary.BigEndian.PutUint64(iv, seq)
		sa.aead.Seal(pt[:0], sa.nonce(w, iv), pt, sa.aad(w, pkt, seq))
	case AESCBC:
		// RFC 3602 §2.3: the IV must be unpredictable.
		rand.Read(iv)
		if w.enc != nil {
			w.enc.SetIV(iv)
			w.enc.CryptBlocks(pt, pt)
		} else {
			cipher.NewCBCEncrypter(sa.block, iv).CryptBlocks(pt, pt)
		}
		copy(pkt[icvAt:], sa.icv(w, pkt[:icvAt], seq))
	}
	sa.workers.Put(w)
}

// fits reports whether payload may be sent with Next Header next.
func (sa *SA) fits(payload []byte, next Protocol) bool {
	if next == ProtoNone {
		return true
	}
	if sa.mode == Tunnel {
		_, ok := innerIPLen(payload, next)
		return ok
	}
	return true
}

// Decap checks and decrypts the ESP packet b (RFC 4303 §3.4) and appends
// its payload to dst, returning the payload's protocol. In tunnel mode the
// payload is the inner IP packet without any TFC padding. dst's spare
// capacity must not overlap b. If dst has room for len(b) more bytes, Decap
// does not allocate. On error the returned slice holds just dst's original
// contents, and the reason is counted.
func (sa *SA) Decap(dst, b []byte) ([]byte, Protocol, error) {
	if sa.dead.Load() {
		sa.stats.expired.Add(1)
		return dst, 0, ErrExpired
	}
	p := Packet(b)
	ctStart := HeaderLen + sa.ivLen
	ctEnd := len(p) - sa.icvLen
	minCT := trailerLen
	if sa.cipher == AESCBC {
		minCT = aes.BlockSize
	}
	// CBC also needs whole blocks, or CryptBlocks would panic.
	if ctEnd-ctStart < minCT || sa.cipher == AESCBC && (ctEnd-ctStart)%aes.BlockSize != 0 {
		sa.stats.tooShort.Add(1)
		return dst, 0, ErrTooShort
	}

	// Appendix A step 1: discard replays before spending time on crypto.
	sa.replayMu.Lock()
	seq := uint64(p.Seq())
	if sa.esn {
		seq = sa.replay.inferSeq(p.Seq())
	}
	fresh := sa.replay.check(seq)
	sa.replayMu.Unlock()
	if !fresh {
		sa.stats.replay.Add(1)
		return dst, 0, ErrReplay
	}

	start := len(dst)
	w := sa.workers.Get().(*worker)
	pt, ok := sa.open(w, dst, p, seq)
	sa.workers.Put(w)
	if !ok {
		sa.stats.icv.Add(1)
		return dst, 0, ErrICV
	}
	plain := pt[start:]
	dst = pt[:start] // Open may have moved dst to a bigger array

	// Appendix A step 2: only an authentic packet moves the window.
	sa.replayMu.Lock()
	fresh = sa.replay.accept(seq)
	sa.replayMu.Unlock()
	if !fresh {
		sa.stats.replay.Add(1) // a copy overtook this one during verification
		return dst, 0, ErrReplay
	}

	padLen := int(plain[len(plain)-2])
	next := Protocol(plain[len(plain)-1])
	if padLen+trailerLen > len(plain) || !checkPadding(plain[len(plain)-trailerLen-padLen:len(plain)-trailerLen]) {
		sa.stats.padding.Add(1)
		return dst, 0, ErrBadPadding
	}
	payload := plain[:len(plain)-trailerLen-padLen]

	if next == ProtoNone {
		sa.stats.dummy.Add(1)
		return dst, 0, ErrDummy
	}
	if sa.mode == Tunnel {
		n, ok := innerIPLen(payload, next)
		if !ok {
			sa.stats.payload.Add(1)
			return dst, 0, ErrBadPayload
		}
		payload = payload[:n] // drop TFC padding (§2.7)
	}

	sa.stats.packetsIn.Add(1)
	sa.stats.bytesIn.Add(uint64(len(payload)))
	sa.account(len(payload))
	return dst[:start+len(payload)], next, nil
}

// open verifies the ICV and decrypts p's ciphertext, appending the
// plaintext (payload, padding and trailer) to dst. It returns dst extended
// by the plaintext, and false if the ICV is wrong.
func (sa *SA) open(w *worker, dst []byte, p Packet, seq uint64) ([]byte, bool) {
	ctStart := HeaderLen + sa.ivLen
	ctEnd := len(p) - sa.icvLen
	iv := p[HeaderLen:ctStart]
	switch sa.cipher {
	case AESGCM16:
		out, err := sa.aead.Open(dst, sa.nonce(w, iv), p[ctStart:], sa.aad(w, p, seq))
		return out, err == nil
	case AESCBC:
		// Integrity first (RFC 4303 §3.4.4): never decrypt forged data.
		if !hmac.Equal(sa.icv(w, p[:ctEnd], seq), p[ctEnd:]) {
			return dst, false
		}
		start := len(dst)
		dst = slices.Grow(dst, ctEnd-ctStart)[:start+ctEnd-ctStart]
		if w.dec != nil {
			w.dec.SetIV(iv)
			w.dec.CryptBlocks(dst[start:], p[ctStart:ctEnd])
		} else {
			cipher.NewCBCDecrypter(sa.block, iv).CryptBlocks(dst[start:], p[ctStart:ctEnd])
		}
		return dst, true
	}
	return dst, false
}

// nonce is salt ‖ explicit IV (RFC 4106 §4).
func (sa *SA) nonce(w *worker, iv []byte) []byte {
	copy(w.nonce[:4], sa.salt[:])
	copy(w.nonce[4:], iv)
	return w.nonce[:]
}

// aad is SPI ‖ sequence number, with the high half of an extended sequence
// number between them (RFC 4106 §5).
func (sa *SA) aad(w *worker, p Packet, seq uint64) []byte {
	if !sa.esn {
		return p[:HeaderLen]
	}
	copy(w.aad[:4], p[:4])
	binary.BigEndian.PutUint64(w.aad[4:], seq)
	return w.aad[:]
}

// icv is the truncated HMAC over SPI, sequence number, IV and ciphertext,
// followed by the high half of an extended sequence number, which is
// counted but never sent (RFC 4303 §2.2.1, §3.3.2.2).
func (sa *SA) icv(w *worker, covered []byte, seq uint64) []byte {
	w.mac.Reset()
	w.mac.Write(covered)
	if sa.esn {
		binary.BigEndian.PutUint32(w.seqHi[:], uint32(seq>>32))
		w.mac.Write(w.seqHi[:])
	}
	return w.mac.Sum(w.sum[:0])[:sa.icvLen]
}

// IsNewest reports whether an inbound packet with sequence number seq, as
// on the wire (the low 32 bits with ESN), is the highest this SA has
// accepted: a packet that moved the anti-replay window forward, not an
// older one let in behind it. RFC 7296 §2.23 moves a NAT mapping only
// for such a new packet, so replayed or late ones cannot move it back.
func (sa *SA) IsNewest(seq uint32) bool {
	sa.replayMu.Lock()
	defer sa.replayMu.Unlock()
	return uint32(sa.replay.top) == seq && sa.replay.top != 0
}
