package swsa

import (
	"context"
	"errors"
	"fmt"
	"net/netip"
	"slices"
	"sync"
	"time"

	"github.com/tcpipc/tcpipc/internal/clock"
)

// EventKind says what happened to a tunnel's SAs.
type EventKind uint8

const (
	// IKEEstablished: a new tunnel; Event.Tunnel holds what was
	// negotiated (its children, if any, included).
	IKEEstablished EventKind = iota + 1
	// IKERekeyed: Event.IKE replaces the IKE SA.
	IKERekeyed
	// IKEDeleted: the tunnel is gone, with every child SA.
	IKEDeleted
	// ChildInstalled: Event.Child is a new child SA.
	ChildInstalled
	// ChildRekeyed: Event.Child replaces the child SA whose inbound SPI
	// is Event.OldInboundSPI.
	ChildRekeyed
	// ChildDeleted: the child SA whose inbound SPI is Event.OldInboundSPI
	// is gone.
	ChildDeleted
	// PeerMoved: the peer's address or port changed (a new NAT mapping,
	// RFC 7296 §2.23); Event.Peer and Event.BehindNAT are the new ones.
	PeerMoved
)

var eventNames = [...]string{"?", "ike-established", "ike-rekeyed", "ike-deleted", "child-installed", "child-rekeyed", "child-deleted", "peer-moved"}

func (k EventKind) String() string {
	if int(k) < len(eventNames) {
		return eventNames[k]
	}
	return fmt.Sprintf("event(%d)", k)
}

// Event is one change to a tunnel's SAs, as the IPsec endpoint reports it.
// An event carries no key material, because a Record has nowhere to keep
// it.
type Event struct {
	Kind     EventKind
	DVIPA    netip.Addr
	TunnelID string

	Tunnel        *Record // IKEEstablished; Writer and Written are the journal's
	IKE           IKESA   // IKERekeyed
	Child         ChildSA // ChildInstalled, ChildRekeyed
	OldInboundSPI uint32  // ChildRekeyed, ChildDeleted
	Peer          netip.AddrPort
	BehindNAT     bool // PeerMoved
}

// Journal is how the IPsec endpoint of a stack holding a DVIPSEC DVIPA
// reports its tunnels' SA events (as the distributor reports its CRT).
// Report must never block the packet path.
type Journal interface {
	Report(Event)
}

// Failure is a record the journal could not write or delete. For a write,
// Message is z/OS's EZD0831I: the tunnel works here but cannot be taken
// over.
type Failure struct {
	DVIPA    netip.Addr
	TunnelID string
	Err      error
	Message  string
}

// Stats counts what a CFJournal did.
type Stats struct {
	Events  uint64 // events reported
	Invalid uint64 // events that named no known tunnel or made a bad record
	Ignored uint64 // events for a released DVIPA, or after Close
	// Coalesced counts events folded into a write already queued for
	// the tunnel; Dropped events found the queue full (the tunnel is
	// written later, once the queue drains).
	Coalesced uint64
	Dropped   uint64
	Written   uint64
	Deleted   uint64
	Failed    uint64
}

// Options configure a CFJournal.
type Options struct {
	Stack string      // the writer, in every record
	Clock clock.Clock // time of every record; clock.Real{} when nil
	// MaxPending bounds the tunnels waiting for a write (default 4096).
	MaxPending int
	// OnFailure hears of every failed write or delete, from the
	// journal's goroutine; nil ignores them (Stats still counts them).
	OnFailure func(Failure)
}

// CFJournal is a Journal that keeps the stack's records in a Store. Report
// applies the event to the tunnel's record in memory and queues the
// tunnel, once, for one goroutine that writes its latest state with
// compare-and-swap: a burst of rekeys costs one write, and a slow or
// failing coupling facility never holds up a packet.
type CFJournal struct {
	store *Store
	opt   Options

	mu       sync.Mutex
	tunnels  map[string]*tunnel
	released map[netip.Addr]bool
	// lives counts each DVIPA's Acquire and Release: an Instance reports
	// only while the DVIPA is in the life it was acquired in.
	lives   map[netip.Addr]uint64
	queue   []string // keys, each at most once
	stale   int      // tunnels dropped from a full queue
	busy    bool
	waiters []chan struct{}
	closed  bool
	stats   Stats
	// refused are tunnels whose record could not be made (an event that
	// built an invalid one), for run to report as failures.
	refused []Failure

	wake chan struct{}
	done chan struct{}
	wg   sync.WaitGroup
}

