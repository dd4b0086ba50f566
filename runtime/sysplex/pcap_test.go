package sysplex

import (
	"context"
	"net/netip"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/tcpipc/tcpipc/internal/clock"
	"github.com/tcpipc/tcpipc/runtime/link"
	"github.com/tcpipc/tcpipc/runtime/xcf"
)

// TestCaptureDecodesInTshark captures the LAN and the XCF links while
// clients talk to DVA1 and checks with tshark that the distributor's
// forwarding shows as GRE from MVS1's XCF address with the clients' TCP
// inside, and the clients' traffic on the LAN as plain TCP.
func TestCaptureDecodesInTshark(t *testing.T) {
	tshark, err := exec.LookPath("tshark")
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("tshark is required under CI=true (.ci/run installs it)")
		}
		t.Skip("tshark not installed; skipping the capture check (apt-get install tshark)")
	}
	file := filepath.Join(t.TempDir(), "figure9.pcap")
	out, err := os.Create(file)
	if err != nil {
		t.Fatal(err)
	}
	pw, err := link.NewPcapWriter(out, clock.Real{})
	if err != nil {
		t.Fatal(err)
	}
	sx, err := New(figure9Plan(t), Options{Clock: clock.Real{}, XCF: xcf.Timing{Interval: 50 * time.Millisecond, Missed: 3},
		LANTap: pw.Tap(link.Out), XCFTap: pw.Tap(link.Out)})
	if err != nil {
		t.Fatal(err)
	}
	if err := sx.Start(); err != nil {
		t.Fatal(err)
	}
	app := netip.AddrPortFrom(dva1, 60)
	servers := serveAPPA(t, sx)
	client, err := sx.AddClient("client", netip.MustParseAddr("192.0.2.10"))
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 6; i++ {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		c, err := client.Netstack().DialTCP(ctx, app)
		cancel()
		if err != nil {
			t.Fatal(err)
		}
		echoOnce(t, c, "captured "+strconv.Itoa(i))
		c.Close()
	}
	for _, e := range servers {
		e.close() // before the stacks stop; closing again at cleanup is harmless
	}
	sx.Stop()
	if err := pw.Err(); err != nil {
		t.Fatal(err)
	}
	out.Close()

	count := func(filter string) int {
		cmd := exec.Command(tshark, "-r", file, "-Y", filter, "-T", "fields", "-e", "frame.number")
		cmd.Env = append(os.Environ(), "WIRESHARK_CONFIG_DIR="+t.TempDir())
		b, err := cmd.Output()
		if err != nil {
			t.Fatalf("tshark -Y %q: %v", filter, err)
		}
		return len(strings.Fields(string(b)))
	}
	if n := count("gre && ip.src==193.9.200.1 && tcp.dstport==60"); n == 0 {
		t.Error("no GRE frame from MVS1's XCF address carrying the clients' TCP")
	}
	if n := count("!gre && ip.src==192.0.2.10 && ip.dst==201.2.10.11 && tcp.dstport==60"); n == 0 {
		t.Error("no client TCP to DVA1 on the LAN")
	}
	if n := count("_ws.malformed || _ws.expert.severity >= \"Error\""); n != 0 {
		t.Errorf("%d malformed frames", n)
	}
}
