package ikesa

import (
	"crypto/sha256"
	"crypto/subtle"
	"encoding/binary"
	"errors"
	"net/netip"
	"time"

	"github.com/tcpipc/tcpipc/internal/ike/wire"
)

// A responder under a flood of IKE_SA_INIT requests. Each request that is
// answered with SA, KE and Nr costs a Diffie-Hellman computation and
// keeps a half-open IKE SA for HalfOpenTimeout. RFC 7296 section 2.6
// lets a responder that holds many half-open SAs answer instead with
// nothing but a COOKIE, which costs it no state, and go on only when the
// initiator sends the request again with that cookie first: proof that
// it receives at the address it claims. Beyond that, InitLimits caps the
// half-open SAs of one address and of the daemon, so memory stays
// bounded whatever arrives. Every request turned away is counted
// (Stats).

// InitLimits bounds what IKE_SA_INIT requests may make the responder
// keep. strongSwan's charon has the same knobs: cookie_threshold (30 in
// 5.9.8, 10 in older releases), cookie_threshold_ip (3), block_threshold
// (5) and init_limit_half_open (0, no limit).
type InitLimits struct {
	// CookieThreshold is how many half-open responder SAs make us demand
	// a cookie of every IKE_SA_INIT; 0 demands one always. Once demanded,
	// cookies stay demanded until cookieCalmDown passes without reaching
	// the threshold, so a peer's retransmissions are not answered one way
	// and then the other.
	CookieThreshold int
	// CookieThresholdPerAddress is how many half-open SAs of one address
	// make us demand a cookie from that address; 0: only CookieThreshold
	// applies. It keeps one who forges a victim's address below
	// PerAddress, so the victim is not blocked.
	CookieThresholdPerAddress int
	// PerAddress is how many half-open SAs one address may hold; further
	// requests from it are dropped. 0: no limit.
	PerAddress int
	// HalfOpenMax is how many half-open responder SAs the daemon keeps at
	// most; further requests are dropped. 0: no limit.
	HalfOpenMax int
	// CookieSecretLifetime is how long one cookie secret is used before
	// a new one is drawn; a cookie of the previous secret is accepted
	// for one lifetime more. 0: DefaultCookieSecretLifetime.
	CookieSecretLifetime time.Duration
}

// DefaultInitLimits apply when Config.InitLimits is nil: strongSwan's,
// with its older, lower cookie threshold, and a HalfOpenMax that bounds
// a flood from many real addresses at 1,000 half-open SAs (about 4 MB).
var DefaultInitLimits = InitLimits{CookieThreshold: 10, CookieThresholdPerAddress: 3, PerAddress: 5, HalfOpenMax: 1000,
	CookieSecretLifetime: DefaultCookieSecretLifetime}

// DefaultCookieSecretLifetime is how often the cookie secret changes.
const DefaultCookieSecretLifetime = time.Minute

// cookieCalmDown is how long cookies stay demanded after the threshold
// was last reached (strongSwan's COOKIE_CALMDOWN_DELAY).
const cookieCalmDown = 10 * time.Second

func (l *InitLimits) validate() error {
	if l.CookieThreshold < 0 || l.CookieThresholdPerAddress < 0 || l.PerAddress < 0 || l.HalfOpenMax < 0 || l.CookieSecretLifetime < 0 {
		return errors.New("InitLimits may not be negative")
	}
	return nil
}

// Cookie layout: a 4-byte version of the secret, then SHA-256(Ni | IPi |
// SPIi | secret), as RFC 7296 section 2.6 suggests. IPi is the address
// in its 16-byte form; every field after Ni has a fixed size, so no two
// inputs run together.
const (
	cookieVersionLen = 4
	cookieLen        = cookieVersionLen + sha256.Size
	cookieSecretLen  = 32
)

// cookieSecrets holds the current secret and the one before it.
type cookieSecrets struct {
	lifetime time.Duration
	version  uint32
	since    time.Time // when the current secret's lifetime began
	cur      []byte    // nil until the first cookie
	prev     []byte    // nil when it ended more than a lifetime ago
}

// rotate draws a new secret for each lifetime that ended by now. It is
// lazy, run where a cookie is made or checked, so an idle daemon keeps
// no timer for it.
func (c *cookieSecrets) rotate(now time.Time, random func(int) []byte) {
	if c.cur == nil {
		c.cur, c.since = random(cookieSecretLen), now
		c.version = binary.BigEndian.Uint32(random(cookieVersionLen))
		return
	}
	ended := now.Sub(c.since) / c.lifetime
	if ended < 1 {
		return
	}
	c.prev = c.cur
	if ended > 1 {
		c.prev = nil // its successor's lifetime is over too
	}
	c.cur, c.version = random(cookieSecretLen), c.version+uint32(ended)
	c.since = c.since.Add(ended * c.lifetime)
}

// cookieFor returns the cookie for a request with nonce ni and SPI spii from addr.
func (c *cookieSecrets) cookieFor(ni []byte, addr netip.Addr, spii uint64) []byte {
	return cookieOf(c.version, c.cur, ni, addr, spii)
}

