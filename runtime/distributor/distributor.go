package distributor

import (
	"fmt"
	"net/netip"
	"sort"
	"sync"
	"time"

	"github.com/tcpipc/tcpipc/internal/clock"
	"github.com/tcpipc/tcpipc/plan"
)

// ConnKey identifies a connection to the DVIPA: the client's address and
// port and the DVIPA port.
type ConnKey struct {
	Client netip.AddrPort
	Port   uint16
}

func (k ConnKey) String() string { return fmt.Sprintf("%s->%d", k.Client, k.Port) }

// Conn is a CRT entry.
type Conn struct {
	Key    ConnKey
	Target string
	// IPSec marks connections whose packets the routing stack decrypts
	// and encrypts (seed 003 figure 11: outbound replies come back to it).
	IPSec bool
	// Restored marks an entry read back from the coupling facility that
	// no target has confirmed with NEWCONN yet.
	Restored bool
	// Ending marks a connection its target reported closed: the entry
	// still routes the connection's last segments (the client's ACK of
	// the server's FIN) until EndLinger has passed.
	Ending bool
}

// EndLinger is how long an ended connection's CRT entry keeps routing. The
// target reports the end when its application closes, before the closing
// handshake is over; without the entry the client's last ACK would be
// answered with a reset and the server would resend its FIN until it gave
// up. Two seconds covers the handshake and a few FIN retransmissions.
const EndLinger = 2 * time.Second

// Journal keeps a copy of the CRT outside the routing stack (in the
// coupling facility), so the stack that takes a DVIPA over starts with
// the connections it is about to route.
type Journal interface {
	Record(c Conn)
	Forget(key ConnKey)
}

// Entry is a DPT entry: one target stack for one port.
type Entry struct {
	Stack string
	Port  uint16
	// Ready is the number of servers listening (from SRVSTAT).
	Ready int
	// Active counts the connections routed there now; Total all so far.
	Active, Total int
	Weight        int    // WEIGHTEDACTIVE weight
	WLM           int    // simulated WLM weight
	Role          string // HOTSTANDBY: PREFERRED or BACKUP
	BackupRank    int
	current       int // smooth weighted round robin state
}

// Distributor routes connections of one DVIPA.
type Distributor struct {
	mu    sync.Mutex
	clk   clock.Clock
	dvipa string
	// defs are the DVIPA's VIPADISTRIBUTE definitions, each for its own
	// ports (IBM's example distributes port 5000 and port 23 of one
	// DVIPA differently); orders are their targets' definition orders.
	defs   []plan.Distribution
	orders []map[string]int
	dpt    map[uint16]map[string]*Entry
	crt    map[ConnKey]*Conn
	rr     map[uint16]int
	wlm    map[string]int
	active map[uint16]string // HOTSTANDBY: the target in use per port
	// affinity remembers, per client address and port, the last target
	// and when the affinity ends (TIMEDAFFINITY).
	affinity map[affinityKey]affinity
	journal  Journal
}

type affinityKey struct {
	client netip.Addr
	port   uint16
}

type affinity struct {
	stack   string
	expires time.Time // zero while connections are open
}

// New returns the distributor a routing stack runs for a DVIPA with its
// VIPADISTRIBUTE definitions; for a port, the first that names it applies.
func New(clk clock.Clock, dvipa string, defs ...plan.Distribution) *Distributor {
	d := &Distributor{clk: clk, dvipa: dvipa, defs: defs,
		dpt: map[uint16]map[string]*Entry{}, crt: map[ConnKey]*Conn{}, rr: map[uint16]int{},
		wlm: map[string]int{}, active: map[uint16]string{}, affinity: map[affinityKey]affinity{}}
	for _, def := range defs {
		order := map[string]int{}
		for i, t := range def.Targets {
			if t.Stack != "" {
				order[t.Stack] = i
			}
		}
		d.orders = append(d.orders, order)
	}
	return d
}

// timedAffinity is the TIMEDAFFINITY of port's definition, in seconds.
func (d *Distributor) timedAffinity(port uint16) int {
	if i := d.defFor(port); i >= 0 {
		return d.defs[i].TimedAffinity
	}
	return 0
}

// defFor is the index of the definition that distributes port, or -1.
func (d *Distributor) defFor(port uint16) int {
	for i, def := range d.defs {
		if len(def.Ports) == 0 {
			return i
		}
		for _, p := range def.Ports {
			if int(port) >= p.From && int(port) <= p.To {
				return i
			}
		}
	}
	return -1
}

