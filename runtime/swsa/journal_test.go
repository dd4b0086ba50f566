package swsa

import (
	"context"
	"errors"
	"net/netip"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tcpipc/tcpipc/internal/clock"
	"github.com/tcpipc/tcpipc/internal/testkit/leakcheck"
	"github.com/tcpipc/tcpipc/runtime/cf"
)

// gated is a structure whose writes wait for the gate to open, or fail
// while fail is set: a slow or broken coupling facility.
type gated struct {
	cf.Structure
	gate chan struct{}
	mu   sync.Mutex
	fail error
}

func (g *gated) wait() error {
	<-g.gate
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.fail
}

func (g *gated) CompareAndSwap(ctx context.Context, key string, version uint64, value []byte) (cf.Entry, error) {
	if err := g.wait(); err != nil {
		return cf.Entry{}, err
	}
	return g.Structure.CompareAndSwap(ctx, key, version, value)
}

func (g *gated) CompareAndDelete(ctx context.Context, key string, version uint64) error {
	if err := g.wait(); err != nil {
		return err
	}
	return g.Structure.CompareAndDelete(ctx, key, version)
}

type rig struct {
	clk   *clock.Manual
	st    *gated
	store *Store
	j     *CFJournal
	mu    sync.Mutex
	fails []Failure
}

// newRig starts a journal for MVS1 over an in-memory structure; open
// says whether writes go through at once.
func newRig(t *testing.T, maxPending int, open bool) *rig {
	t.Helper()
	leakcheck.Check(t)
	mem := cf.NewMemory()
	t.Cleanup(func() { mem.Close() })
	raw, err := mem.Structure(context.Background(), "EZBDVIPA1121")
	if err != nil {
		t.Fatal(err)
	}
	r := &rig{clk: clock.NewManual(start), st: &gated{Structure: raw, gate: make(chan struct{})}}
	if open {
		close(r.st.gate)
	}
	r.store = NewStore(r.st)
	r.j = NewCFJournal(r.store, Options{Stack: "MVS1", Clock: r.clk, MaxPending: maxPending, OnFailure: func(f Failure) {
		r.mu.Lock()
		r.fails = append(r.fails, f)
		r.mu.Unlock()
	}})
	t.Cleanup(r.j.Close)
	return r
}

func (r *rig) flush(t *testing.T) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := r.j.Flush(ctx); err != nil {
		t.Fatal(err)
	}
}

func (r *rig) records(t *testing.T) []Stored {
	t.Helper()
	got, bad, err := r.store.List(context.Background(), dva1)
	if err != nil || len(bad) > 0 {
		t.Fatalf("List: %v %+v", err, bad)
	}
	return got
}

func established(n byte) Event {
	rec := sample(n)
	rec.Writer, rec.Written = "", time.Time{} // the journal's to fill
	return Event{Kind: IKEEstablished, DVIPA: dva1, TunnelID: rec.TunnelID, Tunnel: rec}
}

// TestJournalFollowsTheTunnel plays a tunnel's life: established, a
// second child, a child rekey, the peer's NAT mapping moving, a child
// delete, the IKE SA's delete. After each, the record in the structure is
// what the tunnel is, stamped by the journal's stack and clock.
func TestJournalFollowsTheTunnel(t *testing.T) {
	r := newRig(t, 0, true)
	ev := established(10)
	id := ev.TunnelID
	peer := ev.Tunnel.Peer.Addr.Addr()
	step := func(e Event, check func(rec *Record)) {
		t.Helper()
		r.clk.Advance(time.Minute)
		e.DVIPA, e.TunnelID = dva1, id
		r.j.Report(e)
		r.flush(t)
		got := r.records(t)
		if check == nil {
			if len(got) != 0 {
				t.Fatalf("after %s: %d records, want none", e.Kind, len(got))
			}
			return
		}
		if len(got) != 1 {
			t.Fatalf("after %s: %d records, want 1", e.Kind, len(got))
		}
		rec := got[0].Record
		if rec.Writer != "MVS1" || !rec.Written.Equal(r.clk.Now()) {
			t.Errorf("after %s: written by %s at %s, want MVS1 at %s", e.Kind, rec.Writer, rec.Written, r.clk.Now())
		}
		check(rec)
	}
	step(ev, func(rec *Record) {
		if len(rec.Children) != 1 || rec.Children[0].InboundSPI != 0x100a {
			t.Errorf("established: children %+v", rec.Children)
		}
	})
	step(Event{Kind: ChildInstalled, Child: child(0x3000, 0x4000, peer)}, func(rec *Record) {
		if len(rec.Children) != 2 {
			t.Errorf("installed: %d children, want 2", len(rec.Children))
		}
	})
	step(Event{Kind: ChildRekeyed, OldInboundSPI: 0x100a, Child: child(0x3001, 0x4001, peer)}, func(rec *Record) {
		if rec.Children[0].InboundSPI != 0x3001 || rec.Children[1].InboundSPI != 0x3000 {
			t.Errorf("rekeyed: children %+v", rec.Children)
		}
	})
	newIKE := sample(10).IKE
	newIKE.SPIi = 42
	step(Event{Kind: IKERekeyed, IKE: newIKE}, func(rec *Record) {
		if rec.IKE.SPIi != 42 {
			t.Errorf("IKE rekey: SPIi %d", rec.IKE.SPIi)
		}
	})
	moved := netip.MustParseAddrPort("198.51.100.7:4500")
	step(Event{Kind: PeerMoved, Peer: moved, BehindNAT: true}, func(rec *Record) {
		if rec.Peer.Addr != moved || !rec.Peer.BehindNAT {
			t.Errorf("peer moved: %+v", rec.Peer)
		}
	})
	step(Event{Kind: ChildDeleted, OldInboundSPI: 0x3000}, func(rec *Record) {
		if len(rec.Children) != 1 || rec.Children[0].InboundSPI != 0x3001 {
			t.Errorf("child deleted: children %+v", rec.Children)
		}
	})
	step(Event{Kind: IKEDeleted}, nil)
	if s := r.j.Stats(); s.Written != 6 || s.Deleted != 1 || s.Failed+s.Dropped+s.Invalid != 0 {
		t.Errorf("stats %+v", s)
	}
}

