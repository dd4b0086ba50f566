package link

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"

	"gvisor.dev/gvisor/pkg/buffer"
	"gvisor.dev/gvisor/pkg/tcpip"
	"gvisor.dev/gvisor/pkg/tcpip/header"
	"gvisor.dev/gvisor/pkg/tcpip/stack"
)

// DefaultMTU is the inner MTU of every simulated link. gVisor derives the
// TCP MSS from it, and 1400 leaves room for ESP-in-UDP and GRE headers on a
// 1500-byte path.
const DefaultMTU = 1400

// DefaultQueueLen is the outbound queue length of a queued endpoint.
const DefaultQueueLen = 256

// Handler takes one outbound IP packet. pkt is only valid during the call;
// a handler that keeps it must copy it. A handler may block: that is how a
// slow consumer slows the stack down. ctx is cancelled when the endpoint
// closes, so a blocking handler must watch it.
type Handler func(ctx context.Context, pkt []byte) error

// Direction says which way a packet crossed the endpoint.
type Direction uint8

const (
	// Out is from the stack towards the link.
	Out Direction = iota
	// In is from the link into the stack.
	In
)

func (d Direction) String() string {
	if d == In {
		return "in"
	}
	return "out"
}

// Tap observes every packet that crosses the endpoint, for capture: each
// outbound packet the handler accepted and each inbound packet delivered to
// the stack, so a capture matches PacketsOut and PacketsIn. pkt is only
// valid during the call. Taps run on the packet path: keep them cheap.
type Tap func(dir Direction, pkt []byte)

// Options configure an Endpoint.
type Options struct {
	// Name labels the endpoint in errors and displays.
	Name string
	// MTU defaults to DefaultMTU.
	MTU uint32
	// Handler receives outbound packets. Nil means the endpoint discards
	// outbound packets as if the wire went nowhere; that is counted as
	// DropNoHandler, never silent.
	Handler Handler
	// QueueLen > 0 puts a bounded queue and a pump goroutine between the
	// stack and the Handler: writers block while the queue is full. The
	// pump runs only while packets are queued, so an idle link holds no
	// goroutine (a 32-stack sysplex has a thousand links). Zero
	// calls the Handler synchronously in the writer's goroutine, which is
	// what a consumer that does its own work inline (ESP encapsulation)
	// wants.
	QueueLen int
	// RXChecksumOffload tells gVisor that inbound packets come from a
	// trusted in-process peer and need no checksum verification. It never
	// affects outbound checksums (see reference/ipsec.md §6).
	RXChecksumOffload bool
}

// ErrClosed is returned by Inject and reported by WritePackets after Close.
var ErrClosed = errors.New("link: endpoint closed")

// Endpoint is a stack.LinkEndpoint with back-pressure, counters and a tap.
// It is safe for concurrent use.
type Endpoint struct {
	name    string
	handler Handler
	caps    stack.LinkEndpointCapabilities

	mtu  atomic.Uint32
	down atomic.Bool
	tap  atomic.Pointer[Tap]

	mu         sync.RWMutex
	dispatcher stack.NetworkDispatcher
	onClose    func()

	// queue is nil for a synchronous endpoint. queued counts the packets
	// put in the queue and not yet handed on: the writer that raises it
	// from zero starts the pump, and the pump exits when it brings it
	// back to zero, so there is at most one pump and never a packet left
	// without one while open. A pump is added only under pumpMu, after
	// checking that the endpoint is open, and Wait holds pumpMu, so Wait
	// never races a pump being added.
	queue  chan *buffer.View
	queued atomic.Int64
	pumpMu sync.Mutex
	ctx    context.Context
	stop   context.CancelFunc
	pump   sync.WaitGroup
	once   sync.Once

	stats counters
}

var _ stack.LinkEndpoint = (*Endpoint)(nil)

// New returns an endpoint. A queued endpoint (QueueLen > 0) starts its pump
// goroutine when a packet is queued; Close stops it and Wait waits for it.
func New(opts Options) *Endpoint {
	ctx, cancel := context.WithCancel(context.Background())
	e := &Endpoint{
		name:    opts.Name,
		handler: opts.Handler,
		ctx:     ctx,
		stop:    cancel,
	}
	if opts.RXChecksumOffload {
		e.caps |= stack.CapabilityRXChecksumOffload
	}
	mtu := opts.MTU
	if mtu == 0 {
		mtu = DefaultMTU
	}
	e.mtu.Store(mtu)
	if opts.QueueLen > 0 {
		e.queue = make(chan *buffer.View, opts.QueueLen)
	}
	return e
}

// Name returns the endpoint's label.
func (e *Endpoint) Name() string { return e.name }