// DVIPA is the distributed address.
func (d *Distributor) DVIPA() string { return d.dvipa }

// Distributes reports whether connections to port are distributed.
func (d *Distributor) Distributes(port uint16) bool { return d.defFor(port) >= 0 }

// IsCandidateFor reports whether a stack may be a target for port.
func (d *Distributor) IsCandidateFor(stack string, port uint16) bool {
	i := d.defFor(port)
	return i >= 0 && d.candidateOf(i, stack)
}

// candidateOf reports whether definition i names the stack as a target.
func (d *Distributor) candidateOf(i int, stack string) bool {
	if d.defs[i].DestAll {
		return true
	}
	_, ok := d.orders[i][stack]
	return ok
}

// ServerStatus records a SRVSTAT: the number of servers a target has
// listening on the DVIPA port (0 when the last one stopped).
func (d *Distributor) ServerStatus(stack string, port uint16, listening int) {
	d.mu.Lock()
	defer d.mu.Unlock()
	i := d.defFor(port)
	if i < 0 || !d.candidateOf(i, stack) {
		return
	}
	if d.dpt[port] == nil {
		d.dpt[port] = map[string]*Entry{}
	}
	e := d.dpt[port][stack]
	if e == nil {
		e = &Entry{Stack: stack, Port: port, Weight: plan.DefaultWeight, WLM: 1}
		for _, t := range d.defs[i].Targets {
			if t.Stack == stack {
				if t.Weight != nil {
					e.Weight = *t.Weight
				}
				e.Role = t.Role
				if t.BackupRank != nil {
					e.BackupRank = *t.BackupRank
				}
			}
		}
		if w, ok := d.wlm[stack]; ok {
			e.WLM = w
		}
		d.dpt[port][stack] = e
	}
	if listening == 0 {
		d.pinActiveOn(port, stack)
	}
	e.Ready = listening
	if listening == 0 {
		d.activeGoneOn(port, stack)
	}
}

// SetWLM sets the simulated WLM weight of a target (BASEWLM, SERVERWLM).
func (d *Distributor) SetWLM(stack string, weight int) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.wlm[stack] = weight
	for _, byStack := range d.dpt {
		if e := byStack[stack]; e != nil {
			e.WLM = weight
		}
	}
}

// SetJournal makes the distributor record every CRT change in j.
func (d *Distributor) SetJournal(j Journal) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.journal = j
}

// Route returns the target of a packet: for a SYN a new choice recorded in
// the CRT, otherwise the CRT entry. ok is false when no target is ready (a
// SYN) or the connection is unknown.
func (d *Distributor) Route(key ConnKey, syn bool, ipsec bool) (string, bool) {
	d.mu.Lock()
	if c, ok := d.crt[key]; ok {
		d.mu.Unlock()
		return c.Target, true
	}
	if !syn {
		d.mu.Unlock()
		return "", false
	}
	stack, ok := d.pick(key)
	if !ok {
		d.mu.Unlock()
		return "", false
	}
	c := d.add(key, stack, ipsec)
	j := d.journal
	d.mu.Unlock()
	if j != nil {
		j.Record(c)
	}
	return stack, true
}

// Adopt records a connection a target reports with NEWCONN (after a
// takeover, or on takeback from the backup); it confirms an entry
// restored from the coupling facility.
func (d *Distributor) Adopt(key ConnKey, stack string, ipsec bool) {
	d.mu.Lock()
	if c, ok := d.crt[key]; ok {
		if c.Restored && c.Target == stack {
			c.Restored = false
		}
		d.mu.Unlock()
		return
	}
	c := d.add(key, stack, ipsec)
	j := d.journal
	d.mu.Unlock()
	if j != nil {
		j.Record(c)
	}
}

// Restore adds a connection read back from the coupling facility; it
// routes at once, and stays only if its target confirms it (Adopt) before
// DropRestoredOf that target, or DropRestored.
func (d *Distributor) Restore(c Conn) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if _, ok := d.crt[c.Key]; !ok {
		d.add(c.Key, c.Target, c.IPSec)
		d.crt[c.Key].Restored = true
	}
}

// DropRestored removes the restored entries no target confirmed: the
// connections ended while no stack routed the DVIPA.
func (d *Distributor) DropRestored() int {
	return d.dropRestored(func(*Conn) bool { return true })
}

