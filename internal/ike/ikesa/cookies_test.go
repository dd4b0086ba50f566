package ikesa

import (
	"bytes"
	"crypto/ecdh"
	"crypto/rand"
	"encoding/binary"
	"fmt"
	"math"
	"net/netip"
	"testing"
	"time"

	"github.com/tcpipc/tcpipc/internal/clock"
	"github.com/tcpipc/tcpipc/internal/ike/ikecrypto"
	"github.com/tcpipc/tcpipc/internal/ike/wire"
)

// noLimits turns the responder's flood protection off, for tests that
// open many SAs from one address.
var noLimits = &InitLimits{CookieThreshold: math.MaxInt}

// alwaysCookies demands a cookie of every IKE_SA_INIT and nothing else.
var alwaysCookies = &InitLimits{CookieThreshold: 0}

// initReq is an IKE_SA_INIT request as a flooder or a careful initiator
// sends it, with a cookie first when it has one.
type initReq struct {
	spii   uint64
	ni     []byte
	cookie []byte
}

func newInitReq() initReq {
	return initReq{spii: binary.BigEndian.Uint64(randomBytes(8)), ni: randomBytes(32)}
}

func randomBytes(n int) []byte {
	b := make([]byte, n)
	rand.Read(b)
	return b
}

func (r initReq) encode(t testing.TB) []byte {
	t.Helper()
	key, err := ecdh.X25519().GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	var ps []wire.Payload
	if r.cookie != nil {
		ps = append(ps, &wire.Notify{NotifyType: wire.COOKIE, Data: r.cookie})
	}
	ps = append(ps, offer([]Suite{gcm128}, ikeInit, nil), &wire.KE{Group: wire.Curve25519, Data: key.PublicKey().Bytes()},
		&wire.Nonce{Data: r.ni})
	b, err := (&wire.Message{SPIi: r.spii, Exchange: wire.IKE_SA_INIT, Flags: wire.FlagInitiator, Payloads: ps}).Encode()
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// responder is a lone responder whose answers the test reads.
type responder struct {
	*node
	tp  *tap
	clk *clock.Manual
}

func newResponder(t *testing.T, limits *InitLimits) responder {
	clk := clock.NewManual(epoch)
	n, _, resp := pair(t, setup{clock: clk, respLimits: limits})
	tp := &tap{}
	tp.install(n, clk)
	// A flood's SAs end unheard of: their OnIKESA events would fill the
	// node's channel.
	resp.d.mu.Lock()
	resp.d.cfg.OnIKESA = nil
	resp.d.mu.Unlock()
	return responder{resp, tp, clk}
}

// send hands r to the responder as coming from src and returns its
// answer: the COOKIE it demands, or nil for an SA, or for none.
func (rs responder) send(t *testing.T, src netip.AddrPort, r initReq) (cookie []byte, answered bool) {
	t.Helper()
	before := len(rs.tp.matching(wire.IKE_SA_INIT, true))
	rs.d.HandleDatagram(src, r.encode(t))
	resps := rs.tp.matching(wire.IKE_SA_INIT, true)
	if len(resps) == before {
		return nil, false
	}
	last := resps[len(resps)-1]
	m, err := wire.DecodeMessage(last.msg)
	if err != nil || last.dst != src || m.SPIi != r.spii {
		t.Fatalf("answer %v to %s, %v", m, last.dst, err)
	}
	if n := wire.FindNotify(m.Payloads, wire.COOKIE); n != nil {
		if len(m.Payloads) != 1 || m.SPIr != 0 {
			t.Fatalf("a COOKIE answer with %d payloads, SPIr %x: want only the COOKIE and no SPI of ours", len(m.Payloads), m.SPIr)
		}
		return n.Data, true
	}
	if wire.Find(m.Payloads, wire.PayloadSA) == nil {
		t.Fatalf("answer %v: neither COOKIE nor SA", m.Payloads)
	}
	return nil, true
}

// admitted sends r and fails unless the responder made an SA of it.
func (rs responder) admitted(t *testing.T, src netip.AddrPort, r initReq, what string) {
	t.Helper()
	before := len(rs.d.SAs())
	if cookie, ok := rs.send(t, src, r); cookie != nil || !ok || len(rs.d.SAs()) != before+1 {
		t.Fatalf("%s: cookie %x, answered %v, %d SAs after %d: want an SA", what, cookie, ok, len(rs.d.SAs()), before)
	}
}

// refused sends r and fails unless the responder answered with a fresh
// cookie and kept nothing; it returns the cookie.
func (rs responder) refused(t *testing.T, src netip.AddrPort, r initReq, what string) []byte {
	t.Helper()
	before, kept := len(rs.d.SAs()), rs.kept()
	cookie, _ := rs.send(t, src, r)
	if cookie == nil || len(rs.d.SAs()) != before || rs.kept() != kept {
		t.Fatalf("%s: cookie %x, %d SAs after %d: want a COOKIE and no state", what, cookie, len(rs.d.SAs()), before)
	}
	return cookie
}

// kept is what the responder keeps per request it answered.
func (rs responder) kept() int {
	rs.d.mu.Lock()
	defer rs.d.mu.Unlock()
	return len(rs.d.sas) + len(rs.d.byInit) + len(rs.d.inbound) + rs.d.halfOpen.n
}

func peerAt(i int) netip.AddrPort {
	return netip.AddrPortFrom(netip.AddrFrom4([4]byte{10, 2, byte(i >> 8), byte(i)}), 500)
}

// TestCookiesDemandedAtThreshold: below CookieThreshold half-open SAs a
// request is answered at once; at it, a request without a cookie gets
// only a COOKIE and leaves no state, and the same request with the
// cookie first is let in.
func TestCookiesDemandedAtThreshold(t *testing.T) {
	rs := newResponder(t, &InitLimits{CookieThreshold: 2})
	rs.admitted(t, peerAt(1), newInitReq(), "the first request")
	rs.admitted(t, peerAt(2), newInitReq(), "the second request")
	if st := rs.d.Stats(); st.HalfOpen != 2 || st.CookiesSent != 0 {
		t.Fatalf("below the threshold: %+v", st)
	}
	r := newInitReq()
	r.cookie = rs.refused(t, peerAt(3), r, "at the threshold")
	if len(r.cookie) != cookieLen {
		t.Errorf("cookie of %d bytes", len(r.cookie))
	}
	rs.admitted(t, peerAt(3), r, "the retry with the cookie")
	st := rs.d.Stats()
	if st.HalfOpen != 3 || st.CookiesSent != 1 || st.CookiesAccepted != 1 || st.CookiesInvalid != 0 {
		t.Errorf("stats %+v", st)
	}
	// The half-open SAs time out; cookies stay demanded for the calm-down
	// time, then no longer.
	rs.clk.Advance(DefaultHalfOpenTimeout)
	if st := rs.d.Stats(); st.HalfOpen != 0 || len(rs.d.SAs()) != 0 {
		t.Fatalf("after the half-open timeout: %d half open, %d SAs", st.HalfOpen, len(rs.d.SAs()))
	}
	rs.admitted(t, peerAt(4), newInitReq(), "a request once the load is gone")
}

// TestCookiesCalmDown: once demanded, cookies stay demanded for
// cookieCalmDown after the threshold was last reached, though the load
// went, so a peer's retransmissions are not answered now with a cookie
// and now without.
func TestCookiesCalmDown(t *testing.T) {
	rs := newResponder(t, &InitLimits{CookieThreshold: 1})
	rs.d.mu.Lock()
	rs.d.cfg.HalfOpenTimeout = cookieCalmDown / 2
	rs.d.mu.Unlock()
	rs.admitted(t, peerAt(1), newInitReq(), "below the threshold")
	rs.refused(t, peerAt(2), newInitReq(), "at the threshold")
	rs.clk.Advance(cookieCalmDown / 2)
	if st := rs.d.Stats(); st.HalfOpen != 0 {
		t.Fatalf("%d half open after their timeout", st.HalfOpen)
	}
	rs.refused(t, peerAt(3), newInitReq(), "within the calm-down time")
	rs.clk.Advance(cookieCalmDown/2 + time.Second)
	rs.admitted(t, peerAt(4), newInitReq(), "after the calm-down time")
}

// TestInitiatorRetriesWithCookie: our initiator against our responder
// that always demands cookies: the SA comes up after one COOKIE, also
// when the responder wants another DH group as well (RFC 7296 section
// 2.6.1): the INVALID_KE retry keeps the nonce, so the cookie holds.
func TestInitiatorRetriesWithCookie(t *testing.T) {
	x25519, ecp := gcm128, gcm128
	ecp.DH = wire.ECP256
	for name, c := range map[string]struct {
		s setup
		// accepted: the retry with the cookie, and the one with the
		// group the responder asked for.
		accepted uint64
	}{
		"same group":     {setup{respLimits: alwaysCookies}, 1},
		"INVALID_KE too": {setup{initIKE: []Suite{x25519, ecp}, respIKE: []Suite{ecp}, respLimits: alwaysCookies}, 2},
	} {
		t.Run(name, func(t *testing.T) {
			_, initiator, responder := pair(t, c.s)
			_, ic, rc := establish(t, initiator, responder)
			checkChildPair(t, ic, rc, espGCM)
			st := responder.d.Stats()
			if st.CookiesSent != 1 || st.CookiesAccepted != c.accepted || st.CookiesInvalid != 0 || st.HalfOpen != 0 {
				t.Errorf("responder stats %+v: want one cookie sent, accepted %d times", st, c.accepted)
			}
		})
	}
}

// TestBadCookiesRefused: a cookie that is forged, made for another SPIi,
// another nonce or another address, cut short, or made under a secret two
// rotations old does not let a request in; it is answered with a fresh
// cookie (RFC 7296 section 2.6: as if it carried none) and counted.
func TestBadCookiesRefused(t *testing.T) {
	rs := newResponder(t, alwaysCookies)
	src := peerAt(1)
	r := newInitReq()
	good := rs.refused(t, src, r, "the first request")
	for _, c := range []struct {
		what string
		from netip.AddrPort
		req  func() initReq
	}{
		{"a forged cookie", src, func() initReq { r := r; r.cookie = randomBytes(cookieLen); return r }},
		{"a forged cookie of our version", src, func() initReq {
			r := r
			r.cookie = append(bytes.Clone(good[:cookieVersionLen]), randomBytes(cookieLen-cookieVersionLen)...)
			return r
		}},
		{"a cookie cut short", src, func() initReq { r := r; r.cookie = good[:cookieLen-1]; return r }},
		{"another SPIi", src, func() initReq { r := r; r.spii++; r.cookie = good; return r }},
		{"another nonce", src, func() initReq { r := r; r.ni = randomBytes(32); r.cookie = good; return r }},
		{"another address", peerAt(2), func() initReq { r := r; r.cookie = good; return r }},
	} {
		req := c.req()
		before := rs.d.Stats().CookiesInvalid
		fresh := rs.refused(t, c.from, req, c.what)
		if rs.d.Stats().CookiesInvalid != before+1 || bytes.Equal(fresh, req.cookie) {
			t.Errorf("%s: not counted as invalid, or answered with the same cookie", c.what)
		}
	}
	// The cookie covers the address, not the port, as strongSwan's: a
	// NAT may give the retry another port.
	r.cookie = good
	rs.admitted(t, netip.AddrPortFrom(src.Addr(), 4500), r, "the cookie from another port of its address")
	// Two rotations later the cookie's secret is gone.
	rs.clk.Advance(2 * DefaultCookieSecretLifetime)
	rs.refused(t, src, r, "a cookie two rotations old")
	if st := rs.d.Stats(); st.CookiesAccepted != 1 || st.CookiesInvalid != 7 {
		t.Errorf("stats %+v: want one cookie accepted and 7 refused", st)
	}
}

// TestCookieSecretRotation: the secret changes every lifetime; a cookie
// of the previous secret is still accepted, so an initiator that got one
// just before the change is not refused, and the new cookies differ.
func TestCookieSecretRotation(t *testing.T) {
	rs := newResponder(t, &InitLimits{CookieThreshold: 0, CookieSecretLifetime: 10 * time.Second})
	r := newInitReq()
	r.cookie = rs.refused(t, peerAt(1), r, "before the rotation")
	rs.clk.Advance(10 * time.Second)
	r2 := r
	r2.cookie = nil
	if again := rs.refused(t, peerAt(1), r2, "the same request after the rotation"); bytes.Equal(again, r.cookie) {
		t.Error("the cookie after the rotation is the one before: the secret did not change")
	}
	rs.admitted(t, peerAt(1), r, "the cookie of the previous secret")
}

// TestCookieThresholdPerAddress: one address holding
// CookieThresholdPerAddress half-open SAs must send cookies, while
// others need none; so one who forges an address (and never sees the
// cookies) cannot fill its PerAddress share and block it.
func TestCookieThresholdPerAddress(t *testing.T) {
	rs := newResponder(t, &InitLimits{CookieThreshold: 100, CookieThresholdPerAddress: 2, PerAddress: 4})
	victim := peerAt(1)
	for i := range 2 {
		rs.admitted(t, victim, newInitReq(), fmt.Sprintf("forged request %d", i))
	}
	for i := range 10 {
		rs.refused(t, victim, newInitReq(), fmt.Sprintf("forged request %d past the per-address threshold", i+2))
	}
	rs.admitted(t, peerAt(2), newInitReq(), "another address")
	r := newInitReq()
	r.cookie = rs.refused(t, victim, r, "the victim itself")
	rs.admitted(t, victim, r, "the victim with its cookie")
	if st := rs.d.Stats(); st.InitBlocked != 0 || st.CookiesSent != 11 {
		t.Errorf("stats %+v: want no request blocked and 11 cookies", st)
	}
}

// TestHalfOpenLimitsUnderFlood: without cookies, one address may hold
// PerAddress half-open SAs and the daemon HalfOpenMax; the requests
// beyond are dropped without an answer and counted, and once the
// half-open SAs time out new ones are let in.
func TestHalfOpenLimitsUnderFlood(t *testing.T) {
	rs := newResponder(t, &InitLimits{CookieThreshold: math.MaxInt, PerAddress: 3, HalfOpenMax: 10})
	for range 10 {
		rs.send(t, peerAt(0), newInitReq())
	}
	for i := range 20 {
		rs.send(t, peerAt(i+1), newInitReq())
	}
	st := rs.d.Stats()
	if len(rs.d.SAs()) != 10 || st.HalfOpen != 10 || st.InitBlocked != 7 || st.InitOverLimit != 13 {
		t.Errorf("%d SAs, stats %+v: want 10 half open, 7 blocked, 13 over the limit", len(rs.d.SAs()), st)
	}
	if got := len(rs.tp.matching(wire.IKE_SA_INIT, true)); got != 10 {
		t.Errorf("%d answers, want one for each SA: drops go unanswered", got)
	}
	rs.clk.Advance(DefaultHalfOpenTimeout)
	rs.admitted(t, peerAt(0), newInitReq(), "after the half-open SAs timed out")
}

// TestFloodKeepsMemoryBounded: with the default limits a flood of
// requests from forged addresses makes CookieThreshold half-open SAs,
// and one from real addresses, which answer the cookies, HalfOpenMax.
func TestFloodKeepsMemoryBounded(t *testing.T) {
	if testing.Short() {
		t.Skip("a flood of 2,500 requests")
	}
	rs := newResponder(t, nil)
	lim := DefaultInitLimits
	for i := range 500 {
		rs.send(t, peerAt(i), newInitReq())
	}
	if st := rs.d.Stats(); st.HalfOpen != lim.CookieThreshold || st.CookiesSent != uint64(500-lim.CookieThreshold) {
		t.Fatalf("forged flood: stats %+v", st)
	}
	for i := range lim.HalfOpenMax + 10 - lim.CookieThreshold {
		r := newInitReq()
		if r.cookie, _ = rs.send(t, peerAt(1000+i), r); r.cookie == nil {
			t.Fatalf("request %d: no cookie demanded", i)
		}
		rs.send(t, peerAt(1000+i), r)
	}
	if st := rs.d.Stats(); st.HalfOpen != lim.HalfOpenMax || len(rs.d.SAs()) != lim.HalfOpenMax || st.InitOverLimit != 10 {
		t.Errorf("%d SAs, stats %+v: want %d half open and 10 over the limit", len(rs.d.SAs()), st, lim.HalfOpenMax)
	}
}

// TestFragmentBudgetSurvivesHalfOpenFlood: a flood of half-open SAs, each
// sending all but the last fragment of its IKE_AUTH, holds at most
// maxReassemblingHalfOpen; an established SA's fragmented request is
// still put together. Before, the flood took the whole budget for
// HalfOpenTimeout and every fragmented message was refused.
func TestFragmentBudgetSurvivesHalfOpenFlood(t *testing.T) {
	defer func(all, halfOpen int) { maxReassembling, maxReassemblingHalfOpen = all, halfOpen }(maxReassembling, maxReassemblingHalfOpen)
	maxReassembling, maxReassemblingHalfOpen = 3000, 1000
	clk := clock.NewManual(epoch)
	n, ini, resp := pair(t, setup{clock: clk, respLimits: noLimits})
	isa, ic, _ := establish(t, ini, resp)
	fragmentFlood(t, n, clk, ini, resp, 60)
	resp.d.mu.Lock()
	halfOpen, all := resp.d.reassemblingHalfOpen, resp.d.reassembling
	resp.d.mu.Unlock()
	if halfOpen == 0 || halfOpen > maxReassemblingHalfOpen || all != halfOpen {
		t.Fatalf("the flood holds %d bytes of fragments (%d in all), want some and at most %d", halfOpen, all, maxReassemblingHalfOpen)
	}
	// The established SA's next request comes in fragments.
	before := resp.d.Stats().Reassembled
	ini.d.mu.Lock()
	ini.d.cfg.Transport = &fragmenter{size: 40, initiator: true, ciphers: map[IKESAID]*ikecrypto.SKCipher{ic.IKE: isa.seal},
		Transport: ini.d.cfg.Transport}
	ini.d.mu.Unlock()
	done := make(chan error, 1)
	if err := isa.CreateChild(func(err error) { done <- err }); err != nil {
		t.Fatal(err)
	}
	waitDone(t, done, "a child made by a fragmented request")
	if st := resp.d.Stats(); st.Reassembled != before+1 {
		t.Errorf("reassembled %d messages, want %d", st.Reassembled, before+1)
	}
}

// FuzzCookie: no cookie but the one made for a request verifies, and
// checking never panics.
func FuzzCookie(f *testing.F) {
	f.Add(make([]byte, cookieLen), []byte("nonce"), uint64(1), []byte{10, 0, 0, 1})
	f.Add([]byte{}, []byte{}, uint64(0), []byte{})
	f.Fuzz(func(t *testing.T, cookie, ni []byte, spii uint64, ip []byte) {
		addr, ok := netip.AddrFromSlice(ip)
		if !ok {
			addr = netip.IPv6Unspecified()
		}
		c := cookieSecrets{lifetime: time.Minute}
		c.rotate(epoch, func(n int) []byte { return bytes.Repeat([]byte{7}, n) })
		good := c.cookieFor(ni, addr, spii)
		if c.valid(cookie, ni, addr, spii) != bytes.Equal(cookie, good) {
			t.Fatalf("cookie %x verifies %v; the good one is %x", cookie, !bytes.Equal(cookie, good), good)
		}
	})
}