// SetTap installs (or, with nil, removes) the capture hook.
func (e *Endpoint) SetTap(t Tap) {
	if t == nil {
		e.tap.Store(nil)
		return
	}
	e.tap.Store(&t)
}

// SetDown injects a fault: while down, packets in both directions are
// dropped and counted as DropDown, as on a cut cable. The stack is not
// told; TCP finds out by retransmitting.
func (e *Endpoint) SetDown(down bool) { e.down.Store(down) }

// Down reports whether the endpoint is down.
func (e *Endpoint) Down() bool { return e.down.Load() }

// Stats returns a snapshot of the counters.
func (e *Endpoint) Stats() Stats { return e.stats.snapshot() }

func (e *Endpoint) closed() bool { return e.ctx.Err() != nil }

// WritePackets implements stack.LinkWriter. The caller keeps its references
// to the packets (as with gVisor's own endpoints); we copy what we send.
func (e *Endpoint) WritePackets(pkts stack.PacketBufferList) (int, tcpip.Error) {
	list := pkts.AsSlice()
	for i, pkt := range list {
		sent := false
		if e.closed() {
			e.stats.drop(DropShutdown)
		} else {
			// A contiguous copy from the IP header on: the handler and
			// the tap want one slice, and the queue must not hold the
			// stack's buffer.
			sent = e.send(pkt.ToView())
		}
		if !sent {
			// Closed: the rest of the batch is lost too.
			e.stats.drops[DropShutdown].Add(uint64(len(list) - i - 1))
			if i == 0 {
				return 0, &tcpip.ErrClosedForSend{}
			}
			return i, nil
		}
	}
	return len(list), nil
}

// send hands one packet on and reports false only if the endpoint closed
// (the packet is then counted as a shutdown drop). It owns v.
func (e *Endpoint) send(v *buffer.View) bool {
	if e.down.Load() {
		e.stats.drop(DropDown)
		v.Release()
		return true // lost on the wire, as far as the stack can tell
	}
	if e.queue == nil {
		e.deliverOut(v.AsSlice())
		v.Release()
		return true
	}
	select {
	case e.queue <- v:
		e.queuedOne()
		return true
	default:
	}
	// Full: block the writer until the pump makes room or we close.
	e.stats.blocked.Add(1)
	select {
	case e.queue <- v:
		e.queuedOne()
		return true
	case <-e.ctx.Done():
		e.stats.drop(DropShutdown)
		v.Release()
		return false
	}
}

// queuedOne counts a packet just queued and starts the pump if none runs.
func (e *Endpoint) queuedOne() {
	if e.queued.Add(1) != 1 {
		// A running pump will take it, unless the endpoint has closed:
		// a pump that saw the close left through drain without counting
		// the queue down, so drop the packet here.
		if e.closed() {
			e.drain()
		}
		return
	}
	e.pumpMu.Lock()
	defer e.pumpMu.Unlock()
	if e.closed() {
		e.drain()
		return
	}
	e.pump.Add(1)
	go e.run()
}

// run is the pump of a queued endpoint: it hands packets on until the
// queue is empty or the endpoint closes. A packet counted in queued is in
// the channel before it is counted, so the receive never waits for a
// packet that is not there.
func (e *Endpoint) run() {
	defer e.pump.Done()
	for {
		select {
		case v := <-e.queue:
			e.deliverOut(v.AsSlice())
			v.Release()
			if e.queued.Add(-1) == 0 {
				return
			}
		case <-e.ctx.Done():
			e.drain()
			return
		}
	}
}

// drain drops whatever is still queued after Close: it will never be sent.
func (e *Endpoint) drain() {
	for {
		select {
		case v := <-e.queue:
			e.stats.drop(DropShutdown)
			v.Release()
		default:
			return
		}
	}
}

func (e *Endpoint) deliverOut(pkt []byte) {
	if e.handler == nil {
		e.stats.drop(DropNoHandler)
		return
	}
	if err := e.handler(e.ctx, pkt); err != nil {
		// A closed far end is a shutdown too, not a refusal.
		if e.closed() || errors.Is(err, ErrClosed) {
			e.stats.drop(DropShutdown)
		} else {
			e.stats.drop(DropHandler)
		}
		return
	}
	// Tap after the handler took it, so a capture holds exactly the
	// packets counted in PacketsOut.
	if t := e.tap.Load(); t != nil {
		(*t)(Out, pkt)
	}
	e.stats.packetsOut.Add(1)
	e.stats.bytesOut.Add(uint64(len(pkt)))
}