// valid reports whether cookie is one that cookieFor returned for the same
// request under the current or the previous secret.
func (c *cookieSecrets) valid(cookie, ni []byte, addr netip.Addr, spii uint64) bool {
	if len(cookie) != cookieLen || c.cur == nil {
		return false
	}
	secret := c.cur
	switch v := binary.BigEndian.Uint32(cookie); {
	case v == c.version:
	case v == c.version-1 && c.prev != nil:
		secret = c.prev
	default:
		return false
	}
	return subtle.ConstantTimeCompare(cookie, cookieOf(binary.BigEndian.Uint32(cookie), secret, ni, addr, spii)) == 1
}

func cookieOf(version uint32, secret, ni []byte, addr netip.Addr, spii uint64) []byte {
	h := sha256.New()
	h.Write(ni)
	ip := addr.Unmap().As16()
	h.Write(ip[:])
	h.Write(binary.BigEndian.AppendUint64(nil, spii))
	h.Write(secret)
	return h.Sum(binary.BigEndian.AppendUint32(make([]byte, 0, cookieLen), version))
}

// halfOpen counts the responder SAs that answered IKE_SA_INIT and wait
// for IKE_AUTH, in all and by initiator address. d.mu guards it.
type halfOpen struct {
	n      int
	byAddr map[netip.Addr]int
	// cookiesUntil is when cookies stop being demanded (cookieCalmDown).
	cookiesUntil time.Time
}

// admitInit decides whether the IKE_SA_INIT request m from src, with
// nonce ni, may make a half-open SA: under load only with a valid cookie,
// and within the half-open limits. A request turned away is answered with
// a COOKIE or dropped, and counted either way. d.mu is held.
func (d *Daemon) admitInit(src netip.AddrPort, m *wire.Message, ni []byte) bool {
	lim, addr := &d.limits, src.Addr().Unmap()
	if d.cookieRequired(addr) {
		d.cookies.rotate(d.clock.Now(), d.randBytes)
		n := wire.FindNotify(m.Payloads, wire.COOKIE)
		if n == nil || !d.cookies.valid(n.Data, ni, addr, m.SPIi) {
			// A cookie that does not verify (forged, for another
			// request, or of a retired secret) is ignored, and the
			// request answered as one without (RFC 7296 section 2.6):
			// with a fresh cookie.
			if n != nil {
				d.stats.cookiesInvalid.Add(1)
			}
			d.stats.cookiesSent.Add(1)
			d.sendNotifyInit(src, m.SPIi, wire.COOKIE, d.cookies.cookieFor(ni, addr, m.SPIi))
			return false
		}
		d.stats.cookiesAccepted.Add(1)
	}
	switch {
	case lim.PerAddress > 0 && d.halfOpen.byAddr[addr] >= lim.PerAddress:
		d.stats.initBlocked.Add(1)
		return false
	case lim.HalfOpenMax > 0 && d.halfOpen.n >= lim.HalfOpenMax:
		d.stats.initOverLimit.Add(1)
		return false
	}
	return true
}

// cookieRequired reports whether an IKE_SA_INIT from addr must carry a
// valid cookie. d.mu is held.
func (d *Daemon) cookieRequired(addr netip.Addr) bool {
	lim, h, now := &d.limits, &d.halfOpen, d.clock.Now()
	if h.n >= lim.CookieThreshold {
		h.cookiesUntil = now.Add(cookieCalmDown)
		return true
	}
	if now.Before(h.cookiesUntil) {
		return true
	}
	return lim.CookieThresholdPerAddress > 0 && h.byAddr[addr] >= lim.CookieThresholdPerAddress
}

// startHalfOpen counts sa, a responder SA that just answered IKE_SA_INIT
// from addr, as half open, and gives up on it after HalfOpenTimeout.
// d.mu is held.
func (sa *IKESA) startHalfOpen(addr netip.Addr) {
	d := sa.d
	d.halfOpen.n++
	d.halfOpen.byAddr[addr]++
	d.stats.halfOpen.Add(1)
	sa.halfOpenAddr = addr
	sa.halfOpen = d.clock.AfterFunc(d.cfg.HalfOpenTimeout, func() {
		d.mu.Lock()
		defer d.runEventsLocked()
		if sa.state == StateInitDone {
			sa.die(ErrTimeout)
		}
	})
}

// endHalfOpen stops counting sa as half open: it is established or dead.
// d.mu is held.
func (sa *IKESA) endHalfOpen() {
	if sa.halfOpen == nil {
		return
	}
	d := sa.d
	sa.halfOpen.Stop()
	sa.halfOpen = nil
	d.halfOpen.n--
	d.stats.halfOpen.Add(-1)
	if d.halfOpen.byAddr[sa.halfOpenAddr]--; d.halfOpen.byAddr[sa.halfOpenAddr] <= 0 {
		delete(d.halfOpen.byAddr, sa.halfOpenAddr)
	}
}