// DropRestoredOf removes the restored entries of one target once it has
// reported all its connections (NEWCONN) without them.
func (d *Distributor) DropRestoredOf(target string) int {
	return d.dropRestored(func(c *Conn) bool { return c.Target == target })
}

func (d *Distributor) dropRestored(match func(*Conn) bool) int {
	return d.dropWhere(func(c *Conn) bool { return c.Restored && match(c) })
}

// dropWhere removes the CRT entries match selects, from the CF copy too,
// and returns how many it removed.
func (d *Distributor) dropWhere(match func(*Conn) bool) int {
	d.mu.Lock()
	var gone []ConnKey
	for k, c := range d.crt {
		if match(c) {
			gone = append(gone, k)
		}
	}
	for _, k := range gone {
		d.remove(k)
	}
	j := d.journal
	d.mu.Unlock()
	if j != nil {
		for _, k := range gone {
			j.Forget(k)
		}
	}
	return len(gone)
}

func (d *Distributor) add(key ConnKey, stack string, ipsec bool) Conn {
	c := &Conn{Key: key, Target: stack, IPSec: ipsec}
	d.crt[key] = c
	if e := d.entry(key.Port, stack); e != nil {
		e.Active++
		e.Total++
	}
	if d.timedAffinity(key.Port) > 0 {
		d.affinity[affinityKey{key.Client.Addr(), key.Port}] = affinity{stack: stack}
	}
	return *c
}

// Ended records that a connection's target closed it: the entry leaves the
// active count at once and the CRT after EndLinger.
func (d *Distributor) Ended(key ConnKey) {
	d.mu.Lock()
	defer d.mu.Unlock()
	c, ok := d.crt[key]
	if !ok || c.Ending {
		return
	}
	c.Ending = true
	if e := d.entry(key.Port, c.Target); e != nil && e.Active > 0 {
		e.Active--
	}
	d.clk.AfterFunc(EndLinger, func() {
		d.mu.Lock()
		// Only the entry that ended: a new connection may reuse the key.
		removed := d.crt[key] == c && d.remove(key)
		j := d.journal
		d.mu.Unlock()
		if removed && j != nil {
			j.Forget(key)
		}
	})
}

// Closed removes a connection that ended from the CRT at once (a reset).
func (d *Distributor) Closed(key ConnKey) {
	d.mu.Lock()
	removed := d.remove(key)
	j := d.journal
	d.mu.Unlock()
	if removed && j != nil {
		j.Forget(key)
	}
}

// remove deletes a CRT entry and updates the counters and affinity.
func (d *Distributor) remove(key ConnKey) bool {
	c, ok := d.crt[key]
	if !ok {
		return false
	}
	delete(d.crt, key)
	if e := d.entry(key.Port, c.Target); e != nil && e.Active > 0 && !c.Ending {
		e.Active--
	}
	if secs := d.timedAffinity(key.Port); secs > 0 {
		ak := affinityKey{key.Client.Addr(), key.Port}
		if !d.clientHasConns(ak) {
			d.affinity[ak] = affinity{stack: c.Target, expires: d.clk.Now().Add(time.Duration(secs) * time.Second)}
		}
	}
	return true
}

func (d *Distributor) clientHasConns(ak affinityKey) bool {
	for k := range d.crt {
		if k.Client.Addr() == ak.client && k.Port == ak.port {
			return true
		}
	}
	return false
}

func (d *Distributor) entry(port uint16, stack string) *Entry {
	if byStack := d.dpt[port]; byStack != nil {
		return byStack[stack]
	}
	return nil
}

// ready lists the targets with a listening server on port, in definition
// order (DESTIP ALL: by name).
func (d *Distributor) ready(port uint16) []*Entry {
	i := d.defFor(port)
	if i < 0 {
		return nil
	}
	order := d.orders[i]
	var out []*Entry
	for _, e := range d.dpt[port] {
		if e.Ready > 0 {
			out = append(out, e)
		}
	}
	sort.Slice(out, func(i, j int) bool {
		oi, iok := order[out[i].Stack]
		oj, jok := order[out[j].Stack]
		if iok && jok && oi != oj {
			return oi < oj
		}
		return out[i].Stack < out[j].Stack
	})
	return out
}

