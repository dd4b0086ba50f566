package sysplex

import (
	"context"
	"net/netip"
	"testing"
	"time"

	"github.com/tcpipc/tcpipc/internal/testkit/leakcheck"
)

// TestIPsecOnHomeAddress: IKED negotiates for a stack's own address too.
// SYSA's policy (testdata/runtime/home-ipsec) protects TELNET to its home
// address from the client network with IKEv2 and a pre-shared key; a client that is an
// IPsec peer connects through ESP, a cleartext one is refused.
func TestIPsecOnHomeAddress(t *testing.T) {
	leakcheck.Check(t)
	p := planFile(t, "home-ipsec")
	sx, clk := startSysplex(t, p, withIPsec)
	home := netip.MustParseAddr("10.1.1.1")
	if sx.Stack("SYSA").IPsecSAs(home) == nil {
		t.Fatal("SYSA runs no IPsec endpoint for its home address")
	}
	telnet := netip.AddrPortFrom(home, 23)
	e := serveEcho(t, sx.Stack("SYSA"), telnet)
	t.Cleanup(e.close)

	secure, err := sx.AddClient("secure", netip.MustParseAddr("192.0.2.10"))
	if err != nil {
		t.Fatal(err)
	}
	cfg, err := ClientIPsec(p, secure.Addr, home)
	if err != nil {
		t.Fatal(err)
	}
	if err := secure.EnableIPsec(cfg, clk, nil); err != nil {
		t.Fatal(err)
	}
	c := dial(t, secure, telnet)
	t.Cleanup(func() { c.Close() })
	echoOnce(t, c, "through ESP to a home address")
	if sas := sx.Stack("SYSA").IPsecSAs(home); len(sas.Dynamic) != 1 {
		t.Fatalf("SYSA's tunnels: %+v", sas)
	}

	plain, err := sx.AddClient("plain", netip.MustParseAddr("192.0.2.20"))
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 500*time.Millisecond)
	defer cancel()
	if pc, err := plain.Netstack().DialTCP(ctx, telnet); err == nil {
		pc.Close()
		t.Fatal("a cleartext client reached the protected home address")
	}
}
