package cf

import (
	"context"
	"strings"
	"sync"
)

// watcher queues changes without bound and hands them to its channel from
// one goroutine, so a slow reader never blocks a writer and never misses a
// change.
type watcher struct {
	prefix string
	out    chan Change

	mu    sync.Mutex
	queue []Change
	wake  chan struct{} // capacity 1
}

func (s *memStructure) Watch(ctx context.Context, prefix string) (<-chan Change, error) {
	if err := s.check(ctx); err != nil {
		return nil, err
	}
	f := s.facility
	// Register with the facility under its lock, so Close either sees
	// this watch and waits for it, or this call sees Close.
	f.mu.Lock()
	if f.closed {
		f.mu.Unlock()
		return nil, ErrClosed
	}
	f.watches.Add(1)
	f.mu.Unlock()

	w := &watcher{prefix: prefix, out: make(chan Change), wake: make(chan struct{}, 1)}
	s.mu.Lock()
	s.watchers = append(s.watchers, w)
	s.mu.Unlock()
	go func() {
		defer f.watches.Done()
		defer close(w.out)
		defer s.removeWatcher(w)
		w.run(ctx, f.done)
	}()
	return w.out, nil
}

func (s *memStructure) removeWatcher(w *watcher) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for i, x := range s.watchers {
		if x == w {
			s.watchers = append(s.watchers[:i], s.watchers[i+1:]...)
			return
		}
	}
}

// notifyLocked queues c for every watcher whose prefix matches. Called
// with s.mu held, so each watcher sees changes in revision order.
func (s *memStructure) notifyLocked(c Change) {
	for _, w := range s.watchers {
		if !strings.HasPrefix(c.Entry.Key, w.prefix) {
			continue
		}
		w.mu.Lock()
		w.queue = append(w.queue, c.cloneFor())
		w.mu.Unlock()
		select {
		case w.wake <- struct{}{}:
		default:
		}
	}
}

func (c Change) cloneFor() Change {
	c.Entry = c.Entry.clone()
	return c
}

func (w *watcher) run(ctx context.Context, closed <-chan struct{}) {
	for {
		w.mu.Lock()
		var c Change
		have := len(w.queue) > 0
		if have {
			c = w.queue[0]
			w.queue = w.queue[1:]
		}
		w.mu.Unlock()
		if !have {
			select {
			case <-w.wake:
				continue
			case <-ctx.Done():
				return
			case <-closed:
				return
			}
		}
		select {
		case w.out <- c:
		case <-ctx.Done():
			return
		case <-closed:
			return
		}
	}
}
