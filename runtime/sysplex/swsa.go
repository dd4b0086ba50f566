package sysplex

import (
	"context"
	"errors"
	"fmt"
	"net/netip"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/tcpipc/tcpipc/plan"
	"github.com/tcpipc/tcpipc/runtime/ipsec"
	"github.com/tcpipc/tcpipc/runtime/swsa"
)

// Sysplex-Wide Security Associations (seed 003 figures 7A-8B and 14-15,
// docs/swsa.md). A stack coding IPSEC DVIPSEC journals the tunnels of every
// DVIPA it routes to its group's EZBDVIPAvvtt structure; the stack that
// takes a DVIPA over reads the records and renegotiates every tunnel it
// can (figure 14, blocks 326-336); a stack giving a DVIPA back stops
// journaling it, lets the taker renegotiate and then deletes its own SAs
// (figure 15, blocks 340-368).

// swsaSide is a stack's link to the structure, for one life of the stack.
type swsaSide struct {
	store   *swsa.Store // nil when unreachable
	err     error       // why store is nil
	journal *swsa.CFJournal
	// seq numbers the stack's tunnels (Stack.Y<n>) across all its
	// endpoints; it starts above every ID of this stack in the structure.
	seq    atomic.Uint64
	ctx    context.Context // ends when the stack fails
	cancel context.CancelFunc
	wg     sync.WaitGroup // recoveries and retirements under way

	mu sync.Mutex
	// holds end each DVIPA's recovery when the stack gives the DVIPA
	// up (releaseSAs, dropSAs): from then on it writes and deletes
	// nothing for it.
	holds map[netip.Addr]context.CancelFunc
}

// hold is the context of a recovery of a: it ends when the stack fails or
// gives a up.
func (side *swsaSide) hold(a netip.Addr) context.Context {
	side.mu.Lock()
	defer side.mu.Unlock()
	if side.holds == nil {
		side.holds = map[netip.Addr]context.CancelFunc{}
	}
	if cancel := side.holds[a]; cancel != nil {
		cancel()
	}
	ctx, cancel := context.WithCancel(side.ctx)
	side.holds[a] = cancel
	return ctx
}

// giveUp ends a's recovery, if one runs: only the IKE of the DVIPA's
// current owner renegotiates from the records (IBM, "DVIPA takeover",
// vipa_sys_dist_swsa_takeover.htm).
func (side *swsaSide) giveUp(a netip.Addr) {
	side.mu.Lock()
	defer side.mu.Unlock()
	if cancel := side.holds[a]; cancel != nil {
		cancel()
		delete(side.holds, a)
	}
}

// openSWSA connects a starting stack to its group's structure and starts
// its journal (DVIPSEC, with IPSECURITY, only: a stack without it never
// writes or deletes records; it reads them to report what it cannot
// recover).
func (s *Stack) openSWSA() *swsaSide {
	ctx, cancel := context.WithCancel(context.Background())
	side := &swsaSide{ctx: ctx, cancel: cancel}
	if !s.sx.opts.IPsec {
		return side
	}
	side.store, side.err = swsa.Open(ctx, s.sx.cf, s.sx.plan, s.plan.Name)
	if side.store != nil && s.plan.DVIPSec && s.plan.IPSecurity {
		name := s.plan.Name
		side.seq.Store(s.lastTunnelSeq(ctx, side.store))
		side.journal = swsa.NewCFJournal(side.store, swsa.Options{Stack: name, Clock: s.sx.clk,
			OnFailure: func(f swsa.Failure) { s.sx.swsaFailure(name, f) }})
	}
	return side
}

// closeSWSA ends the stack's journal and waits for its recoveries: a
// failing stack writes and deletes nothing more, so its records stay for
// the next holder (a double failure).
func (side *swsaSide) close() {
	if side == nil {
		return
	}
	side.cancel()
	if side.journal != nil {
		side.journal.Close()
	}
	side.wg.Wait()
}

func (s *Stack) swsa() *swsaSide {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.sws
}

