package workload

import (
	"errors"
	"fmt"
	"net"
	"net/netip"
	"sort"
	"sync"
	"sync/atomic"

	"github.com/tcpipc/tcpipc/display"
	"github.com/tcpipc/tcpipc/runtime/netstack"
	"github.com/tcpipc/tcpipc/scenario"
)

// Stacks is what the applications need of the sysplex: whether a stack is
// up, and a listener on one of its addresses.
type Stacks interface {
	// Up reports whether the named stack exists and runs.
	Up(stack string) bool
	// Listen listens for TCP on ap on the named stack.
	Listen(stack string, ap netip.AddrPort) (net.Listener, error)
}

// ErrBindRefused marks a Listen the stack refuses as z/OS refuses a bind
// (an application DVIPA held by another stack, MOVEABLE DISRUPTIVE): the
// application does not run on that stack, which says so in the timeline,
// and the scenario goes on, as the mainframe would.
var ErrBindRefused = errors.New("the stack refuses the bind")

// Apps runs a scenario's applications on their stacks and restarts them
// on a stack that recovers.
type Apps struct {
	stacks  Stacks
	apps    []*scenario.Application
	mu      sync.Mutex
	running map[[2]string]*server // by application and stack
	stopped map[[2]string]bool    // stopped by a timeline event
	// poller serves the echo and sink connections of every server.
	poller *netstack.Poller
	// connIDs numbers listeners and connections as NETSTAT CONN shows them.
	connIDs atomic.Uint32
}

type server struct {
	app    string
	id     uint32 // the listener's connection id
	ln     net.Listener
	poller *netstack.Poller
	wg     sync.WaitGroup
	mu     sync.Mutex
	conns  map[net.Conn]*served
	// stopped is set by stop under mu: a connection Accept returns after
	// that is closed, not served (stop has already closed the others).
	stopped bool
	ids     *atomic.Uint32
}

// New returns the applications, none of them started yet.
func New(stacks Stacks, apps []*scenario.Application) *Apps {
	return &Apps{stacks: stacks, apps: apps, running: map[[2]string]*server{}, stopped: map[[2]string]bool{}, poller: netstack.NewPoller(0)}
}

// StartAll starts every application on every stack it names.
func (a *Apps) StartAll() error {
	for _, app := range a.apps {
		for _, st := range app.Stacks {
			if err := a.start(app, st); err != nil {
				return err
			}
		}
	}
	return nil
}

// StartOn restarts the applications of a recovered stack.
func (a *Apps) StartOn(stack string) error {
	for _, app := range a.apps {
		for _, st := range app.Stacks {
			if st == stack && !a.stopped[[2]string{app.Name, st}] {
				if err := a.start(app, st); err != nil {
					return err
				}
			}
		}
	}
	return nil
}

func (a *Apps) start(app *scenario.Application, stack string) error {
	if !a.stacks.Up(stack) {
		return nil
	}
	ln, err := a.stacks.Listen(stack, app.Bind)
	if errors.Is(err, ErrBindRefused) {
		return nil
	}
	if err != nil {
		return err
	}
	srv := &server{app: app.Name, id: a.connIDs.Add(1), ln: ln, poller: a.poller, conns: map[net.Conn]*served{}, ids: &a.connIDs}
	srv.wg.Add(1)
	go srv.serve(app.Behaviour)
	a.mu.Lock()
	a.running[[2]string{app.Name, stack}] = srv
	a.mu.Unlock()
	return nil
}

func (srv *server) stop() {
	srv.ln.Close()
	srv.mu.Lock()
	srv.stopped = true
	for c, sc := range srv.conns {
		c.Close()
		if sc.polled != nil {
			// Its step finds the connection closed and ends.
			sc.polled.Kick()
		}
	}
	srv.mu.Unlock()
	srv.wg.Wait()
}

// StopOn stops the applications of a stack that fails (they die with it).
func (a *Apps) StopOn(stack string) {
	a.mu.Lock()
	var stop []*server
	for k, srv := range a.running {
		if k[1] == stack {
			stop = append(stop, srv)
			delete(a.running, k)
		}
	}
	a.mu.Unlock()
	for _, srv := range stop {
		srv.stop()
	}
}

// StopApp stops one application on one stack for good.
func (a *Apps) StopApp(name, stack string) {
	k := [2]string{name, stack}
	a.mu.Lock()
	srv := a.running[k]
	delete(a.running, k)
	a.stopped[k] = true
	a.mu.Unlock()
	if srv != nil {
		srv.stop()
	}
}

// StopAll stops every application.
func (a *Apps) StopAll() {
	a.mu.Lock()
	all := a.running
	a.running = map[[2]string]*server{}
	a.mu.Unlock()
	for _, srv := range all {
		srv.stop()
	}
}

// PortDots writes an address and port the way NETSTAT does (a..p).
func PortDots(ap netip.AddrPort) string { return fmt.Sprintf("%s..%d", ap.Addr(), ap.Port()) }

func addrDots(a net.Addr) string {
	if ap, err := netip.ParseAddrPort(a.String()); err == nil {
		return PortDots(ap)
	}
	return a.String()
}

// Sockets lists a stack's listeners and connections, by connection id.
func (a *Apps) Sockets(stack string) []display.Socket {
	a.mu.Lock()
	defer a.mu.Unlock()
	var out []display.Socket
	for k, srv := range a.running {
		if k[1] != stack {
			continue
		}
		out = append(out, display.Socket{User: srv.app, ID: srv.id, State: "Listen", Local: addrDots(srv.ln.Addr()), Foreign: "0.0.0.0..0"})
		srv.mu.Lock()
		for c, sc := range srv.conns {
			out = append(out, display.Socket{User: srv.app, ID: sc.id, State: "Establsh", Local: addrDots(c.LocalAddr()), Foreign: addrDots(c.RemoteAddr())})
		}
		srv.mu.Unlock()
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out
}

// Fill writes the pattern of connection i at offset off: distinct per
// connection and position, so a misrouted or reordered byte shows.
func Fill(b []byte, i, off int) {
	for k := range b {
		b[k] = byte((i*131 + off + k) % 251)
	}
}
