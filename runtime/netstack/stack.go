package netstack

import (
	"context"
	"errors"
	"fmt"
	"net/netip"
	"slices"
	"sync"
	"sync/atomic"

	"gvisor.dev/gvisor/pkg/tcpip"
	"gvisor.dev/gvisor/pkg/tcpip/adapters/gonet"
	"gvisor.dev/gvisor/pkg/tcpip/link/loopback"
	"gvisor.dev/gvisor/pkg/tcpip/network/ipv4"
	"gvisor.dev/gvisor/pkg/tcpip/network/ipv6"
	"gvisor.dev/gvisor/pkg/tcpip/stack"
	"gvisor.dev/gvisor/pkg/tcpip/transport/icmp"
	"gvisor.dev/gvisor/pkg/tcpip/transport/tcp"
	"gvisor.dev/gvisor/pkg/tcpip/transport/udp"
)

// Buffer limits for TCP, from Tailscale's production settings
// (reference/ipsec.md §6): big enough to keep an in-process path busy.
const (
	maxReceiveBuffer = 8 << 20
	maxSendBuffer    = 6 << 20
)

// VIPANIC is the name of the loopback-like NIC created by AddVIPANIC.
const VIPANIC = "vipa"

// Options configure a Stack.
type Options struct {
	// Name is the stack's name, e.g. the MVS system name, for errors.
	Name string
	// Forwarding makes the stack route packets that are not for it, as a
	// routing stack (IPCONFIG DATAGRAMFWD) does. It also lets the stack
	// accept packets for an address held on another of its NICs, which
	// is how a DVIPA on the VIPA NIC is reached through an XCF NIC.
	Forwarding bool
}

// Stack is one simulated TCP/IP stack. Its methods are safe for concurrent
// use.
type Stack struct {
	name string
	s    *stack.Stack

	mu     sync.Mutex
	nics   map[string]tcpip.NICID
	names  map[tcpip.NICID]string
	eps    map[tcpip.NICID]stack.LinkEndpoint
	next   tcpip.NICID
	closed bool

	// forwarding is Options.Forwarding as SetForwarding last set it;
	// forwarded and forwardLost count the transit packets forward.go
	// sent on or could not. local is the stack's addresses as of the last
	// change made through this package, so that forward.go tells most
	// packets for the stack itself apart without asking gVisor.
	forwarding             atomic.Bool
	forwarded, forwardLost atomic.Uint64
	localMu                sync.Mutex
	local                  atomic.Pointer[map[tcpip.Address]bool]
}

var limitedBroadcast = netip.AddrFrom4([4]byte{255, 255, 255, 255})

// ErrClosed is returned by operations on a closed stack.
var ErrClosed = errors.New("netstack: stack closed")

// New builds a stack with no NICs.
func New(opts Options) (*Stack, error) {
	s := stack.New(stack.Options{
		NetworkProtocols:   []stack.NetworkProtocolFactory{ipv4.NewProtocol, ipv6.NewProtocol},
		TransportProtocols: []stack.TransportProtocolFactory{tcp.NewProtocol, udp.NewProtocol, icmp.NewProtocol4, icmp.NewProtocol6},
		// Deliver packets between two sockets of this stack internally.
		HandleLocal: true,
	})
	st := &Stack{name: opts.Name, s: s, nics: map[string]tcpip.NICID{}, names: map[tcpip.NICID]string{}, eps: map[tcpip.NICID]stack.LinkEndpoint{}, next: 1}
	if err := st.tuneTCP(); err != nil {
		s.Destroy()
		return nil, err
	}
	if err := st.SetForwarding(opts.Forwarding); err != nil {
		s.Destroy()
		return nil, err
	}
	return st, nil
}

func (st *Stack) tuneTCP() error {
	sack := tcpip.TCPSACKEnabled(true)
	rack := tcpip.TCPRecovery(0) // RACK off: gVisor's RACK misfires on in-process links
	cc := tcpip.CongestionControlOption("reno")
	moderate := tcpip.TCPModerateReceiveBufferOption(true)
	rcv := tcpip.TCPReceiveBufferSizeRangeOption{Min: tcp.MinBufferSize, Default: tcp.DefaultReceiveBufferSize, Max: maxReceiveBuffer}
	snd := tcpip.TCPSendBufferSizeRangeOption{Min: tcp.MinBufferSize, Default: tcp.DefaultSendBufferSize, Max: maxSendBuffer}
	for _, opt := range []tcpip.SettableTransportProtocolOption{&sack, &rack, &cc, &moderate, &rcv, &snd} {
		if err := st.s.SetTransportProtocolOption(tcp.ProtocolNumber, opt); err != nil {
			return fmt.Errorf("netstack %s: TCP option %T: %s", st.name, opt, err)
		}
	}
	return nil
}

