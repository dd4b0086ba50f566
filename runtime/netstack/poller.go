package netstack

import (
	"runtime"
	"sync"
)

// Step is what a Poller runs for one connection when it may make
// progress: it reads and writes what it can without blocking, and says
// whether it now waits for room to write (rather than only for data) and
// whether it is done (the poller forgets the connection; closing it is
// the step's business). w is the step's own Polled, to kick itself when
// it stopped with work left.
type Step func(w *Polled) (wantWrite, done bool)

// Poller runs the steps of many connections on a few goroutines, started
// while there is work and gone when there is none, so a Poller needs no
// Close. A step runs on one goroutine at a time; a kick that comes while
// it runs makes it run once more.
type Poller struct {
	max int

	mu      sync.Mutex
	ready   []*Polled
	workers int
}

// NewPoller returns a poller with at most workers goroutines; 0 means
// GOMAXPROCS, and at least two so that one step blocked on a full link
// queue does not hold everything else up.
func NewPoller(workers int) *Poller {
	if workers <= 0 {
		workers = max(2, runtime.GOMAXPROCS(0))
	}
	return &Poller{max: workers}
}

// Polled is a connection under a Poller.
type Polled struct {
	p    *Poller
	c    *Conn
	step Step

	mu        sync.Mutex
	state     pollState
	wantWrite bool
}

type pollState uint8

const (
	idle    pollState = iota
	queued            // in the ready list
	running           // a worker runs its step
	again             // kicked while running: run once more
	done
)

// Add watches c and runs step once now and again whenever c may have
// become readable (or writable, when the last step asked) or Kick is
// called.
func (p *Poller) Add(c *Conn, step Step) *Polled {
	w := &Polled{p: p, c: c, step: step}
	c.Watch(false, w.Kick)
	w.Kick()
	return w
}

// Kick makes the step run soon: for a timer that fired, or after the
// owner closed the connection. It never blocks, so gVisor's
// notifications call it.
func (w *Polled) Kick() {
	w.mu.Lock()
	switch w.state {
	case idle:
		w.state = queued
		w.mu.Unlock()
		w.p.push(w)
		return
	case running:
		w.state = again
	}
	w.mu.Unlock()
}

func (p *Poller) push(w *Polled) {
	p.mu.Lock()
	p.ready = append(p.ready, w)
	start := p.workers < p.max
	if start {
		p.workers++
	}
	p.mu.Unlock()
	if start {
		go p.work()
	}
}

// work runs ready steps until there are none.
func (p *Poller) work() {
	for {
		p.mu.Lock()
		if len(p.ready) == 0 {
			p.workers--
			p.ready = nil // let a burst's backing array go
			p.mu.Unlock()
			return
		}
		w := p.ready[0]
		p.ready[0] = nil
		p.ready = p.ready[1:]
		p.mu.Unlock()
		w.run()
	}
}

func (w *Polled) run() {
	w.mu.Lock()
	w.state = running
	w.mu.Unlock()
	wantWrite, finished := w.step(w)
	if finished {
		w.c.Unwatch()
		w.mu.Lock()
		w.state = done
		w.mu.Unlock()
		return
	}
	rerun := false
	if wantWrite != w.wantWrite {
		// Room may have come between the step's last try and the new
		// watch: look once more rather than wait for an event that
		// already passed.
		w.wantWrite = wantWrite
		w.c.Watch(wantWrite, w.Kick)
		rerun = true
	}
	w.mu.Lock()
	if w.state == again || rerun {
		w.state = queued
		w.mu.Unlock()
		w.p.push(w)
		return
	}
	w.state = idle
	w.mu.Unlock()
}
