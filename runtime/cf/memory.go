package cf

import (
	"context"
	"slices"
	"strings"
	"sync"
)

// Memory is the in-process coupling facility.
type Memory struct {
	mu         sync.Mutex
	closed     bool
	structures map[string]*memStructure
	// done is closed by Close to end every watch.
	done    chan struct{}
	watches sync.WaitGroup
}

var _ Facility = (*Memory)(nil)

// NewMemory returns an empty in-memory facility.
func NewMemory() *Memory {
	return &Memory{structures: map[string]*memStructure{}, done: make(chan struct{})}
}

// Structure implements Facility.
func (m *Memory) Structure(ctx context.Context, name string) (Structure, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if err := ValidName(name); err != nil {
		return nil, err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.closed {
		return nil, ErrClosed
	}
	s, ok := m.structures[name]
	if !ok {
		s = &memStructure{facility: m, name: name, entries: map[string]Entry{}}
		m.structures[name] = s
	}
	return s, nil
}

// Close implements Facility. It waits for watch goroutines to exit.
func (m *Memory) Close() error {
	m.mu.Lock()
	if !m.closed {
		m.closed = true
		close(m.done)
	}
	m.mu.Unlock()
	m.watches.Wait()
	return nil
}

func (m *Memory) isClosed() bool {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.closed
}

type memStructure struct {
	facility *Memory
	name     string

	mu       sync.Mutex
	revision uint64
	entries  map[string]Entry
	watchers []*watcher
}

func (s *memStructure) Name() string { return s.name }

// check is the common preamble: a cancelled context or a closed facility
// fails the call before it touches anything.
func (s *memStructure) check(ctx context.Context) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if s.facility.isClosed() {
		return ErrClosed
	}
	return nil
}

func (s *memStructure) Get(ctx context.Context, key string) (Entry, error) {
	if err := s.check(ctx); err != nil {
		return Entry{}, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	e, ok := s.entries[key]
	if !ok {
		return Entry{}, ErrNotFound
	}
	return e.clone(), nil
}

func (s *memStructure) Put(ctx context.Context, key string, value []byte) (Entry, error) {
	if err := s.check(ctx); err != nil {
		return Entry{}, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.writeLocked(key, value), nil
}

func (s *memStructure) CompareAndSwap(ctx context.Context, key string, version uint64, value []byte) (Entry, error) {
	if err := s.check(ctx); err != nil {
		return Entry{}, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	cur, ok := s.entries[key]
	if (version == 0 && ok) || (version != 0 && (!ok || cur.Version != version)) {
		return cur.clone(), ErrVersionMismatch
	}
	return s.writeLocked(key, value), nil
}

func (s *memStructure) Delete(ctx context.Context, key string) error {
	if err := s.check(ctx); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.entries[key]; ok {
		s.deleteLocked(key)
	}
	return nil
}

func (s *memStructure) CompareAndDelete(ctx context.Context, key string, version uint64) error {
	if err := s.check(ctx); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	cur, ok := s.entries[key]
	if !ok {
		return ErrNotFound
	}
	if cur.Version != version {
		return ErrVersionMismatch
	}
	s.deleteLocked(key)
	return nil
}

func (s *memStructure) List(ctx context.Context, prefix string) ([]Entry, error) {
	if err := s.check(ctx); err != nil {
		return nil, err
	}
	s.mu.Lock()
	out := make([]Entry, 0, len(s.entries))
	for k, e := range s.entries {
		if strings.HasPrefix(k, prefix) {
			out = append(out, e.clone())
		}
	}
	s.mu.Unlock()
	slices.SortFunc(out, func(a, b Entry) int { return strings.Compare(a.Key, b.Key) })
	return out, nil
}

// writeLocked stores a copy of value at the next revision and tells the
// watchers.
func (s *memStructure) writeLocked(key string, value []byte) Entry {
	s.revision++
	e := Entry{Key: key, Value: slices.Clone(value), Version: s.revision}
	s.entries[key] = e
	s.notifyLocked(Change{Kind: Put, Entry: e})
	return e.clone()
}

func (s *memStructure) deleteLocked(key string) {
	s.revision++
	delete(s.entries, key)
	s.notifyLocked(Change{Kind: Deleted, Entry: Entry{Key: key, Version: s.revision}})
}

func (e Entry) clone() Entry {
	e.Value = slices.Clone(e.Value)
	return e
}