// tunnel is the journal's own copy of a tunnel's record.
type tunnel struct {
	rec     *Record // nil once deleted
	added   time.Time
	version uint64 // the entry's version in the structure, 0 before the first write
	queued  bool
	stale   bool
}

var _ Journal = (*CFJournal)(nil)

// NewCFJournal starts a journal writing to the store; Close stops it.
func NewCFJournal(store *Store, opt Options) *CFJournal {
	if opt.Clock == nil {
		opt.Clock = clock.Real{}
	}
	if opt.MaxPending <= 0 {
		opt.MaxPending = 4096
	}
	j := &CFJournal{store: store, opt: opt, tunnels: map[string]*tunnel{}, released: map[netip.Addr]bool{},
		lives: map[netip.Addr]uint64{}, wake: make(chan struct{}, 1), done: make(chan struct{})}
	j.wg.Add(1)
	go j.run()
	return j
}

// Report implements Journal: it takes the journal's lock briefly and
// never waits for the coupling facility.
func (j *CFJournal) Report(ev Event) {
	j.mu.Lock()
	defer j.mu.Unlock()
	j.reportLocked(ev)
}

func (j *CFJournal) reportLocked(ev Event) {
	j.stats.Events++
	if j.closed || j.released[ev.DVIPA] {
		j.stats.Ignored++
		return
	}
	key := Key(ev.DVIPA, ev.TunnelID)
	t, err := j.apply(key, ev)
	if err != nil {
		j.stats.Invalid++
		if ev.Kind == IKEEstablished && ev.Tunnel != nil {
			// The tunnel works here but has no record: nobody can take
			// it over, as when the structure refuses the write.
			j.refused = append(j.refused, Failure{DVIPA: ev.DVIPA, TunnelID: ev.TunnelID, Err: err,
				Message: TakeoverPreparationFailed(ev.Tunnel, j.opt.Clock.Now())})
			select {
			case j.wake <- struct{}{}:
			default:
			}
		}
		return
	}
	j.enqueue(key, t)
}

// apply changes the tunnel's record as the event says, on a copy so that
// a bad event leaves the tunnel as it was.
func (j *CFJournal) apply(key string, ev Event) (*tunnel, error) {
	t := j.tunnels[key]
	if ev.Kind == IKEEstablished {
		if ev.Tunnel == nil || ev.Tunnel.DVIPA != ev.DVIPA || ev.Tunnel.TunnelID != ev.TunnelID {
			return nil, errors.New("established event without its tunnel")
		}
		if t == nil {
			t = &tunnel{}
			j.tunnels[key] = t
		}
		r := ev.Tunnel.clone()
		r.Version, r.Writer, r.Written = Version, j.opt.Stack, j.opt.Clock.Now()
		if err := r.Validate(); err != nil {
			return nil, err
		}
		t.rec, t.added = r, r.Written
		return t, nil
	}
	if t == nil || t.rec == nil {
		return nil, fmt.Errorf("%s for unknown tunnel %s", ev.Kind, key)
	}
	r := t.rec.clone()
	switch ev.Kind {
	case IKERekeyed:
		r.IKE = ev.IKE
	case IKEDeleted:
		t.rec = nil
		return t, nil
	case ChildInstalled:
		r.Children = append(r.Children, ev.Child)
	case ChildRekeyed, ChildDeleted:
		i := slices.IndexFunc(r.Children, func(c ChildSA) bool { return c.InboundSPI == ev.OldInboundSPI })
		if i < 0 {
			return nil, fmt.Errorf("%s: no child SA %#x in %s", ev.Kind, ev.OldInboundSPI, key)
		}
		if ev.Kind == ChildRekeyed {
			r.Children[i] = ev.Child
		} else {
			r.Children = slices.Delete(r.Children, i, i+1)
		}
	case PeerMoved:
		r.Peer.Addr, r.Peer.BehindNAT = ev.Peer, ev.BehindNAT
	default:
		return nil, fmt.Errorf("unknown event %d", ev.Kind)
	}
	r.Written = j.opt.Clock.Now()
	if err := r.Validate(); err != nil {
		return nil, err
	}
	t.rec = r
	return t, nil
}