// Name returns the stack's name.
func (st *Stack) Name() string { return st.name }

// Gvisor returns the underlying gVisor stack, for what this package does
// not wrap (statistics, packet endpoints).
func (st *Stack) Gvisor() *stack.Stack { return st.s }

// AttachNIC adds ep to the stack as a NIC called name. The stack owns ep
// from now on: RemoveNIC and Close close it, Close possibly twice (gVisor's
// endpoints and link.Endpoint all allow that). If AttachNIC fails, the
// caller still owns ep.
func (st *Stack) AttachNIC(name string, ep stack.LinkEndpoint) (tcpip.NICID, error) {
	st.mu.Lock()
	defer st.mu.Unlock()
	if st.closed {
		return 0, ErrClosed
	}
	if _, dup := st.nics[name]; dup {
		return 0, fmt.Errorf("netstack %s: NIC %q already attached", st.name, name)
	}
	id := st.next
	if err := st.s.CreateNICWithOptions(id, &forwardingLink{LinkEndpoint: ep, st: st}, stack.NICOptions{Name: name}); err != nil {
		return 0, fmt.Errorf("netstack %s: attach NIC %q: %s", st.name, name, err)
	}
	st.next++
	st.nics[name] = id
	st.names[id] = name
	st.eps[id] = ep
	return id, nil
}

// AddVIPANIC attaches the VIPA NIC: a loopback device that holds the
// stack's virtual IP addresses, like the z/OS VIPA device that no physical
// interface failure can take down. gVisor accepts a packet for an address
// held on another NIC only when the receiving NIC forwards, so a stack that
// owns VIPAs is built with Options.Forwarding (z/OS itself accepts its home
// addresses on any interface).
func (st *Stack) AddVIPANIC() error {
	_, err := st.AttachNIC(VIPANIC, loopback.New())
	return err
}

// RemoveNIC detaches and closes the NIC, drops its routes and waits for
// its link endpoint's goroutines to exit.
func (st *Stack) RemoveNIC(name string) error {
	st.mu.Lock()
	id, ok := st.nics[name]
	if !ok {
		st.mu.Unlock()
		return fmt.Errorf("netstack %s: no NIC %q", st.name, name)
	}
	ep := st.eps[id]
	delete(st.nics, name)
	delete(st.names, id)
	delete(st.eps, id)
	st.mu.Unlock()
	// Close the endpoint first so that no writer is left blocked in it
	// while gVisor takes the NIC apart (see Close).
	ep.Close()
	return st.removeNIC(id, name, ep)
}

func (st *Stack) removeNIC(id tcpip.NICID, name string, ep stack.LinkEndpoint) error {
	// gVisor closes the endpoint after releasing its own locks; the wait
	// must come after that too, since a pump may be delivering into this
	// stack right now.
	err := st.s.RemoveNIC(id)
	st.refreshLocal()
	if _, gone := err.(*tcpip.ErrUnknownNICID); err != nil && !gone {
		return fmt.Errorf("netstack %s: remove NIC %q: %s", st.name, name, err)
	}
	// Already gone is fine: closing an endpoint makes gVisor remove its
	// NIC (its close action), as Close does on purpose.
	ep.Wait()
	return nil
}

// NICs returns the names of the attached NICs, sorted.
func (st *Stack) NICs() []string {
	st.mu.Lock()
	defer st.mu.Unlock()
	out := make([]string, 0, len(st.nics))
	for n := range st.nics {
		out = append(out, n)
	}
	slices.Sort(out)
	return out
}

func (st *Stack) nicID(name string) (tcpip.NICID, error) {
	st.mu.Lock()
	defer st.mu.Unlock()
	if st.closed {
		return 0, ErrClosed
	}
	id, ok := st.nics[name]
	if !ok {
		return 0, fmt.Errorf("netstack %s: no NIC %q", st.name, name)
	}
	return id, nil
}

// AddAddress assigns p (address and prefix length) to the NIC. A DVIPA is
// added as a /32 or /128.
func (st *Stack) AddAddress(nic string, p netip.Prefix) error {
	return st.AddAddresses(nic, []netip.Prefix{p})
}