// journalEndpoint makes a DVIPA's new endpoint journal its tunnels.
func (s *Stack) journalEndpoint(a netip.Addr, ep *ipsec.Endpoint) {
	side := s.swsa()
	if side == nil || side.journal == nil {
		return
	}
	name := s.plan.Name
	ep.SetSWSA(ipsec.SWSA{Journal: side.journal.Acquire(a), Stack: name,
		NextID:      func() string { return fmt.Sprintf("%s.Y%d", name, side.seq.Add(1)) },
		VPNAction:   func(remote netip.Addr) string { return s.vpnActionFor(a, remote) },
		IKELifetime: s.ikeLifetime(a)})
}

// lastTunnelSeq is the highest n of the records <stack>.Y<n> in the
// structure: a stack back from a failure numbers its new tunnels above
// the ones of its earlier life it is about to recover, whose records it
// deletes once the new ones are written. If the structure cannot be read,
// the clock's seconds serve: above any earlier life's numbers unless that
// life set up tunnels faster than one a second for its whole length.
func (s *Stack) lastTunnelSeq(ctx context.Context, st *swsa.Store) uint64 {
	stored, _, err := st.ListAll(ctx)
	if err != nil {
		return uint64(max(s.sx.clk.Now().Unix(), 0))
	}
	prefix := s.plan.Name + ".Y"
	var last uint64
	for _, r := range stored {
		n, ok := strings.CutPrefix(r.Record.TunnelID, prefix)
		if v, err := strconv.ParseUint(n, 10, 64); ok && err == nil {
			last = max(last, v)
		}
	}
	return last
}

// vpnActionFor names the IpDynVpnAction of the first IPSEC filter from a
// to remote.
func (s *Stack) vpnActionFor(a, remote netip.Addr) string {
	for _, f := range s.plan.SPD.Filters {
		if f.VPNAction == "" {
			continue
		}
		if covers(f.Local, a) && covers(f.Remote, remote) {
			return f.VPNAction
		}
	}
	for _, v := range s.plan.SPD.VPNActions {
		return v.Name
	}
	return "unknown"
}

// ikeLifetime is the lifetime the key exchange rule for a proposes.
func (s *Stack) ikeLifetime(a netip.Addr) int {
	for _, p := range s.plan.IKE.Peers {
		if life := p.ProposedLifetime(); life > 0 && p.Local.Covers(a) {
			return life
		}
	}
	return 0
}

// recoverSAs is the takeover's SWSA step (figure 14, blocks 326-336): read
// the DVIPA's records, decide each tunnel with the planner, renegotiate the
// ones this stack can, report the others, and delete the old records at
// the versions read once each tunnel has its new record.
func (s *Stack) recoverSAs(a netip.Addr, sec *dvipaSec) {
	if sec != nil {
		// On-demand negotiation waits until the records are read
		// and the recoveries started (they hold their own peers).
		defer sec.ep.EndRecoveryPlanning()
	}
	side := s.swsa()
	if side == nil || !s.sx.opts.IPsec {
		return
	}
	name := s.plan.Name
	if side.store == nil {
		if s.plan.DVIPSec {
			s.sx.record(name, fmt.Sprintf("SWSA: no SAs of %s recovered: %v", a, side.err))
			s.sx.noteSWSA(SWSAOutcome{DVIPA: a, Stack: name, At: s.sx.clk.Now(), Unreachable: true})
		}
		return
	}
	ctx := side.hold(a)
	stored, corrupt, err := side.store.List(ctx, a)
	if hook := s.sx.renegotiateHook(); hook != nil && err == nil {
		hook(ctx, name)
	}
	if ctx.Err() != nil {
		return // failed or gave a up after reading: the records stay for the next holder
	}
	if err != nil {
		s.sx.record(name, fmt.Sprintf("SWSA: no SAs of %s recovered: %v", a, err))
		s.sx.noteSWSA(SWSAOutcome{DVIPA: a, Stack: name, At: s.sx.clk.Now(), Unreachable: true})
		return
	}
	for _, c := range corrupt {
		s.sx.record(name, fmt.Sprintf("SWSA: record %s is corrupt, not recovered: %v", c.Key, c.Err))
	}
	stored = s.dropOwnAndDuplicates(ctx, side, a, stored)
	if len(stored) == 0 {
		return
	}
	s.planRecovery(ctx, side, a, sec, stored)
}

