package link_test

import (
	"net/netip"
	"testing"

	"github.com/tcpipc/tcpipc/internal/testkit/streambench"
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
	streambench.Sink(b, sa, sb, netip.AddrPortFrom(addrB.Addr(), 9000))
	if st := ea.Stats(); st.Dropped() != 0 {
		b.Fatalf("link dropped: %v", st)
	}
}