// pick chooses a target for a new connection.
func (d *Distributor) pick(key ConnKey) (string, bool) {
	ready := d.ready(key.Port)
	if len(ready) == 0 {
		return "", false
	}
	def := d.defs[d.defFor(key.Port)]
	if def.TimedAffinity > 0 {
		ak := affinityKey{key.Client.Addr(), key.Port}
		if a, ok := d.affinity[ak]; ok && (a.expires.IsZero() || d.clk.Now().Before(a.expires)) {
			for _, e := range ready {
				if e.Stack == a.stack {
					return e.Stack, true
				}
			}
		}
	}
	// OPTLOCAL is not applied here: it keeps local the connections a
	// target stack's own applications open, which never reach the
	// distributor; those from the network are distributed as ever.
	switch def.Method {
	case plan.RoundRobin:
		i := d.rr[key.Port] % len(ready)
		d.rr[key.Port]++
		return ready[i].Stack, true
	case plan.WeightedActive:
		return weightedActive(ready)
	case plan.HotStandby:
		return d.hotStandby(key.Port, ready)
	}
	// BASEWLM, SERVERWLM, TARGCONTROLLED: simulated WLM weights.
	return smoothWeighted(ready)
}

// weightedActive keeps active connections in proportion to the weights:
// the target with the fewest active connections per unit of weight wins.
func weightedActive(ready []*Entry) (string, bool) {
	var best *Entry
	for _, e := range ready {
		if e.Weight <= 0 {
			continue
		}
		if best == nil || (e.Active+1)*best.Weight < (best.Active+1)*e.Weight {
			best = e
		}
	}
	if best == nil {
		return "", false
	}
	return best.Stack, true
}

// smoothWeighted is nginx's smooth weighted round robin: deterministic and
// in proportion to the weights.
func smoothWeighted(ready []*Entry) (string, bool) {
	total := 0
	var best *Entry
	for _, e := range ready {
		w := max(e.WLM, 0)
		e.current += w
		total += w
		if best == nil || e.current > best.current {
			best = e
		}
	}
	if total == 0 || best == nil {
		return "", false
	}
	best.current -= total
	return best.Stack, true
}

// hotStandby sends everything to the active target: the preferred one
// while it is ready, otherwise the highest-ranked ready backup. Without
// AUTOSWITCHBACK a backup in use keeps the traffic when the preferred
// target returns.
func (d *Distributor) hotStandby(port uint16, ready []*Entry) (string, bool) {
	s := d.chosen(port, ready)
	if s == "" {
		return "", false
	}
	d.active[port] = s
	return s, true
}

// chosen is the HOTSTANDBY target for port among the ready ones: the one
// in use with NOAUTOSWITCHBACK while it is ready, else standbyOf.
func (d *Distributor) chosen(port uint16, ready []*Entry) string {
	if cur := d.active[port]; cur != "" && d.defs[d.defFor(port)].NoAutoSwitchBack {
		for _, e := range ready {
			if e.Stack == cur {
				return cur
			}
		}
	}
	return standbyOf(ready)
}

// standbyOf is the target HOTSTANDBY makes active among the ready ones:
// the preferred target, else the highest-ranked backup ("" for none).
func standbyOf(ready []*Entry) string {
	backups := []*Entry{}
	for _, e := range ready {
		if e.Role == "PREFERRED" {
			return e.Stack
		}
		backups = append(backups, e)
	}
	sort.SliceStable(backups, func(i, j int) bool { return backups[i].BackupRank > backups[j].BackupRank })
	if len(backups) == 0 {
		return ""
	}
	return backups[0].Stack
}

// Connections returns the number of CRT entries routed to a stack.
func (d *Distributor) Connections(stack string) int {
	d.mu.Lock()
	defer d.mu.Unlock()
	n := 0
	for _, c := range d.crt {
		if c.Target == stack {
			n++
		}
	}
	return n
}

// CRT returns the connection routing table, sorted.
func (d *Distributor) CRT() []Conn {
	d.mu.Lock()
	defer d.mu.Unlock()
	out := make([]Conn, 0, len(d.crt))
	for _, c := range d.crt {
		out = append(out, *c)
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Key.Port != out[j].Key.Port {
			return out[i].Key.Port < out[j].Key.Port
		}
		return out[i].Key.Client.String() < out[j].Key.Client.String()
	})
	return out
}

// DPT returns the destination port table, sorted by port and stack.
func (d *Distributor) DPT() []Entry {
	d.mu.Lock()
	defer d.mu.Unlock()
	var out []Entry
	for _, byStack := range d.dpt {
		for _, e := range byStack {
			out = append(out, *e)
		}
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Port != out[j].Port {
			return out[i].Port < out[j].Port
		}
		return out[i].Stack < out[j].Stack
	})
	return out
}