// enqueue queues the tunnel for a write unless it is queued already
// (coalesced) or the queue is full (dropped: marked stale, queued again
// when the queue drains).
func (j *CFJournal) enqueue(key string, t *tunnel) {
	switch {
	case t.queued:
		j.stats.Coalesced++
		return
	case len(j.queue) >= j.opt.MaxPending:
		j.stats.Dropped++
		if !t.stale {
			t.stale = true
			j.stale++
		}
		return
	}
	if t.stale {
		t.stale = false
		j.stale--
	}
	t.queued = true
	j.queue = append(j.queue, key)
	select {
	case j.wake <- struct{}{}:
	default:
	}
}

// Release stops the journal from writing or deleting anything of the
// DVIPA: the stack is giving the DVIPA up (a takeback, seed 003 figure 15)
// and its SA deletes must leave the records for the owner to read. A write
// already under way still lands; Flush waits for it.
func (j *CFJournal) Release(dvipa netip.Addr) {
	j.mu.Lock()
	defer j.mu.Unlock()
	j.released[dvipa] = true
	j.lives[dvipa]++
	prefix := Prefix(dvipa)
	j.queue = slices.DeleteFunc(j.queue, func(k string) bool { return len(k) > len(prefix) && k[:len(prefix)] == prefix })
	for k, t := range j.tunnels {
		if len(k) > len(prefix) && k[:len(prefix)] == prefix {
			if t.stale {
				j.stale--
			}
			delete(j.tunnels, k)
		}
	}
}

// Acquire lets the journal write the DVIPA's records again (the stack
// holds it anew) and returns the Journal the DVIPA's new endpoint reports
// to. That Instance goes deaf at the next Release: an endpoint of an
// earlier life, still retiring, never writes or deletes a record of the
// endpoint that replaced it.
func (j *CFJournal) Acquire(dvipa netip.Addr) *Instance {
	j.mu.Lock()
	defer j.mu.Unlock()
	delete(j.released, dvipa)
	j.lives[dvipa]++
	return &Instance{j: j, dvipa: dvipa, life: j.lives[dvipa]}
}

// Instance is a Journal for one life of one DVIPA's endpoint (Acquire).
type Instance struct {
	j     *CFJournal
	dvipa netip.Addr
	life  uint64
}

var _ Journal = (*Instance)(nil)

// Report implements Journal: events of another DVIPA, or after the life
// ended, are ignored (counted in Stats.Ignored).
func (in *Instance) Report(ev Event) {
	j := in.j
	j.mu.Lock()
	defer j.mu.Unlock()
	if ev.DVIPA != in.dvipa || j.lives[in.dvipa] != in.life {
		j.stats.Events++
		j.stats.Ignored++
		return
	}
	j.reportLocked(ev)
}

// Stats returns the counters so far.
func (j *CFJournal) Stats() Stats {
	j.mu.Lock()
	defer j.mu.Unlock()
	return j.stats
}