// dropOwnAndDuplicates keeps one record per peer, the newest: a backup
// that failed in the middle of a recovery leaves the old holder's record
// and its own for the same peer. A peer is an address and port: clients
// behind one NAPT share the address, and the planner must see each of
// them (peer-behind-napt). Records of this stack's earlier life are
// kept: they are what it renegotiates after a takeback.
func (s *Stack) dropOwnAndDuplicates(ctx context.Context, side *swsaSide, a netip.Addr, stored []swsa.Stored) []swsa.Stored {
	slices.SortStableFunc(stored, func(x, y swsa.Stored) int { return y.Record.Written.Compare(x.Record.Written) })
	seen := map[netip.AddrPort]bool{}
	var out []swsa.Stored
	for _, st := range stored {
		peer := st.Record.Peer.Addr
		if seen[peer] {
			if side.journal != nil { // a stack in SWSA, as in planRecovery
				_ = side.store.Delete(ctx, a, st.Record.TunnelID, st.Version)
			}
			continue
		}
		seen[peer] = true
		out = append(out, st)
	}
	return out
}

// planRecovery runs the planner on the records and starts renegotiating.
func (s *Stack) planRecovery(ctx context.Context, side *swsaSide, a netip.Addr, sec *dvipaSec, stored []swsa.Stored) {
	name := s.plan.Name
	recs := make([]*swsa.Record, len(stored))
	read := map[string]swsa.Stored{}
	for i, st := range stored {
		recs[i], read[st.Record.TunnelID] = st.Record, st
	}
	ds, err := swsa.Recover(s.sx.plan, name, a, recs)
	if err != nil {
		s.sx.record(name, fmt.Sprintf("SWSA: no SAs of %s recovered: %v", a, err))
		return
	}
	out := SWSAOutcome{DVIPA: a, Stack: name, At: s.sx.clk.Now(), Writers: writers(recs)}
	var todo []swsa.Decision
	for _, d := range ds {
		if d.Recover && sec != nil {
			todo = append(todo, d)
			continue
		}
		if d.Recover { // the planner agrees but no endpoint runs here
			d.Reasons = append(d.Reasons, noEndpoint(name))
		}
		s.sx.record(name, fmt.Sprintf("SWSA: tunnel %s of %s (written by %s) to %s not recovered: %s",
			d.TunnelID, a, d.Writer, d.Peer, reasonText(d)))
		out.NotRecovered = append(out.NotRecovered, d)
		if side.journal != nil {
			// Only a stack in SWSA (DVIPSEC) deletes records: one
			// outside it leaves them for the owner's takeback.
			s.deleteOld(ctx, side, a, read[d.TunnelID])
		}
	}
	if len(todo) == 0 {
		s.sx.noteSWSA(out)
		return
	}
	s.sx.record(name, fmt.Sprintf("SWSA: renegotiating %d tunnels of %s from %s (written by %s)",
		len(todo), a, side.store.Name(), strings.Join(out.Writers, ", ")))
	results := make(chan recoveryResult, len(todo))
	side.wg.Add(1)
	go s.awaitRecovery(ctx, side, a, out, read, results, len(todo))
	sec.ep.Recover(todo, func(d swsa.Decision, err error) { results <- recoveryResult{d, err} })
}

type recoveryResult struct {
	d   swsa.Decision
	err error
}

