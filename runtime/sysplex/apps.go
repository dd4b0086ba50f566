package sysplex

import (
	"io"
	"net"
	"sync"
	"sync/atomic"

	"github.com/tcpipc/tcpipc/scenario"
)

// appSet runs a scenario's applications on their stacks and restarts them
// on a stack that recovers.
type appSet struct {
	sx      *Sysplex
	apps    []*scenario.Application
	mu      sync.Mutex
	running map[[2]string]*server // by application and stack
	stopped map[[2]string]bool    // stopped by a timeline event
	// connIDs numbers listeners and connections as NETSTAT CONN shows them.
	connIDs atomic.Uint32
}

type server struct {
	app   string
	id    uint32 // the listener's connection id
	ln    net.Listener
	wg    sync.WaitGroup
	mu    sync.Mutex
	conns map[net.Conn]uint32 // with their connection ids
	ids   *atomic.Uint32
}

func newAppSet(sx *Sysplex, apps []*scenario.Application) *appSet {
	return &appSet{sx: sx, apps: apps, running: map[[2]string]*server{}, stopped: map[[2]string]bool{}}
}

func (a *appSet) startAll() error {
	for _, app := range a.apps {
		for _, st := range app.Stacks {
			if err := a.start(app, st); err != nil {
				return err
			}
		}
	}
	return nil
}

// startOn restarts the applications of a recovered stack.
func (a *appSet) startOn(stack string) error {
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

func (a *appSet) start(app *scenario.Application, stack string) error {
	s := a.sx.Stack(stack)
	if s == nil || !s.Up() {
		return nil
	}
	ln, err := s.Listen(app.Bind)
	if err != nil {
		return err
	}
	srv := &server{app: app.Name, id: a.connIDs.Add(1), ln: ln, conns: map[net.Conn]uint32{}, ids: &a.connIDs}
	srv.wg.Add(1)
	go srv.serve(app.Behaviour)
	a.mu.Lock()
	a.running[[2]string{app.Name, stack}] = srv
	a.mu.Unlock()
	return nil
}

func (srv *server) serve(b scenario.Behaviour) {
	defer srv.wg.Done()
	for {
		c, err := srv.ln.Accept()
		if err != nil {
			return
		}
		srv.mu.Lock()
		srv.conns[c] = srv.ids.Add(1)
		srv.mu.Unlock()
		srv.wg.Add(1)
		go func() {
			defer srv.wg.Done()
			switch b {
			case scenario.Sink:
				io.Copy(io.Discard, c)
			case scenario.Source:
				buf := make([]byte, 4096)
				for i := 0; ; i++ {
					fill(buf, 0, i*len(buf))
					if _, err := c.Write(buf); err != nil {
						break
					}
				}
			default:
				io.Copy(c, c)
			}
			c.Close()
			srv.mu.Lock()
			delete(srv.conns, c)
			srv.mu.Unlock()
		}()
	}
}

func (srv *server) stop() {
	srv.ln.Close()
	srv.mu.Lock()
	for c := range srv.conns {
		c.Close()
	}
	srv.mu.Unlock()
	srv.wg.Wait()
}

// stopOn stops the applications of a stack that fails (they die with it).
func (a *appSet) stopOn(stack string) {
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

// stopApp stops one application on one stack for good.
func (a *appSet) stopApp(name, stack string) {
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

func (a *appSet) stopAll() {
	a.mu.Lock()
	all := a.running
	a.running = map[[2]string]*server{}
	a.mu.Unlock()
	for _, srv := range all {
		srv.stop()
	}
}
