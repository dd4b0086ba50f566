package xcf_test

import (
	"net/netip"
	"testing"

	"github.com/tcpipc/tcpipc/internal/clock"
	"github.com/tcpipc/tcpipc/internal/testkit/streambench"
	"github.com/tcpipc/tcpipc/runtime/netstack"
	"github.com/tcpipc/tcpipc/runtime/xcf"
)

// BenchmarkTCPOverXCF is one TCP stream over an XCF link (GRE
// encapsulation, the spoof check and decapsulation on every datagram), to
// compare with link.BenchmarkTCPDirect, measured the same way. Each
// iteration writes 1 MiB.
func BenchmarkTCPOverXCF(b *testing.B) {
	clk := clock.Real{}
	na, _ := xcf.NewNode("MVS1", xcfA, clk)
	nb, _ := xcf.NewNode("MVS2", xcfB, clk)
	l, err := xcf.Connect(na, nb, xcf.LinkOptions{})
	if err != nil {
		b.Fatal(err)
	}
	pa, pb := l.Ends()
	sa, _ := netstack.New(netstack.Options{Name: "MVS1"})
	sb, _ := netstack.New(netstack.Options{Name: "MVS2"})
	defer sa.Close()
	defer sb.Close()
	if err := pa.AttachTo(sa, "xcf"); err != nil {
		b.Fatal(err)
	}
	if err := pb.AttachTo(sb, "xcf"); err != nil {
		b.Fatal(err)
	}
	streambench.Sink(b, sa, sb, netip.AddrPortFrom(xcfB, 9000))
	if st := pb.Stats(); st.Spoofed+st.Malformed != 0 {
		b.Fatalf("drops: %+v", st)
	}
}