// awaitRecovery hears how each renegotiation ended. Once the results in
// hand are taken, it waits until the new records are written, then
// deletes the old ones at the versions read (block 336): in batches, so a
// thousand tunnels cost a few flushes, not a thousand. If the stack fails
// first, the remaining records stay for the next holder. Done is when the
// last renegotiation ended.
func (s *Stack) awaitRecovery(ctx context.Context, side *swsaSide, a netip.Addr, out SWSAOutcome, read map[string]swsa.Stored,
	results <-chan recoveryResult, n int) {
	defer side.wg.Done()
	name := s.plan.Name
	var batch []string
	for got := 0; got < n; {
		select {
		case r := <-results:
			got++
			if r.err != nil {
				s.sx.record(name, fmt.Sprintf("SWSA: tunnel %s of %s to %s not renegotiated: %v", r.d.TunnelID, a, r.d.Peer, r.err))
				out.Failed = append(out.Failed, r.d)
			} else {
				out.Recovered = append(out.Recovered, r.d)
			}
			batch = append(batch, r.d.TunnelID)
			if got == n {
				out.Done = s.sx.clk.Now()
			}
		case <-ctx.Done():
			return // failed or gave a up: the records stay for the next holder
		}
		if len(results) > 0 && got < n {
			continue // more to take before flushing
		}
		if side.journal != nil && side.journal.Flush(ctx) != nil {
			return
		}
		for _, tunnel := range batch {
			if ctx.Err() != nil {
				return
			}
			s.deleteOld(ctx, side, a, read[tunnel])
		}
		batch = batch[:0]
	}
	s.sx.record(name, fmt.Sprintf("SWSA: renegotiated %d of %d tunnels of %s in %s",
		len(out.Recovered), len(out.Recovered)+len(out.Failed), a, out.Done.Sub(out.At).Round(time.Millisecond)))
	s.sx.noteSWSA(out)
}

// deleteOld deletes a record the stack read and acted on; a record it
// cannot delete is reported (it would be renegotiated again by a later
// holder, and keeps its writer waiting for the takeover to end).
func (s *Stack) deleteOld(ctx context.Context, side *swsaSide, a netip.Addr, st swsa.Stored) {
	err := deleteRead(ctx, side.store, a, st)
	if err != nil && ctx.Err() == nil {
		s.sx.record(s.plan.Name, fmt.Sprintf("SWSA: record %s of %s (written by %s) not deleted: %v",
			st.Record.TunnelID, a, st.Record.Writer, err))
	}
}

// deleteRead deletes a record at the version read. Nothing orders a
// taker's read after the giver's last write (a takeback: the giver's
// journal may write a rekey, then release the DVIPA), so a conflict with
// a newer version by the same writer is deleted at that version: the
// tunnel it describes is the one the taker renegotiated, and the giver
// writes nothing more once it released the DVIPA. A record another writer
// rewrote is not this stack's to delete.
func deleteRead(ctx context.Context, store *swsa.Store, a netip.Addr, st swsa.Stored) error {
	id, version := st.Record.TunnelID, st.Version
	for range 3 {
		err := store.Delete(ctx, a, id, version)
		if !errors.Is(err, swsa.ErrConflict) {
			return err
		}
		cur, err := store.Get(ctx, a, id)
		switch {
		case errors.Is(err, swsa.ErrNotFound):
			return nil
		case err != nil:
			return err
		case cur.Record.Writer != st.Record.Writer:
			return fmt.Errorf("%w: now written by %s", swsa.ErrConflict, cur.Record.Writer)
		}
		version = cur.Version
	}
	return fmt.Errorf("%w: its writer keeps rewriting it", swsa.ErrConflict)
}

func writers(recs []*swsa.Record) []string {
	var out []string
	for _, r := range recs {
		if !slices.Contains(out, r.Writer) {
			out = append(out, r.Writer)
		}
	}
	slices.Sort(out)
	return out
}

func reasonText(d swsa.Decision) string {
	var parts []string
	for _, r := range d.Reasons {
		parts = append(parts, r.Code+" ("+r.Text+")")
	}
	return strings.Join(parts, "; ")
}

// releaseSAs is the giving side of a takeback or planned move (figure 15,
// blocks 344-350 and 364): the journal stops writing the DVIPA's records,
// so they stay as they are for the taker, and the endpoint, out of the
// packet path already, lives on until the taker has renegotiated (it
// deletes this stack's records) or a timeout, then deletes its SAs with
// an INFORMATIONAL exchange to each peer and closes.
func (s *Stack) releaseSAs(a netip.Addr, sec *dvipaSec) {
	side := s.swsa()
	if side != nil {
		side.giveUp(a)
	}
	sec.ep.CancelRecoveries(fmt.Errorf("%s gave %s up", s.plan.Name, a))
	if side == nil || side.journal == nil || side.store == nil {
		sec.ep.Close()
		return
	}
	side.journal.Release(a)
	_ = side.journal.Flush(side.ctx)
	side.wg.Add(1)
	go s.retire(side, a, sec)
}

