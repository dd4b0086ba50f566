package sysplex

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"sync"
	"sync/atomic"
	"time"

	"github.com/tcpipc/tcpipc/runtime/lan"
)

// Setup of the benchmarks' many connections on a busy two-core machine
// (issue 16): BenchmarkTakeover1000 dialled 1,000 connections one after
// another with no deadline and failed in setup in 2 of 4 attempts
// ("connect … operation timed out") when the listeners' queues or the
// scheduler fell behind. dialAll dials with bounded concurrency, gives
// each attempt a deadline, retries an attempt that failed a bounded
// number of times and counts the retries, so the benchmark reports them.
// A connection that never comes up is still an error.
const (
	dialWorkers  = 8
	dialAttempts = 5
	dialTimeout  = 10 * time.Second
)

// dialer is what dialAll needs of a client; *lan.Client's netstack in
// the benchmarks, a fake in the test.
type dialer func(ctx context.Context, ap netip.AddrPort) (net.Conn, error)

// clientDialer dials from a LAN client.
func clientDialer(c *lan.Client) dialer {
	return func(ctx context.Context, ap netip.AddrPort) (net.Conn, error) {
		conn, err := c.Netstack().DialTCP(ctx, ap)
		if err != nil {
			return nil, err
		}
		return conn, nil
	}
}

// dialAll opens n connections to ap and returns them with the number of
// attempts that failed and were retried. On error the connections opened
// are closed.
func dialAll(dial dialer, ap netip.AddrPort, n int) ([]net.Conn, int, error) {
	conns := make([]net.Conn, n)
	var retries atomic.Int64
	var errs []error
	var mu sync.Mutex
	next := make(chan int)
	var wg sync.WaitGroup
	for range dialWorkers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for k := range next {
				c, tries, err := dialOne(dial, ap)
				retries.Add(int64(tries - 1))
				if err != nil {
					mu.Lock()
					errs = append(errs, fmt.Errorf("connection %d: %d attempts: %w", k, tries, err))
					mu.Unlock()
					continue
				}
				conns[k] = c
			}
		}()
	}
	for k := range n {
		next <- k
	}
	close(next)
	wg.Wait()
	if len(errs) > 0 {
		for _, c := range conns {
			if c != nil {
				c.Close()
			}
		}
		return nil, int(retries.Load()), errors.Join(errs...)
	}
	return conns, int(retries.Load()), nil
}

// dialOne dials ap up to dialAttempts times, each with its own deadline.
func dialOne(dial dialer, ap netip.AddrPort) (net.Conn, int, error) {
	var err error
	for try := 1; try <= dialAttempts; try++ {
		ctx, cancel := context.WithTimeout(context.Background(), dialTimeout)
		var c net.Conn
		c, err = dial(ctx, ap)
		cancel()
		if err == nil {
			return c, try, nil
		}
	}
	return nil, dialAttempts, err
}
