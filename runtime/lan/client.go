package lan

import (
	"bytes"
	"context"
	"io"
	"net/netip"
	"sync/atomic"

	"github.com/tcpipc/tcpipc/internal/clock"
	"github.com/tcpipc/tcpipc/runtime/ipsec"
	"github.com/tcpipc/tcpipc/runtime/link"
	"github.com/tcpipc/tcpipc/runtime/netstack"
)

// Client is a remote client on the LAN with a netstack of its own.
type Client struct {
	Name string
	Addr netip.Addr
	ns   *netstack.Stack
	port *Port
	lan  *link.Endpoint
	// sec is the client's IPsec endpoint once EnableIPsec ran.
	sec atomic.Pointer[ipsec.Endpoint]
	udp *UDP
}

// NIC is the name of the LAN interface in a netstack on the fabric.
const NIC = "lan"

// NewClient attaches a remote client with address addr to the fabric: a
// netstack of its own whose default route is the LAN.
func NewClient(f *Fabric, name string, addr netip.Addr) (*Client, error) {
	ns, err := netstack.New(netstack.Options{Name: name})
	if err != nil {
		return nil, err
	}
	c := &Client{Name: name, Addr: addr, ns: ns}
	port, err := f.Attach("client:"+name, c.fromLAN)
	if err != nil {
		ns.Close()
		return nil, err
	}
	ep := link.New(link.Options{Name: "lan:" + name, Handler: c.toLAN(port.Send), RXChecksumOffload: true, QueueLen: link.DefaultQueueLen})
	c.port, c.lan = port, ep
	if err := c.attach(addr); err != nil {
		port.Detach()
		ns.Close()
		return nil, err
	}
	port.Advertise(addr)
	return c, nil
}

// attach puts the client's address on its LAN NIC, the default route
// through it.
func (c *Client) attach(addr netip.Addr) error {
	if _, err := c.ns.AttachNIC(NIC, c.lan); err != nil {
		return err
	}
	if err := c.ns.AddAddress(NIC, netip.PrefixFrom(addr, addr.BitLen())); err != nil {
		return err
	}
	return c.ns.AddRoute(netstack.Route{Dst: netip.MustParsePrefix("0.0.0.0/0"), NIC: NIC})
}

// EnableIPsec makes the client an IPsec peer: its traffic goes through an
// endpoint configured by cfg (see sysplex.ClientIPsec); Conn, Clock and the
// callbacks are set here. keyLog, when not nil, gets the key log.
func (c *Client) EnableIPsec(cfg ipsec.Config, clk clock.Clock, keyLog io.Writer) error {
	c.udp = NewUDP(c.Addr, func(pkt []byte) error { return c.port.Send(context.Background(), pkt) })
	cfg.Conn, cfg.Clock, cfg.KeyLog = c.udp, clk, keyLog
	cfg.OnCleartext = func(pkt []byte) { _ = c.lan.Inject(pkt) }
	ep, err := ipsec.New(cfg)
	if err != nil {
		return err
	}
	c.sec.Store(ep)
	return nil
}

// fromLAN takes the client's packets off the LAN: IKE, ESP in UDP and
// plain ESP to its endpoint, cleartext through the endpoint's policy when it has one.
func (c *Client) fromLAN(pkt []byte) error {
	if ep := c.sec.Load(); ep != nil {
		if port, src, payload, ok := ParseUDP(pkt); ok && (port == IKEPort || port == NATTPort) {
			c.udp.Deliver(port, src, payload)
			return nil
		}
		if src, payload, ok := ParseESP(pkt); ok {
			c.udp.DeliverESP(src, payload)
			return nil
		}
		if !ep.InboundClear(pkt) {
			return nil
		}
	}
	return c.lan.Inject(pkt)
}

// toLAN sends the client's packets through its endpoint, if any.
func (c *Client) toLAN(send func(context.Context, []byte) error) func(context.Context, []byte) error {
	return func(ctx context.Context, pkt []byte) error {
		if ep := c.sec.Load(); ep != nil && ep.Outbound(bytes.Clone(pkt)) != ipsec.Clear {
			return nil
		}
		return send(ctx, pkt)
	}
}

// IPsec returns the client's IPsec endpoint, nil before EnableIPsec.
func (c *Client) IPsec() *ipsec.Endpoint { return c.sec.Load() }

// Netstack returns the client's netstack, to dial from.
func (c *Client) Netstack() *netstack.Stack { return c.ns }

// Close detaches the client from the LAN and stops its netstack.
func (c *Client) Close() {
	if ep := c.sec.Load(); ep != nil {
		ep.Close()
	}
	c.port.Detach()
	c.ns.Close()
}