// retireTimeout bounds how long a giver waits for the taker's recovery.
const retireTimeout = 30 * time.Second

func (s *Stack) retire(side *swsaSide, a netip.Addr, sec *dvipaSec) {
	defer side.wg.Done()
	defer sec.ep.Close()
	ctx, cancel := context.WithCancel(side.ctx)
	defer cancel()
	changes, err := side.store.Watch(ctx, a)
	if err != nil {
		return
	}
	timeout := s.sx.clk.AfterFunc(retireTimeout, cancel)
	defer timeout.Stop()
	for s.hasRecords(side, a) {
		select {
		case _, ok := <-changes:
			if !ok {
				return
			}
		case <-ctx.Done():
			if side.ctx.Err() != nil {
				return // failed: no word to anyone
			}
			s.sx.record(s.plan.Name, fmt.Sprintf("SWSA: %s not renegotiated by its new holder in %s; deleting its SAs", a, retireTimeout))
			sec.ep.DeleteTunnelsAndWait(side.ctx, deleteWait)
			return
		}
	}
	sec.ep.DeleteTunnelsAndWait(side.ctx, deleteWait)
}

// deleteWait bounds how long a stack that ends a DVIPA's SAs waits for
// the peers to answer its Deletes before it closes the endpoint: long
// enough for a Delete queued behind an exchange under way, or sent again
// once (ikesa.DefaultRetransmitTimeout).
const deleteWait = 5 * time.Second

// dropSAs ends the SAs of a DVIPA that is deleted (a VIPARANGE DVIPA's
// last bind closed): nobody takes it over, so the peers get an
// INFORMATIONAL Delete at once and the records this stack wrote go, lest
// a later owner of the address renegotiate tunnels of its earlier life.
func (s *Stack) dropSAs(a netip.Addr) {
	s.mu.Lock()
	var sec *dvipaSec
	if r := s.roles.lookup(a); r != nil {
		sec = r.takeSec()
	}
	s.mu.Unlock()
	if sec == nil {
		return
	}
	side := s.swsa()
	if side != nil {
		side.giveUp(a)
	}
	sec.ep.CancelRecoveries(fmt.Errorf("%s deleted %s", s.plan.Name, a))
	if side != nil && side.journal != nil {
		side.journal.Release(a)
		_ = side.journal.Flush(side.ctx)
	}
	if side == nil { // the stack is going down
		sec.ep.DeleteTunnels()
		sec.ep.Close()
		return
	}
	side.wg.Add(1)
	go func() { // the peers' answers do not hold up the last close
		defer side.wg.Done()
		defer sec.ep.Close()
		sec.ep.DeleteTunnelsAndWait(side.ctx, deleteWait)
	}()
	if side.store == nil {
		return
	}
	stored, _, err := side.store.List(side.ctx, a)
	if err != nil {
		return
	}
	for _, st := range stored {
		if st.Record.Writer == s.plan.Name {
			_ = side.store.Delete(side.ctx, a, st.Record.TunnelID, st.Version)
		}
	}
}

// hasRecords reports whether the structure still holds a record this
// stack wrote for the DVIPA. A structure that cannot be read may still
// hold them: the giver keeps waiting (its timeout decides) rather than
// delete its SAs before the taker renegotiated.
func (s *Stack) hasRecords(side *swsaSide, a netip.Addr) bool {
	stored, _, err := side.store.List(side.ctx, a)
	if err != nil {
		return true
	}
	return slices.ContainsFunc(stored, func(st swsa.Stored) bool { return st.Record.Writer == s.plan.Name })
}

// noEndpoint is the reason a tunnel the planner would recover is not: the
// holder runs no endpoint for the DVIPA (its policy names no peer for it).
func noEndpoint(stack string) plan.Reason {
	return plan.Reason{Stack: stack, Code: "no-endpoint", Text: stack + " runs no IPsec endpoint for the DVIPA"}
}