// Inject delivers one raw IP packet (IPv4 or IPv6, chosen by its version
// nibble) into the attached stack, as if it had arrived on the wire. The
// endpoint copies pkt, so the caller may reuse it. Inject is safe to call
// from any goroutine; it returns after the stack has taken the packet.
func (e *Endpoint) Inject(pkt []byte) error {
	if e.closed() {
		e.stats.drop(DropShutdown)
		return ErrClosed
	}
	if e.down.Load() {
		e.stats.drop(DropDown)
		return nil
	}
	var proto tcpip.NetworkProtocolNumber
	switch header.IPVersion(pkt) {
	case header.IPv4Version:
		proto = header.IPv4ProtocolNumber
	case header.IPv6Version:
		proto = header.IPv6ProtocolNumber
	default:
		e.stats.drop(DropMalformed)
		return errors.New("link: inbound packet is neither IPv4 nor IPv6")
	}
	e.mu.RLock()
	d := e.dispatcher
	e.mu.RUnlock()
	if d == nil {
		e.stats.drop(DropShutdown)
		return ErrClosed
	}
	if t := e.tap.Load(); t != nil {
		(*t)(In, pkt)
	}
	pb := stack.NewPacketBuffer(stack.PacketBufferOptions{Payload: buffer.MakeWithData(pkt)})
	d.DeliverNetworkPacket(proto, pb)
	pb.DecRef()
	e.stats.packetsIn.Add(1)
	e.stats.bytesIn.Add(uint64(len(pkt)))
	return nil
}

// Close stops the endpoint: blocked writers return, the pump exits, and
// queued packets are dropped as DropShutdown. gVisor calls it when the NIC
// is removed; calling it again is harmless.
func (e *Endpoint) Close() {
	first := false
	e.once.Do(func() {
		first = true
		// Not under pumpMu: Wait holds it while a pump runs, and that pump
		// may be in a handler waiting for this cancel.
		e.stop()
	})
	if !first {
		return
	}
	// gVisor's close action removes the NIC, which calls Close again:
	// run it outside the Once so that call returns at once.
	e.mu.Lock()
	f := e.onClose
	e.onClose = nil
	e.mu.Unlock()
	if f != nil {
		f()
	}
}

// Wait implements stack.LinkEndpoint: it waits for the pump, if one runs,
// to exit. It returns at once for a synchronous endpoint; for a queued one
// it blocks while packets are queued and the endpoint is open. gVisor's
// Stack.Wait calls Wait before it closes the endpoint, so remove the NIC
// (which closes it) before calling Stack.Wait, as netstack.Stack.Close
// does. It holds pumpMu so that no pump starts while it waits: a pump
// started then would reuse the WaitGroup under a Wait that has not yet
// returned, which sync forbids.
func (e *Endpoint) Wait() {
	e.pumpMu.Lock()
	defer e.pumpMu.Unlock()
	e.pump.Wait()
}

// MTU implements stack.LinkEndpoint.
func (e *Endpoint) MTU() uint32 { return e.mtu.Load() }

// SetMTU implements stack.LinkEndpoint.
func (e *Endpoint) SetMTU(mtu uint32) { e.mtu.Store(mtu) }

// MaxHeaderLength implements stack.LinkEndpoint: raw IP, no link header.
func (*Endpoint) MaxHeaderLength() uint16 { return 0 }

// LinkAddress implements stack.LinkEndpoint: point-to-point links have none.
func (*Endpoint) LinkAddress() tcpip.LinkAddress { return "" }

// SetLinkAddress implements stack.LinkEndpoint; there is no address to set.
func (*Endpoint) SetLinkAddress(tcpip.LinkAddress) {}

// Capabilities implements stack.LinkEndpoint.
func (e *Endpoint) Capabilities() stack.LinkEndpointCapabilities { return e.caps }

// Attach implements stack.LinkEndpoint. gVisor attaches nil when the NIC is
// removed; inbound packets are dropped from then on.
func (e *Endpoint) Attach(d stack.NetworkDispatcher) {
	e.mu.Lock()
	e.dispatcher = d
	e.mu.Unlock()
}

// IsAttached implements stack.LinkEndpoint.
func (e *Endpoint) IsAttached() bool {
	e.mu.RLock()
	defer e.mu.RUnlock()
	return e.dispatcher != nil
}

// ARPHardwareType implements stack.LinkEndpoint.
func (*Endpoint) ARPHardwareType() header.ARPHardwareType { return header.ARPHardwareNone }

// AddHeader implements stack.LinkEndpoint; raw IP has no link header.
func (*Endpoint) AddHeader(*stack.PacketBuffer) {}

// ParseHeader implements stack.LinkEndpoint; raw IP has no link header.
func (*Endpoint) ParseHeader(*stack.PacketBuffer) bool { return true }

// SetOnCloseAction implements stack.LinkEndpoint.
func (e *Endpoint) SetOnCloseAction(f func()) {
	e.mu.Lock()
	e.onClose = f
	e.mu.Unlock()
}
