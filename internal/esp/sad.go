package esp

import (
	"fmt"
	"sync"
	"sync/atomic"
)

// SAD is the inbound half of the Security Association Database (RFC 4301
// §4.4.2): it finds the SA for an arriving packet by SPI. It is safe for
// concurrent use; lookups take a read lock only.
type SAD struct {
	mu    sync.RWMutex
	bySPI map[uint32]*SA

	unknownSPI atomic.Uint64
	tooShort   atomic.Uint64
}

// NewSAD returns an empty SAD.
func NewSAD() *SAD {
	return &SAD{bySPI: make(map[uint32]*SA)}
}

// Add installs sa. Its SPI must not be in use.
func (d *SAD) Add(sa *SA) error {
	d.mu.Lock()
	defer d.mu.Unlock()
	if _, dup := d.bySPI[sa.spi]; dup {
		return fmt.Errorf("esp: SPI 0x%08x already in the SAD", sa.spi)
	}
	d.bySPI[sa.spi] = sa
	return nil
}

// Remove takes the SA with the given SPI out of the SAD and returns it, or
// nil if there was none. It does not close the SA.
func (d *SAD) Remove(spi uint32) *SA {
	d.mu.Lock()
	defer d.mu.Unlock()
	sa := d.bySPI[spi]
	delete(d.bySPI, spi)
	return sa
}

// Lookup returns the SA with the given SPI.
func (d *SAD) Lookup(spi uint32) (*SA, bool) {
	d.mu.RLock()
	sa, ok := d.bySPI[spi]
	d.mu.RUnlock()
	return sa, ok
}

// Len returns the number of SAs.
func (d *SAD) Len() int {
	d.mu.RLock()
	defer d.mu.RUnlock()
	return len(d.bySPI)
}

// SADCounters counts packets the SAD dropped before any SA saw them.
type SADCounters struct {
	UnknownSPI uint64 // no SA has the SPI (RFC 4303 §3.4.2)
	TooShort   uint64 // shorter than an ESP header
}

// Counters returns the SAD's drop counters, each read atomically.
func (d *SAD) Counters() SADCounters {
	return SADCounters{UnknownSPI: d.unknownSPI.Load(), TooShort: d.tooShort.Load()}
}

// Decap finds the SA for b and calls its Decap. It also returns the SA,
// which is nil when the SPI is unknown.
func (d *SAD) Decap(dst, b []byte) ([]byte, Protocol, *SA, error) {
	spi, ok := PeekSPI(b)
	if !ok {
		d.tooShort.Add(1)
		return dst, 0, nil, ErrTooShort
	}
	sa, ok := d.Lookup(spi)
	if !ok {
		d.unknownSPI.Add(1)
		return dst, 0, nil, ErrUnknownSPI
	}
	out, next, err := sa.Decap(dst, b)
	return out, next, sa, err
}
