package pump

import "sync"

// Options shape a pump. The zero value is an unbuffered, unbounded pump.
type Options[T any] struct {
	// Buffer is the capacity of the channel Out returns.
	Buffer int
	// Max bounds how many values Droppable accepts may wait in the
	// queue; past it Put refuses such values and counts them (Dropped).
	// 0 means no bound.
	Max       int
	Droppable func(T) bool
	// Coalesce, when set, is given the queue before a value that is not
	// droppable is appended, and returns the queue it keeps (it may
	// remove values in place, preserving order). Such values are never
	// refused; Coalesce is what keeps them bounded.
	Coalesce func(queue []T, v T) []T
}

// Pump is a queue drained into a channel by Run.
type Pump[T any] struct {
	opts Options[T]
	out  chan T
	wake chan struct{} // capacity 1: "the queue has something"

	mu    sync.Mutex
	queue []T
	// droppable counts the droppable values in queue; dropped those
	// refused since New.
	droppable int
	dropped   uint64
	// held is 1 while Run holds a value it took from the queue and has
	// not yet handed to Out.
	held int
}

// New returns a pump; nothing reaches Out until Run is started.
func New[T any](opts Options[T]) *Pump[T] {
	return &Pump[T]{opts: opts, out: make(chan T, opts.Buffer), wake: make(chan struct{}, 1)}
}

// Out is the channel values come out of, in the order they were put. Run
// closes it when it returns.
func (p *Pump[T]) Out() <-chan T { return p.out }

// Put queues v without blocking. It takes only the pump's own lock, so it
// may be called with any lock of the caller held.
func (p *Pump[T]) Put(v T) {
	if !p.admit(v) {
		return
	}
	select {
	case p.wake <- struct{}{}:
	default: // already signalled
	}
}

// admit appends v unless the bound refuses it.
func (p *Pump[T]) admit(v T) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	switch {
	case !p.isDroppable(v):
		if p.opts.Coalesce != nil {
			p.coalesce(v)
		}
	case p.opts.Max > 0 && p.droppable >= p.opts.Max:
		p.dropped++
		return false
	default:
		p.droppable++
	}
	p.queue = append(p.queue, v)
	return true
}

// coalesce lets Coalesce shorten the queue and recounts what it left.
func (p *Pump[T]) coalesce(v T) {
	before := len(p.queue)
	p.queue = p.opts.Coalesce(p.queue, v)
	if len(p.queue) == before {
		return
	}
	p.droppable = 0
	for _, q := range p.queue {
		if p.isDroppable(q) {
			p.droppable++
		}
	}
}

func (p *Pump[T]) isDroppable(v T) bool {
	return p.opts.Droppable != nil && p.opts.Droppable(v)
}

// Dropped counts the values Put refused because the bound was reached.
func (p *Pump[T]) Dropped() uint64 {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.dropped
}

// Len is how many values wait in the queue (not counting the channel's
// buffer).
func (p *Pump[T]) Len() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return len(p.queue)
}

// Backlog is how many values were put and not yet received from Out:
// the queue, the value Run is handing over, and Out's buffer. It may count
// a value the reader just received, never miss one it has not.
func (p *Pump[T]) Backlog() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return len(p.queue) + p.held + len(p.out)
}

// handed marks the value Run held as handed to Out (or given up).
func (p *Pump[T]) handed() {
	p.mu.Lock()
	p.held = 0
	p.mu.Unlock()
}

// take removes the queue's first value; Run holds it until handed.
func (p *Pump[T]) take() (v T, ok bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if len(p.queue) == 0 {
		return v, false
	}
	v = p.queue[0]
	var zero T
	p.queue[0] = zero // let the queue's array forget it
	p.queue = p.queue[1:]
	p.held = 1
	if p.isDroppable(v) {
		p.droppable--
	}
	return v, true
}

// Run moves queued values to Out until stop or stop2 is closed (a nil
// channel never is), then closes Out. Run once, on its own goroutine.
func (p *Pump[T]) Run(stop, stop2 <-chan struct{}) {
	defer close(p.out)
	for {
		v, ok := p.take()
		if !ok {
			select {
			case <-p.wake:
				continue
			case <-stop:
				return
			case <-stop2:
				return
			}
		}
		select {
		case p.out <- v:
			p.handed()
		case <-stop:
			p.handed()
			return
		case <-stop2:
			p.handed()
			return
		}
	}
}