// AddAddresses assigns every prefix of ps to the NIC, stopping at the
// first that fails. The address snapshot of forward.go is rebuilt once
// for the lot: rebuilding it per address made a stack with thousands of
// DVIPAs quadratic to boot (issue 16).
func (st *Stack) AddAddresses(nic string, ps []netip.Prefix) error {
	id, err := st.nicID(nic)
	if err != nil {
		return err
	}
	defer st.refreshLocal()
	for _, p := range ps {
		pa := tcpip.ProtocolAddress{
			Protocol: protocolOf(p.Addr()),
			AddressWithPrefix: tcpip.AddressWithPrefix{
				Address:   toTCPIP(p.Addr()),
				PrefixLen: p.Bits(),
			},
		}
		if err := st.s.AddProtocolAddress(id, pa, stack.AddressProperties{}); err != nil {
			return fmt.Errorf("netstack %s: add %s on %s: %s", st.name, p, nic, err)
		}
	}
	return nil
}

// refreshLocal rereads the stack's addresses for forward.go.
func (st *Stack) refreshLocal() {
	st.localMu.Lock()
	defer st.localMu.Unlock()
	m := map[tcpip.Address]bool{}
	st.mu.Lock()
	closed := st.closed
	st.mu.Unlock()
	if closed {
		// A closed stack forwards nothing; rereading thousands of
		// addresses once per NIC Close removes costs its shutdown dear.
		st.local.Store(&m)
		return
	}
	for _, pas := range st.s.AllAddresses() {
		for _, pa := range pas {
			m[pa.AddressWithPrefix.Address] = true
		}
	}
	st.local.Store(&m)
}

// RemoveAddress takes a from the NIC. Connections using it are not touched:
// they live on until their peer resets or the caller closes them, which is
// what happens to a z/OS stack that loses a DVIPA it still has
// connections on.
func (st *Stack) RemoveAddress(nic string, a netip.Addr) error {
	id, err := st.nicID(nic)
	if err != nil {
		return err
	}
	if err := st.s.RemoveAddress(id, toTCPIP(a)); err != nil {
		return fmt.Errorf("netstack %s: remove %s from %s: %s", st.name, a, nic, err)
	}
	st.refreshLocal()
	return nil
}

// Addresses returns the addresses on the NIC, sorted.
func (st *Stack) Addresses(nic string) ([]netip.Prefix, error) {
	id, err := st.nicID(nic)
	if err != nil {
		return nil, err
	}
	var out []netip.Prefix
	for _, pa := range st.s.AllAddresses()[id] {
		a := fromTCPIP(pa.AddressWithPrefix.Address)
		if a == limitedBroadcast {
			continue // gVisor's own, on every IPv4 NIC
		}
		out = append(out, netip.PrefixFrom(a, pa.AddressWithPrefix.PrefixLen))
	}
	slices.SortFunc(out, func(x, y netip.Prefix) int { return x.Addr().Compare(y.Addr()) })
	return out, nil
}

// TCPConn is one TCP connection of the stack, by its two ends.
type TCPConn struct {
	Local, Remote netip.AddrPort
}

// OpenTCP lists the stack's TCP connections to local address a that are
// open for the server: being set up (SYN received), established whether
// or not the application has accepted them yet, or closed by the peer
// only. What the server has closed, and listeners, are left out.
func (st *Stack) OpenTCP(a netip.Addr) []TCPConn {
	var out []TCPConn
	for _, ep := range st.s.RegisteredEndpoints() {
		te, ok := ep.(*tcp.Endpoint)
		if !ok {
			continue
		}
		switch te.EndpointState() {
		case tcp.StateSynRecv, tcp.StateEstablished, tcp.StateCloseWait:
		default:
			continue
		}
		info, ok := te.Info().(*stack.TransportEndpointInfo)
		if !ok {
			continue
		}
		id := info.ID
		local := netip.AddrPortFrom(fromTCPIP(id.LocalAddress), id.LocalPort)
		if local.Addr() != a {
			continue
		}
		out = append(out, TCPConn{Local: local, Remote: netip.AddrPortFrom(fromTCPIP(id.RemoteAddress), id.RemotePort)})
	}
	return out
}

// HasAddress reports whether any NIC of the stack holds a.
func (st *Stack) HasAddress(a netip.Addr) bool {
	want := toTCPIP(a)
	for _, pas := range st.s.AllAddresses() {
		for _, pa := range pas {
			if pa.AddressWithPrefix.Address == want {
				return true
			}
		}
	}
	return false
}

// SetForwarding switches IPv4 and IPv6 forwarding on every NIC, present
// and future: transit packets go through forward.go, and gVisor accepts
// packets for an address held on another NIC.
func (st *Stack) SetForwarding(on bool) error {
	st.forwarding.Store(on)
	for _, p := range []tcpip.NetworkProtocolNumber{ipv4.ProtocolNumber, ipv6.ProtocolNumber} {
		if err := st.s.SetForwardingDefaultAndAllNICs(p, on); err != nil {
			return fmt.Errorf("netstack %s: forwarding: %s", st.name, err)
		}
	}
	return nil
}