// TestJournalRefusesBadEvents: events for unknown tunnels or children, or
// that would make an invalid record, change nothing and are counted.
func TestJournalRefusesBadEvents(t *testing.T) {
	r := newRig(t, 0, true)
	r.j.Report(Event{Kind: ChildInstalled, DVIPA: dva1, TunnelID: "nobody", Child: child(0x3000, 0x4000, dvb1)})
	ev := established(10)
	r.j.Report(ev)
	bad := child(0x3000, 0x4000, ev.Tunnel.Peer.Addr.Addr())
	bad.Local[0].Start, bad.Local[0].End = dvb1, dvb1 // not the DVIPA
	r.j.Report(Event{Kind: ChildInstalled, DVIPA: dva1, TunnelID: ev.TunnelID, Child: bad})
	r.j.Report(Event{Kind: ChildDeleted, DVIPA: dva1, TunnelID: ev.TunnelID, OldInboundSPI: 0x9999})
	r.j.Report(Event{Kind: IKEEstablished, DVIPA: dva1, TunnelID: "x"})
	r.flush(t)
	got := r.records(t)
	if len(got) != 1 || len(got[0].Record.Children) != 1 {
		t.Fatalf("records %+v", got)
	}
	if s := r.j.Stats(); s.Invalid != 4 || s.Written != 1 {
		t.Errorf("stats %+v, want 4 invalid and 1 written", s)
	}
}

// TestJournalNeverBlocksAndCoalesces: with the coupling facility stuck,
// a thousand rekeys of one tunnel return at once and cost one queued
// write; the record ends as the last rekey left it.
func TestJournalNeverBlocksAndCoalesces(t *testing.T) {
	r := newRig(t, 0, false)
	ev := established(10)
	r.j.Report(ev)
	peer := ev.Tunnel.Peer.Addr.Addr()
	done := make(chan struct{})
	go func() {
		defer close(done)
		old := uint32(0x100a)
		for i := range uint32(1000) {
			r.j.Report(Event{Kind: ChildRekeyed, DVIPA: dva1, TunnelID: ev.TunnelID, OldInboundSPI: old, Child: child(0x10000+i, 0x20000+i, peer)})
			old = 0x10000 + i
		}
	}()
	select {
	case <-done:
	case <-time.After(30 * time.Second):
		t.Fatal("Report blocked behind a stuck coupling facility")
	}
	close(r.st.gate)
	r.flush(t)
	s := r.j.Stats()
	if s.Written > 2 || s.Coalesced < 999 {
		t.Errorf("stats %+v: 1001 events should cost at most 2 writes", s)
	}
	got := r.records(t)
	if len(got) != 1 || got[0].Record.Children[0].InboundSPI != 0x10000+999 {
		t.Errorf("record %+v, want the last rekey", got)
	}
}

// TestJournalBoundedQueue: with the queue full, new tunnels are dropped
// and counted, not queued without bound; once the coupling facility
// answers again they are written all the same.
func TestJournalBoundedQueue(t *testing.T) {
	r := newRig(t, 2, false)
	for n := byte(1); n <= 6; n++ {
		r.j.Report(established(n))
	}
	if s := r.j.Stats(); s.Dropped < 3 {
		t.Errorf("stats %+v: a queue of 2 took more than 3 of 6 tunnels", s)
	}
	close(r.st.gate)
	r.flush(t)
	if got := r.records(t); len(got) != 6 {
		t.Errorf("%d records after the queue drained, want 6", len(got))
	}
}