// Flush waits until every event reported before it is written (or has
// failed), or ctx ends.
func (j *CFJournal) Flush(ctx context.Context) error {
	j.mu.Lock()
	if !j.busy && len(j.queue) == 0 && j.stale == 0 && len(j.refused) == 0 || j.closed {
		j.mu.Unlock()
		return nil
	}
	ch := make(chan struct{})
	j.waiters = append(j.waiters, ch)
	j.mu.Unlock()
	// Wake the writer: stale tunnels wait for it with an empty queue.
	select {
	case j.wake <- struct{}{}:
	default:
	}
	select {
	case <-ch:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// Close stops the journal's goroutine; queued writes are abandoned.
func (j *CFJournal) Close() {
	j.mu.Lock()
	if j.closed {
		j.mu.Unlock()
		return
	}
	j.closed = true
	for _, w := range j.waiters {
		close(w)
	}
	j.waiters = nil
	j.mu.Unlock()
	close(j.done)
	j.wg.Wait()
}

func (j *CFJournal) run() {
	defer j.wg.Done()
	for {
		select {
		case <-j.done:
			return
		case <-j.wake:
		}
		j.reportRefused()
		for j.writeNext() {
		}
	}
}

// reportRefused tells OnFailure of the records Report could not make.
func (j *CFJournal) reportRefused() {
	j.mu.Lock()
	refused := j.refused
	j.refused = nil
	j.busy = j.busy || len(refused) > 0 // Flush waits for the report
	j.mu.Unlock()
	for _, f := range refused {
		if j.opt.OnFailure != nil {
			j.opt.OnFailure(f)
		}
	}
}

// writeNext writes the first queued tunnel; it reports whether there was
// one.
func (j *CFJournal) writeNext() bool {
	j.mu.Lock()
	if j.closed {
		j.mu.Unlock()
		return false
	}
	if len(j.queue) == 0 {
		j.requeueStale()
	}
	if len(j.queue) == 0 {
		j.busy = false
		for _, w := range j.waiters {
			close(w)
		}
		j.waiters = nil
		j.mu.Unlock()
		return false
	}
	key := j.queue[0]
	j.queue = j.queue[1:]
	t := j.tunnels[key]
	if t == nil {
		// Every path that forgets a tunnel also unqueues it; stay safe.
		j.mu.Unlock()
		return true
	}
	t.queued = false
	j.busy = true
	rec, version := t.rec, t.version
	if rec != nil {
		rec = rec.clone()
	}
	j.mu.Unlock()

	ctx := context.Background()
	var err error
	var nv uint64
	switch {
	case rec == nil && version == 0:
		// Deleted before its first write: nothing in the structure.
		j.mu.Lock()
		if j.tunnels[key] == t && t.rec == nil && !t.queued {
			delete(j.tunnels, key)
		}
		j.mu.Unlock()
		return true
	case rec == nil:
		dvipa, tunnel := splitKey(key)
		err = j.store.Delete(ctx, dvipa, tunnel, version)
	default:
		nv, err = j.store.Update(ctx, rec, version)
	}
	j.finish(key, t, rec, nv, err)
	return true
}

// finish records a write's outcome.
func (j *CFJournal) finish(key string, t *tunnel, rec *Record, version uint64, err error) {
	j.mu.Lock()
	var f *Failure
	switch {
	case err != nil:
		j.stats.Failed++
		dvipa, tunnel := splitKey(key)
		f = &Failure{DVIPA: dvipa, TunnelID: tunnel, Err: err}
		if rec != nil {
			f.Message = TakeoverPreparationFailed(rec, t.added)
		}
	case rec == nil:
		j.stats.Deleted++
		if j.tunnels[key] == t && t.rec == nil && !t.queued {
			delete(j.tunnels, key)
		}
	default:
		j.stats.Written++
		t.version = version
	}
	j.mu.Unlock()
	if f != nil && j.opt.OnFailure != nil {
		j.opt.OnFailure(*f)
	}
}

// requeueStale queues again the tunnels a full queue dropped.
func (j *CFJournal) requeueStale() {
	if j.stale == 0 {
		return
	}
	for k, t := range j.tunnels {
		if t.stale && !t.queued && len(j.queue) < j.opt.MaxPending {
			t.stale, t.queued = false, true
			j.stale--
			j.queue = append(j.queue, k)
		}
	}
	slices.Sort(j.queue)
}

func splitKey(key string) (netip.Addr, string) {
	for i := range len(key) {
		if key[i] == '/' {
			a, _ := netip.ParseAddr(key[:i])
			return a, key[i+1:]
		}
	}
	return netip.Addr{}, key
}

// clone copies the record deeply enough that the copy's slices can change.
func (r *Record) clone() *Record {
	c := *r
	c.IKE.Transforms = slices.Clone(r.IKE.Transforms)
	c.Children = make([]ChildSA, len(r.Children))
	for i, ch := range r.Children {
		ch.Transforms = slices.Clone(ch.Transforms)
		ch.Local = slices.Clone(ch.Local)
		ch.Remote = slices.Clone(ch.Remote)
		if ch.PFS != nil {
			p := *ch.PFS
			ch.PFS = &p
		}
		c.Children[i] = ch
	}
	return &c
}