// Close takes the stack down as a failing system goes: links first, then
// every connection is aborted (without RSTs reaching the wire), every NIC
// removed, and every goroutine of the stack and its link endpoints waited
// for. Calling it again does nothing.
func (st *Stack) Close() {
	st.mu.Lock()
	if st.closed {
		st.mu.Unlock()
		return
	}
	st.closed = true
	nics, eps := st.names, st.eps
	st.nics = map[string]tcpip.NICID{}
	st.names = map[tcpip.NICID]string{}
	st.eps = map[tcpip.NICID]stack.LinkEndpoint{}
	st.mu.Unlock()
	// Close the link endpoints first. A TCP endpoint blocked in
	// WritePackets by back-pressure holds its lock, and aborting it (next)
	// needs that lock: closing the link releases the writer. The cost is
	// that the RSTs of the abort are not sent, which is what a stack that
	// fails does anyway.
	for _, ep := range eps {
		ep.Close()
	}
	st.s.Close()
	// gVisor's Stack.Wait waits for each link endpoint before closing it,
	// holding the stack lock; an endpoint with a pump (ours) would wait
	// forever. So remove the NICs, and wait for their endpoints, first.
	for id, name := range nics {
		_ = st.removeNIC(id, name, eps[id])
	}
	st.s.Wait()
}

// ListenTCP listens on ap; an unspecified address listens on all of the
// stack's addresses of that family.
func (st *Stack) ListenTCP(ap netip.AddrPort) (*TCPListener, error) {
	return listenTCP(st.s, fullAddr(ap), protocolOf(ap.Addr()))
}

// DialTCP connects to ap from an address the stack chooses by route.
func (st *Stack) DialTCP(ctx context.Context, ap netip.AddrPort) (*Conn, error) {
	return dialTCP(ctx, st.s, tcpip.FullAddress{}, fullAddr(ap), protocolOf(ap.Addr()))
}

// StartDialTCP starts connecting to ap and returns without waiting, for
// a Poller: Connected tells when and how the handshake ended.
func (st *Stack) StartDialTCP(ap netip.AddrPort) (*Conn, error) {
	return startDialTCP(st.s, fullAddr(ap), protocolOf(ap.Addr()))
}

// DialTCPFrom connects to remote from local, e.g. from a DVIPA the stack
// owns. A zero local port picks an ephemeral one.
func (st *Stack) DialTCPFrom(ctx context.Context, local, remote netip.AddrPort) (*Conn, error) {
	return dialTCP(ctx, st.s, fullAddr(local), fullAddr(remote), protocolOf(remote.Addr()))
}

// ListenUDP opens a UDP socket bound to ap that can send to anyone.
func (st *Stack) ListenUDP(ap netip.AddrPort) (*gonet.UDPConn, error) {
	fa := fullAddr(ap)
	return gonet.DialUDP(st.s, &fa, nil, protocolOf(ap.Addr()))
}

// DialUDP opens a UDP socket connected to remote, bound to local if it is
// valid.
func (st *Stack) DialUDP(local, remote netip.AddrPort) (*gonet.UDPConn, error) {
	ra := fullAddr(remote)
	var la *tcpip.FullAddress
	if local.IsValid() {
		fa := fullAddr(local)
		la = &fa
	}
	return gonet.DialUDP(st.s, la, &ra, protocolOf(remote.Addr()))
}

func protocolOf(a netip.Addr) tcpip.NetworkProtocolNumber {
	if a.Is4() || a.Is4In6() {
		return ipv4.ProtocolNumber
	}
	return ipv6.ProtocolNumber
}

// toTCPIP converts to gVisor's address type; the unspecified address (and
// an invalid one) becomes the empty address that gVisor treats as "any".
func toTCPIP(a netip.Addr) tcpip.Address {
	if !a.IsValid() || a.IsUnspecified() {
		return tcpip.Address{}
	}
	return tcpip.AddrFromSlice(a.Unmap().AsSlice())
}

func fromTCPIP(a tcpip.Address) netip.Addr {
	out, _ := netip.AddrFromSlice(a.AsSlice())
	return out
}

func fullAddr(ap netip.AddrPort) tcpip.FullAddress {
	return tcpip.FullAddress{Addr: toTCPIP(ap.Addr()), Port: ap.Port()}
}
