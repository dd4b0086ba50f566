package link_test

import (
	"context"
	"io"
	"net/netip"
	"testing"

	"github.com/tcpipc/tcpipc/runtime/link"
)

// BenchmarkTCPDirect is one TCP stream between two directly linked stacks:
// the baseline the distributor path (router, XCF, GRE) is measured against
// (see xcf.BenchmarkTCPOverXCF). Each iteration writes 1 MiB; go test
// reports MB/s. The data is a fixed buffer and the receiver discards it, so
// the number is the stacks' and the link's cost alone.
func BenchmarkTCPDirect(b *testing.B) {
	ea, eb := link.Pipe(link.Options{Name: "bench", RXChecksumOffload: true})
	sa, sb := pair(b, ea, eb)
	ln, err := sb.ListenTCP(netip.AddrPortFrom(addrB.Addr(), 9000))
	if err != nil {
		b.Fatal(err)
	}
	defer ln.Close()
	got := make(chan int64, 1)
	go func() {
		c, err := ln.Accept()
		if err != nil {
			got <- -1
			return
		}
		defer c.Close()
		n, _ := io.Copy(io.Discard, c)
		got <- n
	}()
	c, err := sa.DialTCP(context.Background(), netip.AddrPortFrom(addrB.Addr(), 9000))
	if err != nil {
		b.Fatal(err)
	}
	const chunk = 1 << 20
	buf := make([]byte, chunk)
	b.SetBytes(chunk)
	b.ResetTimer()
	for range b.N {
		if _, err := c.Write(buf); err != nil {
			b.Fatal(err)
		}
	}
	c.Close()
	if n := <-got; n != int64(b.N)*chunk {
		b.Fatalf("received %d bytes, want %d", n, int64(b.N)*chunk)
	}
	b.StopTimer()
	if st := ea.Stats(); st.Dropped() != 0 {
		b.Fatalf("link dropped: %v", st)
	}
}
