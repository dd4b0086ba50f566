package cf

import (
	"context"
	"strings"

	"github.com/tcpipc/tcpipc/internal/pump"
)

// watcher queues changes without bound and hands them to its channel from
// one goroutine, so a slow reader never blocks a writer and never misses a
// change.
type watcher struct {
	prefix string
	q      *pump.Pump[Change]
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

	w := &watcher{prefix: prefix, q: pump.New(pump.Options[Change]{})}
	s.mu.Lock()
	s.watchers = append(s.watchers, w)
	s.mu.Unlock()
	go func() {
		defer f.watches.Done()
		defer s.removeWatcher(w)
		w.q.Run(ctx.Done(), f.done)
	}()
	return w.q.Out(), nil
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
		w.q.Put(c.cloneFor())
	}
}

func (c Change) cloneFor() Change {
	c.Entry = c.Entry.clone()
	return c
}
