package lan

import (
	"context"
	"errors"
	"fmt"
	"net/netip"
	"slices"
	"sort"
	"sync"
	"sync/atomic"

	"gvisor.dev/gvisor/pkg/tcpip/header"

	"github.com/tcpipc/tcpipc/runtime/link"
)

// Fabric is the LAN between remote clients and the stacks: an in-process
// switch that routes each IP packet by its destination address to the port
// that advertises it. A stack advertises its HOME addresses and the DVIPAs
// it owns; a takeover re-advertises the DVIPA from the new owner, which is
// how routing follows DVIPA ownership.
//
// Each address keeps every port that advertises it, latest last, and the
// latest one routes (as the last gratuitous ARP wins on a LAN). A withdraw
// removes only the withdrawing port's advertisement: a stack that held a
// DVIPA by mistake and gives it up never takes the real holder's route
// with it, and the route falls back to the holder.
type Fabric struct {
	mu     sync.RWMutex
	routes map[netip.Addr][]*Port
	ports  map[string]*Port
	tap    atomic.Pointer[link.Tap]

	// NoRoute counts packets for an address nobody advertises.
	NoRoute atomic.Uint64
}

// Port is one attachment to the fabric.
type Port struct {
	name    string
	fabric  *Fabric
	deliver func(pkt []byte) error
	down    atomic.Bool
}

// NewFabric returns an empty LAN.
func NewFabric() *Fabric {
	return &Fabric{routes: map[netip.Addr][]*Port{}, ports: map[string]*Port{}}
}

// SetTap captures every packet the fabric carries.
func (f *Fabric) SetTap(t link.Tap) {
	if t == nil {
		f.tap.Store(nil)
		return
	}
	f.tap.Store(&t)
}

// Attach adds a port; deliver receives the packets routed to it.
func (f *Fabric) Attach(name string, deliver func(pkt []byte) error) (*Port, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if _, dup := f.ports[name]; dup {
		return nil, fmt.Errorf("fabric: port %s attached twice", name)
	}
	p := &Port{name: name, fabric: f, deliver: deliver}
	f.ports[name] = p
	return p, nil
}

// Detach removes a port and every address it advertised.
func (p *Port) Detach() {
	f := p.fabric
	f.mu.Lock()
	defer f.mu.Unlock()
	delete(f.ports, p.name)
	for a := range f.routes {
		f.remove(a, p)
	}
}

// Advertise routes packets for a to this port (a takeover moves the route).
// Advertising again moves the route back to this port.
func (p *Port) Advertise(a netip.Addr) {
	f := p.fabric
	f.mu.Lock()
	defer f.mu.Unlock()
	f.remove(a, p)
	f.routes[a] = append(f.routes[a], p)
}

// Withdraw removes this port's advertisement of a; the route goes to the
// latest other advertiser, if any.
func (p *Port) Withdraw(a netip.Addr) {
	f := p.fabric
	f.mu.Lock()
	defer f.mu.Unlock()
	f.remove(a, p)
}

// remove drops p from a's advertisers (f.mu held).
func (f *Fabric) remove(a netip.Addr, p *Port) {
	ps := slices.DeleteFunc(f.routes[a], func(q *Port) bool { return q == p })
	if len(ps) == 0 {
		delete(f.routes, a)
		return
	}
	f.routes[a] = ps
}

// route is the port that receives packets for a, or nil (f.mu held).
func (f *Fabric) route(a netip.Addr) *Port {
	if ps := f.routes[a]; len(ps) > 0 {
		return ps[len(ps)-1]
	}
	return nil
}

// Send is the outbound handler of a port's link endpoint: it carries one
// packet to the port that advertises its destination.
func (p *Port) Send(_ context.Context, pkt []byte) error {
	return p.fabric.forward(pkt)
}

// ErrNoRoute is returned for a packet to an address nobody advertises.
var ErrNoRoute = errors.New("fabric: no route to destination")

func (f *Fabric) forward(pkt []byte) error {
	dst, ok := Destination(pkt)
	if !ok {
		return errors.New("fabric: not an IP packet")
	}
	f.mu.RLock()
	p := f.route(dst)
	f.mu.RUnlock()
	if p == nil {
		f.NoRoute.Add(1)
		return ErrNoRoute
	}
	if t := f.tap.Load(); t != nil {
		(*t)(link.Out, pkt)
	}
	return p.deliver(pkt)
}

// Owner names the port that advertises a, or "".
func (f *Fabric) Owner(a netip.Addr) string {
	f.mu.RLock()
	defer f.mu.RUnlock()
	if p := f.route(a); p != nil {
		return p.name
	}
	return ""
}

// Advertisers names every port that advertises a, oldest first; after the
// sysplex has converged a DVIPA has exactly one.
func (f *Fabric) Advertisers(a netip.Addr) []string {
	f.mu.RLock()
	defer f.mu.RUnlock()
	var out []string
	for _, p := range f.routes[a] {
		out = append(out, p.name)
	}
	return out
}

// Routes lists the advertised addresses and their ports, sorted.
func (f *Fabric) Routes() [][2]string {
	f.mu.RLock()
	defer f.mu.RUnlock()
	out := make([][2]string, 0, len(f.routes))
	for a := range f.routes {
		out = append(out, [2]string{a.String(), f.route(a).name})
	}
	sort.Slice(out, func(i, j int) bool { return out[i][0] < out[j][0] })
	return out
}

// Destination reads an IP packet's destination address.
func Destination(pkt []byte) (netip.Addr, bool) {
	switch header.IPVersion(pkt) {
	case header.IPv4Version:
		if len(pkt) < header.IPv4MinimumSize {
			return netip.Addr{}, false
		}
		return netip.AddrFrom4([4]byte(pkt[16:20])), true
	case header.IPv6Version:
		if len(pkt) < header.IPv6MinimumSize {
			return netip.Addr{}, false
		}
		return netip.AddrFrom16([16]byte(pkt[24:40])), true
	}
	return netip.Addr{}, false
}