// TestJournalReportsFailures: a write the coupling facility refuses is
// counted and reported with z/OS's EZD0831I; the tunnel is written once
// the facility works and the tunnel changes again.
func TestJournalReportsFailures(t *testing.T) {
	r := newRig(t, 0, true)
	r.st.mu.Lock()
	r.st.fail = errors.New("structure failure")
	r.st.mu.Unlock()
	ev := established(10)
	r.j.Report(ev)
	r.flush(t)
	r.mu.Lock()
	fails := r.fails
	r.mu.Unlock()
	if len(fails) != 1 || !strings.HasPrefix(fails[0].Message, "EZD0831I Tunnel takeover preparation failed : 2026/12/07 01:00:00 vpnaction= dvipa-esp-gcm tunnelID= MVS1.Y01") {
		t.Fatalf("failures %+v", fails)
	}
	var fault *FaultError
	if !errors.As(fails[0].Err, &fault) {
		t.Errorf("failure %v is not a FaultError", fails[0].Err)
	}
	r.st.mu.Lock()
	r.st.fail = nil
	r.st.mu.Unlock()
	r.j.Report(Event{Kind: PeerMoved, DVIPA: dva1, TunnelID: ev.TunnelID, Peer: netip.MustParseAddrPort("192.0.2.10:4500")})
	r.flush(t)
	if got := r.records(t); len(got) != 1 {
		t.Errorf("%d records after recovery, want 1", len(got))
	}
	if s := r.j.Stats(); s.Failed != 1 || s.Written != 1 {
		t.Errorf("stats %+v", s)
	}
}

// TestJournalReleaseKeepsRecords: a stack giving a DVIPA back (takeback)
// releases it first; its SA deletes then leave the records for the owner
// to read, and later events for the DVIPA are ignored until it acquires
// the DVIPA again.
func TestJournalReleaseKeepsRecords(t *testing.T) {
	r := newRig(t, 0, true)
	ev := established(10)
	r.j.Report(ev)
	r.flush(t)
	r.j.Release(dva1)
	r.j.Report(Event{Kind: IKEDeleted, DVIPA: dva1, TunnelID: ev.TunnelID})
	r.flush(t)
	if got := r.records(t); len(got) != 1 {
		t.Fatalf("%d records after a released DVIPA's delete, want 1", len(got))
	}
	if s := r.j.Stats(); s.Ignored != 1 {
		t.Errorf("stats %+v, want 1 ignored", s)
	}
	r.j.Acquire(dva1)
	ev2 := established(11)
	r.j.Report(ev2)
	r.flush(t)
	if got := r.records(t); len(got) != 2 {
		t.Fatalf("%d records after acquiring again, want 2", len(got))
	}
}

// TestJournalConcurrentReports runs many reporters against one journal
// (under -race): every tunnel ends in the structure.
func TestJournalConcurrentReports(t *testing.T) {
	r := newRig(t, 16, true)
	var wg sync.WaitGroup
	for g := range byte(8) {
		wg.Go(func() {
			for n := range byte(10) {
				r.j.Report(established(g*10 + n + 1))
			}
		})
	}
	wg.Wait()
	r.flush(t)
	if got := r.records(t); len(got) != 80 {
		t.Errorf("%d records, want 80", len(got))
	}
}

// TestJournalInstanceOfEarlierLife: a retiring endpoint (its DVIPA
// released, then acquired again by a new endpoint) reports an SA delete
// for a tunnel ID the new endpoint also uses; the new endpoint's record
// stays, and the old endpoint's events are ignored.
func TestJournalInstanceOfEarlierLife(t *testing.T) {
	r := newRig(t, 0, true)
	ep1 := r.j.Acquire(dva1)
	ev := established(10)
	ep1.Report(ev)
	r.flush(t)
	r.j.Release(dva1)
	ep2 := r.j.Acquire(dva1)
	ep2.Report(ev) // the same ID in the new life
	r.flush(t)
	ep1.Report(Event{Kind: IKEDeleted, DVIPA: dva1, TunnelID: ev.TunnelID})
	ep1.Report(established(11))
	r.flush(t)
	if got := r.records(t); len(got) != 1 {
		t.Fatalf("%d records after the earlier life's events, want 1 (the new life's)", len(got))
	}
	if s := r.j.Stats(); s.Ignored != 2 {
		t.Errorf("stats %+v, want 2 ignored", s)
	}
}

// TestJournalReportsARecordItCannotKeep: a tunnel whose record is not a
// valid one (an identity that is no address, say) cannot be taken over,
// as one the structure refuses cannot: the journal says so with
// EZD0831I instead of dropping it with nothing but a counter.
func TestJournalReportsARecordItCannotKeep(t *testing.T) {
	r := newRig(t, 0, true)
	ev := established(10)
	ev.Tunnel.Peer.Identity = Identity{Type: "IPADDR", Value: "192.0.2.0-192.0.2.255"}
	r.j.Report(ev)
	r.flush(t)
	r.mu.Lock()
	fails := r.fails
	r.mu.Unlock()
	if len(fails) != 1 || !strings.HasPrefix(fails[0].Message, "EZD0831I Tunnel takeover preparation failed : ") ||
		fails[0].TunnelID != ev.TunnelID || fails[0].Err == nil {
		t.Fatalf("failures %+v", fails)
	}
	if s := r.j.Stats(); s.Invalid != 1 || s.Written != 0 {
		t.Errorf("stats %+v, want 1 invalid and none written", s)
	}
}
